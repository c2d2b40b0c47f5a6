"""Live panels against Prometheus on loopback: guards pause and roll back, success is measured, outages are words.

Each run is the real wiring (session.open_session starts the poller); the
test moves the exporter's gauge and Prometheus scrapes it every second.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from metrics_helpers import journal, metrics_runbook, of_type, until
from peers import Exporter, Prometheus

from runbook_tui.app.session import Session, load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine.event_words import said
from runbook_tui.engine.journal import verify
from runbook_tui.report import build_report, render

API = 'rbt_test_value{service="api"}'


def prometheus_runbook(
    prom: Prometheus, *, action: str = "pause", sections: str, success: str = "", for_: str = "1s", no_data: str = "", query: str = API
) -> str:
    on_no_data = f", on_no_data: {no_data}" if no_data else ""
    return metrics_runbook(
        f'prometheus: {{url: "{prom.url}"}}',
        panels=f"""
        - {{id: err, title: Error rate, query: '{query}', unit: "%", warn: 3, critical: 5, for: {for_}, on_critical: {action}{on_no_data}}}
        """,
        sections=sections,
        success=success,
    )


pytestmark = pytest.mark.peers  # every test here runs against the real Prometheus


def open_run(path: Path, tmp_path: Path) -> Session:
    return open_session(load(str(path), {}), solo="metrics test", journal=str(tmp_path / "journal.jsonl"), settings=Settings())


def first_reading(session: Session) -> Callable[[], bool]:
    return lambda: bool(session.controller.state.samples.get("err"))


def test_a_guard_past_critical_for_its_duration_pauses_the_run(
    prometheus: Prometheus, exporter: Exporter, write_runbook: Callable[[str], Path], tmp_path: Path
) -> None:
    path = write_runbook(prometheus_runbook(prometheus, sections="""
        - id: watch
          kind: implement
          steps:
            - {id: soak, title: Watch the error rate, wait: 60s, watch: [err]}
            - {id: after, title: Next step, run: "true"}
        """))  # fmt: skip

    async def scenario() -> None:
        session = open_run(path, tmp_path)
        controller = session.controller
        try:
            await until(first_reading(session), what="a first reading")
            assert controller.run_current(session.actor).ok
            exporter.set(12)
            await until(lambda: controller.state.paused, timeout=10, what="the guard to pause the run")
            await controller.wait_idle()
            state = controller.state
            assert "guard 'err' tripped: " in (state.pause_reason or "")
            assert state.steps["soak"].status == "failed", "a tripped guard ends the watching wait early"
            assert "the wait was cut short" in state.steps["soak"].problems[0]
            assert not controller.run_current(session.actor).ok, "no step starts while paused"
        finally:
            await session.close()

    asyncio.run(scenario())
    events = journal(tmp_path / "journal.jsonl")
    [trip] = of_type(events, "guard_tripped")
    assert trip["panel"] == "err" and trip["action"] == "pause" and trip["threshold"] == 5 and trip["for"] == 1
    assert trip["value"] == 12
    assert trip["samples"] and all(value >= 5 for _ts, value in trip["samples"])
    assert trip["samples"][-1][0] - trip["samples"][0][0] >= 1, "past the line for the whole `for`"
    paused = of_type(events, "paused")[0]
    assert paused["actor"] == "system" and paused["seq"] > trip["seq"]
    samples = of_type(events, "metric_sample", panel="err")
    assert samples and {"value", "ts_sample", "error"} <= samples[0].keys()
    assert not verify(tmp_path / "journal.jsonl").problems


@pytest.mark.parametrize("action", ["rollback", "pause"])
def test_exec_rolls_back_or_stops_resumable_when_a_guard_trips(
    prometheus: Prometheus, exporter: Exporter, write_runbook: Callable[[str], Path], tmp_path: Path, action: str
) -> None:
    """`rollback`: back to the checkpoint, outcome rolled_back. `pause`: exec stops and leaves the journal open for a person."""
    changed = tmp_path / "changed"
    path = write_runbook(prometheus_runbook(prometheus, action=action, sections=f"""
        - id: backup
          kind: backup
          steps:
            - {{id: safe, title: Safe point, run: "true", checkpoint: true}}
        - id: change
          kind: implement
          steps:
            - {{id: edit, title: Change, run: "touch {changed}", undo: "rm {changed}"}}
            - {{id: soak, title: Watch, wait: 60s, watch: [err]}}
        """))  # fmt: skip
    journal_path = tmp_path / "exec.jsonl"

    def raise_when_soaking() -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if journal_path.exists() and '"step":"soak"' in journal_path.read_text():
                exporter.set(9)
                return
            time.sleep(0.05)

    mover = threading.Thread(target=raise_when_soaking, daemon=True)
    mover.start()
    result = subprocess.run(
        [sys.executable, "-m", "runbook_tui", "exec", str(path), "--solo", "guard test", "--journal", str(journal_path), "--on-failure", "rollback"],
        cwd=tmp_path, env=dict(os.environ), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    mover.join()
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert f"guard 'err' tripped: 9% above 5% for 1s -> {action}" in result.stdout
    events = journal(journal_path)
    assert not verify(journal_path).problems
    if action == "pause":
        assert changed.exists() and not of_type(events, "rollback_started"), "a paused run is left for a person to decide"
        assert events[-1]["type"] == "note" and "exec stopped: the run is paused (guard 'err' tripped" in events[-1]["text"]
        assert f"runbook-tui resume {journal_path}" in events[-1]["text"]
        assert not of_type(events, "session_finished"), "resume can continue it"
        return
    assert not changed.exists(), "the undo ran"
    [started] = of_type(events, "rollback_started")
    assert started["scope"] == "checkpoint" and "guard 'err' tripped" in started["reason"]
    assert started["actor"] == "system", "the controller rolled back (as in the TUI), not the headless driver"
    assert of_type(events, "rollback_finished")[0]["ok"] is True
    assert events[-1]["type"] == "session_finished" and events[-1]["outcome"] == "rolled_back"
    assert not verify(journal_path).problems


SUCCESS_SECTIONS = """
- id: change
  kind: implement
  steps:
    - {id: edit, title: Change, run: "true"}
