"""The status line through a full rollback says what it is doing at each event of it, from a real `exec` journal: the
run screen during the night, replay stepping through it afterwards."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from runbook_tui.engine import events as ev
from runbook_tui.engine.journal import read_events
from runbook_tui.engine.state import replay
from runbook_tui.ui.status_stack import statuses
from tests.engine.test_exec_cli import run_exec

#: b fails; `--on-failure abort` undoes b then a, then runs the rollback section's r.
NIGHT = """\
    runbook: 1
    id: full-status
    title: Full rollback status
    sections:
      - id: impl
        title: Change
        kind: implement
        steps:
          - {id: a, title: Step a, run: echo a, undo: echo undo-a}
          - {id: b, title: Step b, run: exit 3, undo: echo undo-b}
      - id: back
        title: Back out
        kind: rollback
        steps:
          - {id: r, title: Restore, run: echo restore}
"""
NOW = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


def _rolling(events: list[ev.Event], upto: int) -> tuple[str, dict[str, str]]:
    """The rollback's status line (and its keys) after the journal's first `upto` events."""
    line = next(s for s in statuses(replay(events[:upto]), NOW) if s.text.startswith("Rolling back"))
    return line.text, dict(line.keys)


def test_a_full_rollback_says_which_step_it_is_at_never_starting_once_it_has(tmp_path: Path) -> None:
    """Before: while the rollback section's r ran, and between two undos, the line read `Rolling back (full):
    starting…`, as if nothing had been undone yet (replay stopped there at any event; the run screen for as long as r
    ran), and k was not offered though it stops r."""
    result = run_exec(tmp_path, NIGHT, "s3cr3t-status", "--on-failure", "abort")
    assert result.returncode == 1 and "outcome ROLLED BACK" in result.stdout, result.stdout + result.stderr
    events = list(read_events(tmp_path / "run.jsonl").events)
    at = {(e["type"], e.get("step")): n for n, e in enumerate(events)}
    assert _rolling(events, at[(ev.ROLLBACK_STARTED, None)] + 1) == ("Rolling back (full): starting…", {})
    assert _rolling(events, at[(ev.UNDO_STARTED, "b")] + 1) == ("Rolling back (full): b…", {"assignee": "k stop step"})
    assert _rolling(events, at[(ev.UNDO_FINISHED, "b")] + 1)[0] == "Rolling back (full): b undone…"
    assert _rolling(events, at[(ev.STEP_STARTED, "r")] + 1) == ("Rolling back (full): running r…", {"assignee": "k stop step"})
