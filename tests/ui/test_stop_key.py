"""`k` on the run screen: stop the step that runs now (engine/step_stop.py), after a dialog that says what it stops."""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import ORDER, RUNBOOK, footer_keys, make_app, marks, of_kind, painted, run_step, screen_is, settled, started, until, write_runbook

from runbook_tui.ui.status_stack import StatusStack

JOURNAL = "j.jsonl"


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_k_says_what_it_stops_n_keeps_it_running_y_stops_it_and_the_run_waits_for_the_assignee(workdir: Path, size: tuple[int, int]) -> None:
    """The footer offers `k stop step` only while a step runs. The dialog names the step and where it runs, shows
    its command and its undo, and says what y does (TERM, KILL 2 s later, the step ends failed, what comes next);
    at 80x24 its answer keys stay on screen. n leaves the step running; y stops it: the step ends failed with who
    stopped it, the run stays at that step and `⏎ re-run`, u and s are offered, k no longer."""
    app = make_app(params={"hold": True})
    async with app.run_test(size=size) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        assert not any(key.startswith("k ") for key in footer_keys(app)), "nothing runs: nothing to stop"
        for step in ORDER[:5]:
            await run_step(pilot, step)
        await pilot.press("enter")
        await until(pilot, lambda: controller.state.steps["slow"].status == "running", "slow to run")
        await until(pilot, lambda: "k stop step" in footer_keys(app), "the footer to offer k")
        await pilot.press("k")
        prompt = await screen_is(pilot, "ConfirmPrompt")
        body = " ".join(painted(prompt.query_one("#dialog-body")).split())
        assert "'Wait for the service' is running on local." in body, body
        assert "echo slow >> marks" in body and "echo undo-slow >> marks" in body, body
        assert "TERM to the command's process group" in body and "KILL 2 s later" in body, body
        assert "The step ends as failed" in body and "u rolls back" in body, body
        keys = prompt.query_one("#dialog-keys")
        assert "y stop it" in painted(keys) and keys.region.bottom <= size[1], "the answer keys are on screen"
        await pilot.press("n")
        await screen_is(pilot, "RunScreen")
        assert controller.busy and controller.state.steps["slow"].status == "running"
        await pilot.press("k")
        await screen_is(pilot, "ConfirmPrompt")
        await pilot.press("y")
        await until(pilot, lambda: controller.state.steps["slow"].status == "failed" and not controller.busy, "slow to end stopped", seconds=15)
        await settled(pilot)
        keys = footer_keys(app)
        assert "⏎ re-run" in keys and "u roll back" in keys and "s skip" in keys and "k stop step" not in keys, keys
        assert controller.state.current == "slow"
    (finished,) = [e for e in of_kind(JOURNAL, "step_finished") if e["step"] == "slow"]
    assert finished["hosts"]["local"]["error"] == "stopped by alice"
    (stop,) = [e for e in of_kind(JOURNAL, "note") if e.get("request") == "stop"]
    assert stop["actor"] == "alice" and stop["seq"] < finished["seq"]
    assert marks(workdir).count("slow") == 1


@pytest.mark.asyncio
async def test_k_during_a_rollback_stops_the_hung_undo_and_says_the_rollback_stands_stopped(workdir: Path) -> None:
    """The undo of 'edit' hangs: the status row offers `k stop` beside `Rolling back`, the dialog says the rollback
    is undoing 'Edit the config' and that u tries again; y stops it and the status row says ROLLBACK STOPPED there."""
    write_runbook(workdir, RUNBOOK.replace("undo: echo undo-edit >> marks", 'undo: "echo undo-edit >> marks; sleep 60 & wait"'))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        controller = await started(pilot)
        for step in ORDER[:3]:
            await run_step(pilot, step)
        await pilot.press("u")
        await screen_is(pilot, "RollbackModal")
        await pilot.press("y")
        await until(pilot, lambda: "undo-edit" in marks(workdir), "the hung undo to start")
        await settled(pilot)
        assert "k stop" in painted(app.screen.query_one(StatusStack)), "the status row offers k"
        await pilot.press("k")
        prompt = await screen_is(pilot, "ConfirmPrompt")
        assert painted(prompt.query_one("#dialog-title")).strip() == "Stop the rollback at 'edit' now?"
        body = " ".join(painted(prompt.query_one("#dialog-body")).split())
        assert "The rollback is undoing 'Edit the config'." in body and "u tries again from this undo" in body, body
        await pilot.press("y")
        await until(pilot, lambda: not controller.busy and controller.state.rollback_stopped is not None, "the rollback to stand stopped", seconds=15)
        await settled(pilot)
        assert "ROLLBACK STOPPED at 'edit'" in painted(app.screen.query_one(StatusStack))


