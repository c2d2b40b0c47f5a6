"""A signal while `exec` closes a finished run (its silences being expired, its end notice going out) does not cut the
closing short: real Alertmanager behind a relay that holds each expiry's answer, a real receiver, a real `exec`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from peers_alertmanager import Alertmanager
from receivers import Receiver
from waiting import wait_until
from written_lines import written_events

from runbook_tui.notify.left_words import said_now

pytestmark = pytest.mark.peers
#: Seconds the relay holds Alertmanager's answer to an expiry (a loaded Alertmanager at the end of the change).
HELD = 2.0


class _Relay(ThreadingHTTPServer):
    def __init__(self, target: str, held: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.target = target
        self.held = held  # the method whose answer is held: DELETE (an expiry), POST (a silence being made)
        self.asked = threading.Event()  # such a request reached the relay
        self.hold = HELD


class _Handler(BaseHTTPRequestHandler):
    server: _Relay

    def _relay(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)) or None
        held = self.command == self.server.held
        if held and self.command == "DELETE":  # not expired yet while it is held
            self.server.asked.set()
            time.sleep(self.server.hold)  # the answer is what is slow here, not a synchronisation
        ask = urllib.request.Request(self.server.target + self.path, data=body, method=self.command, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(ask, timeout=5) as answer:
                status, data = answer.status, answer.read()
        except OSError:  # Alertmanager gone: the session's end, a relay thread still holding an answer
            status, data = 502, b""
        if held and self.command == "POST":  # made, its id not yet known to the run
            self.server.asked.set()
            time.sleep(HELD)
        try:
            self.send_response(status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the run's process went away meanwhile
            pass

    do_GET = do_POST = do_DELETE = _relay

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def relay(alertmanager: Alertmanager, request: pytest.FixtureRequest) -> Iterator[_Relay]:
    server = _Relay(alertmanager.url, getattr(request, "param", "DELETE"))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def _exec_argv(tmp_path: Path, relay: _Relay, services: list[str], *, extra: str = "", run: str = "true") -> tuple[list[str], dict[str, str], Path]:
    """A runbook silencing `services` through the relay, its one step running `run` (`extra`: more top-level keys);
    the `exec --solo` argv, its environment and its journal."""
    silences = "".join(f"\n    - matchers: ['service=\"{service}\"']" for service in services)
    runbook = tmp_path / "rb.yaml"
    runbook.write_text(f"""
runbook: 1
id: closing-signal
title: Closing signal{extra}
alerts:
  alertmanager: http://127.0.0.1:{relay.server_address[1]}
  silence:{silences}
sections:
  - id: s
    kind: implement
    steps:
      - {{id: a, run: "{run}", verify: none}}
""")
    journal = tmp_path / "run.jsonl"
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "XDG_STATE_HOME": str(tmp_path / "state"), "PYTHONUNBUFFERED": "1"}
    return [sys.executable, "-m", "runbook_tui", "exec", str(runbook), "--solo", "t", "--journal", str(journal)], env, journal


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_signal_while_exec_closes_still_expires_its_silence_and_sends_the_end_notice(
    sig: signal.Signals, alertmanager: Alertmanager, relay: _Relay, receiver: Callable[[str], Receiver], tmp_path: Path
) -> None:
    """Before: exec took its signal handlers down before closing the session, so SIGTERM or a hang-up there was the
    default kill (-15, -1) and ctrl-c a KeyboardInterrupt traceback: the silence stayed active for hours after the
    change ended (to the window's end, or 4 h), no `silence_expired`, no end notice journaled."""
    hook = receiver("ok")
    service = f"api-{uuid.uuid4().hex[:8]}"
    argv, env, journal = _exec_argv(tmp_path, relay, [service], extra=f'\nnotify:\n  - {{url: "{hook.url}"}}')
    with subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL) as proc:
        wait_until(relay.asked.is_set, lambda: "exec to ask Alertmanager to expire its silence", alive=proc, timeout=60)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
    events = written_events(journal)
    [made] = [e for e in events if e["type"] == "silence_created"]
    [held] = [s for s in alertmanager.silences() if s["id"] == made["id"]]
    if held["status"] != {"state": "expired"}:
        requests.delete(f"{alertmanager.url}/api/v2/silence/{made['id']}", timeout=5)  # the session's Alertmanager stays clean
    assert held["status"] == {"state": "expired"}, f"left active after the change ended; exit {proc.returncode}, stderr: {err}"
    kinds = [e["type"] for e in events]
    assert "silence_expired" in kinds and "session_finished" in kinds, kinds
    assert [e["event"] for e in events if e["type"] == "notified"][-1:] == ["session_finished"], kinds
    assert "session_finished" in hook.events()
    assert proc.returncode == 0 and "Traceback" not in err, (proc.returncode, out, err)
    assert f"runbook-tui: {sig.name} while the run closes: it ends once its last notices and alert silences are settled" in err.splitlines(), err


