"""What `exec --dry-run` and `resume`'s look say after a dry run whose step failed: nothing ran, so there is nothing to
roll back (they advised `resume --rollback`, and `--rollback --full` for what the dry run "left applied")."""

from __future__ import annotations

from pathlib import Path

import pytest

from runbook_tui import cli

#: `change` fails in a dry run too: its command cannot be rendered (the host's name has no attribute `bogus`; not a
#: capture's: a dry run does not know a captured output, so a command computing with one is shown, not rendered).
RUNBOOK = """runbook: 1
id: dry
title: Dry
sections:
  - id: b
    kind: backup
    steps:
      - {id: backup, title: Back up, run: 'echo 5', undo: 'echo restoring', checkpoint: true}
  - id: a
    kind: implement
    steps:
      - {id: change, title: Change, run: 'echo {{ host.name.bogus }}', undo: 'echo unchanging'}
"""
NOTHING = "dry run: nothing ran on any host, so nothing stands and there is nothing to roll back"


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    monkeypatch.setenv("SSH_AUTH_SOCK", "")
    monkeypatch.delenv("RUNBOOK_TUI_SETTINGS", raising=False)
    (tmp_path / "R.yaml").write_text(RUNBOOK)
    return tmp_path


@pytest.mark.parametrize("on_failure", ["stop", "rollback"])
def test_a_failed_dry_run_says_nothing_ran_instead_of_advising_a_rollback(here: Path, capsys: pytest.CaptureFixture[str], on_failure: str) -> None:
    code = cli.main(["exec", "R.yaml", "--solo", "t", "--dry-run", "--journal", "J.jsonl", "--on-failure", on_failure])
    out, _err = capsys.readouterr()
    assert code == 1, out
    assert "change FAILED" in out or "ROLLED BACK" in out, out
    assert out.splitlines()[-1] == NOTHING, out
    assert "--rollback" not in out.split("session_finished", 1)[1], out

    code = cli.main(["resume", "J.jsonl"])  # a look at the finished dry run says the same
    out, err = capsys.readouterr()
    assert code == 1 and out == "", (out, err)
    assert err.rstrip("\n").endswith(f"nothing to resume; {NOTHING}") and "--rollback" not in err, err


def test_a_failed_live_run_still_points_to_the_rollback(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["exec", "R.yaml", "--solo", "t", "--journal", "L.jsonl"])
    out, _err = capsys.readouterr()
    assert code == 1 and out.splitlines()[-1] == "to undo what ran: runbook-tui resume L.jsonl --rollback (or --rollback --full)", out
