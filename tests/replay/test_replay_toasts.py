"""Stepping through a replay past guard trips that only notify: the position line stays readable.

Found in a walk: each → over a `notify` guard trip raised a toast (and ← then → raised it again); stepping quickly
piled them up at the bottom right, over `event 12/40 paused at 1x`. Now a trip stepped past is not a toast (its line
is in the output, its panel shows it), and any other toast stands above the position line and the footer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from replay_helpers import until
from textual.widgets import Static

from runbook_tui.engine.journal import read_events
from runbook_tui.ui.panels import PanelArea
from runbook_tui.ui.replay_app import ReplayApp
from runbook_tui.ui.replay_screen import ReplayScreen

JOURNAL = Path(__file__).parents[1] / "report" / "data" / "change.jsonl"


def _notifying_trips() -> list[dict[str, Any]]:
    """The fixture's run with its guard trip made `notify`, and tripping four times, one event apart."""
    events: list[dict[str, Any]] = []
    for event in read_events(JOURNAL).events:
        if event["type"] == "guard_tripped":
            events += [{**event, "action": "notify", "words": f"guard 'errors' tripped ({n})"} for n in range(1, 5)]
        else:
            events.append(dict(event))
    return [{**event, "seq": seq} for seq, event in enumerate(events)]


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_stepping_past_guard_trips_raises_no_toast_over_the_position_line(size: tuple[int, int]) -> None:
    events = _notifying_trips()
    first = next(i for i, e in enumerate(events) if e["type"] == "guard_tripped")
    app = ReplayApp(events, label="change.jsonl")
    async with app.run_test(size=size, notifications=True) as pilot:
        await until(lambda: isinstance(app.screen, ReplayScreen), pilot, "the replay screen")
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        screen.replay.seek(first - 1)
        screen._moved(True)
        for _ in range(8):  # over the four trips, back, and over them again
            await pilot.press("right")
        await pilot.press("left", "left", "right", "right")
        await until(lambda: screen.replay.position >= first + 4, pilot, "the steps past the trips")
        await until(lambda: len(screen.replay.state.guard_trips) == 4, pilot, "the four trips folded")
        area = screen.query_one(PanelArea)
        await until(lambda: area._trips_seen == 4, pilot, "the panels to have taken the four trips (where a toast came)")
        trips = [n for n in app._notifications if n.title == "Guard tripped"]
        assert trips == [], [n.message for n in trips]
        # any other toast (a jump that matches nothing) stands above the position line
        await pilot.press("g", *"nothing-like-this", "enter")
        await until(lambda: bool(app.screen.query("Toast")), pilot, "the jump's toast")
        line = screen.query_one("#journal-path", Static).region
        for toast in app.screen.query("Toast"):
            assert not toast.region.overlaps(line), (toast.region, line)
