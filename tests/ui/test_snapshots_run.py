"""Snapshots of the run screen in the states that matter at 2 AM: before the first step, while a
step runs, after a failure, the rollback list, the window countdown in red, a small terminal, help.

Deterministic on every machine: the journal path is relative (the footer shows it), alice is at the
keyboard, nothing writes to stderr, toasts are cleared, the header's clock is frozen (the countdown
would tick), and a running step waits on a marker file instead of a timer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import ORDER, RUNBOOK, SIZE, make_app, run_step, screen_is, started, steady, until, write_runbook
from textual.pilot import Pilot

from runbook_tui.ui.run_screen import RunView

SMALL = (80, 24)
#: The frozen "now" of the header (only the countdown reads it).
FROZEN = dt.datetime(2026, 3, 14, 2, 0, 0, tzinfo=dt.UTC)

Snap = Callable[..., bool]


@pytest.fixture(autouse=True)
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    monkeypatch.delenv("RUNBOOK_TUI_SETTINGS", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    monkeypatch.setattr(RunView, "clock", staticmethod(lambda: FROZEN))
    write_runbook(tmp_path)
    yield tmp_path
    (tmp_path / "release").touch()  # the held step, if any, ends


def _opened(then: Callable[[Pilot[Any]], Any] | None = None) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await started(pilot)
        if then is not None:
            await then(pilot)
        await steady(pilot)

    return run_before


async def _until_failed(pilot: Pilot[Any]) -> None:
    for step in ("check", "backup", "edit", "tweak"):
        await run_step(pilot, step)
    await run_step(pilot, "apply", "failed")


async def _until_holding(pilot: Pilot[Any]) -> None:
    app = pilot.app
    controller = app.handle.controller  # type: ignore[attr-defined]
    for step in ORDER[:5]:
        await run_step(pilot, step)
    await pilot.press("enter")
    await until(pilot, lambda: controller.state.steps["slow"].status == "running", "slow to run")
    await until(pilot, lambda: any(line.text == "waiting for release" for line in controller.state.steps["slow"].output), "slow's first line")


async def _rollback_list(pilot: Pilot[Any]) -> None:
    await _until_failed(pilot)
    await pilot.press("u")
    await screen_is(pilot, "RollbackModal")


async def _help(pilot: Pilot[Any]) -> None:
    await pilot.press("question_mark")
    await screen_is(pilot, "HelpScreen")


def test_snapshot_before_any_step(snap_compare: Snap) -> None:
    assert snap_compare(make_app(), run_before=_opened(), terminal_size=SIZE)


def test_snapshot_while_a_step_runs(snap_compare: Snap) -> None:
    assert snap_compare(make_app(params={"hold": True}), run_before=_opened(_until_holding), terminal_size=SIZE)


def test_snapshot_after_a_failed_step(snap_compare: Snap) -> None:
    assert snap_compare(make_app(params={"fail": True}), run_before=_opened(_until_failed), terminal_size=SIZE)


def test_snapshot_rollback_list(snap_compare: Snap) -> None:
    assert snap_compare(make_app(params={"fail": True}), run_before=_opened(_rollback_list), terminal_size=SIZE)


def test_snapshot_window_closing_in_five_minutes_is_red(workdir: Path, snap_compare: Snap, monkeypatch: pytest.MonkeyPatch) -> None:
    """The ticket's window ends 5 minutes after the (frozen) header clock: "window closes in 5m00s" in red.

    The window is computed at test time around the real now, so the run starts without an override.
    """
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    window = f"  window: {{start: '{(now - dt.timedelta(hours=1)).isoformat()}', end: '{(now + dt.timedelta(minutes=5)).isoformat()}'}}\n"
    write_runbook(workdir, RUNBOOK.replace("  verifier: bob\n", "  verifier: bob\n" + window))
    # Keep the countdown at exactly 5 minutes whatever the time: the header reads the frozen clock.
    monkeypatch.setattr(RunView, "clock", staticmethod(lambda: now))
    assert snap_compare(make_app(), run_before=_opened(), terminal_size=SIZE)


def test_snapshot_small_terminal_after_a_failed_step(snap_compare: Snap) -> None:
    assert snap_compare(make_app(params={"fail": True}), run_before=_opened(_until_failed), terminal_size=SMALL)


def test_snapshot_help(snap_compare: Snap) -> None:
    assert snap_compare(make_app(), run_before=_opened(_help), terminal_size=SIZE)
