"""A go-ahead refused on the night answers a practice run's request for a go-ahead, never its outcome.

Seen in a walk: bob gave a go-ahead, withdrew it ("wrong host list"), gave it
again, and confirmed the outcome. In practice the trainee asked once, ran at
once, and the recorded bob "rejected" the outcome with the reason he had
given for the withdrawal, a thing he never did on the night.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from test_practice_waves import BOB, dry_night, until

from runbook_tui.app import practice
from runbook_tui.engine.journal import read_events
from runbook_tui.engine.recording import record


@pytest.fixture()
def night(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A dry run of one `verify: both` step: bob's go-ahead, withdrawn, given again; the step ran; bob confirmed it."""
    step = {"id": "risky", "title": "Risky change", "run": "echo risky", "undo": "echo undo", "verify": "both"}
    doc = {"runbook": 1, "id": "refused", "title": "Refused", "sections": [{"id": "impl", "steps": [step]}]}
    journal, open_night = dry_night(tmp_path, monkeypatch, doc)

    async def the_night() -> None:
        session = open_night()
        controller, alice = session.controller, session.actor
        try:
            assert controller.run_current(alice).ok  # asks
            assert controller.confirm(BOB).ok
            assert controller.reject(BOB, "wrong host list").ok  # withdrawn before alice ran it
            assert controller.run_current(alice).ok  # asks again
            assert controller.confirm(BOB).ok
            assert controller.run_current(alice).ok
            await until("the step to wait for bob", lambda: controller.state.steps["risky"].status == "awaiting_verification")
            assert controller.confirm(BOB).ok
        finally:
            await session.close()

    asyncio.run(the_night())
    return journal


def test_the_recording_keeps_go_aheads_apart_from_verdicts(night: Path) -> None:
    recording = record(read_events(night).events)
    assert recording.go_aheads == {"risky": [("confirmed", "", "bob"), ("rejected", "wrong host list", "bob"), ("confirmed", "", "bob")]}
    assert recording.verdicts == {"risky": [("confirmed", "", "bob")]}


def test_the_trainee_who_runs_at_once_meets_bobs_confirmation_not_his_withdrawal(night: Path, tmp_path: Path) -> None:
    async def the_practice() -> list[tuple[str, str | None, str]]:
        run = practice.open_practice(str(night), out_journal=str(tmp_path / "practice.jsonl"))
        controller, trainee = run.session.controller, run.session.actor
        try:
            assert controller.run_current(trainee).ok  # asks
            await until("bob (recorded) to give the go-ahead", lambda: controller.state.steps["risky"].has_go_ahead)
            assert controller.run_current(trainee).ok
            await until("bob (recorded) to confirm the outcome", lambda: controller.state.steps["risky"].status == "done")
        finally:
            await run.session.close()
        events = read_events(tmp_path / "practice.jsonl").events
        return [(e["type"], e.get("phase"), e["actor"]) for e in events if e["type"] in ("step_confirmed", "step_rejected")]

    assert asyncio.run(the_practice()) == [
        ("step_confirmed", "before", "bob (recorded)"),
        ("step_confirmed", "after", "bob (recorded)"),
    ], "the withdrawal waits for a request for a go-ahead; it is never read as a verdict on the outcome"