@pytest.mark.parametrize("relay", ["POST"], indirect=True)
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_while_exec_makes_its_silence_says_it_stays_active_and_resume_expires_it(
    sig: signal.Signals, alertmanager: Alertmanager, relay: _Relay, tmp_path: Path
) -> None:
    """Before: a signal while exec waited for Alertmanager to make its silence (before its first step) ended it at once,
    `exec stopped by SIGTERM` alone on stderr: the silence Alertmanager made was never journaled (`silence_failed`, "not
    confirmed"), the journal had no note of the stop, and alerts stayed quiet for 4 h with nothing saying which."""
    service = f"api-{uuid.uuid4().hex[:8]}"
    marker = tmp_path / "ran"
    argv, env, journal = _exec_argv(tmp_path, relay, [service], run=f"touch {marker}")
    with subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL) as proc:
        wait_until(relay.asked.is_set, lambda: "exec to ask Alertmanager for its silence", alive=proc, timeout=60)
        proc.send_signal(sig)
        _out, err = proc.communicate(timeout=60)
    events = written_events(journal)
    [made] = [e for e in events if e["type"] == "silence_created"]
    [active] = [s for s in alertmanager.silences() if service in str(s["matchers"])]
    try:
        assert proc.returncode == 1 and not marker.exists(), (proc.returncode, err)
        assert active["id"] == made["id"] and active["status"] == {"state": "active"}, "made, journaled, left for the resume"
        assert [e["text"] for e in events if e["type"] == "note"][-1:] == [f"exec was stopped by {sig.name} at 'a' (nothing was running); the journal is kept"]
        said = f'1 alert silence of this run stays active until {said_now(made["ends_at"])} at http://127.0.0.1:{relay.server_address[1]} ({made["id"]}: service="{service}")'
        assert any(line.startswith(said) for line in err.splitlines()), err
        resumed = subprocess.run(
            [*argv[:3], "resume", str(journal), "--continue"], env=env, capture_output=True, text=True, timeout=90, stdin=subprocess.DEVNULL
        )
        assert resumed.returncode == 0 and marker.exists(), resumed.stdout + resumed.stderr
        [after] = [s for s in alertmanager.silences() if service in str(s["matchers"])]
        assert after["status"] == {"state": "expired"}, "the resumed run expired it at its end"
    finally:
        requests.delete(f"{alertmanager.url}/api/v2/silence/{made['id']}", timeout=5)  # the session's Alertmanager stays clean


def test_every_silence_is_expired_at_the_end_when_alertmanager_answers_each_slowly(alertmanager: Alertmanager, relay: _Relay, tmp_path: Path) -> None:
    services = [f"api-{uuid.uuid4().hex[:8]}" for _ in range(4)]
    argv, env, journal = _exec_argv(tmp_path, relay, services)
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=90, stdin=subprocess.DEVNULL)
    events = written_events(journal)
    made = [e["id"] for e in events if e["type"] == "silence_created"]
    for silence_id in made:
        requests.delete(f"{alertmanager.url}/api/v2/silence/{silence_id}", timeout=5)
    assert len(made) == 4 and done.returncode == 0, done.stdout + done.stderr
    assert sorted(e["id"] for e in events if e["type"] == "silence_expired") == sorted(made), done.stdout + done.stderr
    assert "NOT be expired" not in done.stderr, done.stderr


def test_an_expiry_cut_off_by_the_closing_is_journaled_and_said(alertmanager: Alertmanager, relay: _Relay, tmp_path: Path) -> None:
    """Alertmanager answers no expiry within the closing's bound (5 s): the expiry given up on was journaled after the
    journal had closed, so it was lost ("journal write failed; outreach event silence_failed not recorded" on stderr),
    and nothing said the silence may stay active for hours, nor how to expire it."""
    relay.hold = 15.0
    service = f"api-{uuid.uuid4().hex[:8]}"
    argv, env, journal = _exec_argv(tmp_path, relay, [service])
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=90, stdin=subprocess.DEVNULL)
    events = written_events(journal)
    [made] = [e for e in events if e["type"] == "silence_created"]
    requests.delete(f"{alertmanager.url}/api/v2/silence/{made['id']}", timeout=5)
    [failed] = [e for e in events if e["type"] == "silence_failed"]
    assert (failed["action"], failed["id"], failed["until"]) == ("expire", made["id"], made["ends_at"]), failed
    assert "journal write failed" not in done.stderr, done.stderr
    assert f"1 alert silence could NOT be expired ({failed['error']}): alerts stay silenced until" in done.stderr, done.stderr
