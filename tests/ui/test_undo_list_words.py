"""The undo list `u` opens says how each listed step stands, truly: a step that failed and was then skipped is
undone all the same (its command ran and may have changed things), and the list says it was skipped, and by whom."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from run_screen_helpers import SIZE, make_app, marks, of_kind, painted, screen_is, settled, started, type_text, until, until_apply_failed

JOURNAL = "j.jsonl"


@pytest.mark.asyncio
async def test_a_failed_then_skipped_step_is_listed_as_skipped_and_its_undo_runs(workdir: Path) -> None:
    app = make_app(params={"fail": True})
    async with app.run_test(size=SIZE) as pilot:
        controller = await started(pilot)
        await until_apply_failed(pilot)
        await pilot.press("s")
        await screen_is(pilot, "TextPrompt")
        await type_text(pilot, "done by hand")
        await pilot.press("enter")
        await until(pilot, lambda: controller.state.steps["apply"].status == "skipped", "apply to be skipped")
        await settled(pilot)
        await pilot.press("u")
        modal = await screen_is(pilot, "RollbackModal")
        body = painted(modal.query_one("#dialog-body"))
        # Before: " 1  apply (step failed) on local", as if nobody had skipped it.
        assert re.search(r"1  apply \(step failed, then skipped by alice\) on local\n\s+echo undo-apply >> marks", body), body
        assert "edit on local" in body, "a step plainly done has no note"
        await pilot.press("y")
        await until(pilot, lambda: controller.state.rollback is not None and controller.state.rollback.finished and not controller.busy, "the rollback")
    assert "undo-apply" in marks(workdir), "the skipped step's undo ran, as the list said"
    (started_event,) = of_kind(JOURNAL, "rollback_started")
    notes = [(e["step_id"], e["note"]) for e in started_event["plan"]["entries"]]
    assert notes == [("apply", "step failed, then skipped by alice"), ("tweak", ""), ("edit", "")], "the journal keeps the words the list showed"


@pytest.mark.asyncio
async def test_a_full_rollback_lists_what_its_rollback_section_steps_run(workdir: Path) -> None:
    """Seen in a shared walk: `f` listed every undo with its command and host, then the rollback section's step by its
    id alone (`restored  then this rollback section step`): the one command a full rollback adds was the one not shown
    before `y`. It is listed with where it runs and the command, as the undos above it."""
    app = make_app(params={"fail": True})
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await until_apply_failed(pilot)
        await settled(pilot)
        await pilot.press("u")
        modal = await screen_is(pilot, "RollbackModal")
        await pilot.press("f")
        await until(pilot, lambda: "FULL rollback" in str(modal.query_one("#dialog-title").render()), "the full rollback's list")
        body = painted(modal.query_one("#dialog-body"))
        assert re.search(r"\d  restored on local  then this rollback section step\n\s+echo restored >> marks", body), body
        await pilot.press("n")
