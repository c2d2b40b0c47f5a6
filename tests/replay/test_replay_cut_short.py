"""`replay` of a journal whose last line a crash cut short: the whole events before the cut, and the screen says so.

Before: replay refused it ("the journal does not verify (line N: cut short ...); refusing to replay it", exit 2), the
journal of every run that died while writing, until `resume` had cut the line off; `report` already covered such a
journal up to the cut. A break anywhere else (an edit) is still refused, and so is a practice run on a cut journal.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from replay_helpers import until

from runbook_tui import cli
from runbook_tui.app.practice import checked_events, replayable_events
from runbook_tui.app.session import SessionError
from runbook_tui.engine.journal import read_events
from runbook_tui.ui.replay_app import ReplayApp
from runbook_tui.ui.replay_screen import ReplayScreen

JOURNAL = Path(__file__).parents[1] / "report" / "data" / "change.jsonl"


def cut_journal(tmp_path: Path) -> tuple[Path, int]:
    """change.jsonl with its last line cut in half; and how many whole events are before the cut."""
    path = tmp_path / "crashed.jsonl"
    shutil.copyfile(JOURNAL, path)
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:-1]) + lines[-1][: len(lines[-1]) // 2])
    return path, len(lines) - 1


def test_a_cut_last_line_leaves_the_events_before_it_to_replay(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, whole = cut_journal(tmp_path)
    events, cut = replayable_events(str(path))
    assert len(events) == whole and cut == f"line {whole + 1}: cut short (the last line has no end: power loss or a crash while writing)"
    with pytest.raises(SessionError, match="practice plays a whole night"):
        checked_events(str(path))  # --practice and --mark-scenario: a cut night is no scenario
    # the command line gets past the journal to the terminal check (no terminal here): the journal is not what it refuses
    assert cli.main(["replay", str(path)]) == 2
    assert "stdin or stdout is not a terminal" in capsys.readouterr().err


@pytest.mark.parametrize("damage", ["edited", "first-line-only"])
def test_other_breaks_are_still_refused(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "j.jsonl"
    lines = JOURNAL.read_bytes().splitlines(keepends=True)
    if damage == "edited":
        lines[3] = lines[3].replace(b'"actor":"', b'"actor":"x', 1)  # an edited value: its hash no longer matches
        path.write_bytes(b"".join(lines))
    else:
        path.write_bytes(lines[0][:40])
    with pytest.raises(SessionError, match="refusing to replay it"):
        replayable_events(str(path))


@pytest.mark.asyncio
async def test_the_replay_of_a_cut_journal_says_so_and_goes_to_its_last_whole_event(tmp_path: Path) -> None:
    path, whole = cut_journal(tmp_path)
    events, cut = replayable_events(str(path))
    app = ReplayApp(events, label=path.name, cut=cut)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: isinstance(app.screen, ReplayScreen), pilot, "the replay screen")
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        # said in the help and on the position row (`cut short`), not in a toast over the output pane
        assert f"Journal cut short: {cut}; shown: the {whole} whole events before it." in screen.whole_note(), screen.whole_note()
        assert screen.marks == ("cut short",) and not list(app._notifications)
        await pilot.press("end")
        await until(lambda: screen.replay.position == whole, pilot, "the last whole event")
    assert read_events(JOURNAL).events[whole - 1] == events[whole - 1]
