"""pgdn in the help at 80x24 turns to the next entry's head: each page starts with a key, never mid-entry.

Found in a walk at 80x24 (screens38): the help scrolled a page's height, and its entries are of uneven heights (a key's
assignee and verifier lines wrap to several rows), so a page could begin with a `verifier: ...` line under no key, the
key it belongs to on the page before. Pages now start at an entry's head, as the metric panels' `m` pages do, the last
page too; pgup turns back the same way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import make_app, screen_is, started, until

from runbook_tui.ui.head_pages import room_made
from runbook_tui.ui.modals import HELP_KEYS


def _first_row(body: Any) -> str:
    """The body's first row in view, as the screen shows it (inside the dialog's border and padding)."""
    region = body.content_region
    return str(body.app.screen._compositor.render_strips()[region.y].text[region.x : region.right])


async def _pages_down(pilot: Any, body: Any) -> list[str]:
    """pgdn until the help's end is in view; each page's first row."""
    firsts: list[str] = []
    while body.lines_below() and len(firsts) < 12:
        before = body.scroll_y
        await pilot.press("pagedown")
        await until(pilot, lambda: body.scroll_y != before, "pgdn turned the page")  # noqa: B023 (awaited in the loop)
        await pilot.pause()
        firsts.append(_first_row(body))
    return firsts


@pytest.mark.asyncio
async def test_each_help_page_starts_at_a_keys_entry(workdir: Path) -> None:
    keys = tuple(key for key, _ in HELP_KEYS)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("question_mark")
        help_screen = await screen_is(pilot, "HelpScreen")
        body = help_screen.query_one("#dialog-scroll")
        await until(pilot, lambda: body.max_scroll_y > 0, "the help taller than the screen")
        firsts = await _pages_down(pilot, body)
        room = room_made(help_screen.query_one("#dialog-body"))
        assert room > 0, "at 80x24 the last entry's head is below where the help scrolls to: room is made below it"
        heads = tuple(f"{key} " for key in keys)
        assert len(firsts) >= 2, f"more than two pages at 80x24: {firsts}"
        for n, first in enumerate(firsts, 2):
            assert first.startswith(heads), f"page {n} starts mid-entry: {first!r}"
        frame = help_screen.query_one("#dialog")
        await until(pilot, lambda: not frame.border_subtitle, "the last page: no `▼ N more lines` for the blank room below it")
        assert body.read_to_end(), "the last page shows the help's end (the promise, the journal's path)"
        backs: list[str] = []
        while body.scroll_y > 0 and len(backs) < 12:
            before = body.scroll_y
            await pilot.press("pageup")
            await until(pilot, lambda: body.scroll_y != before, "pgup scrolled the help back")  # noqa: B023 (awaited in the loop)
            await pilot.pause()
            backs.append(_first_row(body))
        assert backs and backs[-1].startswith("Keys"), f"pgup comes back to the top: {backs}"
        assert len(backs) == len(firsts), f"as many pages back as forward (the top is a page's start too): {firsts} {backs}"
        assert all(first.startswith(heads) for first in backs[:-1]), f"pgup's pages start at a key's entry too: {backs}"
        await _pages_down(pilot, body)
        assert room_made(help_screen.query_one("#dialog-body")) == room
        await pilot.press("question_mark")
        await screen_is(pilot, "RunScreen")
        await pilot.press("question_mark")
        await screen_is(pilot, "HelpScreen")
        assert room_made(help_screen.query_one("#dialog-body")) == 0, "the room made for the last page goes as the help closes"
