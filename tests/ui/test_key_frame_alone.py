"""A key's frame is its own: the output a key holds back flows once the frame showing the key's effect is written, and
a key whose effect is drawn in its own turn (`repaint_now`: a pause) leaves no frame behind it: the Repaint message it
had posted finds nothing asked any more and sets no timer (it set one for an output frame 1/15 s later, which drew
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


@pytest.mark.asyncio
async def test_a_key_holds_the_output_until_the_frame_showing_its_effect_is_written(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The hold ended when the screen was next idle, which came before the widgets the action changed told it so: during
    a flood, output was read, journaled and drawn before the key's own frame."""
    from runbook_tui.ui.app import RunbookApp
    from runbook_tui.ui.status_stack import StatusStack

    seen: list[str] = []
    display, release = RunbookApp._display, KEYS.release

    def drawn(app: RunbookApp, screen: Any, renderable: Any) -> None:
        if renderable is not None and isinstance(app.screen, RunScreen):
            seen.append("frame: paused" if "PAUSED" in str(app.screen.query_one(StatusStack).content) else "frame")
        display(app, screen, renderable)

    def released() -> None:
        seen.append("released")
        release()

    monkeypatch.setattr(RunbookApp, "_display", drawn)
    monkeypatch.setattr(KEYS, "release", released)
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        await until(pilot, lambda: not KEYS.held, "no key held")
        seen.clear()
        await pilot.press("p")
        await until(pilot, lambda: controller.state.paused, "the pause")
        await until(pilot, lambda: "released" in seen, "the pause's hold to end")
        assert "frame: paused" in seen[: seen.index("released")], f"the hold ended before the pause's frame was written: {seen}"
