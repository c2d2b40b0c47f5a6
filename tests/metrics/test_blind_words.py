"""What the log says when a panel's readings start failing: what comes of it for the run.

Before: "metrics (err): ...; the run goes on, panels keep trying" was journaled (and shown on every screen, in exec's
lines and the report) for a guard panel whose `on_no_data` pauses the run, and the pause came `for` later: the line
before it had said the opposite. Now the line names the guard that will pause, and after how long.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from metrics_helpers import exporter, journal, metrics_runbook, of_type

CLI = [sys.executable, "-m", "runbook_tui"]


def _refused_port() -> int:
    """A loopback port nothing listens on (bound, then closed): a scrape there is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _first_outage_words(tmp_path: Path, write_runbook: Callable[[str], Path], panels: str) -> str:
    steps = """
        - id: impl
          kind: implement
          steps:
            - {id: first, run: "sleep 2", verify: none}
        """
    source = f'scrape: {{url: "http://127.0.0.1:{_refused_port()}/metrics"}}'
    runbook = write_runbook(metrics_runbook(source, panels=panels, sections=steps, interval="0.2s"))
    path = tmp_path / "j.jsonl"
    subprocess.run(
        [*CLI, "exec", str(runbook), "--solo", "blind test", "--journal", str(path)], cwd=tmp_path, capture_output=True, timeout=90, stdin=subprocess.DEVNULL
    )
    announced = [e for e in of_type(journal(path), "error") if e.get("metrics")]
    assert announced, "no line said the readings failed"
    return str(announced[0]["message"])


def test_a_pausing_guard_panel_without_data_says_the_run_will_pause_not_that_it_goes_on(tmp_path: Path, write_runbook: Callable[[str], Path]) -> None:
    panels = """
        - {id: err, title: Error rate, query: app_errors, unit: '%', critical: 5, for: 1s, on_critical: pause}
        - {id: p99, title: p99, query: app_p99, unit: ms, critical: 400, for: 1s, on_critical: notify}
        """
    message = _first_outage_words(tmp_path, write_runbook, panels)
    assert message.startswith("metrics (err, p99): "), message
    assert message.endswith("; panels keep trying; guard 'err' pauses the run after 1s without data"), message
    assert "the run goes on" not in message


def test_panels_whose_guards_only_notify_say_the_run_goes_on(tmp_path: Path, write_runbook: Callable[[str], Path]) -> None:
    panels = "- {id: p99, title: p99, query: app_p99, unit: ms, critical: 400, for: 1s, on_critical: notify}"
    assert _first_outage_words(tmp_path, write_runbook, panels).endswith("; the run goes on, panels keep trying")


def test_readings_back_after_nan_say_what_had_failed_in_one_level_of_brackets(tmp_path: Path, write_runbook: Callable[[str], Path]) -> None:
    """Before: `metrics (err): readings are back (the value is NaN (not a number: e.g. 0/0, or no data in its window) no
    more)`, where a tired reader met `the value is NaN` before the `no more` at the very end."""
    served = [0]
    # The step ends once a fourth good reading is asked for: the third, after which the readings are back (outages.py),
    # has been read (polls never overlap), not after a fixed time.
    seen_back = tmp_path / "seen-back"

    def body() -> bytes:
        served[0] += 1
        if served[0] >= 7:
            seen_back.touch()
        return b"app_errors NaN\n" if served[0] <= 3 else b"app_errors 0.5\n"

    with exporter(body) as source:
        steps = """
            - id: impl
              kind: implement
              steps:
                - {id: first, run: "timeout 60 sh -c 'until [ -e SEEN ]; do sleep 0.1; done'", verify: none}
            """.replace("SEEN", str(seen_back))
        panels = "- {id: err, title: Error rate, query: app_errors, unit: '%', critical: 5, for: 30s, on_critical: notify}"
        runbook = write_runbook(metrics_runbook(source, panels=panels, sections=steps, interval="0.2s"))
        path = tmp_path / "j.jsonl"
        subprocess.run(
            [*CLI, "exec", str(runbook), "--solo", "back test", "--journal", str(path)], cwd=tmp_path, capture_output=True, timeout=90, stdin=subprocess.DEVNULL
        )
    back = [e["text"] for e in of_type(journal(path), "note") if "readings are back" in e["text"]]
    assert back == ["metrics (err): readings are back; what had failed: the value is NaN (not a number: e.g. 0/0, or no data in its window)"], back
