"""`resume` in a terminal after the change window closed asks for the reason to go on, as `run` asks for the one to
start. Before: the run screen opened and the rest of the change ran with nothing asked; only the report said
afterwards "NO: ended after the window". Now the question comes first: escape leaves with nothing journaled (exit 2,
saying `--rollback` needs no reason); a reason opens the run with the override journaled and on the window's row."""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import SIZE, painted, screen_is, started, type_text, until
from window_resume import log, stopped_inside
from written_lines import written_events

from runbook_tui.ui.launch import resume_app
from runbook_tui.ui.status_stack import StatusStack


@pytest.mark.asyncio
async def test_escape_on_the_resume_window_question_leaves_with_nothing_journaled(workdir: Path) -> None:
    journal = await stopped_inside(workdir)
    before = written_events(journal)
    app = resume_app(str(journal))
    async with app.run_test(size=SIZE) as pilot:
        prompt = await screen_is(pilot, "TextPrompt")
        body = " ".join(painted(prompt.query_one("#dialog-body")).split())
        assert "CHG-8 closed at 2020-01-01T04:00:00+00:00" in body and "Going on with the run needs a reason" in body, body
        assert "--override-window REASON (journaled)" not in body, "the command line's words are not typed in a dialog"
        await pilot.press("escape")
        await until(pilot, lambda: app.return_value is not None or not app.is_running, "the app to leave")
    assert app.return_value == 2 and app.failure and app.failure.startswith("nothing resumed: outside the change window"), app.failure
    assert "--rollback needs none" in app.failure
    assert written_events(journal) == before and log(workdir) == ["a"]


@pytest.mark.asyncio
async def test_a_reason_on_the_resume_window_question_goes_on_with_the_override_journaled(workdir: Path) -> None:
    journal = await stopped_inside(workdir)
    app = resume_app(str(journal))
    async with app.run_test(size=SIZE) as pilot:
        await screen_is(pilot, "TextPrompt")
        await type_text(pilot, "CAB extended the window")
        await pilot.press("enter")
        controller = await started(pilot)
        assert controller.state.window_override == "CAB extended the window"
        await until(pilot, lambda: "overridden: CAB extended the window" in painted(app.screen.query_one(StatusStack)), "the override on the window's row")
    kinds = [e["type"] for e in written_events(journal)]
    assert kinds.index("session_resumed") < kinds.index("window_override")
    override = next(e for e in written_events(journal) if e["type"] == "window_override")
    assert (override["reason"], override["actor"], override.get("resumed")) == ("CAB extended the window", "alice", True)


@pytest.mark.asyncio
async def test_override_window_on_the_command_line_asks_nothing(workdir: Path) -> None:
    journal = await stopped_inside(workdir)
    app = resume_app(str(journal), override_window="given on the command line")
    async with app.run_test(size=SIZE) as pilot:
        controller = await started(pilot)
        assert controller.state.window_override == "given on the command line"
