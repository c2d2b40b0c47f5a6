"""Snapshots of the run screen and its dialogs in the states that matter at 2 AM, each at 80x24 (a
laptop terminal: the step list steps aside, panes go compact) and at 140x45: before the first step,
while a step runs, after a failure, the rollback lists, the window countdown in red, help, the skip
and note prompts, the review, the window-override prompt. Each docstring says what a person must see.

Deterministic on every machine: the journal path is relative (the footer shows it), alice is at the
keyboard, nothing writes to stderr, toasts are cleared, the header's clock is frozen (the countdown
would tick), and a running step waits on a marker file instead of a timer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import (
    ORDER,
    RUNBOOK,
    SIZE,
    make_app,
    run_step,
    screen_is,
    settled,
    started,
    steady,
    type_text,
    until,
    until_apply_failed,
    write_runbook,
)
from textual.pilot import Pilot
from textual.widgets import Input

from runbook_tui.ui.run_view import RunView

SMALL = (80, 24)
#: The frozen "now" of the header (only the countdown reads it).
FROZEN = dt.datetime(2026, 3, 14, 2, 0, 0, tzinfo=dt.UTC)

Snap = Callable[..., bool]


@pytest.fixture(autouse=True)
def frozen_clock(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The working folder of tests/ui/conftest.py, and the screens' clock stopped: a snapshot shows times."""
    monkeypatch.setattr(RunView, "clock", staticmethod(lambda: FROZEN))


async def _steady(pilot: Pilot[Any]) -> None:
    """The latest state painted, no toasts, no blinking cursor: what stays on screen."""
    await steady(pilot)
    _no_blink(pilot)
    await pilot.pause()


def _opened(then: Callable[[Pilot[Any]], Any] | None = None) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await started(pilot)
        if then is not None:
            await then(pilot)
        await _steady(pilot)

    return run_before


async def _until_holding(pilot: Pilot[Any]) -> None:
    app = pilot.app
    controller = app.handle.controller  # type: ignore[attr-defined]
    for step in ORDER[:5]:
        await run_step(pilot, step)
    await pilot.press("enter")
    await until(pilot, lambda: controller.state.steps["slow"].status == "running", "slow to run")
    await until(pilot, lambda: any(line.text == "waiting for release" for line in controller.state.steps["slow"].output), "slow's first line")


async def _rollback_list(pilot: Pilot[Any]) -> None:
    await until_apply_failed(pilot)
    await pilot.press("u")
    await screen_is(pilot, "RollbackModal")


async def _full_rollback_list(pilot: Pilot[Any]) -> None:
    await _rollback_list(pilot)
    await pilot.press("f")


async def _help(pilot: Pilot[Any]) -> None:
    await pilot.press("question_mark")
    await screen_is(pilot, "HelpScreen")


async def _skip_reason(pilot: Pilot[Any]) -> None:
    await pilot.press("s")
    await screen_is(pilot, "TextPrompt")
    await pilot.press("enter")  # empty: the prompt says a reason is required


async def _note(pilot: Pilot[Any]) -> None:
    await pilot.press("n")
    await screen_is(pilot, "TextPrompt")
    await type_text(pilot, "paged [CHG-42] owner")


async def _review(pilot: Pilot[Any]) -> None:
    controller = pilot.app.handle.controller  # type: ignore[attr-defined]
    for step in ORDER[:6]:
        await run_step(pilot, step)
    await pilot.press("enter")  # drop: acknowledge first
    await screen_is(pilot, "ConfirmPrompt")
    await pilot.press("y")
    await until(pilot, lambda: controller.state.steps["drop"].status == "done" and not controller.busy, "drop to run")
    await screen_is(pilot, "RunScreen")
    await run_step(pilot, "healthy")
    await screen_is(pilot, "ReviewScreen")
    await type_text(pilot, "the backup")


def _no_blink(pilot: Pilot[Any]) -> None:
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False


BOTH = pytest.mark.parametrize("size", [SMALL, SIZE], ids=["80x24", "140x45"])


