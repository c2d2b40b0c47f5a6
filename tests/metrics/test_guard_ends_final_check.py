"""A guard's rollback ends the check of `metrics.success` before the end, as it ends a step's `expect.metric` wait.

Before: every step was done, the check before the end waited `within: 10m` for `err below 3%`, and the guard tripped
(`on_critical: rollback`) during that wait; `exec` journaled the trip and the pause, then sat out the check's whole
window before the rollback the guard asked for began: up to ten minutes more of a change the guard had asked to undo.
Now the trip ends the check's wait: its criterion is journaled `not decided: the check's wait was cut short (guard
'err' tripped: …), so it counts as not met`, and the rollback starts at once.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from metrics_helpers import file_exporter, journal, metrics_runbook, of_type
from waiting import wait_until

CLI = [sys.executable, "-m", "runbook_tui"]


def test_a_guard_rollback_ends_the_final_check_that_waits_within_10m(tmp_path: Path, write_runbook: Callable[[str], Path]) -> None:
    value = tmp_path / "value"
    value.write_text("1", encoding="utf-8")

    with file_exporter(value) as source:
        # The value is 4 once the step is done (the check waits: not below 3), and 9 (past the guard's line) once the
        # check has begun: the test raises it when `success_check_started` is in the journal.
        steps = f"""
            - id: impl
              kind: implement
              steps:
                - {{id: cp, run: "true", checkpoint: true, verify: none}}
                - {{id: deploy, run: "echo 4 > {value}", undo: "echo 1 > {value}", verify: none}}
            """
        panels = "- {id: err, title: Errors, query: app_errors, unit: '%', critical: 5, for: 1s, on_critical: rollback}"
        success = "- {panel: err, below: 3, within: 10m}"
        runbook = write_runbook(metrics_runbook(source, panels=panels, sections=steps, success=success, interval="0.2s"))
        path = tmp_path / "j.jsonl"
        started = time.monotonic()
        proc = subprocess.Popen(
            [*CLI, "exec", str(runbook), "--solo", "guard cuts the final check", "--journal", str(path)],
            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            wait_until(lambda: path.exists() and of_type(journal(path), "success_check_started"), "the check before the end to begin", 60, alive=proc)
            value.write_text("9", encoding="utf-8")
            out, err = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
        took = time.monotonic() - started
    events = journal(path)
    [checked] = of_type(events, "success_checked", when="end")
    assert checked["met"] is None, checked
    assert checked["words"].startswith("err below 3% within 10m: not decided: the check's wait was cut short (guard 'err' tripped: 9% above 5% for 1s)")
    assert checked["words"].endswith(", so it counts as not met"), checked["words"]
    assert of_type(events, "rollback_started"), out
    assert events[-1]["type"] == "session_finished" and events[-1]["outcome"] == "rolled_back", out
    assert value.read_text(encoding="utf-8").strip() == "1", "the undo ran"
    assert took < 60, f"exec took {took:.0f}s: the rollback waited for the check's 10 minutes"
    assert "Traceback" not in err, err
