"""A dialog about the current step acts on the step it showed, or on nothing: when the run moved on while it was open,
the controller refuses the intent and the screen says so. Before, `s` opened `Skip 'change'`, the run went on to
'last' meanwhile, and the reason typed for 'change' skipped 'last' (journaled as its decision), a step never read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import make_app, of_kind, prepare_workdir, read_to_end, run_step, screen_is, started, until

RUNBOOK = """\
runbook: 1
id: moved
title: Moved on
sections:
  - id: impl
    kind: implement
    steps:
      - {id: first, title: First, run: 'true', undo: 'true'}
      - {id: change, title: Change, run: 'test -f fixed', undo: 'true'}
      - {id: last, title: Last, run: 'true', undo: 'true'}
"""


def _warnings(app: Any) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def _moved_on_while(pilot: Any, tmp_path: Path, key: str, dialog: str) -> Any:
    """'change' failed; `key` opens `dialog` on it; meanwhile 'change' is re-run, done, and the run stands at 'last'."""
    controller = await started(pilot)
    await run_step(pilot, "first")
    await run_step(pilot, "change", "failed")
    await pilot.press(key)
    await screen_is(pilot, dialog)
    (tmp_path / "fixed").write_text("")
    screen = next(s for s in pilot.app.screen_stack if type(s).__name__ == "RunScreen")
    assert controller.run_current(screen.actor, acknowledged=True).ok  # the run moves on: the dialog stays open
    await until(pilot, lambda: controller.state.current == "last" and not controller.busy, "the run to go on to 'last'")
    return controller


@pytest.mark.asyncio
async def test_a_skip_typed_for_one_step_does_not_skip_the_next(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prepare_workdir(tmp_path, monkeypatch, RUNBOOK)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        controller = await _moved_on_while(pilot, tmp_path, "s", "TextPrompt")
        await pilot.press(*"broken", "enter")
        await until(pilot, lambda: any("'change'" in m and "'last'" in m for m in _warnings(app)), "the screen to say the run moved on")
        assert controller.state.steps["last"].status == "pending"
        assert of_kind(tmp_path / "j.jsonl", "step_skipped") == []


ACKED = RUNBOOK.replace("'test -f fixed', undo: 'true'}", "'test -f fixed', undo: 'true', confirm: 'Sure?'}").replace(
    "{id: last, title: Last, run: 'true', undo: 'true'}", "{id: last, title: Last, run: 'true', undo: 'true', confirm: 'Really last?'}"
)


async def _acknowledge(pilot: Any) -> None:
    await pilot.press("enter")
    await screen_is(pilot, "ConfirmPrompt")
    await read_to_end(pilot)
    await pilot.press("y")


@pytest.mark.asyncio
async def test_an_acknowledgement_read_for_one_step_does_not_run_the_next(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """enter's acknowledgement (confirm:) of a re-run of 'change': meanwhile 'change' is skipped. Its y must not run
    'last', whose own acknowledgement ('Really last?') was never shown."""
    assert "Really last?" in ACKED and "Sure?" in ACKED
    prepare_workdir(tmp_path, monkeypatch, ACKED)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        controller = await started(pilot)
        await run_step(pilot, "first")
        await _acknowledge(pilot)
        await until(pilot, lambda: controller.state.steps["change"].status == "failed" and not controller.busy, "'change' to fail")
        await pilot.press("enter")
        await screen_is(pilot, "ConfirmPrompt")
        await read_to_end(pilot)
        screen = next(s for s in app.screen_stack if type(s).__name__ == "RunScreen")
        assert controller.skip(screen.actor, "fixed by hand").ok  # the run moves on to 'last': the dialog stays open
        await pilot.press("y")
        await until(pilot, lambda: any("'change'" in m and "'last'" in m for m in _warnings(app)), "the screen to say the run moved on")
        assert controller.state.steps["last"].status == "pending"
        assert [e["step"] for e in of_kind(tmp_path / "j.jsonl", "step_started")] == ["first", "change"]


@pytest.mark.asyncio
async def test_a_skip_typed_for_one_attempt_does_not_skip_the_next_attempt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same step, run again (and failed again) while `s` was open: the reason was for what the dialog showed."""
    prepare_workdir(tmp_path, monkeypatch, RUNBOOK)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        controller = await started(pilot)
        await run_step(pilot, "first")
        await run_step(pilot, "change", "failed")
        await pilot.press("s")
        await screen_is(pilot, "TextPrompt")
        screen = next(s for s in app.screen_stack if type(s).__name__ == "RunScreen")
        assert controller.run_current(screen.actor, acknowledged=True).ok  # attempt 2, failing as the first did
        await until(pilot, lambda: controller.state.steps["change"].attempts == 2 and not controller.busy, "'change' to fail again")
        await pilot.press(*"broken", "enter")
        await until(pilot, lambda: any("attempt 2" in m and "nothing was done" in m for m in _warnings(app)), "the screen to say it ran again")
        assert controller.state.steps["change"].status == "failed"
        assert of_kind(tmp_path / "j.jsonl", "step_skipped") == []
        await pilot.press("s")  # asked again, it skips what it shows now
        await screen_is(pilot, "TextPrompt")
        await pilot.press(*"broken", "enter")
        await until(pilot, lambda: controller.state.steps["change"].status == "skipped", "the skip of 'change'")
        assert [e["step"] for e in of_kind(tmp_path / "j.jsonl", "step_skipped")] == ["change"]
