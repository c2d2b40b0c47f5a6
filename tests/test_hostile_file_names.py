"""A runbook or journal named with terminal escapes and markup: every command's error shows the name as characters.

`preflight`, `run` (before the TUI starts) and `replay --mark-scenario` printed the name raw: `ESC[2J` cleared
the operator's screen (`validate`, `plan` and `exec` already showed `␛[2J`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from runbook_tui import cli

BROKEN = "runbook: 1\nid: x\ntitle: X\nsections:\n  - {id: s, kind: nope, steps: [{id: a, run: 'true'}]}\n"


def test_a_hostile_name_never_reaches_the_terminal_raw(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    runbook = tmp_path / "r\x1b[2J\x1b]0;pwned\a[bold]x.yaml"
    runbook.write_text(BROKEN)
    shown = f"{tmp_path}/r␛[2J␛]0;pwned␇[bold]x.yaml"
    for argv, expected in [
        (["preflight", str(runbook)], f"{shown}:5:19: 'kind': expected one of"),
        (["run", "--solo", "x", str(runbook)], f"{shown}:5:19: 'kind': expected one of"),
        (["replay", "--mark-scenario", "x", f"{runbook}.jsonl"], f"runbook-tui: cannot read {shown}.jsonl: No such file or directory"),
    ]:
        assert cli.main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith(expected), (argv, err)
        assert "\x1b" not in err and "\a" not in err, (argv, err)


def test_the_pickers_detail_pane_shows_a_hostile_name_as_characters(tmp_path: Path) -> None:
    """The picker listed the name through `visible_line`, but its detail pane wrote the name and the errors raw."""
    from runbook_tui.runbook.loader import probe_runbook
    from runbook_tui.ui.picker import describe

    runbook = tmp_path / "r\x1b]0;pwned\a.yaml"
    runbook.write_text(BROKEN.replace("nope", '"\\e[2J"'))  # YAML's escape: the value holds a real ESC
    plain = describe(probe_runbook(runbook), refused=True).plain
    assert f"{tmp_path}/r␛]0;pwned␇.yaml has 1 error" in plain and "got '\\x1b[2J'" in plain, plain
    assert "\x1b" not in plain and "\a" not in plain, plain
