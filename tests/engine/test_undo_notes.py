"""Each status a step can stand in when a rollback lists it, in the undo list's words (engine/undo_notes.py)."""

from __future__ import annotations

import pytest

from runbook_tui.engine.state_model import HostState, StepState
from runbook_tui.engine.undo_notes import undo_note


@pytest.mark.parametrize(
    ("step", "host", "said"),
    [
        (StepState("a", status="done"), HostState("done"), ""),
        (StepState("a", status="done", verified=False), HostState("done"), ""),  # done unverified: done, its undo runs
        (StepState("a", status="failed"), HostState("failed", exit_code=3), "step failed"),
        (StepState("a", status="failed"), HostState("timed_out"), "step timed out"),
        (StepState("a", status="unknown"), HostState("unknown"), "step outcome unknown: the program stopped while it ran"),
        (StepState("a", status="failed"), HostState("failed", error="stopped by alice; exit -15"), "step stopped by alice"),
        (
            StepState("a", status="failed"),
            HostState("failed", error="stopped by alice before retry 2/3 (the last try ended with exit code 1)"),
            "step stopped by alice",
        ),
        (StepState("a", status="skipped", decided_by="alice", decision="skipped"), HostState("failed", exit_code=3), "step failed, then skipped by alice"),
        (StepState("a", status="skipped", decided_by="alice", decision="skipped"), HostState("done"), "step ran, then skipped by alice"),
        (StepState("a", status="rejected", decided_by="bob", decision="rejected"), HostState("done"), "step ran, then rejected by bob"),
        (StepState("a", status="awaiting_verification"), HostState("done"), "step ran, not confirmed yet"),
        (StepState("a", status="done", decided_by="alice", decision="marked done"), HostState("done"), "step marked done by alice"),
        (StepState("a", status="done", decided_by="alice", decision="marked done"), HostState("failed", exit_code=1), "step failed, then marked done by alice"),
    ],
)
def test_the_note_says_how_the_step_stands(step: StepState, host: HostState, said: str) -> None:
    assert undo_note(step, host) == said
