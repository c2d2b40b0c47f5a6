"""Keys before output on the run screen: a bound key holds the local output back until its effect is drawn.

While a step floods, each chunk of output is work on the event loop a key waits behind; the app holds the output
readers (`KEYS`) from the moment a key with a binding arrives until the frame after its action, and never for text
typed into a prompt.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from run_screen_helpers import ORDER, make_app, prepare_workdir, run_step, screen_is, started, until

from runbook_tui.engine.keys_first import KEYS
from runbook_tui.ui.output_pane import OutputLog
from runbook_tui.ui.repaint import FEW_LINES, FRAME_SECONDS
from runbook_tui.ui.run_screen import RunScreen
from runbook_tui.ui.step_list import StepList


@pytest.fixture(autouse=True)
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    prepare_workdir(tmp_path, monkeypatch)
    yield tmp_path
    KEYS.release()


@pytest.mark.asyncio
async def test_a_key_holds_output_while_its_action_runs_and_releases_it_once_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    held_in_action: list[bool] = []
    help_action = RunScreen.action_help

    def action_help(screen: RunScreen) -> None:
        held_in_action.append(KEYS.held)
        help_action(screen)

    monkeypatch.setattr(RunScreen, "action_help", action_help)
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await started(pilot)
        await pilot.press("question_mark")
        await screen_is(pilot, "HelpScreen")
        assert held_in_action == [True], "the output readers went on while the key's action ran"
        await until(pilot, lambda: not KEYS.held, "the output to flow again once the help is drawn", seconds=5)


@pytest.mark.asyncio
async def test_typing_into_a_prompt_holds_no_output() -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await started(pilot)
        await pilot.press("n")
        await screen_is(pilot, "TextPrompt")
        await until(pilot, lambda: not KEYS.held, "the note key's hold to end", seconds=5)
        await pilot.press("p")  # `p` pauses on the run screen; in the note it is a letter
        assert not KEYS.held, "a letter typed into the note held the output back"


@pytest.mark.asyncio
async def test_resume_holds_output_until_drawn_although_p_tries_the_pause_binding_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """`p` has two bindings (pause, resume); Textual tries pause first, which is refused while paused. That refusal used
    to release the hold, so the resume's fsync and frame queued behind a flood again."""
    from runbook_tui.engine.controller import Controller

    held_after_decision: list[bool] = []
    pause_durably = Controller.pause_durably

    async def recording(controller: Controller, *args: object, **kwargs: object) -> object:
        reply = await pause_durably(controller, *args, **kwargs)  # type: ignore[arg-type]
        held_after_decision.append(KEYS.held)
        return reply

    monkeypatch.setattr(Controller, "pause_durably", recording)
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await started(pilot)
        await pilot.press("p")
        await until(pilot, lambda: app.handle is not None and app.handle.controller.state.paused, "the run to pause", seconds=5)
        await until(pilot, lambda: not KEYS.held, "the pause's hold to end once drawn", seconds=5)
        await pilot.press("p")
        await until(pilot, lambda: len(held_after_decision) == 2, "the resume to be decided", seconds=5)
        assert held_after_decision == [True, True], "a key's hold ended before its decision was on disk and drawn"


@pytest.mark.asyncio
async def test_output_that_comes_under_the_help_goes_into_the_pane_when_the_help_closes(workdir: Path) -> None:
    """The help is opaque: nobody sees the pane under it. Each batch of output drawn there made Textual repaint the help
    over it (a flood's frames, every key on the help waiting behind them); now the pane takes the lines once it shows."""
    app = make_app(params={"hold": True})
    async with app.run_test(size=(140, 45)) as pilot:
        controller = await started(pilot)
        for step in ORDER[:5]:
            await run_step(pilot, step)
        pane = app.screen.query_one(OutputLog)
        steps = app.screen.query_one(StepList)
        await pilot.press("enter")  # `slow`: waits for the file `release`
        await until(pilot, lambda: any("waiting for release" in line for line in pane.lines), "the slow step's first line in the pane")
        await pilot.press("question_mark")
        await screen_is(pilot, "HelpScreen")
        (workdir / "release").touch()
        # The step's end is drawn under the help (its row, the cursor on the next step): the run screen repainted.
        await until(pilot, lambda: controller.state.steps["slow"].status == "done" and steps.cursor_row == ORDER.index("drop"), "the slow step's end drawn")
        assert not any("released" in line for line in pane.lines), "output went into the pane under the opaque help"
        await pilot.press("question_mark")
        await screen_is(pilot, "RunScreen")
        await until(pilot, lambda: any(line.endswith("released") for line in pane.lines), "the line printed under the help in the pane once it shows")


