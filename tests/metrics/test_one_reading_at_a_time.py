"""A reading whose answer takes longer to read than its poll waits: the next poll waits for it, never starts another.

An exporter's page of 16 MiB takes prometheus_client's parser some 20 s and 500 MB; a Prometheus vector of 16 MiB,
seconds and 200 MB. Before, each poll that gave up waiting left its thread reading and started another: an exporter of
16 MiB scraped every second took `exec` to 2.9 GB, and its exit 50 s past the run's end. Here the reading of the
answer is held on a gate (it stands for a parse that takes long on any machine); the peers are real HTTP servers on
loopback, counting what they are asked.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import pytest
from hostile_peer import hostile_peer

from runbook_tui.metrics import sources
from runbook_tui.metrics.sources import PanelQuery, PrometheusSource, ScrapeSource, Source

VECTOR = b'{"status": "success", "data": {"resultType": "vector", "result": [{"metric": {}, "value": [1, "7"]}]}}'


def held(monkeypatch: pytest.MonkeyPatch, name: str) -> tuple[threading.Event, list[int]]:
    """`sources.NAME` (a parse of an answer) held until the gate opens: the gate, and one entry per parse begun."""
    gate, begun = threading.Event(), []
    real: Callable[..., Any] = getattr(sources, name)

    def slow(*args: Any) -> Any:
        begun.append(1)
        assert gate.wait(30), "the gate was never opened"
        return real(*args)

    monkeypatch.setattr(sources, name, slow)
    return gate, begun


def polls(source: Source, panel: PanelQuery, gate: threading.Event) -> tuple[list[str | None], float | None]:
    """Three polls while the first answer is held (each gives up), then one once it is let through: the three errors, the
    last value."""

    async def main() -> tuple[list[str | None], float | None]:
        given_up = [(await source.poll([panel]))[panel.id].error for _ in range(3)]
        gate.set()
        return given_up, (await source.poll([panel]))[panel.id].value

    return asyncio.run(main())


def test_an_exporter_is_not_scraped_again_while_its_last_page_is_still_being_read(monkeypatch: pytest.MonkeyPatch) -> None:
    gate, begun = held(monkeypatch, "parse_exposition")
    with hostile_peer() as peer:
        peer.answers["metrics"] = (200, b"m 7\n")
        source = ScrapeSource(f"{peer.url}/metrics", timeout=0.2)
        given_up, value = polls(source, PanelQuery("m", "m"), gate)
        asked = [target for target, _ in peer.seen]
    assert given_up == [f"exporter at {peer.url}/metrics did not answer within 0.2s"] * 3, given_up
    assert value == 7.0
    assert (asked, len(begun)) == (["/metrics"], 1), "the exporter was scraped again while its last page was still being read"


def test_a_panel_is_not_queried_again_while_its_last_answer_is_still_being_read(monkeypatch: pytest.MonkeyPatch) -> None:
    gate, _begun = held(monkeypatch, "parse")
    with hostile_peer() as peer:
        peer.answers["big"] = (200, VECTOR)
        source = PrometheusSource(peer.url, timeout=0.2)
        given_up, value = polls(source, PanelQuery("p", "big"), gate)
        queries = [target for target, _ in peer.seen if "timestamp" not in target]
    assert given_up == [f"Prometheus at {peer.url} did not answer within 0.2s"] * 3, given_up
    assert value == 7.0
    assert len(queries) == 1, ("the panel was queried again while its last answer was still being read", peer.seen)
