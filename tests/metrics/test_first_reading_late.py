"""A scrape source keeps no history: its first reading stands for "before" the change. Read once a step has begun, it
may already show that step's effect, and the baseline's basis (shown by the report) must say so.

Before: exec's first step ran in milliseconds, before the first scrape came back; the report's metrics table read
`Before 50 | After 50` for a change that took the value from 1 to 50, with `before is the first reading of the
session` and nothing saying it was read after the change had begun.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from metrics_helpers import journal, metrics_runbook, of_type
from peers import GAUGE, Exporter

CLI = [sys.executable, "-m", "runbook_tui"]
LATE = "first reading of the session (an exporter keeps no history); read once step 'settle' had begun: it may already show the change"


def test_a_first_reading_taken_after_a_step_began_says_so_in_the_journal_and_the_report(tmp_path: Path, write_runbook: Callable[[str], Path]) -> None:
    exporter, path = Exporter(), tmp_path / "j.jsonl"
    steps = """
        - id: impl
          kind: implement
          steps:
            - {id: settle, wait: 3s, watch: [v], verify: none}
        """
    panels = f"- {{id: v, query: '{GAUGE}{{service=\"web\"}}'}}"  # no such series until the step has begun
    runbook = write_runbook(metrics_runbook(f'scrape: {{url: "{exporter.url}"}}', panels=panels, sections=steps, interval="0.2s"))
    begun, stop = threading.Event(), threading.Event()

    def appear_once_the_step_began() -> None:
        while not stop.wait(0.02):
            if path.exists() and '"type":"step_started"' in path.read_text(encoding="utf-8"):
                exporter.set(50, service="web")
                begun.set()
                return

    watcher = threading.Thread(target=appear_once_the_step_began)
    watcher.start()
    try:
        went = subprocess.run(
            [*CLI, "exec", str(runbook), "--solo", "late baseline", "--journal", str(path)],
            cwd=tmp_path, capture_output=True, text=True, timeout=90, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    finally:
        stop.set()
        watcher.join()
        exporter.stop()
    assert went.returncode == 0, went.stdout + went.stderr
    assert begun.is_set(), "the series never appeared: the step_started line was not seen in the journal"
    [baseline] = of_type(journal(path), "metric_baseline")
    assert baseline["value"] == 50 and baseline["basis"] == LATE, baseline
    report = subprocess.run([*CLI, "report", str(path)], cwd=tmp_path, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert report.returncode == 0, report.stderr
    assert "read once step 'settle' had begun: it may already show the change" in report.stdout, report.stdout
