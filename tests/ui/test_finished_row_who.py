"""A finished run's last status row (the run screen, the verifier's, replay) says who ended it, in the words of the
report's Outcome and exec's `session_finished` line, kept in the run's state by the fold. Before, the row read
`Session finished: ROLLED BACK to the last checkpoint (a). The journal has everything` while the report and exec said
`(by exec, run by alice)`. At 80 columns the who-part gives way (`(by exec)`), never the outcome, and the row stays one."""

from __future__ import annotations

import datetime as dt
import textwrap
import uuid
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual.geometry import Region

from runbook_tui.engine import events as ev
from runbook_tui.engine.journal import read_events
from runbook_tui.engine.state import apply, replay
from runbook_tui.report import build_report, text
from runbook_tui.ui.finished_row import finished_row
from runbook_tui.ui.status_stack import StatusStack, every_status_text
from tests.engine.test_exec_cli import run_exec
from tests.report.test_views_agree import STOPPED_UNDO
from tests.ui.run_screen_helpers import until

CHECKPOINTED = STOPPED_UNDO.replace("{id: a, title: Step a, run: echo a, undo: echo undo-a}", "{id: a, title: Step a, run: echo a, checkpoint: true}")


class _Stack(App[None]):
    def compose(self) -> ComposeResult:
        yield StatusStack()


def _rows(stack: Any) -> list[str]:
    width, height = stack.outer_size
    return [strip.text.strip() for strip in stack.render_lines(Region(0, 0, width, height))]


@pytest.mark.asyncio
async def test_the_last_status_row_says_who_ended_the_run_as_the_report_does_at_both_sizes(tmp_path: Path) -> None:
    (tmp_path / "make-c-fail").touch()
    ran = run_exec(tmp_path, textwrap.dedent(CHECKPOINTED), f"s3cr3t-{uuid.uuid4().hex}", "--on-failure", "rollback")
    assert ran.returncode == 1, ran.stdout + ran.stderr
    report = build_report(tmp_path / "run.jsonl")
    state = replay(read_events(tmp_path / "run.jsonl").events)
    person = report.session.finished_by
    # The fold keeps who ended it: the person who ran exec, and exec, whose --on-failure policy ended it for them.
    assert person and (state.finished_by, state.finished_driver) == (person, "exec"), (state.finished_by, state.finished_driver)
    outcome = "ROLLED BACK to the last checkpoint (a)"
    whole = f"Session finished: {outcome} (by exec, run by {person}). The journal has everything"
    assert text.outcome_line(report) + text.finished_words(report) == whole.removeprefix("Session finished: ").removesuffix(". The journal has everything")
    exec_line = next(line for line in ran.stdout.splitlines() if " session_finished " in line)
    assert exec_line.endswith(f"outcome {outcome} (by exec, run by {person})"), exec_line
    app = _Stack()
    async with app.run_test(size=(140, 45)) as pilot:
        stack = app.query_one(StatusStack)
        for role, keys in (("assignee", " — q quit"), ("verifier", " — q leave"), ("replay", "")):
            stack.show(state, dt.datetime.now(dt.UTC), role)  # type: ignore[arg-type]
            await pilot.resize_terminal(140, 45)
            await until(pilot, lambda k=keys: _rows(stack) == [whole + k], f"{role}'s row whole at 140x45: {_rows(stack)}")
            # At 80x24 one row still: the outcome whole, who ended it short (it wrapped `run by` / `alice). The…`).
            await pilot.resize_terminal(80, 24)
            short = f"Session finished: {outcome} (by exec){keys}"
            await until(pilot, lambda s=short: _rows(stack) == [s], f"{role}'s row at 80x24: {_rows(stack)}")
            assert cell_len(short) <= 78
            assert whole in every_status_text(stack.found, role)  # `e` lists it whole


def test_who_ended_it_is_kept_by_the_fold_and_cleared_when_the_run_is_reopened(tmp_path: Path) -> None:
    """A run the program ends (`system`, every step done) reads `(ended by the program …)`, short `(by the program)`;
    `resume --rollback` reopening it forgets who ended it, and its new end says who ended that."""
    (tmp_path / "make-c-fail").touch()
    ran = run_exec(tmp_path, textwrap.dedent(CHECKPOINTED), f"s3cr3t-{uuid.uuid4().hex}")  # --on-failure stop: FAILED
    assert ran.returncode == 1, ran.stdout + ran.stderr
    events = list(read_events(tmp_path / "run.jsonl").events)
    state = replay(events)
    assert state.outcome == "failed" and state.finished_driver == "exec" and state.finished_by, state
    last = {k: v for k, v in events[-1].items() if k != "driver"}  # the session_finished exec journaled, by a person now
    reopened = apply(state, {**last, "seq": last["seq"] + 1, "type": ev.SESSION_REOPENED, "actor": "dave", "outcome": "failed", "reason": "resume --rollback"})
    assert (reopened.finished, reopened.finished_by, reopened.finished_driver) == (False, None, None)
    ended = apply(reopened, {**last, "seq": last["seq"] + 2, "actor": "dave", "outcome": "rolled_back"})
    assert (ended.finished_by, ended.finished_driver) == ("dave", None)
    program = apply(reopened, {**last, "seq": last["seq"] + 2, "actor": ev.SYSTEM, "outcome": "done"})
    row = finished_row(program)
    assert row.text == "Session finished: done (ended by the program with no step left to run). The journal has everything", row.text
    assert row.shorter[0] == "Session finished: done (by the program). The journal has everything", row.shorter