- id: verify
  kind: verify
  steps:
    - {id: looks-fine, title: Error rate is low, run: "true", expect: {metric: {panel: err, below: 3}}}
- id: post
  kind: postcheck
  steps:
    - {id: tidy, title: Tidy up, run: "true"}
"""


@pytest.mark.parametrize(("value", "met"), [(1, True), (4, False)])
def test_success_criteria_are_measured_after_verify_and_at_the_end(
    prometheus: Prometheus, exporter: Exporter, write_runbook: Callable[[str], Path], tmp_path: Path, value: float, met: bool
) -> None:
    exporter.set(value)
    prometheus.wait_for(API, lambda v: v == value)
    path = write_runbook(prometheus_runbook(prometheus, sections=SUCCESS_SECTIONS, success="- {panel: err, below: 3, within: 1s}"))

    async def scenario() -> None:
        session = open_run(path, tmp_path)
        controller = session.controller
        try:
            await until(first_reading(session), what="a first reading")
            while not controller.state.finished:
                step = controller.state.current
                if step is None or controller.state.steps[step].status == "failed":
                    break
                assert controller.run_current(session.actor).ok
                await controller.wait_idle()
            await controller.wait_idle()
        finally:
            await session.close()

    asyncio.run(scenario())
    events = journal(tmp_path / "journal.jsonl")
    [looks] = of_type(events, "step_finished", step="looks-fine")
    if met:
        assert looks["status"] == "done"
        # The reading that met expect.metric is journaled, said under the step's line (exec, the output pane, the
        # verifier's) and in the report. Before: `looks-fine done` and no word of the check anywhere.
        assert looks["checks_met"] == ["err below 3%: met (1%, the first reading after the command)"], looks
        shown = said(looks)
        assert shown is not None and "   ✓ err below 3%: met (1%, the first reading after the command)" in shown.lines, shown
        record = render(build_report(tmp_path / "journal.jsonl"), "md")
        assert "  - check met: err below 3%: met (1%, the first reading after the command)" in record, record
        assert "check met:</span> err below 3%: met (1%, the first reading after the command)" in render(build_report(tmp_path / "journal.jsonl"), "html")
        checks = of_type(events, "success_checked")
        assert sorted(c["when"] for c in checks) == ["end", "verify"]
        assert all(c["met"] is True and c["value"] == 1 and c["criterion"]["text"] == "err below 3% within 1s" for c in checks)
        assert events[-1]["type"] == "session_finished" and events[-1]["outcome"] == "done"
        assert of_type(events, "success_check_started")[-1]["seq"] < checks[-1]["seq"] < events[-1]["seq"]
    else:
        assert looks["status"] == "failed"
        assert looks["problems"] == ["err below 3%: NOT met (4%, the first reading after the command; `within:` would wait for one that holds)"]
        assert not of_type(events, "success_checked"), "the run stopped at the failed check; the criteria were never reached"
        # The criteria themselves, measured directly: not met after waiting `within`.
        assert _check_directly(path, tmp_path) == [False]


def _check_directly(path: Path, tmp_path: Path) -> list[bool | None]:
    async def scenario() -> list[bool | None]:
        session = open_session(load(str(path), {}), solo="t", journal=str(tmp_path / "direct.jsonl"), settings=Settings())
        try:
            started = time.monotonic()
            result = await session.metrics.check_success("verify")
            assert time.monotonic() - started >= 1, "a criterion not met yet is given its `within`"
            return result
        finally:
            await session.close()

    result = asyncio.run(scenario())
    [checked] = of_type(journal(tmp_path / "direct.jsonl"), "success_checked")
    assert checked["met"] is False and checked["value"] == 4 and "NOT met after 1s" in checked["words"]
    return result


def test_prometheus_stopped_mid_run_shows_the_error_in_words_and_with_on_no_data_ignore_the_run_goes_on(
    prometheus: Prometheus, exporter: Exporter, write_runbook: Callable[[str], Path], tmp_path: Path
) -> None:
    path = write_runbook(prometheus_runbook(prometheus, no_data="ignore", sections="""
        - id: change
          kind: implement
          steps:
            - {id: one, title: One, run: "true"}
            - {id: two, title: Two, run: "true"}
        """))  # fmt: skip
    wanted = f"Prometheus unreachable at {prometheus.url}: connection refused"

    async def scenario() -> None:
        session = open_run(path, tmp_path)
        controller = session.controller
        try:
            await until(first_reading(session), what="a first reading")
            assert controller.run_current(session.actor).ok
            await controller.wait_idle()
            prometheus.stop()
            await until(lambda: controller.state.metric_errors.get("err") == wanted, timeout=10, what="the outage in words")
            assert controller.run_current(session.actor).ok, "the run goes on without its metrics"
            await controller.wait_idle()
            assert controller.state.outcome == "done"
        finally:
            await session.close()

    try:
        asyncio.run(scenario())
    finally:
        prometheus.start()
    events = journal(tmp_path / "journal.jsonl")
    failed = [e for e in of_type(events, "metric_sample", panel="err") if e["error"]]
    assert failed and failed[0]["error"] == wanted and failed[0]["value"] is None
    [announced] = [e for e in of_type(events, "error") if e.get("metrics")]
    assert announced["message"] == f"metrics (err): {wanted}; the run goes on, panels keep trying"
    assert events[-1]["outcome"] == "done"


def test_prometheus_stopped_mid_run_trips_the_no_data_guard_and_pauses_the_run(
    prometheus: Prometheus, exporter: Exporter, write_runbook: Callable[[str], Path], tmp_path: Path
) -> None:
    """The default for a pausing guard: no successful reading for its `for` pauses the run, as a breach would."""
    path = write_runbook(prometheus_runbook(prometheus, sections="""
        - id: change
          kind: implement
          steps:
            - {id: one, title: One, run: "true"}
            - {id: soak, title: Watch, wait: 60s, watch: [err]}
        """))  # fmt: skip

    async def scenario() -> None:
        session = open_run(path, tmp_path)
        controller = session.controller
        try:
            await until(first_reading(session), what="a first reading")
            assert controller.run_current(session.actor).ok
            await controller.wait_idle()
            assert controller.run_current(session.actor).ok  # the soak starts, watching err
            prometheus.stop()
            await until(lambda: controller.state.paused, timeout=15, what="the no-data guard to pause the run")
            await controller.wait_idle()
            assert "has had no data" in (controller.state.pause_reason or "")
            assert controller.state.steps["soak"].status == "failed", "a wait watching a blind guard ends early"
            assert not controller.run_current(session.actor).ok, "no step starts while paused"
        finally:
            await session.close()

    try:
        asyncio.run(scenario())
    finally:
        prometheus.start()
    events = journal(tmp_path / "journal.jsonl")
    [trip] = of_type(events, "guard_tripped")
    assert trip["no_data"] is True and trip["action"] == "pause" and trip["value"] is None
    assert trip["error"] == f"Prometheus unreachable at {prometheus.url}: connection refused"
    assert trip["words"].startswith("guard 'err' has had no data for ")
    [started] = of_type(events, "metrics_started")
    assert started["panels"][0]["on_no_data"] == "pause", "the panel states what it does without data"
    assert of_type(events, "paused")[0]["seq"] > trip["seq"]
    assert not verify(tmp_path / "journal.jsonl").problems


def test_an_empty_result_is_no_data_not_zero(prometheus: Prometheus, exporter: Exporter, write_runbook: Callable[[str], Path], tmp_path: Path) -> None:
    """A query matching no series is no data, never zero: its guard acts on `on_no_data`."""
    missing = 'rbt_test_value{service="nope"}'
    path = write_runbook(prometheus_runbook(prometheus, no_data="notify", query=missing, sections="""
        - id: change
          kind: implement
          steps:
            - {id: one, title: One, run: "true"}
        """))  # fmt: skip

    async def scenario() -> None:
        session = open_run(path, tmp_path)
        controller = session.controller
        try:
            await until(lambda: bool(controller.state.guard_trips), timeout=15, what="the no-data trip")
            assert not controller.state.paused, "on_no_data: notify only tells"
            assert controller.run_current(session.actor).ok
            await controller.wait_idle()
        finally:
            await session.close()

    asyncio.run(scenario())
    events = journal(tmp_path / "journal.jsonl")
    [trip] = of_type(events, "guard_tripped")
    assert trip["no_data"] is True and trip["action"] == "notify" and trip["error"] == "the query returned no data (empty result)"
    samples = of_type(events, "metric_sample", panel="err")
    assert samples and all(s["value"] is None for s in samples), "never read as zero"


def test_a_rollback_ends_the_wait_of_the_check_the_verify_section_began(
    prometheus: Prometheus, exporter: Exporter, write_runbook: Callable[[str], Path], tmp_path: Path
) -> None:
    """The verify section done, its check of `metrics.success` waits (10 minutes, unmet); the assignee rolls back
    before the last step. Before: the check went on waiting through and after the rollback (the metrics area said
    `… checking (9m… left)` over a rolled-back run) and journaled its verdict minutes later. Now the rollback ends it,
    undecided, saying why."""
    exporter.set(4)
    prometheus.wait_for(API, lambda v: v == 4)
    sections = """
