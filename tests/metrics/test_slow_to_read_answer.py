"""A Prometheus answer that came in time but took longer to read than the poll waits (a vector of 65,000 series with
Kubernetes labels: 15 MB, read in ~1.2 s a query, and twice a poll with its staleness query).

Seen with `exec` against a peer answering such a vector in 0.27 s: every reading said `Prometheus at URL did not
answer within 2s`, sending the person to look at a Prometheus that had answered. Now the words say it answered, how
much, and what makes it quicker to read."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import pytest
from hostile_peer import hostile_peer

from runbook_tui.metrics import sources
from runbook_tui.metrics.sources import PanelQuery, PrometheusSource

pytestmark = pytest.mark.peers


def test_an_answer_read_slower_than_the_poll_waits_is_not_called_unanswered(monkeypatch: pytest.MonkeyPatch) -> None:
    body = json.dumps({"status": "success", "data": {"resultType": "vector", "result": [{"metric": {}, "value": [time.time(), "1"]}]}}).encode()
    real_parse = sources.parse
    released = threading.Event()  # set once the poll has given up on the reading

    def slow_parse(raw: bytes) -> Any:
        assert released.wait(60), "the poll never gave up on a reading slower than its wait"
        return real_parse(raw)

    async def polled(source: PrometheusSource) -> Any:
        try:
            return await source.poll([PanelQuery("p", "big")])
        finally:
            released.set()  # the parse goes on, as a slow one would, once the poll has answered

    monkeypatch.setattr(sources, "parse", slow_parse)
    with hostile_peer() as peer:
        peer.answers["big"] = (200, body)
        source = PrometheusSource(peer.url, None, timeout=1.0)
        sample = asyncio.run(polled(source))["p"]
    assert sample.value is None
    assert sample.error == (
        f"Prometheus at {peer.url} answered ({len(body):,} bytes), but reading the answer took longer than 2s:"
        " a query answering fewer series (sum by, topk) reads quicker"
    ), sample.error
