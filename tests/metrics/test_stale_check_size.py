"""How old a plain selector's samples are is asked of Prometheus for the old series only, not for every series again.

A panel over a large vector (65,000 series with Kubernetes labels: 15 MB, ~1.2 s to read) was read twice a poll:
its answer, then `timestamp(SELECTOR)`, the same 65,000 series with their times, of which the usual answer is
that none is old. Now Prometheus is asked `timestamp(SELECTOR) < T`: only the old series come back (none, usually).
Real Prometheus on loopback, behind a relay that records each answer."""

from __future__ import annotations

import asyncio
import json
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from peers import Prometheus

from runbook_tui.metrics.sources import PanelQuery, PrometheusSource

pytestmark = pytest.mark.peers
#: A plain selector over several series (the exporter's gauge: `service="api"`, `service="batch"`).
EVERY = "rbt_test_value"


class _Recording(ThreadingHTTPServer):
    def __init__(self, target: str) -> None:
        super().__init__(("127.0.0.1", 0), _Relay)
        self.target = target
        self.answers: list[tuple[str, int]] = []  # (query, series in its answer)


class _Relay(BaseHTTPRequestHandler):
    server: _Recording

    def do_GET(self) -> None:
        with urllib.request.urlopen(self.server.target + self.path, timeout=5) as answer:
            status, data = answer.status, answer.read()
        query = parse_qs(urlsplit(self.path).query).get("query", [""])[0]
        self.server.answers.append((query, len(json.loads(data)["data"]["result"])))
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def relay(prometheus: Prometheus) -> Iterator[_Recording]:
    server = _Recording(prometheus.url)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def test_a_fresh_vector_is_not_read_again_to_tell_its_age(prometheus: Prometheus, relay: _Recording) -> None:
    source = PrometheusSource(f"http://127.0.0.1:{relay.server_address[1]}", timeout=5)
    sample = asyncio.run(source.poll([PanelQuery("every", EVERY)]))["every"]
    assert sample.error is None and sample.note is None, sample
    (asked, series), (aged, old) = relay.answers
    assert asked == EVERY and series >= 2, relay.answers
    assert "timestamp(" in aged and old == 0, f"the age check read every series again: {relay.answers}"
