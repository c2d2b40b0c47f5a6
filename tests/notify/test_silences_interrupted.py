"""`exec` stopped by a signal mid-step leaves its Alertmanager silences in place for the resume: real Alertmanager on
loopback, a real `exec` process, SIGTERM once its silence is journaled and its step runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from peers import GAUGE, Exporter
from peers_alertmanager import Alertmanager
from waiting import wait_until
from written_lines import written_events

from runbook_tui.notify.left_words import said_now

pytestmark = pytest.mark.peers


def test_a_stopped_exec_says_which_silences_stay_active_and_until_when(alertmanager: Alertmanager, write_runbook: Callable[..., Path], tmp_path: Path) -> None:
    """Before: exec said only `interrupted; the journal is kept: runbook-tui resume …`, and the alerts stayed silenced
    for hours (to the window's end, or 4 h) with nothing on the screen to say so."""
    service = f"api-{uuid.uuid4().hex[:8]}"  # this test's own silence in the shared Alertmanager
    path = write_runbook(f"""
runbook: 1
id: stopped-silences
title: Stopped with silences
alerts:
  alertmanager: {alertmanager.url}
  silence:
    - matchers: ['service="{service}"']
      comment: stopped mid-step
sections:
  - id: s
    title: S
    kind: implement
    steps:
      - {{id: a, title: A, run: "sleep 60", verify: none, undo: "true"}}
""")
    journal = tmp_path / "run.jsonl"
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "XDG_STATE_HOME": str(tmp_path / "state")}
    argv = [sys.executable, "-m", "runbook_tui", "exec", str(path), "--solo", "t", "--journal", str(journal)]
    with subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:

        def kinds() -> list[str]:
            return [e["type"] for e in written_events(journal)] if journal.exists() else []

        wait_until(lambda: {"silence_created", "step_started"} <= set(kinds()), lambda: f"a silence made and a step started; journal: {kinds()}", alive=proc)
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
    [made] = [e for e in written_events(journal) if e["type"] == "silence_created"]
    [active] = [s for s in alertmanager.silences() if s["id"] == made["id"]]
    requests.delete(f"{alertmanager.url}/api/v2/silence/{made['id']}", timeout=5).raise_for_status()  # the session's Alertmanager stays clean
    assert active["status"] == {"state": "active"}, "left in place for the resume"
    said = (
        f'1 alert silence of this run stays active until {said_now(made["ends_at"])} at {alertmanager.url} ({made["id"]}: service="{service}"): '
        "resuming the run expires it at its end; or expire it in Alertmanager now"
    )
    assert said in err.splitlines(), err
    assert "Traceback" not in err


def test_exec_paused_by_a_guard_says_which_silences_stay_active(alertmanager: Alertmanager, write_runbook: Callable[..., Path], tmp_path: Path) -> None:
    """A guard's pause ends `exec` with the journal open, and the silences stay for the resume, as after a signal. Before:
    exec said how to resume and nothing of them, and the change's alerts stayed silenced to the window's end (or 4 h)
    while the person looked into the pause."""
    service = f"api-{uuid.uuid4().hex[:8]}"
    exporter = Exporter()
    exporter.set(9)
    try:
        path = write_runbook(f"""
runbook: 1
id: paused-silences
title: Paused with silences
alerts:
  alertmanager: {alertmanager.url}
  silence:
    - matchers: ['service="{service}"']
metrics:
  source: {{scrape: {{url: "{exporter.url}"}}}}
  interval: 200ms
  panels:
    - {{id: err, query: '{GAUGE}{{service="api"}}', unit: '%', critical: 5, for: 0s, on_critical: pause}}
sections:
  - id: s
    kind: implement
    steps:
      - {{id: a, run: "sleep 2", verify: none, undo: "true"}}
      - {{id: b, run: "true", verify: none}}
""")
        journal = tmp_path / "run.jsonl"
        env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "XDG_STATE_HOME": str(tmp_path / "state")}
        argv = [sys.executable, "-m", "runbook_tui", "exec", str(path), "--solo", "t", "--journal", str(journal)]
        went = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=90, stdin=subprocess.DEVNULL)
    finally:
        exporter.stop()
    events = written_events(journal)
    [made] = [e for e in events if e["type"] == "silence_created"]
    [active] = [s for s in alertmanager.silences() if s["id"] == made["id"]]
    requests.delete(f"{alertmanager.url}/api/v2/silence/{made['id']}", timeout=5).raise_for_status()
    assert went.returncode == 1 and any(e["type"] == "paused" for e in events), went.stdout + went.stderr
    assert active["status"] == {"state": "active"} and not any(e["type"] == "session_finished" for e in events), "left in place for the resume"
    said = (
        f'1 alert silence of this run stays active until {said_now(made["ends_at"])} at {alertmanager.url} ({made["id"]}: service="{service}"): '
        "resuming the run expires it at its end; or expire it in Alertmanager now"
    )
    assert went.stdout.splitlines()[-1] == said, went.stdout
