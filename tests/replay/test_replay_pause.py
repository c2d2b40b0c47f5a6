"""Space pauses a playing replay for good, whenever it comes. Textual's timer hands its tick to the screen's queue
(`set_timer` calls back by `call_next`) and a key's action runs in the app's: on a loaded machine space can come between
the timer firing and its tick."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable
from typing import Any

import pytest
from replay_helpers import replay_screen, until
from test_replay_position_line import long_night, row

from runbook_tui.ui.note_line import NoteLine
from runbook_tui.ui.replay_app import ReplayApp
from runbook_tui.ui.replay_screen import ReplayScreen


def _is_tick(callback: Callable[..., Any]) -> bool:
    """The replay's play tick (bound, or with the play it belongs to)."""
    function = getattr(callback, "func", callback)
    return getattr(function, "__func__", None) is ReplayScreen._tick_play


async def _while_blocked(predicate: Callable[[], bool], what: str) -> None:
    """Wait for `predicate` while the screen's queue is held (a pilot's pause waits for that queue: it would not return)."""
    deadline = time.monotonic() + 30
    while not predicate():
        assert time.monotonic() < deadline, f"timed out after 30s waiting for {what}"
        await asyncio.sleep(0.01)


@pytest.mark.asyncio
async def test_space_as_the_next_event_falls_due_pauses_for_good(monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: space taken after the next event fell due (its timer fired, its tick waiting in the screen's queue) paused
    for a moment only: the tick came after it, moved on and set the next one, and the line said `playing` again (the
    end-of-journal test's "paused again" was not seen in 30 s, 1 run in 8 under load)."""
    events = long_night(0, finished=True)
    app = ReplayApp(events, label="change.jsonl")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await replay_screen(app, pilot)
        line = screen.query_one(NoteLine)
        queued: list[Callable[..., Any]] = []  # what came to the screen's queue by `call_next`, once it ran there
        handed_on = screen.call_next

        def call_next(callback: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
            async def recorded() -> None:
                result = callback(*args, **kwargs)
                if inspect.isawaitable(result):
                    await result
                queued.append(callback)

            handed_on(recorded)

        monkeypatch.setattr(screen, "call_next", call_next)
        await pilot.press("space")  # at 1x: the next event falls due within 2 s, the night's end a minute away
        await until(lambda: "playing at 1x" in row(line), pilot, "the replay playing")
        # The screen's queue busy (as on a loaded machine) while the next event falls due; space is taken meanwhile.
        held, release = asyncio.Event(), asyncio.Event()

        async def hold() -> None:
            held.set()
            await release.wait()

        screen.call_later(hold)
        await _while_blocked(lambda: held.is_set() and screen._timer._task.done(), "the next event's timer to fire, the screen held")
        held_at = screen.replay.position
        assert await app.run_action("play", screen)  # as space's binding runs it, in the app's queue
        assert row(line).endswith("paused at 1x"), row(line)
        release.set()
        await until(lambda: any(_is_tick(callback) for callback in queued), pilot, "the waiting tick to have run")
        await pilot.pause()
        assert row(line).endswith("paused at 1x"), f"the pause was undone: {row(line)!r}"
        assert screen.replay.position == held_at, f"the replay moved on from event {held_at} while paused"