def test_ending_the_final_check_shows_each_criterion_against_its_newest_reading() -> None:
    """`k` during the check of the success criteria before the end. Before: the dialog said what `y` does and named
    no criterion: whoever pressed it did not see which would count as NOT met. Now each, against the panel's reading."""
    from runbook_tui.engine import events as ev
    from runbook_tui.engine.state import apply
    from runbook_tui.ui.stop_key import criteria_now
    from tests.metrics.panel_states import state_for

    criteria = [
        {"panel": "p99", "below": 250, "within": 600, "text": "p99 below 250 ms within 10m"},
        {"panel": "errors", "below": 1, "within": 600, "text": "errors below 1% within 10m"},
        {"panel": "rps", "above": 900, "within": 600, "text": "rps above 900/s within 10m"},
        {"panel": "gone", "below": 1, "text": "gone below 1"},
    ]
    state = state_for("critical")  # p99 341 ms, errors 6.1 %, rps 846/s, read until 02:01:00
    event = {"seq": state.seq + 1, "ts": "2026-11-23T02:00:30.000Z", "type": ev.SUCCESS_CHECK_STARTED, "actor": "system"}
    state = apply(state, {**event, "when": "end", "criteria": criteria, "until": "2026-11-23T02:10:30.000Z"})
    assert criteria_now(state).plain.splitlines() == [
        "✗ p99 below 250 ms within 10m: now 341 ms, NOT met",
        "✗ errors below 1% within 10m: now 6.1%, NOT met",
        "✗ rps above 900/s within 10m: now 846 /s, NOT met",
        "? gone below 1: no reading yet: counts as NOT met",
    ]


def test_the_end_checks_dialog_marks_no_criterion_met_on_a_reading_from_before_the_check() -> None:
    """The check counts only readings taken after it began (metrics/poller.py `evaluate`): begun again after a rollback,
    or with the source silent since, the panel's newest reading is older. Before: the dialog marked it `✓ ... met` from
    that reading while the check had found nothing yet, and `y` then counted the criterion NOT met. Now it reads `?`,
    with that reading and how long before the check it was taken; a reading since the check began marks it again."""
    from runbook_tui.engine import events as ev
    from runbook_tui.engine.state import apply
    from runbook_tui.ui.stop_key import criteria_now
    from tests.metrics.panel_states import state_for

    ok = state_for("ok")  # p99 185 ms at 02:01:00
    criterion = {"panel": "p99", "below": 250, "within": 600, "text": "p99 below 250 ms within 10m"}
    event = {"seq": ok.seq + 1, "ts": "2026-11-23T02:01:40.000Z", "type": ev.SUCCESS_CHECK_STARTED, "actor": "system"}
    state = apply(ok, {**event, "when": "end", "criteria": [criterion], "until": "2026-11-23T02:11:40.000Z"})
    said = criteria_now(state).plain
    assert said == "? p99 below 250 ms within 10m: not read since the check began (last 185 ms, 40s before it): counts as NOT met", said
    fresh = {"seq": state.seq + 1, "ts": "2026-11-23T02:01:41.000Z", "type": ev.METRIC_SAMPLE, "actor": "system"}
    state = apply(state, {**fresh, "panel": "p99", "value": 190.0, "ts_sample": "2026-11-23T02:01:41.000Z", "error": None})
    assert criteria_now(state).plain == "✓ p99 below 250 ms within 10m: now 190 ms, met"


