"""`k` ends the wait of the check of `metrics.success` before the end (engine/final_check.py), on a real Prometheus.

Before, with every step done no step ran, so `k` was not offered and the check waited its whole `within:` (10 minutes
here); only a rollback cancelled it. Now the status row and the footer offer `k`, the stop is journaled with who
stopped it, and the criterion counts as not met: the session stays open to be accepted with a reason or rolled back
(`u`, which the row offered while the footer hid it and the key did nothing, every step being done).
"""

from __future__ import annotations

import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from metrics_helpers import API, journal, of_type, one_step_runbook
from peers import Exporter, Prometheus

from runbook_tui.app.session import load, open_session, resume_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine.state import replay
from tests.ui.run_screen_helpers import painted, showing, until

pytestmark = pytest.mark.peers


def runbook(prom: Prometheus) -> str:
    """One step, then a criterion not met (the gauge reads 4 %) that the check waits 10 minutes for."""
    return one_step_runbook(prom.url, "- {panel: err, below: 3, within: 10m}")


@pytest.mark.asyncio
async def test_k_ends_the_final_checks_wait_journaled_with_who_and_unmet(
    prometheus: Prometheus, exporter: Exporter, write_runbook: Callable[[str], Path], tmp_path: Path
) -> None:
    from runbook_tui.ui.app import RunbookApp
    from runbook_tui.ui.status_stack import StatusStack

    exporter.set(4)
    prometheus.wait_for(API, lambda v: v == 4)
    path = write_runbook(runbook(prometheus))
    loaded = load(str(path), {})
    app = RunbookApp(lambda _override: open_session(loaded, solo="stop test", journal=str(tmp_path / "t.jsonl"), settings=Settings()))
    async with app.run_test(size=(140, 45)) as pilot:
        await until(pilot, lambda: app.handle is not None and type(app.screen).__name__ == "RunScreen", "the run screen")
        assert app.handle is not None
        controller, screen = app.handle.controller, app.screen
        await pilot.press("enter")
        await until(pilot, lambda: any(p.get("when") == "end" for p in controller.state.success_pending), "the final check to start")
        await until(pilot, lambda: "k end check" in str(screen.query_one(StatusStack).render()), "the status row to offer k")
        assert "stop" in controller.allowed_intents() and screen.check_action("end_check", ()) is True, "the footer offers k"
        assert screen.check_action("stop_step", ()) is False, "k says what it does: end check, not stop step"
        await until(pilot, lambda: _read_since_the_check(controller.state, "err"), "a reading taken since the check began")
        await pilot.press("k")
        await until(pilot, lambda: showing(app, "ConfirmPrompt"), "the stop dialog")
        body = " ".join(painted(app.screen.query_one("#dialog-body")).split())
        assert "✗ err below 3" in body and ": now 4" in body and "NOT met" in body, body  # the reading against the line
        await pilot.press("y")
        await until(pilot, lambda: bool(controller.state.criteria_unmet), "the criterion to count as not met")
        assert not controller.state.finished, "unmet: accepted with a reason or rolled back, as when the check finds it unmet"
        await until(pilot, lambda: "Success criteria NOT met" in str(screen.query_one(StatusStack).render()), "the unmet status")
        assert "stop" not in controller.allowed_intents() and "accept_criteria" in controller.allowed_intents()
        # The row offers `u roll back · a accept unmet criteria` (as k's reply and the README say): u was hidden from
        # the footer and did nothing, every step being done.
        assert "u roll back" in painted(screen.query_one(StatusStack)) and screen.check_action("rollback", ()) is True
        await pilot.press("u")
        await until(pilot, lambda: showing(app, "RollbackModal"), "u to show the undo list")
        await pilot.press("y")
        await until(pilot, lambda: "Rolled back to the start; 'edit' is next again" in painted(screen.query_one(StatusStack)), "the rollback done")
        assert controller.state.rollback is not None and controller.state.rollback.ok and controller.state.steps["edit"].status == "undone"
    events = journal(tmp_path / "t.jsonl")
    [note] = [e for e in of_type(events, "note") if e.get("request") == "stop"]
    assert note["actor"] == controller.assignee and "success criteria" in note["text"], note
    [checked] = of_type(events, "success_checked")
    assert checked["met"] is None and f"stopped by {controller.assignee}" in checked["words"], checked


