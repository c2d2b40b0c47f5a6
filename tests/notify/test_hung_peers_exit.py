"""A receiver and an Alertmanager that accept and never answer, with a long `notify_timing.timeout`: `exec` ends soon.

Before: the requests ran in pool threads that Python joins at exit, so `exec` journaled the end, said the notices
were not confirmed, and then sat for the whole timeout (40 s here, up to 10 m) before it exited; and the silence
whose creation Alertmanager never answered (it may exist) was journaled nowhere.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from written_lines import written_events

from runbook_tui.engine.journal import verify
from runbook_tui.notify.left_words import said_now

pytestmark = pytest.mark.peers


@pytest.fixture
def mute() -> Iterator[str]:
    """A peer on loopback that accepts every connection and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(50)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join(5)
    for conn in held:
        conn.close()
    server.close()


def test_exec_exits_soon_after_its_end_whatever_a_mute_receiver_or_alertmanager_holds(mute: str, tmp_path: Path) -> None:
    settings = tmp_path / "cfg" / "runbook-tui" / "settings.yaml"
    settings.parent.mkdir(parents=True)
    settings.write_text("notify_timing: {timeout: 40s, retries: 0}\n")
    path = tmp_path / "runbook.yaml"
    path.write_text(f"""
runbook: 1
id: mute
title: Mute
notify: [{{url: "{mute}/hook"}}]
alerts:
  alertmanager: "{mute}"
  silence: [{{matchers: ['service="api"'], comment: c}}]
sections:
  - {{id: change, kind: implement, steps: [{{id: one, run: "true", verify: none}}]}}
""")
    journal = tmp_path / "exec.jsonl"
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "XDG_STATE_HOME": str(tmp_path / "state")}
    began = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "runbook_tui", "exec", str(path), "--solo", "t", "--journal", str(journal)], env=env, capture_output=True, text=True, timeout=120
    )
    took = time.monotonic() - began
    assert result.returncode == 0, result.stdout + result.stderr
    assert took < 25, f"exec took {took:.0f}s: it waited on the mute peers' 40s timeout after the end"
    assert "Traceback" not in result.stderr
    text = journal.read_text()
    assert '"type":"notify_failed"' in text.replace(" ", "") and "not confirmed: the session closed before the receiver answered" in text
    assert not verify(journal).problems
    [silence] = [e for e in written_events(journal) if e["type"] == "silence_failed"]
    assert silence["action"] == "create" and silence["matchers"] == ['service="api"'], silence
    assert silence["error"] == f"not confirmed: the session closed before Alertmanager answered; a silence may be active until {said_now(silence['until'])}"
    assert silence["until"] > dt.datetime.now(dt.UTC).isoformat()[:19], "it says until when alerts may stay quiet"
    assert 'service="api" at ' + mute + " could not be made: not confirmed" in result.stdout, "exec says it"
    assert (
        f"Alertmanager at {mute} has not confirmed the silences within 6s: the run starts without them confirmed (their alerts may page);"
        " each is journaled when it answers"
    ) in [e.get("text") for e in written_events(journal)], "the first step waited 6 s for the silence, and said why it went on"
