"""After a rehearsal's rollback, each precheck run again is announced once, and no step that never runs is.

Seen with `rehearse --fail-at` and no checkpoint: exec's lines and the journal read `step_ready p1` twice in a row (the
controller announced the step the run stood at after the rollback, then the recheck announced it again); with a
checkpoint, the step after it (`apply`) was announced and never ran: a rehearsal does not go on forward.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from runbook_tui.engine.journal import read_events

RUNBOOK = """\
    runbook: 1
    id: announced-once
    title: Announced once
    sections:
      - id: pre
        title: Pre
        kind: precheck
        steps:
          - {id: p1, title: Look, run: echo look}
      - id: impl
        title: Change
        kind: implement
        steps:
          - {id: s1, title: One, run: echo one, undo: echo undo-one}
          - {id: s2, title: Two, run: echo two, undo: echo undo-two}
"""


def test_the_recheck_after_the_rollback_is_announced_once(tmp_path: Path, write_runbook: Callable[..., Path], run_cli: Callable[..., Any]) -> None:
    result = run_cli("rehearse", "--yes", str(write_runbook(RUNBOOK)), "--fail-at", "s2", "--journal", "r.jsonl")
    assert result.returncode == 0, result.stdout + result.stderr
    events = read_events(tmp_path / "r.jsonl").events
    [finished] = [i for i, e in enumerate(events) if e["type"] == "rollback_finished"]
    after = [(e["type"], e.get("step")) for e in events[finished:] if e["type"] in ("step_ready", "step_started", "session_finished")]
    assert after == [("step_ready", "p1"), ("step_started", "p1"), ("session_finished", None)], after
    assert sum(line.endswith("step_ready         p1: Look") for line in result.stdout.splitlines()) == 2, result.stdout  # forward, recheck
