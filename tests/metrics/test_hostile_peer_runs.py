"""Whole `exec` runs against hostile peers on loopback: the run ends, the process exits, the guard tells the truth."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile_peer import hostile_peer
from metrics_helpers import journal, metrics_runbook, of_type

from runbook_tui.engine.journal import verify

pytestmark = pytest.mark.peers


def strict_json(path: Path) -> None:
    """Every line is JSON any reader takes: no `NaN` or `Infinity` (Python's json writes and reads them, jq does not)."""

    def refuse(constant: str) -> None:
        raise AssertionError(f"{path}: the journal holds {constant}, which is not JSON")

    for line in path.read_text(encoding="utf-8").splitlines():
        json.loads(line, parse_constant=refuse)


def exec_text(tmp_path: Path, text: str, timeout: float = 40) -> tuple[subprocess.CompletedProcess[str], Path]:
    """`exec` of the runbook `text` (written to tmp_path), failing the test if it does not exit within `timeout`."""
    path = tmp_path / "runbook.yaml"
    path.write_text(text, encoding="utf-8")
    journal_path = tmp_path / "exec.jsonl"
    return exec_run(path, journal_path, timeout), journal_path


def exec_run(path: Path, journal_path: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            [sys.executable, "-m", "runbook_tui", "exec", str(path), "--solo", "hostile peer test", "--journal", str(journal_path)],
            cwd=path.parent, env=dict(os.environ), capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"exec did not exit within {timeout:g}s; its journal ends with: {journal_path.read_text()[-600:] if journal_path.exists() else ''}")
        raise AssertionError from exc


def test_exec_finishes_and_exits_when_prometheus_the_webhook_and_alertmanager_drip_a_byte_at_a_time(tmp_path: Path) -> None:
    """Before: the session finished, then the process hung for ever (Python joins the threads still reading the drips)."""
    with hostile_peer() as peer:
        text = metrics_runbook(
            f'prometheus: {{url: "{peer.url}"}}',
            panels="""
                - {id: a, query: drip, critical: 5, on_no_data: ignore}
                - {id: b, query: drip-headers}
                - {id: c, query: silent}
            """,
            sections="""
                - id: s
                  title: S
                  kind: implement
                  steps:
                    - {id: s1, title: One, run: "sleep 3", verify: none}
                    - {id: s2, title: Two, run: "true", verify: none}
            """,
        )
        text += f"""
notify:
  - url: "{peer.url}/drip"
    events: [session_started, session_finished]
alerts:
  alertmanager: "{peer.url}/drip"
  silence:
    - matchers: ['service="api"']
      comment: hostile peer test
"""
        result, journal_path = exec_text(tmp_path, text)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    events = journal(journal_path)
    assert not verify(journal_path).problems
    assert of_type(events, "session_finished", outcome="done")
    [failed] = of_type(events, "silence_failed")
    assert failed["error"] == "did not answer within 5s"
    assert {e["event"] for e in of_type(events, "notify_failed")} == {"session_started", "session_finished"}
    errors = {e["error"] for e in of_type(events, "metric_sample")}
    assert errors == {f"Prometheus at {peer.url} did not answer within 2s"}, errors


def test_a_guard_whose_exporter_says_nan_is_not_ok_and_an_infinite_reading_trips_it(tmp_path: Path) -> None:
    """Before: NaN was journaled as `"value":NaN` (not JSON) with no error, taken as the baseline, and the guard stayed
    armed as if all was well: the run finished `done`; +Inf tripped with `inf ms` and `"value":Infinity` in the journal."""
    with hostile_peer() as peer:
        peer.answers["metrics"] = (200, b"# TYPE errors gauge\nerrors NaN\n# TYPE latency gauge\nlatency +Inf\n")
        text = metrics_runbook(
            f'scrape: {{url: "{peer.url}/metrics"}}',
            panels="""
                - {id: errors, query: errors, critical: 5, for: 2s, on_critical: notify, on_no_data: pause}
                - {id: latency, query: latency, unit: ms, critical: 300, for: 1s, on_critical: notify, on_no_data: ignore}
            """,
            sections="""
                - id: s
                  title: S
                  kind: implement
                  steps:
                    - {id: soak, title: Soak, wait: 5s, verify: none}
                    - {id: after, title: After, run: "true", verify: none}
            """,
        )
        result, journal_path = exec_text(tmp_path, text)
    assert "Traceback" not in result.stdout + result.stderr
    events = journal(journal_path)
    assert not verify(journal_path).problems
    strict_json(journal_path)
    nan = of_type(events, "metric_sample", panel="errors")
    assert nan and all(e["value"] is None and "the value is NaN" in e["error"] for e in nan), nan[:2]
    [blind] = of_type(events, "guard_tripped", panel="errors")
    assert blind["no_data"] is True and "the value is NaN" in blind["error"] and blind["action"] == "pause"
    assert result.returncode == 1 and not of_type(events, "session_finished"), "the NaN guard paused the run"
    # The NaN guard's 2 s against latency's 1 s: the pause (which ends exec) comes at a later poll than latency's trip
    # (with the same 1 s, a loaded machine could journal the pause first, and exec ended before latency tripped).
    [trip] = of_type(events, "guard_tripped", panel="latency")
    assert trip["words"] == "guard 'latency' tripped: +Inf ms above 300 ms for 1s"
    assert trip["value"] is None and not trip.get("no_data")
    infinite = of_type(events, "metric_sample", panel="latency")
    assert infinite and all(e["value"] is None and e["infinite"] == "+Inf" for e in infinite), infinite[:2]  # a resume reads it
    assert "guard 'latency' tripped: +Inf ms above 300 ms for 1s" in result.stdout
    # +Inf is a reading its guard judges, not a failing source: before, an `error` said `the value is +Inf …; the run
    # goes on, panels keep trying` a second before that guard tripped.
    assert not [e for e in of_type(events, "error") if "latency" in e["message"]], of_type(events, "error")


def test_an_error_that_changes_with_every_poll_is_announced_once_and_never_called_back(tmp_path: Path) -> None:
    """Before: each poll's new text was a new `error` event, and the previous text's end a note saying the readings
    were back, while every reading failed."""
    with hostile_peer() as peer:
        text = metrics_runbook(
            f'prometheus: {{url: "{peer.url}"}}',
            panels="- {id: a, query: varying}",
            sections="""
                - id: s
                  title: S
                  kind: implement
                  steps:
                    - {id: soak, title: Soak, wait: 3s, verify: none}
            """,
        )
        result, journal_path = exec_text(tmp_path, text)
    assert result.returncode == 0, result.stdout + result.stderr
    events = journal(journal_path)
    readings = of_type(events, "metric_sample", panel="a")
    assert len({e["error"] for e in readings}) >= 3, "each reading keeps its own error"
    [announced] = [e for e in of_type(events, "error") if e.get("metrics")]
    assert announced["message"].startswith(f"metrics (a): Prometheus at {peer.url} answered HTTP 503: overloaded, request ")
    assert not [e for e in of_type(events, "note") if "readings are back" in e["text"]]


def test_a_measured_check_judges_an_infinite_reading_as_the_guards_do(tmp_path: Path) -> None:
    """`expect.metric` and `metrics.success` on a panel reading +Inf (a `histogram_quantile` past its highest bucket).
    Before: `no value to check: the value is +Inf …`, as if the source had said nothing, and `above: 100` was NOT met
    by +Inf while the guard on the same reading tripped. Now +Inf is a reading on both: `below: 300` NOT met with
    `last reading +Inf ms`, `above: 100` met (`+Inf ms`); the journal's value stays null (JSON holds no infinity)."""
    with hostile_peer() as peer:
        peer.answers["metrics"] = (200, b"# TYPE latency gauge\nlatency +Inf\n")
        text = metrics_runbook(
            f'scrape: {{url: "{peer.url}/metrics"}}',
            panels="- {id: latency, query: latency, unit: ms}",
            sections="""
                - id: s
                  title: S
                  kind: implement
                  steps:
                    - {id: high, title: High, run: "true", verify: none, expect: {metric: {panel: latency, above: 100}}}
                    - {id: low, title: Low, run: "true", verify: none, expect: {metric: {panel: latency, below: 300}}}
            """,
        )
        result, journal_path = exec_text(tmp_path, text)
    assert "Traceback" not in result.stdout + result.stderr
    strict_json(journal_path)
    events = journal(journal_path)
    finished = {e["step"]: e for e in of_type(events, "step_finished")}
    assert finished["high"]["status"] == "done", finished["high"]
    assert finished["low"]["status"] == "failed", finished["low"]
    said = " ".join(json.dumps(e) for e in events if e.get("step") == "low")
    assert "latency below 300 ms: NOT met (+Inf ms, the first reading after the command; `within:` would wait for one that holds)" in said, said
    assert "no value to check" not in said, said


def test_a_label_holding_half_a_surrogate_pair_is_read_as_a_replacement_character_and_the_guards_go_on(tmp_path: Path) -> None:
    """JSON may escape half of a UTF-16 pair (`"\\ud800"`), which no UTF-8 text holds: the worst series' label reached the
    journal's writer, which refused it; the metrics polling stopped (`journal write failed`: the guards blind for the rest
    of the run) and exec ended 1 saying the text came from `a file or folder name, or the environment`."""
    now = time.time()

    def vector(values: tuple[str, str]) -> bytes:
        result = [{"metric": {"svc": svc}, "value": [now, value]} for svc, value in zip(("a\\ud800b", "ok"), values, strict=True)]
        return json.dumps({"status": "success", "data": {"resultType": "vector", "result": result}}).replace("\\\\ud800", "\\ud800").encode()

    with hostile_peer() as peer:
        peer.answers["lone"] = (200, vector(("9", "1")))
        peer.answers["timestamp(lone)"] = (200, vector((str(now + 60), str(now + 60))))  # fresh for the run's minute
        text = metrics_runbook(
            f'prometheus: {{url: "{peer.url}"}}',
            panels="""
                - {id: p, query: lone, critical: 3, on_critical: notify}
            """,
            sections="""
                - id: s
                  title: S
                  kind: implement
                  steps:
                    - {id: soak, title: Soak, wait: 3s, verify: none}
            """,
        )
        result, journal_path = exec_text(tmp_path, text)
    said = result.stdout + result.stderr
    assert result.returncode == 0 and "journal write failed" not in said and "not UTF-8" not in said, said
    assert not verify(journal_path).problems
    [trip] = of_type(journal(journal_path), "guard_tripped", panel="p")
    assert 'svc="a\ufffdb"' in trip["words"], trip
