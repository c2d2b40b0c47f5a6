"""A resumed run keeps the baseline its journal has: the reading before the change, not the resumed process's first.

Seen in a walk: a scrape source (an exporter keeps no history, so the baseline is the session's first reading) read 1
before the change; a step raised it to 9, the guard paused the run, and `resume --lift-pause ... --continue` journaled
a second `metric_baseline` of 9, `first reading of the session`. The report's Metrics read `Before 9 / After 9` (and
the panel `before 9`): a change that took the value from 1 to 9 read as no change.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from metrics_helpers import journal, metrics_runbook, of_type
from peers import GAUGE, Exporter
from waiting import wait_until

CLI = [sys.executable, "-m", "runbook_tui"]


def test_resume_keeps_the_journaled_baseline_and_the_report_reads_it(tmp_path: Path, write_runbook: Callable[[str], Path]) -> None:
    exporter = Exporter()
    try:
        steps = """
            - id: impl
              kind: implement
              steps:
                - {id: first, run: "sleep 8", verify: none}
                - {id: next, run: "sleep 2", verify: none}
            """
        panels = f"- {{id: v, title: Value, query: '{GAUGE}{{service=\"api\"}}', critical: 5, for: 0s, on_critical: pause}}"
        runbook = write_runbook(metrics_runbook(f'scrape: {{url: "{exporter.url}"}}', panels=panels, sections=steps, interval="0.2s"))
        path = tmp_path / "j.jsonl"
        run = [*CLI, "exec", str(runbook), "--solo", "baseline", "--journal", str(path)]
        with subprocess.Popen(run, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, stdin=subprocess.DEVNULL) as went:
            wait_until(lambda: path.exists() and bool(of_type(journal(path), "metric_baseline")), "the first baseline")
            exporter.set(9)
            out, _ = went.communicate(timeout=60)
        assert went.returncode == 1 and of_type(journal(path), "paused"), out  # the guard paused it, the journal open
        resumed = subprocess.run(
            [*CLI, "resume", str(path), "--lift-pause", "checked", "--continue"],
            cwd=tmp_path, capture_output=True, text=True, timeout=90, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    finally:
        exporter.stop()
    events = journal(path)
    assert events[-1]["type"] == "session_finished", resumed.stdout + resumed.stderr
    baselines = of_type(events, "metric_baseline")
    assert [b["value"] for b in baselines] == [1], f"the resumed process took a baseline of its own: {baselines}"
    report = subprocess.run([*CLI, "report", str(path), "--format", "json"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    [panel] = json.loads(report.stdout)["panels"]
    assert (panel["before"], panel["after"]) == (1, 9), panel