@BOTH
def test_snapshot_before_any_step(snap_compare: Snap, size: tuple[int, int]) -> None:
    """Header (CHG-42, RISK MEDIUM, alice SOLO); the status row, calm: `Next: 'check' on local · Config parses —
    enter run it`; the step list at 140 (hidden at 80), step 1/8 'check' with `run: echo check >> marks; echo config
    ok` and `undo: (none)`, an empty output pane, `journal: j.jsonl · decisions unsigned: no --identity key, no agent key` on one row, the footer keys with `p pause`."""
    assert snap_compare(make_app(), run_before=_opened(), terminal_size=size)


@BOTH
def test_snapshot_while_a_step_runs(snap_compare: Snap, size: tuple[int, int]) -> None:
    """'slow' running (▶): the status row says `Running 'slow' on local for 0s · Wait for the service — k stop step · p pause`
    (0s: the header's clock is frozen before the step started); its whole command and undo in the detail pane; the
    output ends with `local │ waiting for release`, the newest line at the bottom of the pane, and says
    `⚑ checkpoint backup` under `backup done` (where `u` goes back to); the footer starts `k stop step`, the key that
    stops it."""
    assert snap_compare(make_app(params={"hold": True}), run_before=_opened(_until_holding), terminal_size=size)


@BOTH
def test_snapshot_after_a_failed_step(snap_compare: Snap, size: tuple[int, int]) -> None:
    """The status stack says `'apply' FAILED (exit 3) — enter re-run · u roll back · s skip`; the detail pane
    shows `✗ local: exit code 3, expected 0` under the title, then apply's command and its undo; the output ends with `reload failed` and `── apply FAILED`;
    the footer starts `⏎ re-run` as the stack says (it said `⏎ run`; at 80 columns `^p palette` gives way for it)."""
    assert snap_compare(make_app(params={"fail": True}), run_before=_opened(until_apply_failed), terminal_size=size)


@BOTH
def test_snapshot_rollback_list(snap_compare: Snap, size: tuple[int, int]) -> None:
    """Centred dialog "Roll back to the last checkpoint (backup)": 1 apply (step failed), 2 tweak NO UNDO,
    3 edit, each command on its own line; the pinned line `y start this rollback and acknowledge … · f full
    rollback · n / escape cancel` at the bottom of the dialog, broken only between keys at 80x24 (`… without undo ·`
    over `f full rollback · n / escape cancel`: it read `· f full` over `rollback`)."""
    assert snap_compare(make_app(params={"fail": True}), run_before=_opened(_rollback_list), terminal_size=size)


@BOTH
def test_snapshot_full_rollback_list(snap_compare: Snap, size: tuple[int, int]) -> None:
    """ "FULL rollback: abort the whole change": the undos down to backup's, then `restored` (the rollback
    section); the action line offers `f back to the checkpoint`, whole on its line; at 80x24 the list scrolls, the
    keys stay."""
    assert snap_compare(make_app(params={"fail": True}), run_before=_opened(_full_rollback_list), terminal_size=size)


def test_snapshot_window_closing_in_five_minutes_is_red(workdir: Path, snap_compare: Snap, monkeypatch: pytest.MonkeyPatch) -> None:
    """The ticket's window ends 5 minutes after the (frozen) header clock: "window closes in 5m" in red in the
    header, and a status line says the same (the window is a warning of its own); the calm line follows it, whole
    with its key (`Next: 'check' on local · Config parses — enter run it`): the countdown does not replace it.

    The window is computed at test time around the real now, so the run starts without an override.
    """
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    window = f"  window: {{start: '{(now - dt.timedelta(hours=1)).isoformat()}', end: '{(now + dt.timedelta(minutes=5)).isoformat()}'}}\n"
    write_runbook(workdir, RUNBOOK.replace("  verifier: bob\n", "  verifier: bob\n" + window))
    # Keep the countdown at exactly 5 minutes whatever the time: the header reads the frozen clock.
    monkeypatch.setattr(RunView, "clock", staticmethod(lambda: now))
    assert snap_compare(make_app(), run_before=_opened(), terminal_size=SMALL)


