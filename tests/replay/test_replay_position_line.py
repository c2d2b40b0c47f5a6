"""The replay's position line at 80 columns for a journal of a real night's length: hundreds of events or more, and the
file name the program gives a journal (`<runbook>-<UTC time>.jsonl`, cut in the middle). What the replay is doing (paused,
playing, at the journal's end, at the end of a journal with no end) is the end of the line, and it must stay in view.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from replay_helpers import until
from textual.geometry import Region

from runbook_tui.ui.note_line import NoteLine
from runbook_tui.ui.replay_app import ReplayApp
from runbook_tui.ui.replay_screen import ReplayScreen

JOURNAL = Path(__file__).parents[1] / "report" / "data" / "change.jsonl"
#: The name `run` gives a journal in the state folder.
LABEL = "demo-app-config-20261123T170100.123456Z-k3f9.jsonl"


def long_night(outputs: int, *, finished: bool) -> list[dict[str, Any]]:
    """change.jsonl with `outputs` more lines of the first step's output (a chatty command), seq numbered again; without
    its end (`session_finished` and what follows it) unless `finished`."""
    events = [json.loads(line) for line in JOURNAL.read_text(encoding="utf-8").splitlines()]
    first = next(index for index, event in enumerate(events) if event["type"] == "output")
    chatter = [events[first] | {"text": f"line {n}\n"} for n in range(outputs)]
    events = events[: first + 1] + chatter + events[first + 1 :]
    if not finished:
        events = events[: next(index for index, event in enumerate(events) if event["type"] == "session_finished")]
    return [event | {"seq": seq} for seq, event in enumerate(events)]


def row(line: NoteLine) -> str:
    """The row as the terminal shows it, padding and all (`text_of` reads the content's width from the padded edge)."""
    [strip] = line.render_lines(Region(0, 0, line.region.width, 1))
    return " ".join(strip.text.split())


async def _row_after(events: list[dict[str, Any]], *keys: str, said: str) -> str:
    """The position line after `keys` at 80x24, once it holds `said`."""
    app = ReplayApp(events, label=LABEL)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: isinstance(app.screen, ReplayScreen), pilot, "the replay screen")
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        await pilot.press(*keys)
        line = screen.query_one(NoteLine)
        await until(lambda: said in row(line), pilot, f"{said!r} in the position line")
        return row(line)


@pytest.mark.asyncio
@pytest.mark.parametrize("outputs", [100, 100_000])
async def test_the_end_of_a_journal_with_no_end_stays_in_view_at_80_columns(outputs: int) -> None:
    """Before: `REPLAY, nothing runs: demo-app-c…-k3f9.jsonl  17:05:10 UTC  event 193/193  ends` (`unfinished` cut off:
    `ends` alone reads as the run's end, the opposite of what it says)."""
    events = long_night(outputs, finished=False)
    said = await _row_after(events, "end", said=f"{len(events)}/{len(events)}")
    assert said.startswith("REPLAY, nothing runs:"), said
    assert said.endswith("unfinished"), said


@pytest.mark.asyncio
@pytest.mark.parametrize("outputs", [100, 100_000])
async def test_the_speed_stays_in_view_at_80_columns(outputs: int) -> None:
    """Before: `… event 100197/100198  paused at 10` (the speed cut: 100x read as 10)."""
    events = long_night(outputs, finished=True)
    said = await _row_after(events, *["plus"] * 6, "end", "left", said="paused at")
    assert said.startswith("REPLAY, nothing runs:"), said
    assert said.endswith("at 100x"), said


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_the_end_of_a_finished_journal_says_so_and_space_there_plays_it_again(size: tuple[int, int]) -> None:
    """Before: played to its end the line said `paused at 30x` (nobody paused it), and space there did nothing, silently:
    the line said `playing` for a moment and `paused` again."""
    events = long_night(0, finished=True)
    app = ReplayApp(events, label="change.jsonl")
    async with app.run_test(size=size) as pilot:
        await until(lambda: isinstance(app.screen, ReplayScreen), pilot, "the replay screen")
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        line = screen.query_one(NoteLine)
        await pilot.press(*["plus"] * 6, "end", "left", "space")  # from the last decision, at 100x: played to the end
        await until(lambda: f"{len(events)}/{len(events)}" in row(line), pilot, "the replay played to its last event")
        await until(lambda: row(line).endswith("end of the journal"), pilot, f"the end said; the line reads {row(line)!r}", limit=5)
        await pilot.press(*["minus"] * 5, "space")  # at 1x: at 100x the night plays to its end again in moments
        await until(lambda: screen.replay.position < len(events) and "playing at 1x" in row(line), pilot, "a play from the start")
        await pilot.press("space")
        await until(lambda: "paused at 1x" in row(line), pilot, "paused again")


@pytest.mark.asyncio
async def test_speed_keys_at_their_bounds_say_so() -> None:
    """Before: `+` at 100x and `-` at 0.5x did nothing, silently (was the key taken?)."""
    app = ReplayApp(long_night(0, finished=True), label="change.jsonl")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: isinstance(app.screen, ReplayScreen), pilot, "the replay screen")
        await pilot.press(*["plus"] * 7)
        await until(lambda: any("100x is the fastest" in str(n.message) for n in app._notifications), pilot, "a word at the fastest")
        await pilot.press(*["minus"] * 9)
        await until(lambda: any("0.5x is the slowest" in str(n.message) for n in app._notifications), pilot, "a word at the slowest")
        line = app.screen.query_one(NoteLine)
        await until(lambda: row(line).endswith("paused at 0.5x"), pilot, "the slowest speed on the line")
