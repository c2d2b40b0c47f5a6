"""A run stopped (SIGTERM) and resumed after its Alertmanager silence ended: real Alertmanager on loopback, real `exec`
and `resume` processes. The ticket's window ends seconds after the start, so the silence (which ends with it) lapses
while the run is stopped: `until: window_end`, as an `until: session_end` silence near its end is extended while the run
goes on (test_silences_extended.py)."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from peers_alertmanager import Alertmanager
from waiting import wait_until
from written_lines import written_events

from runbook_tui.engine.journal import verify
from runbook_tui.notify.left_words import said_now

pytestmark = pytest.mark.peers

CLI = [sys.executable, "-m", "runbook_tui"]


def iso(delta: dt.timedelta) -> str:
    return (dt.datetime.now(dt.UTC) + delta).isoformat(timespec="seconds")


def wait(condition: Callable[[], bool], what: str, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    wait_until(condition, what, timeout, alive=proc)


def gated_runbook(tmp_path: Path, alertmanager: Alertmanager, *, name: str, until: str) -> tuple[Path, Path, str]:
    """A runbook whose window ends 8 s from now, silencing a service of its own `until` its window's or session's end,
    with one step that waits for the file `go`: (the runbook, `go`, the service)."""
    service = f"svc-{uuid.uuid4().hex[:8]}"
    go = tmp_path / "go"
    runbook = tmp_path / "rb.yaml"
    runbook.write_text(f"""
runbook: 1
id: {name}
title: {name}
ticket: {{id: CHG-11, window: {{start: "{iso(-dt.timedelta(minutes=10))}", end: "{iso(dt.timedelta(seconds=8))}"}}}}
alerts:
  alertmanager: {alertmanager.url}
  silence:
    - {{matchers: ['service="{service}"'], comment: {name}}}
  until: {until}
sections:
  - id: change
    kind: implement
    steps:
      - {{id: one, run: "while [ ! -e {go} ]; do sleep 0.05; done", verify: none, undo: "true"}}
""")
    return runbook, go, service


def test_a_silence_that_ended_while_the_run_was_stopped_is_made_again_by_resume(alertmanager: Alertmanager, tmp_path: Path) -> None:
    """Before: the resumed run went on with no silence in Alertmanager (the on-call paged for the planned change)
    while its header still counted `🔕 1 alert silence`, and its end `expired` a silence that had ended hours before."""
    runbook, go, service = gated_runbook(tmp_path, alertmanager, name="silence-lapsed", until="window_end")
    journal = tmp_path / "j.jsonl"

    def ours(state: str) -> list[dict[str, object]]:
        return [s for s in alertmanager.silences() if service in str(s["matchers"]) and s["status"] == {"state": state}]  # type: ignore[comparison-overlap]

    def journaled(kind: str) -> list[dict[str, object]]:
        return [e for e in written_events(journal) if e["type"] == kind] if journal.exists() else []

    first = subprocess.Popen([*CLI, "exec", str(runbook), "--solo", "t", "--journal", str(journal)], cwd=tmp_path,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)  # fmt: skip
    wait(lambda: bool(journaled("silence_created")) and bool(journaled("step_started")), "the silence made and the step started", first)
    first.send_signal(signal.SIGTERM)
    first.wait(30)
    [lapsed] = journaled("silence_created")
    # the window's end, and so the silence's, passes while the run is stopped
    wait_until(lambda: ours("expired"), lambda: f"the silence to end with the window: {alertmanager.silences()}")

    # (past the window, going on needs a reason: `resume --override-window`, as a start outside it does)
    resumed = subprocess.Popen([*CLI, "resume", str(journal), "--rerun", "--continue", "--override-window", "lapsed silence test"], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)  # fmt: skip
    try:
        wait(lambda: bool(ours("active")), "an active silence for the resumed run in Alertmanager", resumed)
    finally:
        go.touch()
    out, err = resumed.communicate(timeout=60)
    assert resumed.returncode == 0, (out + err).decode()
    created = journaled("silence_created")
    assert len(created) == 2 and created[1]["id"] != lapsed["id"], created
    notes = [e.get("text") for e in journaled("note")]
    assert f'silence {lapsed["id"]} (service="{service}") ended at {said_now(lapsed["ends_at"])} while the run was stopped: it is made again' in notes
    assert sorted(str(e["id"]) for e in journaled("silence_expired")) == sorted(str(e["id"]) for e in created)
    assert not ours("active"), "the resumed run's silence was left active after its end"
    assert not verify(journal).problems


def test_a_silence_that_ends_while_the_run_goes_on_is_said_and_no_longer_counted(alertmanager: Alertmanager, tmp_path: Path) -> None:
    """Before: nothing said so: the on-call was paged again for the change while the header still counted
    `🔕 1 alert silence`, and the end asked Alertmanager to expire a silence long ended."""
    runbook, go, service = gated_runbook(tmp_path, alertmanager, name="silence-ends", until="window_end")
    journal = tmp_path / "j.jsonl"

    def journaled(kind: str) -> list[dict[str, object]]:
        return [e for e in written_events(journal) if e["type"] == kind] if journal.exists() else []

    run = subprocess.Popen([*CLI, "exec", str(runbook), "--solo", "t", "--journal", str(journal)], cwd=tmp_path,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)  # fmt: skip
    try:
        wait(lambda: bool(journaled("silence_expired")), "the silence's end journaled while the step runs", run)
    finally:
        go.touch()
    out, err = run.communicate(timeout=60)
    assert run.returncode == 0, (out + err).decode()
    [made] = journaled("silence_created")
    said = f'silence {made["id"]} (service="{service}") ended at {said_now(made["ends_at"])} while the run goes on: those alerts are no longer silenced'
    assert said in [e.get("text") for e in journaled("note")]
    assert said in out.decode(), "exec's lines say it"
    kinds = [e["type"] for e in written_events(journal)]
    assert kinds.index("silence_expired") < kinds.index("step_finished"), "said when it ended, not at the end"
    assert [e["id"] for e in journaled("silence_expired")] == [made["id"]] and not journaled("silence_failed")
    assert not journaled("silence_extended"), "an until: window_end silence is not extended past the approved window"
    assert not verify(journal).problems
