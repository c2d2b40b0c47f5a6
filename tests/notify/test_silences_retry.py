"""An Alertmanager that is briefly unavailable when the change starts (a load balancer's 503 while it restarts).

A relay in front of the real Alertmanager answers the first silence POST with 503 itself (Alertmanager never sees
it), then passes requests on. Before: the silence failed at once (`silence_failed`), and the change ran unsilenced,
paging the on-call for the planned restart. Now a request Alertmanager certainly did not act on (no connection
made, 429, 503) is tried again, within the time the run waits for its silences; one that may have been made (a
timeout, a 500) is not, so no silence is made twice.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import urllib.request
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from peers_alertmanager import Alertmanager
from written_lines import written_events

pytestmark = pytest.mark.peers
CLI = [sys.executable, "-m", "runbook_tui"]


class _Flaky(ThreadingHTTPServer):
    def __init__(self, target: str, status: int) -> None:
        super().__init__(("127.0.0.1", 0), _Relay)
        self.target, self.status, self.refused = target, status, 0
        self.method = "POST"  # the request answered with `status` once


class _Relay(BaseHTTPRequestHandler):
    server: _Flaky

    def _relay(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)) or None
        if self.command == self.server.method and not self.server.refused:
            self.server.refused += 1
            self.send_response(self.server.status)
            self.send_header("Content-Length", "11")
            self.end_headers()
            self.wfile.write(b"unavailable")
            return
        ask = urllib.request.Request(self.server.target + self.path, data=body, method=self.command, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(ask, timeout=5) as answer:
            status, data = answer.status, answer.read()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_DELETE = _relay

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def flaky(alertmanager: Alertmanager, request: pytest.FixtureRequest) -> Iterator[_Flaky]:
    server = _Flaky(alertmanager.url, request.param)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def _run(url: str, service: str, tmp_path: Path) -> list[dict[str, object]]:
    runbook = tmp_path / "rb.yaml"
    runbook.write_text(f"""
runbook: 1
id: silence-retry
title: Alertmanager briefly unavailable
alerts:
  alertmanager: {url}
  silence:
    - {{matchers: ['alertname="HighErrorRate"', 'service="{service}"'], comment: restart}}
sections:
  - id: change
    kind: implement
    steps:
      - {{id: one, run: "true", verify: none}}
""")
    journal = tmp_path / "j.jsonl"
    done = subprocess.run([*CLI, "exec", str(runbook), "--solo", "flaky am", "--journal", str(journal)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL)  # fmt: skip
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stdout + done.stderr
    return written_events(journal)


@pytest.mark.parametrize("flaky", [503, 429], indirect=True)
def test_a_silence_refused_as_unavailable_is_tried_again_before_the_first_step(alertmanager: Alertmanager, flaky: _Flaky, tmp_path: Path) -> None:
    service = f"svc-{uuid.uuid4().hex[:8]}"
    events = _run(f"http://127.0.0.1:{flaky.server_address[1]}", service, tmp_path)
    kinds = [e["type"] for e in events]
    assert "silence_failed" not in kinds, [e for e in events if e["type"] == "silence_failed"]
    assert kinds.index("silence_created") < kinds.index("step_started"), kinds
    ours = [s for s in alertmanager.silences() if service in str(s["matchers"])]
    assert [s["status"]["state"] for s in ours] == ["expired"], ours  # type: ignore[index]


@pytest.mark.parametrize("flaky", [500], indirect=True)
def test_a_silence_that_may_have_been_made_is_not_asked_for_twice(alertmanager: Alertmanager, flaky: _Flaky, tmp_path: Path) -> None:
    service = f"svc-{uuid.uuid4().hex[:8]}"
    events = _run(f"http://127.0.0.1:{flaky.server_address[1]}", service, tmp_path)
    [failed] = [e for e in events if e["type"] == "silence_failed"]
    assert failed["action"] == "create" and "HTTP 500" in str(failed["error"]), failed
    assert not [s for s in alertmanager.silences() if service in str(s["matchers"])], "asked again after a 500"


@pytest.mark.parametrize("flaky", [503, 502], indirect=True)
def test_a_silence_whose_expiry_failed_for_now_is_expired_on_a_second_try(alertmanager: Alertmanager, flaky: _Flaky, tmp_path: Path) -> None:
    """Expiring is the same however often it is asked: any answer worth another try (none, 5xx, 429) is tried again.
    Before, one 502 at the end left the change's alerts silenced until the window's end."""
    flaky.method = "DELETE"
    service = f"svc-{uuid.uuid4().hex[:8]}"
    events = _run(f"http://127.0.0.1:{flaky.server_address[1]}", service, tmp_path)
    assert flaky.refused == 1, "the relay refused one expiry"
    assert "silence_failed" not in [e["type"] for e in events], [e for e in events if e["type"] == "silence_failed"]
    ours = [s for s in alertmanager.silences() if service in str(s["matchers"])]
    assert [s["status"]["state"] for s in ours] == ["expired"], ours  # type: ignore[index]