def _read_since_the_check(state: Any, panel: str) -> bool:
    """The panel has a reading taken after the check waiting now began (only those count for it)."""
    from runbook_tui.metrics.panel_view import parse_ts

    started = [parse_ts(str(p["started"])) for p in state.checking_now if p.get("panel") == panel]
    return bool(started) and any(parse_ts(ts) > max(started) for ts, _v in state.samples.get(panel, ()))


def _verify_section_runbook(exporter: Any, prometheus: Any, write_runbook: Callable[..., Any]) -> Any:
    """A criterion not met (err at 4, below 3 within 10m), then a verify section and a postcheck: what `k` stops."""
    exporter.set(4)
    prometheus.wait_for(API, lambda v: v == 4)
    text = one_step_runbook(prometheus.url, "- {panel: err, below: 3, within: 10m}")
    text += """
  - id: verify
    kind: verify
    steps:
      - {id: look, title: Look, run: "true", verify: none}
  - id: post
    kind: postcheck
    steps:
      - {id: tidy, title: Tidy, run: "true", verify: none}
"""
    return load(str(write_runbook(text)), {})


def test_sigterm_during_the_final_check_leaves_it_for_resume_and_says_so(
    prometheus: Prometheus, exporter: Exporter, write_runbook: Callable[[str], Path], tmp_path: Path
) -> None:
    """exec's SIGTERM stops the process, not the check: the journal says what it interrupted (it said only `exec was
    stopped by SIGTERM`), and the check stays owed, so that `resume` checks the criteria again."""
    exporter.set(4)
    prometheus.wait_for(API, lambda v: v == 4)
    journal_path = tmp_path / "j.jsonl"
    argv = [sys.executable, "-m", "runbook_tui", "exec", str(write_runbook(runbook(prometheus))), "--solo", "t", "--journal", str(journal_path)]
    # unbuffered: a line read leaves nothing in a buffer the selector cannot see
    proc = subprocess.Popen(argv, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
    try:
        assert proc.stdout is not None
        waiting = selectors.DefaultSelector()
        waiting.register(proc.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + 30
        line = b""
        while b"success_check_started" not in line:  # exec prints each event as a line once it is journaled
            assert waiting.select(max(0.0, deadline - time.monotonic())), "the final check never started within 30 s"
            line = proc.stdout.readline()
            assert line, f"exec ended before the final check started: {proc.stderr.read() if proc.stderr else b''!r}"
        proc.send_signal(signal.SIGTERM)
        _out, said = proc.communicate(timeout=30)
        err = said.decode()
    finally:
        proc.kill()
    assert proc.returncode == 1 and "interrupted; the journal is kept" in err, err
    events = journal(journal_path)
    assert events[-1]["type"] == "note" and events[-1]["text"] == (
        "exec was stopped by SIGTERM while the check of the success criteria before the end waited (resume checks them again); the journal is kept"
    ), events[-1]
    assert not of_type(events, "success_checked") and replay(events).final_check_owed


def _k_agrees(screen: Any, controller: Any) -> bool:
    """The status rows offer `k end check` exactly when the controller would stop the check and the footer shows `k`
    (one rule: `Controller.final_check_stoppable`); returns whether they do."""
    from runbook_tui.ui.status_stack import StatusStack

    offered = "k end check" in " ".join(painted(screen.query_one(StatusStack)).split())
    stoppable = controller.final_check_stoppable()
    assert offered == stoppable == bool(screen.check_action("end_check", ())), (offered, stoppable, painted(screen.query_one(StatusStack)))
    assert stoppable == ("stop" in controller.allowed_intents())
    return offered


@pytest.mark.asyncio
async def test_a_pause_during_the_final_check_and_a_resume_keep_k_where_the_controller_takes_it(
    prometheus: Prometheus, exporter: Exporter, write_runbook: Callable[[str], Path], tmp_path: Path
) -> None:
    """Paused while the check before the end waits, the row said only `the run finishes when it resumes — p resume`
    while `k` still ended the check (the footer offered it). Resumed from the journal, that check's `success_check_started`
    came from the process that died: the metrics area read `… checking (9m44s left)` over a paused run, and the calm
    row offered `k` from the journal's pending checks, not from the controller's. Now the rows offer `k` exactly when
    the controller takes it, at 80x24 and 140x45, and say what happens to the check: it goes on during the pause, or
    it runs again once resumed."""
    from runbook_tui.ui.app import RunbookApp
    from runbook_tui.ui.status_stack import StatusStack

    exporter.set(4)
    prometheus.wait_for(API, lambda v: v == 4)
    loaded = load(str(write_runbook(runbook(prometheus))), {})
    journal_path = tmp_path / "t.jsonl"
    app = RunbookApp(lambda _override: open_session(loaded, solo="pause test", journal=str(journal_path), settings=Settings()))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.handle is not None and type(app.screen).__name__ == "RunScreen", "the run screen")
        assert app.handle is not None
        controller, screen = app.handle.controller, app.screen
        await pilot.press("enter")
        await until(
            pilot,
            lambda: any(p.get("when") == "end" for p in controller.state.success_pending) and controller.final_check_stoppable(),
            "the final check to start",
        )
        await pilot.press("p")
        await until(pilot, lambda: "PAUSED" in painted(screen.query_one(StatusStack)), "the pause on the row")
        assert _k_agrees(screen, controller), "paused, the check still waits: k still ends it, and the row says so"
        said = " ".join(painted(screen.query_one(StatusStack)).split())
        assert "the success criteria are still being checked; the run finishes when it resumes — p resume · k end check" in said, said
    resumed = RunbookApp(lambda _override: resume_session(str(journal_path), settings=Settings()))
    async with resumed.run_test(size=(140, 45)) as pilot:
        await until(pilot, lambda: resumed.handle is not None and type(resumed.screen).__name__ == "RunScreen", "the resumed run screen")
        assert resumed.handle is not None
        controller, screen = resumed.handle.controller, resumed.screen
        await until(pilot, lambda: "PAUSED" in painted(screen.query_one(StatusStack)), "the pause on the row")
        assert controller.state.final_check_owed and controller.state.success_pending, "the dead process's check is still pending in the journal"
        assert not _k_agrees(screen, controller), "nothing checks while the resumed run stays paused: no k offered, none taken"
        said = " ".join(painted(screen.query_one(StatusStack)).split())
        assert "every step is done: the success criteria are checked when it resumes, then the run finishes — p resume" in said, said
        area = " ".join(painted(screen.query_one("#metrics-summary")).split())
        assert "checking" not in area and "not decided: the program stopped during its check" in area, area
        await pilot.press("p")
        await until(pilot, lambda: controller.final_check_stoppable() and "k end check" in painted(screen.query_one(StatusStack)), "the check again")
        assert _k_agrees(screen, controller)
        await until(pilot, lambda: "… checking" in painted(screen.query_one("#metrics-summary")), "the metrics area to say the check runs")
        await pilot.press("k")
        await until(pilot, lambda: showing(resumed, "ConfirmPrompt"), "the stop dialog")
        await pilot.press("y")
        await until(pilot, lambda: "Success criteria NOT met" in painted(screen.query_one(StatusStack)), "the unmet status")
        assert not _k_agrees(screen, controller) and not controller.state.success_pending


@pytest.mark.asyncio
async def test_k_at_the_end_also_ends_the_check_the_verify_section_began(
    prometheus: Prometheus, exporter: Exporter, write_runbook: Callable[[str], Path], tmp_path: Path
) -> None:
    """A verify section with a step after it: its end begins a check of the criteria (10 minutes here, unmet), in the
    background; then the last step, then the check before the end. Before: `k` ended the check before the end only; the
    verify section's check went on waiting, so after the stop the metrics area still read `… checking (9m… left)` and the
    journal held a pending check for ten minutes more. Now `k` ends both waits (the verify section's check ends undecided,
    saying why) and leaves nothing checking."""
    from runbook_tui.ui.app import RunbookApp
    from runbook_tui.ui.status_stack import StatusStack

    loaded = _verify_section_runbook(exporter, prometheus, write_runbook)
    app = RunbookApp(lambda _override: open_session(loaded, solo="stop test", journal=str(tmp_path / "t.jsonl"), settings=Settings()))
    async with app.run_test(size=(140, 45)) as pilot:
        await until(pilot, lambda: app.handle is not None and type(app.screen).__name__ == "RunScreen", "the run screen")
        assert app.handle is not None
        controller, screen = app.handle.controller, app.screen
        for step in ("edit", "look"):
            await pilot.press("enter")
            await until(pilot, lambda step=step: controller.state.steps[step].status == "done", f"'{step}' done")
        await until(pilot, lambda: any(p.get("when") == "verify" for p in controller.state.success_pending), "the verify section's check")
        await pilot.press("enter")
        await until(pilot, lambda: controller.final_check_stoppable(), "the check before the end")
        await pilot.press("k")
        await until(pilot, lambda: showing(app, "ConfirmPrompt"), "the stop dialog")
        await pilot.press("y")
        await until(pilot, lambda: "Success criteria NOT met" in painted(screen.query_one(StatusStack)), "the unmet status")
        await until(pilot, lambda: not controller.state.success_pending, "no check left waiting", seconds=5)
        # The area may drop `checking` (the wait ended) a repaint before it shows the verdict: wait for the verdict itself.
        verdict = "success: err below 3% within 10m ✗ not decided: counts as NOT met"
        await until(
            pilot, lambda: verdict in " ".join(painted(screen.query_one("#metrics-summary")).split()), "the metrics area to give the verdict", seconds=5
        )
        # One level of brackets (it read `(not decided (the check's wait was stopped by alice: it counts as not met))`).
        row = " ".join(painted(screen.query_one(StatusStack)).split())
        wanted = (
            f"Success criteria NOT met: err below 3% within 10m (not decided: the check's wait was stopped by {controller.assignee}, so it counts as not met)"
        )
        assert wanted in row, row
        summary = " ".join(painted(screen.query_one("#metrics-summary")).split())
        # The area says what the row says (it said `not decided` beside `Success criteria NOT met`).
        assert verdict in summary and "checking" not in summary, summary
        assert "checking the success criteria" not in painted(screen.query_one(StatusStack))
        # Accepted with a reason, the run ends done: the review's title says the criteria were not met (it said `done`
        # alone over a status row saying SUCCESS CRITERIA NOT MET).
        await pilot.press("a")
        await until(pilot, lambda: type(app.screen).__name__ == "TextPrompt", "the acceptance prompt")
        await pilot.press(*"known warmup")
        await pilot.press("enter")
        await until(pilot, lambda: type(app.screen).__name__ == "ReviewScreen", "the post-change review")
        title = " ".join(painted(app.screen.query_one("#dialog-title")).split())
        assert title == f"Post-change review (the run ended: done, success criteria NOT met (accepted by {controller.assignee}))", title
        await pilot.press("escape")
    events = journal(tmp_path / "t.jsonl")
    verify = of_type(events, "success_checked", when="verify")
    assert [e["met"] for e in verify] == [None] and "ended with the check before the end, stopped by" in verify[0]["words"], verify
    [end] = of_type(events, "success_checked", when="end")
    assert end["met"] is None and f"stopped by {controller.assignee}" in end["words"], end
    # The change report's Summary says why, as the row did (it said `1 not decided`), and the HTML marks it.
    from runbook_tui.report import build_report, render

    report = build_report(tmp_path / "t.jsonl")
    [row] = [line for line in render(report, "md").splitlines() if line.startswith("| **Success criteria** |")]
    assert f"err below 3% within 10m: not decided: the check's wait was stopped by {controller.assignee}, so it counts as not met" in row, row
    assert '<th>Success criteria</th><td class="warn">err below 3% within 10m: not decided' in render(report, "html")


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_k_between_steps_ends_the_verify_sections_check(
    prometheus: Prometheus, exporter: Exporter, write_runbook: Callable[[str], Path], tmp_path: Path, size: tuple[int, int]
) -> None:
    """A verify section with a step after it: its end begins a check of the criteria (10 minutes here, unmet) while the
    run stands between steps. Before: `k` there was not offered and, pressed, refused (`no step is running`): the check
    went on waiting its 10 minutes, and a reading that met the criterion later would still have been journaled as the
    verify section's finding. Now the footer and the row offer `k end check`, the dialog names the criterion and says the
    run goes on, and `y` journals who stopped it and ends the check not decided; nothing is checking after it."""
    from runbook_tui.ui.app import RunbookApp
    from runbook_tui.ui.status_stack import StatusStack

    loaded = _verify_section_runbook(exporter, prometheus, write_runbook)
    app = RunbookApp(lambda _override: open_session(loaded, solo="stop test", journal=str(tmp_path / "t.jsonl"), settings=Settings()))
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: app.handle is not None and type(app.screen).__name__ == "RunScreen", "the run screen")
        assert app.handle is not None
        controller, screen = app.handle.controller, app.screen
        for step in ("edit", "look"):
            await pilot.press("enter")
            await until(pilot, lambda step=step: controller.state.steps[step].status == "done", f"'{step}' done")
        await until(pilot, lambda: any(p.get("when") == "verify" for p in controller.state.checking_now), "the verify section's check")
        await until(pilot, lambda: screen.check_action("end_check", ()) is True, "the footer to offer k end check")
        assert screen.check_action("stop_step", ()) is False, "nothing runs: k ends the check, it stops no step"
        row = " ".join(painted(screen.query_one(StatusStack)).split())
        assert "Next: 'tidy'" in row and "k end check" in row, row
        await pilot.press("k")
        await until(pilot, lambda: showing(app, "ConfirmPrompt"), "the stop dialog")
        body = " ".join(painted(app.screen.query_one("#dialog-body")).split())
        assert "err below 3% within 10m" in body and "stay not decided" in body and "The run goes on" in body, body
        await pilot.press("y")
        await until(pilot, lambda: not controller.state.checking_now, "the verify section's check to end", seconds=5)
        assert not controller.check_stoppable() and screen.check_action("end_check", ()) is False
        assert controller.state.current == "tidy" and not controller.state.finished and not controller.state.criteria_unmet
    events = journal(tmp_path / "t.jsonl")
    [note] = [e for e in of_type(events, "note") if e.get("request") == "stop"]
    assert note["actor"] == controller.assignee and "verify section" in note["text"], note
    [checked] = of_type(events, "success_checked", when="verify")
    assert checked["met"] is None, checked
    assert checked["words"] == f"err below 3% within 10m: not decided: the check's wait was stopped by {controller.assignee}", checked
    assert not of_type(events, "success_checked", when="end"), "the check before the end has not begun: tidy has not run"


