"""`k` ends the wait of the check of `metrics.success` before the end (engine/final_check.py), on a real Prometheus.

Before, with every step done no step ran, so `k` was not offered and the check waited its whole `within:` (10 minutes
here); only a rollback cancelled it. Now the status row and the footer offer `k`, the stop is journaled with who
stopped it, and the criterion counts as not met: the session stays open to be accepted with a reason or rolled back.
"""

from __future__ import annotations

import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from metrics_helpers import API, journal, of_type, one_step_runbook
from peers import Exporter, Prometheus

from runbook_tui.app.session import load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine.state import replay
from tests.ui.run_screen_helpers import until

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
        await pilot.press("k")
        await until(pilot, lambda: type(app.screen).__name__ == "ConfirmPrompt", "the stop dialog")
        await pilot.press("y")
        await until(pilot, lambda: bool(controller.state.criteria_unmet), "the criterion to count as not met")
        assert not controller.state.finished, "unmet: accepted with a reason or rolled back, as when the check finds it unmet"
        await until(pilot, lambda: "Success criteria NOT met" in str(screen.query_one(StatusStack).render()), "the unmet status")
        assert "stop" not in controller.allowed_intents() and "accept_criteria" in controller.allowed_intents()
    events = journal(tmp_path / "t.jsonl")
    [note] = [e for e in of_type(events, "note") if e.get("request") == "stop"]
    assert note["actor"] == controller.assignee and "success criteria" in note["text"], note
    [checked] = of_type(events, "success_checked")
    assert checked["met"] is None and f"stopped by {controller.assignee}" in checked["words"], checked


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
