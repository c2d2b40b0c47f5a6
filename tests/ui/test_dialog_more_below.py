"""A dialog whose body is taller than the screen says so on its bottom border, with the keys that bring the rest up.

Found in a walk at 80x24: the undo list of a step on 30 hosts showed 8 of its 31 entries, the help 20 of its lines,
with a scrollbar as the only sign, and the action line named `y`, `f`, `escape`, not how to read the rest first.
Now the border reads `▼ 46 more lines: ↓ pgdn` until the end is in view."""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import make_app, screen_is, started, until


@pytest.mark.asyncio
async def test_the_help_says_how_much_is_below_and_how_to_reach_it(workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("question_mark")
        help_screen = await screen_is(pilot, "HelpScreen")
        frame = help_screen.query_one("#dialog")
        body = help_screen.query_one("#dialog-scroll")
        await until(pilot, lambda: str(frame.border_subtitle).startswith("▼ "), "the border to say what is below")
        said = str(frame.border_subtitle)
        below = body.virtual_size.height - body.scrollable_content_region.height
        assert said == f"▼ {below} more lines: ↓ pgdn", said
        await pilot.press("pagedown")
        await until(pilot, lambda: str(frame.border_subtitle) != said, "the count to follow the scrolling")
        await pilot.press("end")
        await until(pilot, lambda: not frame.border_subtitle, "nothing said once the end is in view")
