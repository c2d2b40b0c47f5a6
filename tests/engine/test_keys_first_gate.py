"""Keys before output: a reader waits while a key is being handled, until it is released or HOLD_SECONDS passed."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from runbook_tui.engine import keys_first
from runbook_tui.engine.keys_first import KeysFirst


@pytest.mark.asyncio
async def test_a_reader_goes_on_at_once_when_no_key_is_handled() -> None:
    keys = KeysFirst()
    await asyncio.wait_for(keys.clear(), 1.0)
    keys.hold()
    keys.release()
    assert not keys.held
    await asyncio.wait_for(keys.clear(), 1.0)


@pytest.mark.asyncio
async def test_a_held_reader_goes_on_when_the_key_is_released(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keys_first, "HOLD_SECONDS", 30.0)
    keys = KeysFirst()
    keys.hold()
    reader = asyncio.create_task(keys.clear())
    done, _ = await asyncio.wait({reader}, timeout=0.2)  # something that must not happen: bounded by time, not a sleep
    assert not done, "the reader went on while the key was being handled"
    keys.release()
    await asyncio.wait_for(reader, 1.0)


@pytest.mark.asyncio
async def test_a_key_never_released_holds_output_back_for_hold_seconds_at_most(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keys_first, "HOLD_SECONDS", 0.05)
    keys = KeysFirst()
    keys.hold()
    started = time.monotonic()
    await asyncio.wait_for(keys.clear(), 5.0)
    assert time.monotonic() - started >= 0.04
    assert not keys.held


@pytest.mark.asyncio
async def test_what_waits_for_no_key_held_runs_once_at_the_release(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keys_first, "HOLD_SECONDS", 30.0)
    keys = KeysFirst()
    ran: list[str] = []
    keys.when_clear(lambda: ran.append("no key held"))
    assert ran == ["no key held"], "nothing was held, yet the callback waited"
    keys.hold()

    def frame() -> None:
        ran.append("frame")

    keys.when_clear(frame)
    keys.when_clear(frame)  # asked again while it waits: still once
    assert ran == ["no key held"], "the callback ran while the key was being handled"
    keys.release()
    assert ran == ["no key held", "frame"]
    keys.hold()
    keys.release()
    assert ran == ["no key held", "frame"], "a callback ran again at a later release"


@pytest.mark.asyncio
async def test_what_waits_for_no_key_held_runs_when_a_hold_never_released_runs_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keys_first, "HOLD_SECONDS", 0.05)
    keys = KeysFirst()
    cleared = asyncio.get_running_loop().create_future()
    keys.hold()
    started = time.monotonic()
    keys.when_clear(lambda: cleared.set_result(time.monotonic()))
    keys.hold()  # a second key before the first one's hold ran out: it waits for that one too
    assert await asyncio.wait_for(cleared, 5.0) - started >= 0.04
    assert not keys.held


@pytest.mark.asyncio
async def test_a_release_leaves_no_timer_behind_to_wake_the_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each `when_clear` while a key was held set a timer for the hold's end (a `p`'s frame and the rest of its repaint,
    keys38: two), and none was taken back at the release: each woke the loop for nothing 0.1 s after the key."""
    monkeypatch.setattr(keys_first, "HOLD_SECONDS", 30.0)
    loop = asyncio.get_running_loop()
    made: list[asyncio.TimerHandle] = []
    call_later = loop.call_later

    def noted(delay: float, callback: Any, *args: Any, **kwargs: Any) -> asyncio.TimerHandle:
        handle = call_later(delay, callback, *args, **kwargs)
        made.append(handle)
        return handle

    monkeypatch.setattr(loop, "call_later", noted)
    keys = KeysFirst()
    keys.hold()
    for callback in [lambda: None for _ in range(3)]:  # three waiting: a frame, the rest of a repaint, one more
        keys.when_clear(callback)
    assert sum(not handle.cancelled() for handle in made) == 1, "more than one timer looks at the hold's end"
    keys.release()
    assert made and all(handle.cancelled() for handle in made), "a timer was left after the release to look at a hold that had ended"
