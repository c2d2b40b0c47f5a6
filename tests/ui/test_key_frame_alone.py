"""A key whose effect is drawn in its own turn (`repaint_now`: a pause) leaves no frame behind it: the Repaint message
it had posted finds nothing asked any more and sets no timer (it set one for an output frame 1/15 s later, which drew
nothing, and whose timer was made before the key's frame)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import make_app, settled, started, until

from runbook_tui.engine.keys_first import KEYS
from runbook_tui.ui.run_screen import RunScreen


@pytest.mark.asyncio
async def test_a_pause_drawn_in_its_turn_sets_no_frame_timer(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    timers: list[str] = []
    set_timer = RunScreen.set_timer

    def noted(screen: RunScreen, delay: float, callback: Callable[..., Any] | None = None, *args: Any, **kwargs: Any) -> Any:
        timers.append(getattr(callback, "__name__", repr(callback)))
        return set_timer(screen, delay, callback, *args, **kwargs)

    monkeypatch.setattr(RunScreen, "set_timer", noted)
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        await until(pilot, lambda: not KEYS.held, "no key held")
        timers.clear()
        for paused in (True, False):
            await pilot.press("p")
            await until(pilot, lambda want=paused: controller.state.paused is want, "the pause" if paused else "the resume")
            await settled(pilot)
            await until(pilot, lambda: not KEYS.held, "the key's hold to end once drawn")
        assert "_frame_repaint" not in timers, f"a frame timer was set after the key's own frame: {timers}"
