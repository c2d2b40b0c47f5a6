"""A reading whose answer takes longer to read than its poll waits: the next poll waits for it, never starts another.

An exporter's page of 16 MiB takes prometheus_client's parser some 20 s and 500 MB; a Prometheus vector of 16 MiB,
seconds and 200 MB. Before, each poll that gave up waiting left its thread reading and started another: an exporter of
16 MiB scraped every second took `exec` to 2.9 GB, and its exit 50 s past the run's end. Here the reading of the
answer is held on a gate (it stands for a parse that takes long on any machine); the peers are real HTTP servers on
loopback, counting what they are asked.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hostile_peer import hostile_peer
from metrics_helpers import journal, metrics_runbook, of_type

from runbook_tui.metrics import sources
from runbook_tui.metrics.sources import FEWER_SERIES, SMALLER_PAGE, PanelQuery, PrometheusSource, ScrapeSource, Source

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
    gate, begun = held(monkeypatch, "wanted_samples")
    with hostile_peer() as peer:
        peer.answers["metrics"] = (200, b"m 7\n")
        source = ScrapeSource(f"{peer.url}/metrics", timeout=0.2)
        given_up, value = polls(source, PanelQuery("m", "m"), gate)
        asked = [target for target, _ in peer.seen]
    # It had answered: the reading was its parse (it read `did not answer within 0.2s`, session 36).
    late = f"exporter at {peer.url}/metrics answered (4 bytes), but reading the page took longer than 1s: {SMALLER_PAGE}"
    assert given_up == [late] * 3, given_up
    assert value == 7.0
    assert (asked, len(begun)) == (["/metrics"], 1), "the exporter was scraped again while its last page was still being read"


def test_a_panel_is_not_queried_again_while_its_last_answer_is_still_being_read(monkeypatch: pytest.MonkeyPatch) -> None:
    gate, _begun = held(monkeypatch, "parse")
    with hostile_peer() as peer:
        peer.answers["big"] = (200, VECTOR)
        source = PrometheusSource(peer.url, timeout=0.2)
        given_up, value = polls(source, PanelQuery("p", "big"), gate)
        queries = [target for target, _ in peer.seen if "timestamp" not in target]
    # It had answered: the reading was its parse (it read `did not answer within 0.2s`).
    late = f"Prometheus at {peer.url} answered ({len(VECTOR):,} bytes), but reading the answer took longer than 1s: {FEWER_SERIES}"
    assert given_up == [late] * 3, given_up
    assert value == 7.0
    assert len(queries) == 1, ("the panel was queried again while its last answer was still being read", peer.seen)


#: A `sitecustomize` for the `exec` process: every exporter page takes a minute to read (a page of some 50 MiB would).
SLOW_PAGES = """
import time
import runbook_tui.metrics.sources as sources
_read = sources.wanted_samples
def _slowly(*args):
    time.sleep(60)
    return _read(*args)
sources.wanted_samples = _slowly
"""


@pytest.mark.peers
def test_exec_exits_at_the_end_of_the_run_while_a_reading_is_still_being_read(tmp_path: Path) -> None:
    """Before: the reading's thread was one of a pool, which Python joins at exit: `exec` stayed a minute past the run's end."""
    (tmp_path / "slow").mkdir()
    (tmp_path / "slow" / "sitecustomize.py").write_text(SLOW_PAGES, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(tmp_path / "slow"), os.environ.get("PYTHONPATH", "")) if p))
    with hostile_peer() as peer:
        peer.answers["metrics"] = (200, b"m 1\n")
        text = metrics_runbook(
            f'scrape: {{url: "{peer.url}/metrics"}}',
            panels="- {id: m, query: m, critical: 5, on_no_data: ignore}",
            sections="- id: s\n  title: S\n  kind: implement\n  steps:\n    - {id: one, title: One, run: 'sleep 2', verify: none}",
        )
        (tmp_path / "r.yaml").write_text(text, encoding="utf-8")
        started = time.monotonic()
        try:
            done = subprocess.run(
                [sys.executable, "-m", "runbook_tui", "exec", "r.yaml", "--solo", "slow pages", "--journal", "j.jsonl"],
                cwd=tmp_path, env=env, capture_output=True, text=True, timeout=50, stdin=subprocess.DEVNULL,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            pytest.fail("exec did not exit within 50 s, for a run of 2 s: it waited for the reading's thread")
        took = time.monotonic() - started
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr and "destroyed" not in done.stderr, done.stderr
    assert of_type(journal(tmp_path / "j.jsonl"), "session_finished")
    assert took < 30, f"exec exited {took:.0f} s after it started, for a run of 2 s: it waited for the reading's thread"