@pytest.mark.asyncio
async def test_a_keys_frame_draws_its_effect_alone_and_the_output_waiting_in_the_next(monkeypatch: pytest.MonkeyPatch) -> None:
    """While a key is handled, the repaint that shows its effect leaves the output waiting for the next frame: during a
    flood, wrapping and drawing a frame's lines doubled what the key waited for (the pane and the status in one pass).
    A few lines (a decision's own line on the pane, a pause's) go with the key's frame: in a frame of their own, a
    frame later, their pass held up the next key (`p` idle 7 -> 18 ms in bench/keypress.py)."""
    from runbook_tui.ui.status_stack import StatusStack

    drawn: list[str] = []
    add, show = OutputLog.add, StatusStack.show
    monkeypatch.setattr(OutputLog, "add", lambda pane, lines: (drawn.append("output"), add(pane, lines))[1])
    monkeypatch.setattr(StatusStack, "show", lambda stack, *args: (drawn.append("status"), show(stack, *args))[1])
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await started(pilot)
        screen = app.screen
        assert isinstance(screen, RunScreen)
        drawn.clear()
        KEYS.hold()  # a key arrived; the output below came before it
        screen._queue_lines([f"line {i} printed before the key" for i in range(FEW_LINES + 1)])
        screen._dirty = True  # the key's effect
        await until(pilot, lambda: "output" in drawn, "the waiting output to be drawn")
        assert drawn[0] == "status" and drawn.index("output") > 0, f"the key's frame drew the output with its effect: {drawn}"
        assert any(f"line {FEW_LINES} printed before the key" in line for line in screen.query_one(OutputLog).lines)
        await until(pilot, lambda: not screen._repaint_asked, "the output's frame to end")
        drawn.clear()
        KEYS.hold()
        screen._queue_lines(["the key's own decision"])
        screen._dirty = True
        await until(pilot, lambda: "status" in drawn, "the key's frame")
        assert drawn[:2] == ["output", "status"], f"a decision's line waited for a frame of its own: {drawn}"


@pytest.mark.asyncio
async def test_output_that_comes_while_a_key_is_handled_is_drawn_after_the_keys_frame(monkeypatch: pytest.MonkeyPatch) -> None:
    """An output frame that fell due while a key was being handled (its decision being made durable) drew the pane then:
    the key's own frame waited behind that frame's compositor pass, or drew the whole pane with its effect. The output
    waits until the key's effect is drawn (the hold's release), then comes in a frame of its own."""
    from runbook_tui.engine import keys_first
    from runbook_tui.ui.status_stack import StatusStack

    monkeypatch.setattr(keys_first, "HOLD_SECONDS", 30.0)
    drawn: list[str] = []
    add, show = OutputLog.add, StatusStack.show
    monkeypatch.setattr(OutputLog, "add", lambda pane, lines: (drawn.append("output"), add(pane, lines))[1])
    monkeypatch.setattr(StatusStack, "show", lambda stack, *args: (drawn.append("status"), show(stack, *args))[1])
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await started(pilot)
        screen = app.screen
        assert isinstance(screen, RunScreen)
        await until(pilot, lambda: not screen._repaint_asked, "the first frames to end")
        drawn.clear()
        KEYS.hold()  # a key arrived; a flood's lines come in before its effect is drawn
        screen._queue_lines([f"line {i} of the flood" for i in range(FEW_LINES + 10)])
        screen._ask_repaint()
        await until(pilot, lambda: not screen._repaint_asked, "the output's frame to fall due")
        assert drawn == [], f"output was drawn while the key was being handled: {drawn}"
        screen._dirty = True  # the key's effect
        await until(pilot, lambda: "status" in drawn, "the key's frame")
        assert "output" not in drawn, f"the key's frame drew the flood's lines with its effect: {drawn}"
        KEYS.release()
        await until(pilot, lambda: "output" in drawn, "the waiting output once the key's effect is drawn")
        assert drawn[0] == "status", drawn
        assert any(f"line {FEW_LINES + 9} of the flood" in line for line in screen.query_one(OutputLog).lines)


@pytest.mark.asyncio
async def test_what_the_first_frame_was_built_from_is_out_of_the_collectors_full_passes_until_the_app_ends() -> None:
    """A flood makes the collector's full pass come every second or so; each walked every object of the modules, the
    runbook and the widgets (80,000), stopping the loop and any key for 70-300 ms on a loaded machine (25 ms after)."""
    import gc

    gc.unfreeze()
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await started(pilot)
        await until(pilot, lambda: gc.get_freeze_count() > 10_000, "the objects of the first frame to be frozen")
    assert gc.get_freeze_count() == 0, "an app that ended left its objects out of the collector (a process making apps would keep them all)"


@pytest.mark.asyncio
async def test_the_pause_is_drawn_in_the_action_that_made_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reply's repaint comes in the key's own turn: a Repaint message waited for its turn (behind a flood's)."""
    from runbook_tui.ui.status_stack import StatusStack

    shown_when_done: list[bool] = []
    pause = RunScreen.action_pause

    async def action_pause(screen: RunScreen) -> None:
        await pause(screen)
        shown_when_done.append("PAUSED" in str(screen.query_one(StatusStack).content))

    monkeypatch.setattr(RunScreen, "action_pause", action_pause)
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await started(pilot)
        screen = app.screen
        assert isinstance(screen, RunScreen)
        # Past the frame of the last repaint: a key within the same frame is drawn on its message, by design.
        await until(pilot, lambda: time.monotonic() - screen._last_repaint >= FRAME_SECONDS, "a frame without a repaint")
        await pilot.press("p")
        await until(pilot, lambda: bool(shown_when_done), "the pause")
        assert shown_when_done == [True], "the pause was drawn after its action, on a later turn"
