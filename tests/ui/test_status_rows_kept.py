"""A pause and its lifting swap the status stack between two rows: each is drawn into cells once and kept (by its words,
the stack's size and style), not drawn again at every `p` (~0.2 ms of the pause's frame); what is kept is what Textual
draws, and a theme chosen since draws them anew in its colours."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import make_app, settled, started, until
from textual.visual import Visual

from runbook_tui.ui.status_stack import StatusStack

_TO_STRIPS = Visual.to_strips  # Textual's, as the test counts the app's calls of it


def _drawn_fresh(stack: StatusStack) -> list[Any]:
    """The stack's rows as Textual draws its content now, nothing kept."""
    width, height = stack.size
    return _TO_STRIPS(stack, stack.visual, width, height, stack.visual_style)


def _shown(stack: StatusStack) -> list[Any]:
    return [stack.render_line(y) for y in range(stack.size.height)]


async def _toggle(pilot: Any, controller: Any, stack: StatusStack) -> None:
    await pilot.press("p")
    await until(pilot, lambda: controller.state.paused and "PAUSED" in str(stack.content), "the pause on the status row")
    await settled(pilot)
    assert _shown(stack) == _drawn_fresh(stack), "the paused row as Textual draws it"
    await pilot.press("p")
    await until(pilot, lambda: not controller.state.paused and "PAUSED" not in str(stack.content), "the pause lifted")
    await settled(pilot)
    assert _shown(stack) == _drawn_fresh(stack), "the calm row as Textual draws it"


@pytest.mark.asyncio
async def test_a_second_pause_and_resume_draw_no_status_row_anew(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        controller = await started(pilot)
        stack = app.screen.query_one(StatusStack)
        await _toggle(pilot, controller, stack)  # each row drawn once
        drawn: list[str] = []
        to_strips = Visual.to_strips

        def counted(widget: Any, *args: Any, **kwargs: Any) -> Any:
            drawn.append(type(widget).__name__)
            return to_strips(widget, *args, **kwargs)

        monkeypatch.setattr(Visual, "to_strips", counted)
        await _toggle(pilot, controller, stack)
        assert "StatusStack" not in drawn


@pytest.mark.asyncio
async def test_a_theme_chosen_after_a_pause_draws_the_paused_row_in_its_colours(workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        controller = await started(pilot)
        stack = app.screen.query_one(StatusStack)
        await _toggle(pilot, controller, stack)  # the paused and the calm row kept in the first theme
        chosen = app.theme = "day" if app.theme != "day" else "night"
        await settled(pilot)
        await pilot.press("p")
        await until(pilot, lambda: controller.state.paused and "PAUSED" in str(stack.content), "the pause on the status row")
        await settled(pilot)
        assert _shown(stack) == _drawn_fresh(stack), f"the paused row in {chosen}'s colours"