- id: change
  kind: implement
  steps:
    - {id: edit, title: Change, run: "true", undo: "true"}
- id: verify
  kind: verify
  steps:
    - {id: looks-fine, title: Look, run: "true"}
- id: post
  kind: postcheck
  steps:
    - {id: tidy, title: Tidy up, run: "true"}
"""
    path = write_runbook(prometheus_runbook(prometheus, sections=sections, success="- {panel: err, below: 3, within: 10m}"))

    async def scenario() -> None:
        session = open_run(path, tmp_path)
        controller = session.controller
        try:
            await until(first_reading(session), what="a first reading")
            for _step in ("edit", "looks-fine"):
                assert controller.run_current(session.actor).ok
                await controller.wait_idle()
            await until(lambda: any(p.get("when") == "verify" for p in controller.state.success_pending), what="the verify section's check")
            assert controller.rollback(session.actor, "full", acknowledged=True, reason="abort").ok
            await until(lambda: not controller.state.success_pending, timeout=10, what="the check to end with the rollback")
            await controller.wait_idle()
        finally:
            await session.close()

    asyncio.run(scenario())
    events = journal(tmp_path / "journal.jsonl")
    [checked] = of_type(events, "success_checked", when="verify")
    assert checked["met"] is None and checked["words"] == "err below 3% within 10m: not decided: the check's wait was ended by the rollback", checked
    started = of_type(events, "rollback_started")[0]["seq"]
    assert started < checked["seq"], "ended by the rollback, after it began"
