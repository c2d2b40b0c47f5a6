"""The replay's position line names the day of the replayed moment when it is not the night's first: below 110 columns it
showed the time of day alone, and a run past midnight (or resumed days later) read `00:05:40 UTC` as if on the day it
began. On the first day, at 80 columns, the time alone as before (the date would push what the replay does out of view).
At the journal's end, where the dated moment and the count do not both fit, the count goes (it says the journal's length
there, which `end of the journal` says already): the end's moment was shown with no time at all.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from replay_helpers import until
from test_replay_position_line import row

from runbook_tui.ui.note_line import NoteLine
from runbook_tui.ui.replay_app import ReplayApp
from runbook_tui.ui.replay_screen import ReplayScreen

JOURNAL = Path(__file__).parents[1] / "report" / "data" / "change.jsonl"
#: change.jsonl runs 17:01–17:16 on 2026-11-23: moved on, it begins at 23:55 and ends at 00:10 the next day.
SHIFT = dt.timedelta(hours=6, minutes=54)


def past_midnight() -> list[dict[str, Any]]:
    def moved(ts: str) -> str:
        return (dt.datetime.fromisoformat(ts.replace("Z", "+00:00")) + SHIFT).isoformat(timespec="milliseconds").replace("+00:00", "Z")

    return [event | {"ts": moved(event["ts"])} for event in map(json.loads, JOURNAL.read_text(encoding="utf-8").splitlines())]


@pytest.mark.asyncio
async def test_a_moment_on_the_next_day_is_dated_at_80_columns() -> None:
    events = past_midnight()
    assert events[0]["ts"].startswith("2026-11-23T23:5") and events[-1]["ts"].startswith("2026-11-24T00:")
    app = ReplayApp(events, label="night.jsonl")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: isinstance(app.screen, ReplayScreen), pilot, "the replay screen")
        line = app.screen.query_one(NoteLine)
        await until(lambda: "event 1/" in row(line), pilot, "the first event in the position line")
        first = row(line)
        assert "23:55:" in first and "2026-11-23" not in first, first
        await pilot.press("end")
        await until(lambda: "end of the journal" in row(line), pilot, "the journal's end in the position line")
        # Before: `event 98/98 end of the journal` with no time at all (the dated form did not fit, the undated one may not be said).
        assert re.search(r" 11-24 00:10:17 .*end of the journal", row(line)), row(line)
        await pilot.press("left")
        await until(lambda: "paused at 1x" in row(line), pilot, "a moment before the end in the position line")
        assert re.search(r" 11-24 00:\d\d:\d\d ", row(line)), row(line)  # before: `00:05:06` alone, as if on 2026-11-23
    app = ReplayApp(events, label="night.jsonl")
    async with app.run_test(size=(140, 45)) as pilot:
        await until(lambda: isinstance(app.screen, ReplayScreen), pilot, "the replay screen")
        line = app.screen.query_one(NoteLine)
        await pilot.press("end")
        await until(lambda: "end of the journal" in row(line), pilot, "the journal's end in the position line")
        assert "2026-11-24 00:10:" in row(line), row(line)
