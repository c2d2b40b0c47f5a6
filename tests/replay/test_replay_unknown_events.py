"""A journal a newer runbook-tui wrote: replay shows the events this version does not know, never drops them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from replay_helpers import until

from runbook_tui.engine.journal import hashed_line, read_events
from runbook_tui.ui.note_line import NoteLine
from runbook_tui.ui.output_pane import OutputLog
from runbook_tui.ui.replay_app import ReplayApp
from runbook_tui.ui.replay_screen import ReplayScreen
from tests.ui.run_screen_helpers import painted

DATA = Path(__file__).parents[1] / "report" / "data"


def with_an_unknown_event(tmp_path: Path) -> tuple[list[dict[str, Any]], int]:
    """The report fixture's night with a `step_quarantined` (no such type here) after its first failure, the chain
    recomputed as its writer would have: (the events as read back, the new event's place)."""
    night = read_events(DATA / "change.jsonl").events
    at = next(n for n, e in enumerate(night) if e["type"] == "step_finished" and e.get("status") == "failed") + 1
    newer = {"type": "step_quarantined", "actor": "alice", "ts": night[at - 1]["ts"], "step": night[at - 1]["step"], "reason": "[b]web2[/b] fenced"}
    rebuilt, prev = b"", night[0].get("prev", "")
    for seq, event in enumerate([*night[:at], newer, *night[at:]]):
        event = {k: v for k, v in event.items() if k != "hash"} | {"seq": seq, "prev": prev}
        prev, line = hashed_line(event)
        rebuilt += line
    path = tmp_path / "newer.jsonl"
    path.write_bytes(rebuilt)
    read = read_events(path)
    assert read.intact, "the rebuilt journal holds together"
    return read.events, at


@pytest.mark.asyncio
async def test_an_event_this_version_does_not_know_is_shown_and_stepped_to(tmp_path: Path) -> None:
    """The event a newer version wrote (alice quarantined the step, say) was not in the replay at all: the log went
    from the failure to the next known event, and the trainee never learned the night held something this version
    cannot read."""
    events, at = with_an_unknown_event(tmp_path)
    app = ReplayApp(events, label="newer.jsonl")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        while screen.replay.position < at:
            await pilot.press("right")
        await pilot.press("right")
        await until(lambda: screen.replay.position > at, pilot, "the step past the failure")
        assert screen.replay.position == at + 1, "stepping stops at the event this version does not know"
        log = screen.query_one(OutputLog)
        await until(lambda: any("step_quarantined" in line for line in log.lines), pilot, "the unknown event's line in the log")
        lines = list(log.lines)
        said = [line for line in lines if "step_quarantined" in line]
        assert "alice" in said[0] and "not known to this version" in said[0], said
        assert any("reason=[b]web2[/b] fenced" in line for line in lines), lines


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)], ids=["80x24", "140x45"])
async def test_the_replay_says_at_once_that_the_journal_holds_events_this_version_does_not_know(tmp_path: Path, size: tuple[int, int]) -> None:
    """Before: nothing said so until the replay was stepped to the event itself (the report's banner and practice's
    notice say it first): a reader could watch the night up to the end of the failure, unaware. Then a toast said it
    for 30 s, over about half of the output pane at 80x24: now the position row says it at every moment before the
    last event, and the help (`?`) whole, as it says a journal with no end."""
    events, at = with_an_unknown_event(tmp_path)
    events[at] = {**events[at], "type": "step_quarantined\x1b[31m"}  # a newer writer's name is characters here too
    app = ReplayApp(events, label="newer.jsonl")
    async with app.run_test(size=size, notifications=True) as pilot:
        await until(lambda: isinstance(app.screen, ReplayScreen), pilot, "the replay screen")
        screen = app.screen
        assert isinstance(screen, ReplayScreen) and screen.replay.position <= 1, "told before any stepping"
        row = lambda: painted(screen.query_one(NoteLine))  # noqa: E731
        said = ("paused at 1x · unknown events", "paused at 1x · the journal: unknown events (? says more)")
        await until(lambda: row().endswith(said), pilot, "the position row to say the journal holds unknown events")
        assert not list(app._notifications) and not screen.query("Toast"), [n.title for n in app._notifications]
        whole = screen.whole_note()
        assert "Events this version does not know: 1 event of a kind this version does not know (step_quarantined␛[31m by alice at " in whole, whole
        assert "a newer version wrote this journal" in whole and "? line" in whole, whole
        await pilot.press("right")
        await until(lambda: row().endswith(said), pilot, "the row to say it still, a step on")


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)], ids=["80x24", "140x45"])
async def test_a_journal_with_no_end_and_unknown_events_says_both_whole_on_one_row(tmp_path: Path, size: tuple[int, int]) -> None:
    """Walked at 80x24, a newer version's night killed mid-way: the row's `no end, unknown events` was cut to
    `no end, unknown`. Where the row cannot hold both, it says the first and how many more the help (`?`) says."""
    events, _ = with_an_unknown_event(tmp_path)
    app = ReplayApp(events[:-1], label="newer-killed-mid-way.jsonl")
    async with app.run_test(size=size) as pilot:
        await until(lambda: isinstance(app.screen, ReplayScreen), pilot, "the replay screen")
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        said = ("paused at 1x · no end +1 (?)", "paused at 1x · no end, unknown events", "paused at 1x · the journal: no end, unknown events (? says more)")
        await until(lambda: painted(screen.query_one(NoteLine)).endswith(said), pilot, "the row to say both marks, or the first and how many more")
        whole = screen.whole_note()
        assert "Journal has no end" in whole and "Events this version does not know" in whole, whole
