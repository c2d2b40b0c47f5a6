"""`p`'s frame draws the status row alone (issue 18, keys38): PAUSED (and its clearing) shows in a frame over the
status stack's rows only, the pause on disk by then; the pane's line and the footer's `p resume` / `p pause` come in
the frame right after, at once, not a frame period later. Before, the key's frame drew the status row, the pane's new
line and the footer in one update, and Textual's compositor asked every widget between row 2 and the footer for its
rows; the bench's `p` idle waited for all of it. Measured with a frame period of a second, so that the machine's load
cannot blur "at once" from "a period later"; keys sent as the terminal's driver sends them and waited for without
Textual's `pilot.pause`, which draws a frame itself."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import burst, make_app, settled, started, types
from textual._compositor import ChopsUpdate

from runbook_tui.engine.keys_first import KEYS
from runbook_tui.ui import frame_timer as frame_timer_module
from runbook_tui.ui import repaint
from runbook_tui.ui.app import RunbookApp
from runbook_tui.ui.footer import KeyFooter
from runbook_tui.ui.output_pane import OutputLog
from runbook_tui.ui.run_screen import RunScreen
from runbook_tui.ui.status_stack import StatusStack
from tests.waiting import until

JOURNAL = "j.jsonl"  # `make_app`'s, in the working folder
PERIOD = 1.0


@dataclass
class Frame:
    rows: set[int]  # the screen rows the update wrote
    says_paused: bool
    keys: list[str]  # the footer's
    last_line: str  # the pane's
    journaled: list[str]  # the pause's events on disk when it was written
    at: float


def all_drawn(screen: Any) -> bool:
    """No change waits for a frame: the key's frame then holds the key's effect only (with a period of a second, the
    frames the start asked for were still due when the test pressed `p`). And the last repaint a frame ago: a key
    within a frame of one draws whole in its turn (`repaint_after_key`'s rule; a loaded machine's quick press did)."""
    widgets = [screen, *screen.walk_children()]
    waiting = screen._dirty_widgets or screen._layout_required or screen._callbacks or screen.message_coming or screen._dirty
    a_frame_ago = time.monotonic() - screen._last_repaint >= repaint.FRAME_SECONDS
    return a_frame_ago and not waiting and not any(w._repaint_required for w in widgets)


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(140, 45), (80, 24)])
async def test_p_draws_the_status_row_alone_then_the_pane_and_footer_at_once(workdir: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    frames: list[Frame] = []
    display = RunbookApp._display

    def drawn(app: RunbookApp, screen: Any, renderable: Any) -> None:
        display(app, screen, renderable)
        run = app.screen
        if renderable is None or not isinstance(run, RunScreen) or not run.query(OutputLog):
            return
        rows = {y for y, _start, _end in renderable.spans} if isinstance(renderable, ChopsUpdate) else set(range(app.size.height))
        log = run.query_one(OutputLog)
        keys = [f"{key.shown} {key.description}" for key in run.query_one(KeyFooter).keys[0]]
        paused = "PAUSED" in str(run.query_one(StatusStack).content)
        frames.append(Frame(rows, paused, keys, str(log.lines[-1]) if log.lines else "", types(JOURNAL, "paused", "resumed"), time.monotonic()))

    monkeypatch.setattr(RunbookApp, "_display", drawn)
    monkeypatch.setattr(repaint, "frame_timer", lambda screen, callback: frame_timer_module.frame_timer(screen, callback, PERIOD))
    app = make_app()
    async with app.run_test(size=size) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        await until(lambda: not KEYS.held and app._busy_since is None and all_drawn(app.screen), "the frames before the key written")
        stack = app.screen.query_one(StatusStack).region
        stack_rows = set(range(stack.y, stack.bottom))
        for paused, offered, line, journaled in ((True, "p resume", "paused", ["paused"]), (False, "p pause", "resumed", ["paused", "resumed"])):
            frames.clear()
            burst(app, "p")

            def whole(want: bool = paused, key: str = offered, word: str = line) -> bool:
                return any(f.says_paused is want and key in f.keys and word in f.last_line for f in frames)

            await until(whole, f"the {line} drawn whole")
            first = next(i for i, f in enumerate(frames) if f.says_paused is paused)
            key_frame = frames[first]
            assert key_frame.rows <= stack_rows, (
                f"{size}: the frame saying {line} wrote rows {sorted(key_frame.rows)}, not the status row's {sorted(stack_rows)}"
            )
            assert key_frame.journaled == journaled, f"{size}: {line} showed before it was on disk: {key_frame.journaled}"
            rest = frames[first + 1]
            assert offered in rest.keys and line in rest.last_line, f"{size}: the frame after {line} offered {rest.keys}, pane {rest.last_line!r}"
            assert rest.at - key_frame.at < PERIOD / 2, f"{size}: the pane and footer came {rest.at - key_frame.at:.2f} s after the status row"
            await until(lambda: not KEYS.held and app._busy_since is None and all_drawn(app.screen), "the key's turn to end")
        assert controller.state.paused is False
