"""A guard's pause or rollback ends an `expect.metric` check's `within:` wait, as it cuts a `wait` step short.

Before, a step's check waiting `within: 10m` for a value to settle kept waiting through the trip: the guard's rollback
(exec takes it at once; the run screen opens the undo list once no step runs) came only when the check gave up, ten
minutes of a change the guard had asked to roll back. Now the check ends at the trip, not met, saying which guard cut
it, and the rollback starts.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from metrics_helpers import file_exporter, journal, metrics_runbook, of_type

CLI = [sys.executable, "-m", "runbook_tui"]


def test_a_guard_rollback_ends_the_check_that_waits_within_10m(tmp_path: Path, write_runbook: Callable[[str], Path]) -> None:
    value = tmp_path / "value"
    value.write_text("1", encoding="utf-8")

    with file_exporter(value) as source:
        steps = f"""
            - id: impl
              kind: implement
              steps:
                - {{id: cp, run: "true", checkpoint: true, verify: none}}
                - {{id: deploy, run: "echo 9 > {value}", undo: "echo 1 > {value}", verify: none, expect: {{metric: {{panel: err, below: 3, within: 10m}}}}}}
            """
        panels = "- {id: err, title: Errors, query: app_errors, unit: '%', critical: 5, for: 1s, on_critical: rollback}"
        runbook = write_runbook(metrics_runbook(source, panels=panels, sections=steps, interval="0.2s"))
        path = tmp_path / "j.jsonl"
        started = time.monotonic()
        went = subprocess.run(
            [*CLI, "exec", str(runbook), "--solo", "guard cuts the check", "--journal", str(path)],
            cwd=tmp_path, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        took = time.monotonic() - started
    events = journal(path)
    [deploy] = of_type(events, "step_finished", step="deploy")
    assert deploy["status"] == "failed", deploy
    assert deploy["problems"] == ["expect.metric on err not checked: guard 'err' tripped: 9% above 5% for 1s: the wait was cut short"], deploy
    assert of_type(events, "rollback_started") and events[-1]["type"] == "session_finished" and events[-1]["outcome"] == "rolled_back", went.stdout
    assert value.read_text(encoding="utf-8").strip() == "1", "the undo ran"
    assert took < 60, f"exec took {took:.0f}s: the rollback waited for the check's 10 minutes"
