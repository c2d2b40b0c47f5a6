"""The terminal watch (ui/terminal_gone.py) starts after the first frame, and misses nothing by it.

Starting a thread waits until the new thread has run: on a busy machine that held the first frame back by up to several
milliseconds (bench/first_paint.py). The watch now starts once the first frame is written; a terminal that hung up
before then is still seen, as the kernel keeps reporting a hang-up to every poll.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import pytest
from textual.app import ComposeResult
from textual.widgets import Static
from waiting import until

from runbook_tui.ui import base_app
from runbook_tui.ui.base_app import ThemedApp
from runbook_tui.ui.terminal_gone import TerminalWatch, watch_terminal


class DrawnApp(ThemedApp):
    """A themed app that draws as on a terminal (not headless), counting the frames it writes."""

    def __init__(self) -> None:
        super().__init__()
        self.frames = 0

    @property
    def is_headless(self) -> bool:
        return False  # as on a terminal: the watch is for one

    def compose(self) -> ComposeResult:
        yield Static("hello")

    def _display(self, screen: Any, renderable: Any) -> None:
        if renderable is not None:
            self.frames += 1
        super()._display(screen, renderable)


@pytest.mark.asyncio
async def test_the_terminal_watch_starts_once_the_first_frame_is_written(monkeypatch: pytest.MonkeyPatch) -> None:
    app = DrawnApp()
    frames_when_started: list[int] = []
    monkeypatch.setattr(base_app, "watch_terminal", lambda _gone: frames_when_started.append(app.frames))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: frames_when_started, "the terminal watch to start")
        await pilot.pause()
    assert frames_when_started[0] >= 1, f"the watch started with {frames_when_started[0]} frames written (before the first)"
    assert len(frames_when_started) == 1, "one watch per app"


@pytest.mark.asyncio
async def test_a_terminal_that_hung_up_before_the_watch_started_is_seen() -> None:
    master, slave = os.openpty()
    os.close(master)  # the terminal went away before the watch's thread ran
    gone = asyncio.Event()
    watch = TerminalWatch(slave, asyncio.get_running_loop(), gone.set)
    try:
        await asyncio.wait_for(gone.wait(), timeout=30)
    finally:
        watch.stop()
        os.close(slave)


@pytest.mark.asyncio
async def test_stdin_a_terminal_that_hung_up_before_the_watch_started_is_watched() -> None:
    """A hung-up terminal is no longer a terminal to `isatty` (its ioctl fails, EIO): the watch, started after the first
    frame, took stdin for a pipe and watched nothing. `join` whose terminal closed before then stayed joined for ever,
    idle, no SIGHUP to come (2 runs in 3 on a loaded machine)."""
    master, slave = os.openpty()
    os.close(master)  # the terminal went away before the first frame was written
    saved = os.dup(0)
    os.dup2(slave, 0)
    gone = asyncio.Event()
    try:
        watch = watch_terminal(gone.set)
        assert watch is not None, "stdin, a terminal that hung up, was not watched"
        try:
            await asyncio.wait_for(gone.wait(), timeout=30)
        finally:
            watch.stop()
    finally:
        os.dup2(saved, 0)
        os.close(saved)
        os.close(slave)


def test_stdin_not_a_terminal_is_not_watched() -> None:
    reading, writing = os.pipe()
    saved = os.dup(0)
    os.dup2(reading, 0)
    try:
        assert watch_terminal(lambda: None) is None
    finally:
        os.dup2(saved, 0)
        os.close(saved)
        os.close(reading)
        os.close(writing)
