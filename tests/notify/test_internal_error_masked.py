"""An unexpected error (a bug) whose words hold a secret: said on stderr as one line, the secret masked.

The notifier, the poller, the executors and the controller's listeners catch what nobody foresaw and log it; the last-
resort printer (cli/error_lines.py) put the error's words on `exec`'s stderr as they were, while the journal's copy
was masked. Here a receiver's request fails with its own URL and token in the words (as `http.client` errors quote
what they were given).
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from runbook_tui import cli
from runbook_tui.notify import sender

TOKEN = "hook-token-7731-xyzw"

RUNBOOK = """\
    runbook: 1
    id: internal-error
    title: A receiver whose request fails unexpectedly
    secrets:
      hook: {env: RBT_INTERNAL_HOOK}
    notify:
      - url: "http://127.0.0.1:9/hook"
        events: [session_finished]
        headers: {X-Token: "{{ secrets.hook }}"}
    sections:
      - id: s
        title: S
        kind: precheck
        steps:
          - {id: one, title: One, run: "true"}
"""


def test_an_unexpected_error_quoting_a_token_is_masked_on_stderr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def broken(method: str, url: str, **kwargs: Any) -> None:
        raise RuntimeError(f"cannot send to {url} with X-Token {kwargs['headers']['X-Token']}")

    monkeypatch.setattr(sender, "request", broken)
    monkeypatch.setenv("RBT_INTERNAL_HOOK", TOKEN)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r.yaml").write_text(textwrap.dedent(RUNBOOK), encoding="utf-8")
    code = cli.main(["exec", "r.yaml", "--solo", "test", "--journal", "run.jsonl"])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert "notification to http://127.0.0.1:9/hook failed: RuntimeError: cannot send to" in err, err
    assert "X-Token ***" in err, err
    assert TOKEN not in err + out and TOKEN not in (tmp_path / "run.jsonl").read_text(encoding="utf-8")
