"""A source that fails every other poll (a load balancer over two Prometheus replicas, one down; an exporter that
times out now and then).

Seen with `exec` against an exporter answering 503 and 200 in turn, polled every 0.5 s: each failure journaled an
`error` (`metrics (err): exporter … answered HTTP 503; the run goes on, panels keep trying`) and each good reading after
it a note `readings are back`: 11 lines in 6 s, 1,440 an hour at the default 5 s, every one on every screen, in exec's
lines and in the report's Errors and Notes. Now the outage is said once, and its end once the readings have held."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from metrics_helpers import exporter, journal, metrics_runbook, of_type

CLI = [sys.executable, "-m", "runbook_tui"]


def test_a_source_failing_every_other_poll_is_said_once_and_back_once_it_holds(tmp_path: Path, write_runbook: Callable[[str], Path]) -> None:
    served = [0]
    steady = tmp_path / "steady"  # the step ends once the readings have held a while (not after a fixed time)

    def body() -> bytes:
        served[0] += 1
        if served[0] >= 30:
            steady.touch()
        flapping = served[0] <= 20
        return b"app_errors NaN\n" if flapping and served[0] % 2 else b"app_errors 0.5\n"

    with exporter(body) as source:
        steps = """
            - id: impl
              kind: implement
              steps:
                - {id: first, run: "timeout 60 sh -c 'until [ -e STEADY ]; do sleep 0.1; done'", verify: none}
            """.replace("STEADY", str(steady))
        panels = "- {id: err, title: Error rate, query: app_errors, unit: '%', critical: 5, for: 30s, on_critical: notify}"
        runbook = write_runbook(metrics_runbook(source, panels=panels, sections=steps, interval="0.2s"))
        path = tmp_path / "j.jsonl"
        result = subprocess.run(
            [*CLI, "exec", str(runbook), "--solo", "flap test", "--journal", str(path)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=90,
            stdin=subprocess.DEVNULL,
        )
    assert result.returncode == 0, result.stdout + result.stderr
    events = journal(path)
    failing = [e for e in of_type(events, "metric_sample", panel="err") if e["error"]]
    assert len(failing) >= 8, "the exporter failed every other poll"
    errors = [e["message"] for e in of_type(events, "error") if e.get("metrics")]
    assert errors == ["metrics (err): the value is NaN (not a number: e.g. 0/0, or no data in its window); the run goes on, panels keep trying"], errors
    back = [e["text"] for e in of_type(events, "note") if "readings are back" in e["text"]]
    assert back == ["metrics (err): readings are back; what had failed: the value is NaN (not a number: e.g. 0/0, or no data in its window)"], back
    assert result.stdout.count("readings are back") == 1 and result.stdout.count("panels keep trying") == 1, result.stdout
