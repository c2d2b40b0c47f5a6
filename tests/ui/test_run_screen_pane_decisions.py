"""The output pane tells the night's decisions as `exec`'s lines do, from the same events (engine/event_words.py): a
run started outside its change window with a reason, and a pause a person made with `p` and lifted again. Before,
the pane said neither: the window override was in the journal and exec's lines only, and a pause left no line (the
status row said `PAUSED` while it lasted, then nothing showed it had happened, or who paused). A person's note
says when it was written, as a decision does (it had no time on the pane)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import LATE, of_kind, prepare_workdir, started, until

from runbook_tui.app.session import Session, load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine.describe import describe
from runbook_tui.ui.app import RunbookApp
from runbook_tui.ui.output_pane import CONTINUED, OutputLog


def _pane(app: Any) -> list[str]:
    return [line.removeprefix(CONTINUED) for pane in app.screen.query(OutputLog) for line in pane.lines]


def _said(pane: list[str], words: str) -> bool:
    """A line of the pane: its mark, the time (a decision's) and `words`."""
    return any(re.fullmatch(rf"\S+ \d\d:\d\d:\d\d {re.escape(words)}", line.rstrip()) for line in pane)


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_the_pane_says_the_window_override_and_a_pause_and_its_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    prepare_workdir(tmp_path, monkeypatch, LATE)
    loaded = load("runbook.yaml", {})

    def starter(_override: str | None) -> Session:  # as `run … --solo tired --override-window "P1 outage"` starts it
        return open_session(loaded, mode="live", solo="tired", journal="j.jsonl", override_window="P1 outage", settings=Settings())

    app = RunbookApp(starter)
    async with app.run_test(size=size) as pilot:
        controller = await started(pilot)
        await until(pilot, lambda: _said(_pane(app), "started outside the window by alice: P1 outage"), f"the window override on the pane: {_pane(app)}")
        await pilot.press("p")
        await until(pilot, lambda: controller.state.paused and _said(_pane(app), "paused by alice"), f"the pause on the pane: {_pane(app)}")
        await pilot.press("p")
        await until(pilot, lambda: not controller.state.paused and _said(_pane(app), "resumed by alice"), f"the resume on the pane: {_pane(app)}")
        # A person's note says when it was written too (the program's own notes do not: exec's time column has them).
        await pilot.press("n")
        await until(pilot, lambda: type(app.screen).__name__ == "TextPrompt", "the note prompt")
        await pilot.press(*"DBA ok", "enter")
        await until(pilot, lambda: _said(_pane(app), "[one] note by alice: DBA ok"), f"the note with its time on the pane: {_pane(app)}")
        # The same words as exec prints for the same events (after its time and type).
        for kind, words in (
            ("window_override", "started outside the window by alice: P1 outage"),
            ("paused", "paused by alice"),
            ("resumed", "resumed by alice"),
        ):
            (event,) = of_kind(tmp_path / "j.jsonl", kind)
            assert describe(event)[0].endswith(f" {words}"), describe(event)
        await pilot.press("q")