@pytest.mark.asyncio
async def test_the_footer_drops_k_once_the_check_found_the_criterion_unmet(
    prometheus: Prometheus, exporter: Exporter, write_runbook: Callable[[str], Path], tmp_path: Path
) -> None:
    """Walked in tmux at 80x24: the check before the end found `lat below 250 ms within 3s` not met; the row said
    `Success criteria NOT met — u roll back · a accept unmet criteria`, while the footer still offered `k end check`
    (its journaled verdict came before the check stopped waiting, and the footer's keys were looked at on events only)."""
    from runbook_tui.ui.app import RunbookApp
    from runbook_tui.ui.footer import KeyFooter

    exporter.set(4)
    prometheus.wait_for(API, lambda v: v == 4)
    loaded = load(str(write_runbook(one_step_runbook(prometheus.url, "- {panel: err, below: 3, within: 2s}"))), {})
    app = RunbookApp(lambda _override: open_session(loaded, solo="footer test", journal=str(tmp_path / "t.jsonl"), settings=Settings()))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.handle is not None and type(app.screen).__name__ == "RunScreen", "the run screen")
        assert app.handle is not None
        controller, screen = app.handle.controller, app.screen
        await pilot.press("enter")
        await until(pilot, lambda: "k end check" in painted(screen.query_one(KeyFooter)), "the footer to offer k while the check waits")
        await until(pilot, lambda: bool(controller.state.criteria_unmet), "the check to find the criterion unmet")
        await until(pilot, lambda: "k end check" not in painted(screen.query_one(KeyFooter)), "the footer to drop k once the check ended", seconds=10)
        assert "a accept unmet criteria" in painted(screen.query_one(KeyFooter))
