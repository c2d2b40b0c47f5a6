"""The folder, sudo and environment a step runs with are shown with its command, where the go-ahead is given.

Walked in tmux at 80x24: `wipe` (verify: before) runs `rm -rf data` in `cwd: /tmp/…/a-while` with `env: {MODE:
destroy-everything}`. Bob's pane read `run:  rm -rf data` on local, nothing else: the folder went on the title's line
only when it fitted (it did not), the environment nowhere, and the pane counted as showing the step whole, so his `c`
gave the go-ahead at once, for an `rm -rf` in a folder he never saw. Now the pane says them under the command (exec's
words: `in …; with sudo -n; env MODE=…`), and so do the step-whole dialogs (`v`, the go-ahead's read-first, `k`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console
from run_screen_helpers import FakeClient, painted, prepare_workdir, screen_is, settled, shared_session_events, until

from runbook_tui.ui.step_whole import runs_and_undo
from runbook_tui.ui.verifier_app import VerifierApp
from runbook_tui.ui.widgets import StepDetail, step_as_shown

FOLDER = "/srv/data/a-rather-long-folder-name/that/goes/on/and/on/for/a-while"
WIPE = f"""\
runbook: 1
id: wipe
title: Where it runs
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - id: wipe
        title: Wipe old data
        verify: before
        cwd: {FOLDER}
        sudo: true
        env:
          MODE: destroy-everything
        run: rm -rf data
        undo: echo cannot
"""


@pytest.fixture(autouse=True)
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    prepare_workdir(tmp_path, monkeypatch, WIPE)
    yield tmp_path


def _text(renderable: object, width: int = 200) -> str:
    console = Console(width=width, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


#: exec's words, a line each on screen (tests/ui/test_hanging_indent.py): read here with the line breaks as spaces.
HOW = f"in {FOLDER} with sudo -n env MODE=destroy-everything"


def test_the_step_whole_says_where_and_how_it_runs(workdir: Path) -> None:
    state = FakeClient(shared_session_events(workdir)).state
    said = " ".join(_text(runs_and_undo(step_as_shown(state, "wipe"))).split())
    assert said.startswith(f"run on local: rm -rf data {HOW} undo on local:"), said


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_the_verifiers_pane_says_it_before_c(workdir: Path, size: tuple[int, int]) -> None:
    client = FakeClient(shared_session_events(workdir))
    app = VerifierApp(client)
    async with app.run_test(size=size) as pilot:
        await screen_is(pilot, "VerifierScreen")
        await settled(pilot)
        detail = app.screen.query_one(StepDetail)
        await until(pilot, lambda: "rm -rf data" in painted(detail), "the step's command in the pane")
        pane = " ".join(painted(detail).split())
        assert f"rm -rf data {HOW} undo: echo cannot" in pane, pane
