"""The commands that draw a screen, without a terminal (a pipe, a log file, cron, CI): exit 2, say what to use instead.

Before, `run`, `replay` (and `--practice`) and `demo` drew their escape codes into the pipe and waited for keys from
/dev/null; `join` does the same check once the session's host key is checked (tests/share/test_host_key.py).
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from runbook_tui import cli

RUNBOOK = "runbook: 1\nid: nt\ntitle: NT\nsections:\n  - id: a\n    title: A\n    steps:\n      - {id: s, title: S, run: 'echo s'}\n"


def test_a_screen_command_without_a_terminal_starts_nothing_and_says_what_to_use(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rb.yaml").write_text(RUNBOOK)
    assert cli.main(["exec", "rb.yaml", "--solo", "t", "--journal", "done.jsonl"]) == 0  # exec needs no terminal
    capsys.readouterr()
    for argv, instead in [
        (["run", "rb.yaml", "--solo", "t", "--journal", "j.jsonl"], "For a run without a screen: runbook-tui exec"),
        (["run", "rb.yaml"], "For a run without a screen: runbook-tui exec"),  # the mode screen would have asked
        (["replay", "done.jsonl"], "runbook-tui report JOURNAL"),
        (["replay", "done.jsonl", "--practice"], "runbook-tui report JOURNAL"),
        (["demo"], "runbook-tui demo --exec runs it without one"),
    ]:
        codes: list[int] = []
        command = threading.Thread(target=lambda given=argv, said=codes: said.append(cli.main(given)), daemon=True)  # (before: it never returned)
        command.start()
        command.join(20)
        assert codes == [2], f"{argv}: {'still running after 20 s' if command.is_alive() else codes}"
        out, err = capsys.readouterr()
        assert out == "", (argv, out)  # not one escape code into the pipe
        assert err.startswith(f"runbook-tui: {argv[0]} shows a screen, and stdin or stdout is not a terminal: nothing was started. "), err
        assert instead in err, (argv, err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["done.jsonl", "rb.yaml"], "no journal, no practice journal, no demo sandbox"
