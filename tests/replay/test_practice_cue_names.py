"""Practice plays a request of the night under the name of who made it, not under the session's verifier.

Before: the recorded verifier played every hold and rollback request as its own (`bob (recorded)`), so a hold carol
asked for on the night read, in the practice journal, log and report, as bob's.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from test_practice_waves import BOB, dry_night, play_night, run_each, until

from runbook_tui.app import practice
from runbook_tui.engine.controller import Actor, Controller
from runbook_tui.engine.journal import read_events

CAROL = Actor("carol", "verifier")


@pytest.fixture()
def night(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A dry run of two steps: bob confirms 'one'; carol joins, asks to hold while 'two' waits, and confirms it."""
    steps = [{"id": sid, "title": f"Step {sid}", "run": f"echo {sid}", "undo": f"echo undo-{sid}"} for sid in ("one", "two")]
    doc = {"runbook": 1, "id": "cues", "title": "Cues", "sections": [{"id": "impl", "steps": steps}]}
    journal, open_night = dry_night(tmp_path, monkeypatch, doc)

    async def the_night(controller: Controller, alice: Actor) -> None:
        assert controller.run_current(alice).ok
        await until("'one' to wait for bob", lambda: controller.state.steps["one"].status == "awaiting_verification")
        assert controller.confirm(BOB).ok
        controller.join("carol", "verifier")
        assert controller.run_current(alice).ok
        await until("'two' to wait", lambda: controller.state.steps["two"].status == "awaiting_verification")
        assert controller.request_hold(CAROL, "let me look at the graphs").ok
        assert controller.confirm(CAROL).ok
        await until("the night to end", lambda: controller.state.finished)

    play_night(open_night, the_night)
    return journal


def test_carols_hold_is_played_as_carols(night: Path, tmp_path: Path) -> None:
    out = tmp_path / "practice.jsonl"

    async def the_practice() -> None:
        run = practice.open_practice(str(night), out_journal=str(out))
        controller, trainee = run.session.controller, run.session.actor
        run.verifier.kick()
        try:
            await run_each(controller, trainee, ("one", "two"))
        finally:
            await run.session.close()

    asyncio.run(the_practice())
    events = read_events(out).events
    said = [(e["type"], e["actor"]) for e in events if e["type"] in ("hold_requested", "step_confirmed")]
    assert said == [("step_confirmed", "bob (recorded)"), ("hold_requested", "carol (recorded)"), ("step_confirmed", "carol (recorded)")], said