@BOTH
def test_snapshot_help(snap_compare: Snap, size: tuple[int, int]) -> None:
    """Help centred on a plain, opaque background (no run screen drawn under it, so `?` is as quick as a bare
    Textual screen): every key in its own column with what it does for the assignee and the verifier, a long
    description wrapping under itself, not under the key (enter: run, re-run, ask go-ahead, I did it, answer, and `a step
    the pane cuts is shown whole first, y runs it`; c: the same for the go-ahead, `y gives it`; u: the undo list, `y
    starts it once read to its end`; x: reject, or
    refuse the go-ahead before the step runs, not offered on a failed step (u or n there), a `verify: none` one, nor one rolled back; each in the footer's words: `verifier: request rollback`, `k`'s `stop step`, `a accept unmet
    criteria`; `m` for the panels out of view; `e` for every status whole (the stack's `+N more` row names it); q: the assignee quits, the verifier leaves the session), then the journal's path whole and why decisions are unsigned
    (`journal: j.jsonl · decisions unsigned: ...`: the foot cuts a long path); `escape / q / enter / ? close` pinned below (at 80x24 the list scrolls and the close line stays, and the bottom border says
    `▼ N more lines: ↓ pgdn`; at 140x45 too when the help is taller than the screen)."""
    assert snap_compare(make_app(), run_before=_opened(_help), terminal_size=size)


@BOTH
def test_snapshot_skip_reason_required(snap_compare: Snap, size: tuple[int, int]) -> None:
    """ "Skip 'check'" with the step's title, what the skip does (`Nothing runs for it; then 'backup' is next.`) and
    why a reason is needed; enter on an empty reason turned the
    action line into `A reason is required (it goes into the journal) · escape cancel`. Behind it, dimmed, the run
    screen with its calm status row (`Next: 'check' …`) and the one-row journal line."""
    assert snap_compare(make_app(), run_before=_opened(_skip_reason), terminal_size=size)


@BOTH
def test_snapshot_note(snap_compare: Snap, size: tuple[int, int]) -> None:
    """ "Add a note" with the typed text `paged [CHG-42] owner` shown literally (brackets kept), `enter add the note ·
    escape cancel` below (the verifier's words for the same dialog; it read `enter submit`);
    behind it, dimmed, the run screen with its calm status row (`Next: 'check' …`) and the one-row journal line."""
    assert snap_compare(make_app(), run_before=_opened(_note), terminal_size=size)


@BOTH
def test_snapshot_review(snap_compare: Snap, size: tuple[int, int]) -> None:
    """After the last step: the review centred over the finished run, "the run ended: done", three questions,
    the first answered `the backup`, `enter next question · escape skip` pinned (it read `enter next / submit`).
    Behind it the last status row says who ended the run, as the report's Outcome does: at 140x45 `Session finished:
    done (ended by the program with no step left to run). The journal has everything — q quit`, and the detail pane
    the same outcome and who; at 80x24 one row, the who-part short: `Session finished: done (by the program). The
    journal has everything — q quit` (it said `done.` alone)."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await started(pilot)
        await _review(pilot)
        await _steady(pilot)
        _no_blink(pilot)

    assert snap_compare(make_app(), run_before=run_before, terminal_size=size)


@BOTH
def test_snapshot_override_prompt(workdir: Path, snap_compare: Snap, size: tuple[int, int]) -> None:
    """Outside the window: the prompt says when CHG-42's window closed (a date, as it is over a day ago) and
    asks for a reason typed there (no `starting needs --override-window` over the field); the placeholder names no
    other ticket; the keys say `enter start anyway, with this reason · escape leave, nothing started`."""
    window = "  window: {start: '2026-01-01T02:00:00+00:00', end: '2026-01-01T04:00:00+00:00'}\n"
    write_runbook(workdir, RUNBOOK.replace("  verifier: bob\n", "  verifier: bob\n" + window))

    async def run_before(pilot: Pilot[Any]) -> None:
        await screen_is(pilot, "TextPrompt")
        _no_blink(pilot)
        await settled(pilot)

    assert snap_compare(make_app(now=FROZEN), run_before=run_before, terminal_size=size)
