"""kill -9 of `exec` during the final success-criteria check and while a guard has paused the run, then `resume`.

Real `runbook-tui` processes against the session's real Prometheus (the
exporter's gauge moved by the test). Before: a run killed while its
`metrics.success` criteria were being checked (or before the check began)
ended `done` on `resume --continue` without them ever being decided; and a
run a guard had paused ended `failed` (or `aborted`) on `resume --continue`,
the pause ignored and the journal closed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from metrics_helpers import journal, metrics_runbook, of_type
from peers import Exporter, Prometheus

from runbook_tui.engine.journal import verify
from runbook_tui.metrics.poller import parse_iso

pytestmark = pytest.mark.peers
API = 'rbt_test_value{service="api"}'
CLI = [sys.executable, "-m", "runbook_tui"]


def _runbook(prom: Prometheus, write_runbook: Callable[[str], Path], steps: str, success: str = "", guard_for: str = "0s") -> Path:
    panels = f"- {{id: err, title: Error rate, query: '{API}', unit: '%', critical: 5, for: {guard_for}, on_critical: pause}}"
    return write_runbook(metrics_runbook(f'prometheus: {{url: "{prom.url}"}}', panels=panels, sections=steps, success=success))


def _killed_when(tmp_path: Path, runbook: Path, kind: str, enough: Callable[[list[dict[str, Any]]], bool] = bool) -> Path:
    """`exec` SIGKILLed once the journal holds an event of `kind` (`enough` of them) (if it has not ended by itself by then)."""
    path = tmp_path / "j.jsonl"
    proc = subprocess.Popen([*CLI, "exec", str(runbook), "--solo", "kill -9 test", "--journal", str(path)], cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 30
    while not (path.exists() and (found := of_type(journal(path), kind)) and enough(found)):
        assert proc.poll() is None and time.monotonic() < deadline, f"no {kind} in the journal within 30 s"
        time.sleep(0.02)  # the polling's pace; the condition is the event in the journal
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    return path


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], cwd=tmp_path, capture_output=True, text=True, timeout=90, stdin=subprocess.DEVNULL)


def test_kill_9_during_the_final_success_check_resumes_checking_it_again(
    prometheus: Prometheus, exporter: Exporter, write_runbook: Callable[[str], Path], tmp_path: Path
) -> None:
    steps = """
        - id: impl
          kind: implement
          steps:
            - {id: change, run: "true", verify: none}
        """
    runbook = _runbook(prometheus, write_runbook, steps, success="- {panel: err, below: 0.5, within: 60s}")
    path = _killed_when(tmp_path, runbook, "success_check_started")  # api=1: not met, the check waits up to 60 s
    assert not of_type(journal(path), "success_checked")

    seen = path.read_bytes()
    looked = _cli(tmp_path, "resume", str(path), "--headless")
    assert looked.returncode == 1, looked.stdout + looked.stderr
    assert "Every step is done, but the success criteria (metrics.success) were not checked to the end when the program stopped:\n" in looked.stdout
    added = [json.loads(line)["type"] for line in path.read_bytes()[len(seen) :].splitlines()]
    assert added == [], added
    exporter.set(0)
    prometheus.wait_for(API, lambda v: v == 0)
    went = _cli(tmp_path, "resume", str(path), "--continue")
    assert went.returncode == 0, went.stdout + went.stderr
    events = journal(path)
    [checked] = of_type(events, "success_checked")
    assert checked["when"] == "end" and checked["met"] is True, checked  # before: no check at all, and `done`
    assert events.index(checked) > events.index(of_type(events, "session_resumed")[-1])
    assert of_type(events, "session_finished")[-1]["outcome"] == "done"
    assert not verify(path).problems


def _guarded_soak(prometheus: Prometheus, exporter: Exporter, write_runbook: Callable[[str], Path], tmp_path: Path, wait: str, guard_for: str = "0s") -> Path:
    """A `wait` step watched by the `err` guard, then a step that writes `ledger`; the exporter already past the guard."""
    steps = f"""
        - id: impl
          kind: implement
          steps:
            - {{id: soak, title: Watch, wait: {wait}, watch: [err]}}
            - {{id: next, run: "echo next >> {tmp_path / "ledger"}", verify: none}}
        """
    runbook = _runbook(prometheus, write_runbook, steps, guard_for=guard_for)
    exporter.set(9)
    prometheus.wait_for(API, lambda v: v == 9)
    return runbook


def test_kill_9_while_a_guard_paused_the_run_resumes_paused_and_leaves_the_journal_open(
    prometheus: Prometheus, exporter: Exporter, write_runbook: Callable[[str], Path], tmp_path: Path
) -> None:
    runbook = _guarded_soak(prometheus, exporter, write_runbook, tmp_path, "60s")
    path = _killed_when(tmp_path, runbook, "paused")
    reason = of_type(journal(path), "paused")[-1]["reason"]

    looked = _cli(tmp_path, "resume", str(path), "--headless")
    assert looked.returncode == 1, looked.stdout + looked.stderr
    said = f"The run is paused ({reason}): no step starts until a person lifts it: p in `runbook-tui resume {path}` at a terminal,\n"
    assert said + "or headless --lift-pause REASON (journaled), with --continue to go on.\n" in looked.stdout, looked.stdout
    went = _cli(tmp_path, "resume", str(path), "--continue")
    assert went.returncode == 1, went.stdout + went.stderr
    assert "outcome: paused (the journal is left open)" in went.stdout, went.stdout  # before: `failed`, the journal closed
    events = journal(path)
    assert not of_type(events, "session_finished") and not of_type(events, "step_started", step="next")
    assert len(of_type(events, "guard_tripped")) == 1, "the excursion the dead process tripped for is not tripped (and announced) again"
    assert not (tmp_path / "ledger").exists()
    assert not verify(path).problems


def test_a_guards_for_counts_on_from_the_readings_journaled_before_a_kill_9(
    prometheus: Prometheus, exporter: Exporter, write_runbook: Callable[[str], Path], tmp_path: Path
) -> None:
    """Before: the resumed guard counted its `for` from zero, so a value past the line for 3 of its 4 s when the process
    died needed 4 s more of the resumed run (a `for: 5m` guard, 5 more minutes) before it paused anything."""
    runbook = _guarded_soak(prometheus, exporter, write_runbook, tmp_path, "60s", guard_for="4s")

    def past_for(samples: list[dict[str, Any]]) -> float:
        times = [parse_iso(s["ts_sample"]) for s in samples if s["value"] == 9]
        return max(times) - min(times) if times else 0.0

    path = _killed_when(tmp_path, runbook, "metric_sample", lambda samples: past_for(samples) >= 1.0)
    before = journal(path)
    assert not of_type(before, "guard_tripped"), "killed before the guard's 4 s were up"
    began = min(parse_iso(s["ts_sample"]) for s in of_type(before, "metric_sample", value=9))

    went = _cli(tmp_path, "resume", str(path), "--continue", "--rerun")
    assert went.returncode == 1 and "the run is paused (guard 'err' tripped: 9% above 5% for 4s" in went.stdout, went.stdout + went.stderr
    events = journal(path)
    [trip] = of_type(events, "guard_tripped")
    assert trip["since"] == pytest.approx(began, abs=0.01), "the excursion began before the kill, and the trip says so"
    assert trip["samples"][0][0] == pytest.approx(began, abs=0.01), "its evidence holds the readings from before the kill"
    assert parse_iso(trip["ts"]) < parse_iso(of_type(events, "session_resumed")[-1]["ts"]) + 4, "tripped before a fresh 4 s were up"
    assert not verify(path).problems


def test_a_guard_trip_journaled_just_before_a_kill_9_still_pauses_the_resumed_run(
    prometheus: Prometheus, exporter: Exporter, write_runbook: Callable[[str], Path], tmp_path: Path
) -> None:
    runbook = _guarded_soak(prometheus, exporter, write_runbook, tmp_path, "3s")
    path = _killed_when(tmp_path, runbook, "guard_tripped")
    # The process died after the trip was on disk and before its pause was: the journal ends at the trip.
    lines = path.read_bytes().splitlines(keepends=True)
    cut = next(i for i, line in enumerate(lines) if b'"type":"guard_tripped"' in line.replace(b" ", b""))
    path.write_bytes(b"".join(lines[: cut + 1]))
    exporter.set(1)  # the value is back: only the journaled trip can pause the resumed run
    prometheus.wait_for(API, lambda v: v == 1)

    went = _cli(tmp_path, "resume", str(path), "--continue", "--rerun")
    assert went.returncode == 1, went.stdout + went.stderr
    # Before: the trip was forgotten, the step re-run, `next` run and the session finished `done`.
    assert "The run is paused (guard 'err' tripped: 9% above 5%; check the panels before going on)" in went.stdout, went.stdout
    events = journal(path)
    [paused] = of_type(events, "paused")
    assert "guard 'err' tripped" in paused["reason"], paused
    assert not of_type(events, "session_finished") and not of_type(events, "step_started", step="next")
    assert not (tmp_path / "ledger").exists()
    assert not verify(path).problems


def test_kill_9_while_expect_metric_waits_resumes_checking_it_without_running_the_command_again(
    prometheus: Prometheus, exporter: Exporter, write_runbook: Callable[[str], Path], tmp_path: Path
) -> None:
    """Before: the step came back `unknown` with nothing journaled between the command's end and `step_finished`, so
    resume could only offer to run the command again (`--rerun` ran it twice) or have it marked done by hand."""
    ledger = tmp_path / "ledger"
    steps = f"""
        - id: impl
          kind: implement
          steps:
            - {{id: migrate, run: "echo ran >> {ledger}", verify: none, expect: {{metric: {{panel: err, below: 0.5, within: 60s}}}}}}
        """
    runbook = _runbook(prometheus, write_runbook, steps)  # api=1: not met, the check waits up to 60 s

    def checking(samples: list[dict[str, Any]]) -> bool:  # a reading taken after the command wrote the ledger
        return ledger.exists() and any(parse_iso(s["ts_sample"]) > ledger.stat().st_mtime for s in samples)

    path = _killed_when(tmp_path, runbook, "metric_sample", checking)
    assert not of_type(journal(path), "step_finished")

    looked = _cli(tmp_path, "resume", str(path), "--headless")
    said = "'migrate' had ended on every host; its expect.metric was being checked when the program stopped. Nothing was re-run.\n"
    assert said + "Decide: --rerun (its checks; not again on local)" in looked.stdout, looked.stdout + looked.stderr
    exporter.set(0)
    prometheus.wait_for(API, lambda v: v == 0)
    went = _cli(tmp_path, "resume", str(path), "--continue", "--rerun")
    assert went.returncode == 0, went.stdout + went.stderr
    assert ledger.read_text() == "ran\n", "the command ran once; the resume re-ran only its check"
    events = journal(path)
    finished = of_type(events, "step_finished", step="migrate")[-1]
    assert finished["status"] == "done" and finished["hosts"]["local"]["status"] == "done", finished
    assert of_type(events, "session_finished")[-1]["outcome"] == "done"
    assert not verify(path).problems