def test_the_end_checks_dialog_judges_an_infinite_reading_as_the_check_does() -> None:
    """A panel reading +Inf since the check began: the check judges it a reading (NOT met for `below`), and so does the
    dialog. Before: `? … no reading yet`, as if the source had said nothing."""
    from runbook_tui.engine import events as ev
    from runbook_tui.engine.state import apply
    from runbook_tui.ui.stop_key import criteria_now
    from tests.metrics.panel_states import state_for

    ok = state_for("ok")
    criterion = {"panel": "p99", "below": 250, "within": 600, "text": "p99 below 250 ms within 10m"}
    event = {"seq": ok.seq + 1, "ts": "2026-11-23T02:01:40.000Z", "type": ev.SUCCESS_CHECK_STARTED, "actor": "system"}
    state = apply(ok, {**event, "when": "end", "criteria": [criterion], "until": "2026-11-23T02:11:40.000Z"})
    inf = {"seq": state.seq + 1, "ts": "2026-11-23T02:01:41.000Z", "type": ev.METRIC_SAMPLE, "actor": "system"}
    error = "the value is +Inf (infinite: above every line)"
    state = apply(state, {**inf, "panel": "p99", "value": None, "ts_sample": "2026-11-23T02:01:41.000Z", "error": error})
    assert criteria_now(state).plain == "✗ p99 below 250 ms within 10m: now +Inf ms, NOT met"


LONG = """\
runbook: 1
id: long-stop
title: A long command to stop
sections:
  - id: impl
    kind: implement
    steps:
      - id: blob
        title: A blob
        run: echo {blob} > /dev/null && sleep 60
        undo: echo undo-{blob}
""".format(blob="A" * 150 + "B" * 150)


def inside_the_dialog(row: str) -> str:
    """What a terminal row shows between the dialog's left and right borders (the screen under it cut away)."""
    return row[row.index("█") + 1 : row.rindex("█")] if row.count("█") >= 2 else ""


@pytest.mark.asyncio
async def test_what_y_does_is_in_view_when_the_stop_dialog_opens_on_a_long_command(workdir: Path) -> None:
    """`y` stops at once (no reading to the end asked: it is the emergency key), so what it does must be in view as the
    dialog opens. Before, at 80x24, a 300-character command and its undo filled the dialog and `y writes the stop …
    TERM … KILL 2 s later … what the command changed already stays changed` was 6 lines below its edge, while `y stop it`
    stood pinned under it. Now it comes right under where the step runs, the command and its undo after it."""
    write_runbook(workdir, LONG)
    app = make_app(solo="stop test")
    async with app.run_test(size=(80, 24)) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        await pilot.press("enter")
        if type(app.screen).__name__ == "ConfirmPrompt":  # the pane cuts the step: it is shown whole first
            await pilot.press("end")
            await until(pilot, lambda: app.screen.query_one("#dialog-scroll").read_to_end(), "the step read to its end")
            await pilot.press("y")
        await until(pilot, lambda: controller.state.steps["blob"].status == "running", "blob to run")
        await until(pilot, lambda: "k stop step" in footer_keys(app), "the footer to offer k")
        await pilot.press("k")
        await screen_is(pilot, "ConfirmPrompt")
        await settled(pilot)
        shown = " ".join(" ".join(inside_the_dialog(strip.text) for strip in app.screen._compositor.render_strips()).split())
        assert "'A blob' is running on local." in shown, shown
        assert "sends TERM to the command's process group" in shown and "KILL 2 s later" in shown, shown
        assert "what the command changed already stays changed" in shown, shown
        await pilot.press("n")
        await screen_is(pilot, "RunScreen")
        await pilot.press("k")
        await screen_is(pilot, "ConfirmPrompt")
        await pilot.press("y")
        await until(pilot, lambda: controller.state.steps["blob"].status == "failed" and not controller.busy, "blob to end stopped", seconds=15)
