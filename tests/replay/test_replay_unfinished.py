"""`replay` of a journal with no end (no `session_finished`): whole lines cut off its end, a run still going, or one
whose process stopped. Every line holds together (`journal verify`: intact, 'the session has not finished'), so
replay opens it; it must not read as a run that is only waiting for its next step.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from replay_helpers import text_of, until

from runbook_tui.engine.journal import read_events
from runbook_tui.ui.note_line import NoteLine
from runbook_tui.ui.replay_app import ReplayApp
from runbook_tui.ui.replay_screen import ReplayScreen

JOURNAL = Path(__file__).parents[1] / "report" / "data" / "change.jsonl"


def without_its_end(tmp_path: Path, keep: int) -> Path:
    """change.jsonl with only its first `keep` lines: every one whole, the chain intact, no `session_finished`."""
    path = tmp_path / "short.jsonl"
    path.write_bytes(b"".join(JOURNAL.read_bytes().splitlines(keepends=True)[:keep]))
    return path


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_a_journal_without_its_end_says_so_at_the_start_and_at_its_last_event(tmp_path: Path, size: tuple[int, int]) -> None:
    """Before: at its last event the replay said `Next: 'install-config' on web1, web2` and `event 30/30  paused at 1x`, as
    a run waiting for its assignee; nothing said that the journal stops there and the run's end is not in it."""
    read = read_events(without_its_end(tmp_path, 30))
    assert read.intact and len(read.events) == 30
    app = ReplayApp(read.events, label="short.jsonl")
    async with app.run_test(size=size) as pilot:
        await until(lambda: isinstance(app.screen, ReplayScreen), pilot, "the replay screen")
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        said = screen.whole_note()  # the help's words; the position row says `no end` (a toast covered the output pane)
        assert "Journal has no end: no session_finished" in said and "resume" in said, said
        line = screen.query_one(NoteLine)
        # the row's own text (`text_of` paints the content's width and loses the last cell of a row that fills it)
        await until(
            lambda: "· no end" in line.render().plain or "no end (? says more)" in line.render().plain, pilot, "the position row to say the journal has no end"
        )
        assert "unfinished" not in text_of(line) and "not ended" not in text_of(line)
        await pilot.press("end")
        await until(lambda: screen.replay.position == 30, pilot, "the last event")
        await until(lambda: "event 30/30" in text_of(line), pilot, "the position line at the end")
        said = text_of(line)
        assert "unfinished" in said or "had not ended" in said, said
        assert "REPLAY, nothing runs" in said, said


@pytest.mark.asyncio
async def test_a_finished_journal_says_nothing_of_the_kind(tmp_path: Path) -> None:
    path = tmp_path / "whole.jsonl"
    shutil.copyfile(JOURNAL, path)
    events = read_events(path).events
    assert events[-1]["type"] == "session_finished"
    app = ReplayApp(events, label=path.name)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: isinstance(app.screen, ReplayScreen), pilot, "the replay screen")
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        assert "no end" not in screen.whole_note() and "no end" not in text_of(screen.query_one(NoteLine))
        await pilot.press("end")
        await until(lambda: screen.replay.position == len(events), pilot, "the last event")
        said = text_of(screen.query_one(NoteLine))
        assert said.endswith("end of the journal") and "unfinished" not in said, said


@pytest.mark.asyncio
async def test_the_position_line_is_laid_out_again_when_the_terminal_narrows(tmp_path: Path) -> None:
    """The position line was written for the width it was last moved at: made at 140 columns (with the date) and the
    terminal narrowed to 80, `paused at 1x` fell off its end until the next key."""
    path = tmp_path / "whole.jsonl"
    shutil.copyfile(JOURNAL, path)
    app = ReplayApp(read_events(path).events, label=path.name)
    async with app.run_test(size=(140, 45)) as pilot:
        await until(lambda: isinstance(app.screen, ReplayScreen), pilot, "the replay screen")
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        line = screen.query_one(NoteLine)
        await pilot.press("right")
        await until(lambda: "paused at 1x" in text_of(line) and "-11-23" in text_of(line), pilot, "the wide position line")
        await pilot.resize_terminal(80, 24)
        # Both at once: `paused at 1x` was there before the resize too, so waiting for it alone passed at once, and on
        # a loaded machine the line was read before it was laid out again.
        fitted = lambda: "paused at 1x" in text_of(line) and "-11-23" not in text_of(line)  # noqa: E731
        await until(fitted, pilot, "the position line fitted to 80 columns, without the date", limit=5)


def test_the_end_is_found_from_the_journals_end_without_reading_it_whole() -> None:
    """`ends_finished` reads backwards over what may follow the end (a review, a seal); a replay of 200,000 events read
    the journal whole twice for it before its first frame (1.8 s each, `bench/long_run.py`'s replay 1.2 s -> 2.7 s)."""
    from collections.abc import Sequence

    from runbook_tui.engine.journal_events import ends_finished

    class Counted(Sequence[dict[str, str]]):
        def __init__(self, kinds: list[str]) -> None:
            self.kinds, self.read = kinds, 0

        def __len__(self) -> int:
            return len(self.kinds)

        def __getitem__(self, index: int) -> dict[str, str]:  # type: ignore[override]
            self.read += 1
            return {"type": self.kinds[index]}

    ended = Counted(["session_started", *["output"] * 1000, "session_finished", "review", "seal"])
    assert ends_finished(ended) and ended.read == 3, ended.read
    cut = Counted(["session_started", *["output"] * 1000])
    assert not ends_finished(cut) and cut.read == 1
    assert not ends_finished(Counted(["review"])) and not ends_finished(Counted([]))
