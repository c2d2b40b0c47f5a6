"""The screens' update timer: a change after a frame is drawn one frame period after it at most, a key's frame at once.

Textual's interval timer skipped to the second point of its 60 Hz grid after a pause, so a change up to 33 ms after
any frame waited for that point (a `p` during an output flood, about one press in two). Measured here with a period of
a second, so the machine's load cannot blur what is asserted: a change within a period of the last frame waits for
the period's end (no more frames than before), one later is drawn at once, and a key's at once.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from run_screen_helpers import make_app, painted, prepare_workdir, started, steady
from run_screen_helpers import until as screen_until
from textual.app import App, ComposeResult
from textual.widgets import Static

from runbook_tui.engine.keys_first import KEYS
from runbook_tui.ui.frame_timer import FrameTimer, frame_timer
from runbook_tui.ui.status_stack import StatusStack
from tests.waiting import until

PERIOD = 1.0


@pytest.fixture(autouse=True)
def no_key_held() -> Iterator[None]:
    KEYS.release()
    yield
    KEYS.release()


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    prepare_workdir(tmp_path, monkeypatch)
    return tmp_path


class Ticks(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("x")

    def on_mount(self) -> None:
        self.ticks: list[float] = []
        self.timer = frame_timer(self, self.tick, PERIOD)

    def tick(self) -> None:
        self.timer.pause()  # as Textual's `_on_timer_update` does
        self.ticks.append(time.monotonic())


async def _next_tick(app: Ticks) -> float:
    """Resume the timer; seconds until it ticked."""
    count, resumed = len(app.ticks), time.monotonic()
    app.timer.resume()
    await until(lambda: len(app.ticks) > count, "the timer's tick")
    return app.ticks[-1] - resumed


@pytest.mark.asyncio
async def test_a_change_after_a_frame_waits_for_the_period_end_only_and_a_later_one_not_at_all() -> None:
    app = Ticks()
    async with app.run_test():
        assert await _next_tick(app) >= PERIOD * 0.99  # the first frame a period after the first change, as Textual's
        waited = await _next_tick(app)  # right after a frame: the next one a period after it, no sooner
        assert app.ticks[-1] - app.ticks[-2] >= PERIOD * 0.99, "two frames within one period"
        assert waited < PERIOD * 1.5
        await until(lambda: time.monotonic() - app.ticks[-1] > PERIOD * 1.05, "a period since the last frame")
        # Textual's timer waited here for its grid's second point from the last frame: up to another period.
        assert await _next_tick(app) < PERIOD / 2


@pytest.mark.asyncio
async def test_a_key_being_handled_is_drawn_at_once_even_right_after_a_frame() -> None:
    app = Ticks()
    async with app.run_test():
        await _next_tick(app)
        KEYS.hold()
        assert await _next_tick(app) < PERIOD / 2
        KEYS.release()
        count = len(app.ticks)
        app.timer.resume()  # a change with no key: after the period, as always
        KEYS.hold()  # a key arrives while that change waits: its frame does not wait with it
        app.timer.resume()
        await until(lambda: len(app.ticks) > count, "the key's frame")
        assert app.ticks[-1] - app.ticks[-2] < PERIOD / 2


@pytest.mark.asyncio
async def test_the_run_screen_draws_a_pause_by_it(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ticks: list[object] = []
    tick = FrameTimer._tick

    async def counted(timer: FrameTimer, *, next_timer: float, count: int) -> None:
        ticks.append(timer.target)
        await tick(timer, next_timer=next_timer, count=count)

    monkeypatch.setattr(FrameTimer, "_tick", counted)
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await started(pilot)
        await steady(pilot)
        screen = app.screen
        drawn = len(ticks)
        await pilot.press("p")
        await screen_until(pilot, lambda: "PAUSED" in painted(screen.query_one(StatusStack)), "the pause drawn")
        assert screen in ticks[drawn:], "the pause's frame was not drawn by the run screen's frame timer"
