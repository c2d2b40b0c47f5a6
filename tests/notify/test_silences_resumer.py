"""A silence made by `resume` names the person resuming, not whoever started the run: real Alertmanager on loopback,
real `exec` (alice) and `resume` (bob) processes; the silence lapses with the ticket's window while the run is stopped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from peers_alertmanager import Alertmanager
from test_silences_lapsed import gated_runbook
from waiting import wait_until
from written_lines import written_events

from runbook_tui.engine.state import replay
from runbook_tui.notify.silence_found import dead_makers, made_for
from runbook_tui.notify.silences import api_matcher
from runbook_tui.runbook.matchers import parse_matcher

pytestmark = pytest.mark.peers
CLI = [sys.executable, "-m", "runbook_tui"]


def test_a_silence_made_on_resume_is_created_by_the_person_resuming(alertmanager: Alertmanager, tmp_path: Path) -> None:
    """Before: bob's resume made the silence again as `createdBy: alice` (and journaled `created_by: alice`), so the
    on-call who looked it up in Alertmanager asked alice, who had left the change hours before."""
    runbook, go, service = gated_runbook(tmp_path, alertmanager, name="silence-resumer", until="window_end")
    journal = tmp_path / "j.jsonl"

    def ours(state: str) -> list[dict[str, object]]:
        return [s for s in alertmanager.silences() if service in str(s["matchers"]) and s["status"] == {"state": state}]  # type: ignore[comparison-overlap]

    def journaled(kind: str) -> list[dict[str, object]]:
        return [e for e in written_events(journal) if e["type"] == kind] if journal.exists() else []

    env = {k: v for k, v in os.environ.items() if k != "SUDO_USER"}
    first = subprocess.Popen([*CLI, "exec", str(runbook), "--solo", "t", "--journal", str(journal)], cwd=tmp_path, env={**env, "RUNBOOK_TUI_USER": "alice"},
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)  # fmt: skip
    wait_until(lambda: bool(journaled("silence_created")) and bool(journaled("step_started")), "the silence made and the step started", alive=first)
    first.send_signal(signal.SIGTERM)
    first.wait(30)
    wait_until(lambda: ours("expired"), lambda: f"the silence to end with the window: {alertmanager.silences()}")
    resumed = subprocess.Popen([*CLI, "resume", str(journal), "--rerun", "--continue", "--override-window", "window over, the silence goes on"], cwd=tmp_path, env={**env, "RUNBOOK_TUI_USER": "bob"},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)  # fmt: skip
    try:
        wait_until(lambda: bool(ours("active")), "an active silence for the resumed run in Alertmanager", alive=resumed)
        [active] = ours("active")
    finally:
        go.touch()
    out, err = resumed.communicate(timeout=60)
    assert resumed.returncode == 0, (out + err).decode()
    assert active["createdBy"] == "bob", active
    assert [e["created_by"] for e in journaled("silence_created")] == ["alice", "bob"]


def test_the_lookup_for_a_dead_resume_s_silences_matches_its_person() -> None:
    """carol resumes a run bob resumed from alice, bob's process having died while it made a silence (`createdBy: bob`,
    never journaled): it is taken as the run's, not made again; one of someone else's is not."""
    base = {"ts": "2026-01-01T00:00:00.000Z", "seq": 0}
    started = {**base, "type": "session_started", "actor": "alice", "assignee": "alice", "plan": {"sections": []}}
    state = replay([started, {**base, "type": "session_resumed", "actor": "bob"}, {**base, "type": "session_resumed", "actor": "carol"}])
    assert (state.session["actor"], state.session["resumed_from"], state.session["assignee"]) == ("alice", "bob", "carol")
    matcher = api_matcher(parse_matcher('service="api"'))
    body = {"matchers": [matcher], "comment": "CHG-1: x (runbook-tui)", "createdBy": "carol"}
    found = {"id": "a1b2c3", "status": {"state": "active"}, "comment": body["comment"], "matchers": [matcher],
             "startsAt": "2026-01-01T00:01:00.000Z", "endsAt": "2026-01-01T04:00:00.000Z"}  # fmt: skip
    made_by = dead_makers(state.session)
    assert made_for({**found, "createdBy": "bob"}, body, "2026-01-01T00:00:00.000Z", made_by=made_by)
    assert not made_for({**found, "createdBy": "mallory"}, body, "2026-01-01T00:00:00.000Z", made_by=made_by)
