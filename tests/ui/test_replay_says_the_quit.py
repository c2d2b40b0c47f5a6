"""`replay` of a night left with `q` says the quit (in the help: the position row says `no end`), as `resume` and the report do.

Walked: a run rolled back to its checkpoint, then `q` (journaled: "run was stopped by alice's quit (q) at 'edit'
(nothing was running); the journal is kept"). `replay` opened on "Journal has no end: no session_finished: the run
was still going when this was read, its process stopped (…), or lines were cut off its end": three guesses, none of
them the quit the journal records. `resume` said "Left at …: run was stopped by alice's quit (q) …", the report's
Outcome the same. Now the replay's warning says it too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import events, make_app, prepare_workdir, run_step, screen_is, settled, started, until

from runbook_tui.ui.replay_app import ReplayApp
from runbook_tui.ui.replay_screen import ReplayScreen

RUNBOOK = """\
runbook: 1
id: quit-said
title: Quit, then replay
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - {id: edit, title: Edit, run: echo edit, undo: echo undo-edit, verify: none}
      - {id: last, title: Last, run: echo last, verify: none}
"""


@pytest.mark.asyncio
async def test_replay_of_a_night_left_with_q_says_the_quit(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prepare_workdir(workdir, monkeypatch, RUNBOOK)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await settled(pilot)
        await run_step(pilot, "edit")
        await pilot.press("q")
        await screen_is(pilot, "ConfirmPrompt")
        await pilot.press("y")
        await until(pilot, lambda: not app.is_running, "the app to quit")
    night = events(workdir / "j.jsonl")
    replay = ReplayApp(night, label="j.jsonl")
    async with replay.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(replay.screen, ReplayScreen), "the replay screen")
        assert isinstance(replay.screen, ReplayScreen)
        said = replay.screen.whole_note()  # the help's words (the position row says `no end`)
        assert "run was stopped by alice's quit (q) at 'last' (nothing was running), as the journal's note says" in said, said
        assert "still going when this was read" not in said, said
