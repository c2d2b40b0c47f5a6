"""Waiting in a test for a condition, not for a guessed time: polled at a pace, failing with what was awaited.

One helper for the tests that watch a whole process (a journal line, a file, a silence in Alertmanager): each had
its own loop. `alive`: the process whose early end fails the wait at once, saying so (it cannot come true then).
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Callable
from typing import Any

#: Seconds between two looks at the condition: its pace, not a wait for anything.
PACE = 0.02


def wait_until(condition: Callable[[], object], what: str | Callable[[], str], timeout: float = 30, *, alive: subprocess.Popen[Any] | None = None) -> None:
    """Return once `condition()` is true; AssertionError naming `what` after `timeout` seconds or once `alive` ended."""
    deadline = time.monotonic() + timeout
    while not condition():
        said = what() if callable(what) else what
        if alive is not None and alive.poll() is not None:
            raise AssertionError(f"the process ended (exit {alive.returncode}) before {said}")
        if time.monotonic() >= deadline:
            raise AssertionError(f"not within {timeout:g} s: {said}")
        time.sleep(PACE)


def settles(condition: Callable[[], object], timeout: float) -> bool:
    """Whether `condition()` comes true within `timeout` seconds (False, not a failure: the caller escalates)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            return False
        time.sleep(PACE)
    return True


async def pilot_until(pilot: Any, condition: Callable[[], object], what: str | Callable[[], str], timeout: float = 30) -> None:
    """`wait_until` for a Textual app under test: the app runs between looks (`pilot.pause`), not a blocked loop."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            raise AssertionError(f"not within {timeout:g} s: {what() if callable(what) else what}")
        await pilot.pause(PACE)


async def until(condition: Callable[[], object], what: str | Callable[[], str], timeout: float = 30, *, failed: Callable[[], str | None] | None = None) -> None:
    """`wait_until` on an event loop (the loop runs between looks); `failed()`: words when the wait cannot come true any
    more (the task it awaits ended), raised at once."""
    deadline = time.monotonic() + timeout
    while not condition():
        said = what() if callable(what) else what
        if failed is not None and (why := failed()) is not None:
            raise AssertionError(f"{why} before {said}")
        if time.monotonic() >= deadline:
            raise AssertionError(f"not within {timeout:g} s: {said}")
        await asyncio.sleep(PACE)
