"""`replay` of a journal with no end (a run killed mid-way) says so on its position row, not over the output.

Walked in tmux at 80x24: the "Journal has no end" toast took about 10 rows by 40 columns of the output pane for its
20 s, over the output a trainee reads. Now the position row says `no end` at every moment (`the journal ends here; the
run had not ended` at its last event, as before) and the help (`?`) says it whole; no toast covers the output, at
80x24 and 140x45.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import events, make_app, painted, prepare_workdir, run_step, settled, started, until

from runbook_tui.ui.note_line import NoteLine
from runbook_tui.ui.replay_app import ReplayApp
from runbook_tui.ui.replay_screen import ReplayScreen

RUNBOOK = """\
runbook: 1
id: killed
title: Killed mid-way
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - {id: edit, title: Edit, run: "for i in 1 2 3 4 5 6 7 8 9 10; do echo line $i; done", verify: none}
      - {id: last, title: Last, run: echo last, verify: none}
"""


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)], ids=["80x24", "140x45"])
async def test_the_replay_of_a_journal_with_no_end_says_it_on_the_position_row(workdir: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    prepare_workdir(workdir, monkeypatch, RUNBOOK)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await started(pilot)
        await settled(pilot)
        await run_step(pilot, "edit")
        night = events(workdir / "j.jsonl")  # read while the run goes on: as a process killed here left it
    assert night[-1]["type"] != "session_finished"
    replay = ReplayApp(night, label="j.jsonl")
    async with replay.run_test(size=size) as pilot:
        await until(pilot, lambda: isinstance(replay.screen, ReplayScreen), "the replay screen")
        screen = replay.screen
        assert isinstance(screen, ReplayScreen)
        await settled(pilot)
        row = painted(screen.query_one(NoteLine))
        assert row.startswith(" REPLAY, nothing runs: j.jsonl") and row.endswith(
            ("paused at 1x · no end", "paused at 1x · the journal: no end (? says more)")
        ), row
        assert not list(replay._notifications) and not screen.query("Toast"), [n.title for n in replay._notifications]
        assert "Journal has no end: no session_finished: the run was still going when this was read" in screen.whole_note(), screen.whole_note()
        await pilot.press("end")
        ended = ("ends unfinished", "the journal ends here; the run had not ended")
        await until(pilot, lambda: painted(screen.query_one(NoteLine)).endswith(ended), "the row to say where the journal ends")
