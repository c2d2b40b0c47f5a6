"""One table of events: README shows what events.py declares, and a real run writes only what it declares."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from runbook_tui.engine import events as ev
from runbook_tui.engine.event_table import markdown, payload_problems
from runbook_tui.engine.journal import read_events
from tests.engine.test_exec_cli import RUNBOOK, run_exec

README = Path(__file__).parents[2] / "README.md"


def test_the_readme_table_is_the_one_generated_from_events_py() -> None:
    assert markdown() in README.read_text(encoding="utf-8"), "README's event table is stale: paste `python -m runbook_tui.engine.event_table`"


def test_every_type_constant_is_in_the_table() -> None:
    constants = {value for value in vars(ev).values() if isinstance(value, ev.EventType)}
    assert constants == set(ev.VOCABULARY.values())
    assert all(kind.doc for kind in constants), [k for k in constants if not k.doc]


def test_a_check_names_what_is_missing_unknown_or_of_the_wrong_kind() -> None:
    event = {"seq": 3, "ts": "t", "type": "step_skipped", "actor": "a", "prev": "p", "hash": "h", "reason": 7, "why": "x"}
    assert sorted(payload_problems(event)) == ["step_skipped: no step", "step_skipped: reason is 7, expected text", "step_skipped: why is not in the table"]
    assert payload_problems({"type": "from_a_newer_writer", "x": 1}) == []


@pytest.mark.parametrize("on_failure", ["abort", "rollback"])
def test_a_real_run_writes_every_event_as_the_table_declares_it(tmp_path: Path, on_failure: str) -> None:
    """exec with a failing step and a rollback: the session, steps, output, checkpoints, undo, notes and the end."""
    (tmp_path / "make-c-fail").touch()
    result = run_exec(tmp_path, RUNBOOK, f"s3cr3t-{uuid.uuid4().hex}", "--on-failure", on_failure)
    assert result.returncode == 1, result.stdout + result.stderr
    read = read_events(tmp_path / "run.jsonl")
    assert read.intact, read.problems
    kinds = {e["type"] for e in read.events}
    assert {ev.SESSION_STARTED, ev.STEP_READY, ev.STEP_STARTED, ev.OUTPUT, ev.STEP_FINISHED, ev.ROLLBACK_STARTED, ev.UNDO_FINISHED} <= kinds, kinds
    assert [p for e in read.events for p in payload_problems(e)] == []
