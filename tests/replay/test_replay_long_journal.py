"""Stepping back through a long journal: a chatty step's 60,000 output lines, then the night's decisions. Each `←` read
the journal from its first event twice (the state folded again, then the output pane rebuilt from every event before),
so in a 118 MB journal of 300,000 events one `←` took 40 s on a loaded machine; the work for a key is now bounded by
where it goes, not by how far into the night it is."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, overload

import pytest
from replay_helpers import until
from textual.pilot import Pilot

from runbook_tui.engine.state import initial, replay
from runbook_tui.ui.log_lines import last_log_lines
from runbook_tui.ui.output_pane import OutputLog
from runbook_tui.ui.replay_app import ReplayApp
from runbook_tui.ui.replay_screen import SNAPSHOT_EVERY, TAIL_CHUNK, ReplayScreen, ReplaySource
from runbook_tui.ui.run_view import SCREEN_LINES

JOURNAL = Path(__file__).parents[1] / "report" / "data" / "change.jsonl"


class Counted(Sequence[dict[str, Any]]):
    """The events, counting each one read (a journal is read from its file as asked: `JournalEvents`)."""

    def __init__(self, events: list[dict[str, Any]]) -> None:
        self.events = events
        self.reads = 0

    def __len__(self) -> int:
        return len(self.events)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        self.reads += 1
        return self.events[index]


def chatty_night(outputs: int) -> list[dict[str, Any]]:
    """change.jsonl with `outputs` more lines of output from its first step, seq numbered again."""
    events = [json.loads(line) for line in JOURNAL.read_text(encoding="utf-8").splitlines()]
    first = next(index for index, event in enumerate(events) if event["type"] == "output")
    chatter = [events[first] | {"text": f"line {n}\n"} for n in range(outputs)]
    events = events[: first + 1] + chatter + events[first + 1 :]
    return [event | {"seq": seq} for seq, event in enumerate(events)]


def test_going_back_reads_a_bounded_part_of_the_journal_and_gives_the_same_state() -> None:
    events = Counted(chatty_night(60_000))
    source = ReplaySource(events)
    source.seek(len(events))
    for _ in range(6):  # back over the night's decisions, each to its moment
        target = source.previous_moment(source.position)
        events.reads = 0
        source.seek(target)
        assert events.reads <= SNAPSHOT_EVERY, f"a step back to event {target} read {events.reads} events"
        assert source.position == target
        assert source.state == replay(events.events[:target], initial()), f"the state at event {target}"


@pytest.mark.asyncio
async def test_the_output_pane_after_a_step_back_is_the_one_built_from_the_whole_journal() -> None:
    events = Counted(chatty_night(60_000))
    app = ReplayApp(events, label="chatty.jsonl")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: isinstance(app.screen, ReplayScreen), pilot, "the replay screen")
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        await pilot.press("end")
        await until(lambda: screen.replay.position == len(events), pilot, "the last event")
        for _ in range(4):
            await step_back(pilot, screen, events)


async def step_back(pilot: Pilot[Any], screen: ReplayScreen, events: Counted) -> None:
    """`←`, then what it read, the lines it gave the pane, and the pane's foot (the last line, wrapped at 80 columns)."""
    before = screen.replay.position
    events.reads = 0
    await pilot.press("left")
    await until(lambda: screen.replay.position < before, pilot, "a step back")
    # the state from the snapshot before, the pane's 5,000 lines from the position back (before: 120,190 reads)
    assert events.reads <= SNAPSHOT_EVERY + SCREEN_LINES + TAIL_CHUNK, f"a step back read {events.reads} events"
    assert screen.replay.log_tail(SCREEN_LINES) == last_log_lines(events.events[: screen.replay.position], SCREEN_LINES)
    last = "".join(last_log_lines(events.events[: screen.replay.position], 1)[0].split())
    foot = lambda: "".join("".join(screen.query_one(OutputLog).lines[-4:]).replace("↪", "").split())  # noqa: E731  (wrapped rows go on after `↪`)
    await until(lambda: foot().endswith(last), pilot, f"{last!r} at the foot of the pane")


def test_the_end_folds_a_chatty_run_at_once_to_the_same_state(monkeypatch: pytest.MonkeyPatch) -> None:
    """`end` (and `→` over a long stretch, `g`) folded each event on its way (and told the pane of each): 14 s for a
    300,000-event journal on a quiet machine, the screen frozen. Output runs now fold at once, as `resume` folds them."""
    from runbook_tui.ui import replay_screen

    folded_one_by_one = 0
    one = replay_screen.apply

    def counted(state: Any, event: dict[str, Any]) -> Any:
        nonlocal folded_one_by_one
        folded_one_by_one += 1
        return one(state, event)

    monkeypatch.setattr(replay_screen, "apply", counted)
    events = Counted(chatty_night(60_000))
    source = ReplaySource(events)
    told: list[int] = []
    source.subscribe(lambda event, _state: told.append(event["seq"]))
    assert source.seek(len(events)), "a jump: the screen rebuilds its pane from log_tail"
    assert source.position == len(events) and source.state == replay(events.events, initial())
    assert folded_one_by_one < SNAPSHOT_EVERY and not told, (folded_one_by_one, len(told))
    assert source.log_tail(SCREEN_LINES) == last_log_lines(events.events, SCREEN_LINES)
    source.seek(source.position - 3)
    assert not source.seek(source.position + 1) and told == [len(events) - 3], "a step ahead tells the pane of its event"
