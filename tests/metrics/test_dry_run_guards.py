"""A guard in a dry run says what it would have done, and the dry run goes on.

The real wiring (session.open_session in mode dry-run starts the poller):
one run against the session's real Prometheus with the exporter's gauge over
the critical line, one against a Prometheus that is not there (a port
nothing listens on: no data). A dry run changes nothing, so a guard has
nothing to protect: `expect.metric` and `metrics.success` were already left
unjudged (`enforce=False`), but a trip was still journaled as
`guard_tripped`, the controller paused the run on it (and a `rollback` guard
asked for a rollback), so a dry run walked at a person's pace stopped
whenever the metrics looked bad or could not be read.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from metrics_helpers import journal, metrics_runbook, of_type, until
from peers import Exporter, Prometheus

from runbook_tui.app.session import load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine.journal import verify

API = 'rbt_test_value{service="api"}'
STEPS = """
    - id: impl
      kind: implement
      steps:
        - {id: first, run: "echo first", verify: none}
        - {id: next, run: "echo next", verify: none}
    """


def _walk(runbook: Path, tmp_path: Path, would: str) -> None:
    """Run the first step, wait for the dry-run note on the guard, run the rest: nothing pauses."""
    path = tmp_path / "journal.jsonl"

    def noted() -> bool:
        return any(would in str(e.get("text", "")) for e in of_type(journal(path), "note"))

    async def scenario() -> None:
        session = open_session(load(str(runbook), {}), solo="dry run test", journal=str(path), settings=Settings(), mode="dry-run")
        controller = session.controller
        try:
            assert controller.run_current(session.actor).ok
            await controller.wait_idle()
            await until(noted, timeout=15, what=f"a note {would!r}")
            await controller.wait_idle()
            assert not controller.state.paused, controller.state.pause_reason  # before: paused by the guard
            assert not controller.state.rollback_requested
            assert controller.run_current(session.actor).ok, "the dry run goes on"
            await controller.wait_idle()
            await until(lambda: controller.state.finished, timeout=10, what="the dry run to finish")
        finally:
            await session.close()

    asyncio.run(scenario())
    events = journal(path)
    assert not of_type(events, "paused"), of_type(events, "paused")
    assert not of_type(events, "guard_tripped"), "a dry run's trip acts on nothing: a note says what it would have done"
    assert [e["step"] for e in of_type(events, "step_finished")] == ["first", "next"]
    assert events[-1]["type"] == "session_finished" and events[-1]["outcome"] == "done", events[-1]
    assert not verify(path).problems


@pytest.mark.peers
def test_a_dry_run_over_the_critical_line_says_the_guard_would_pause_and_goes_on(
    prometheus: Prometheus, exporter: Exporter, write_runbook: Callable[[str], Path], tmp_path: Path
) -> None:
    panels = f"- {{id: err, title: Error rate, query: '{API}', unit: '%', critical: 5, for: 0s, on_critical: rollback}}"
    runbook = write_runbook(metrics_runbook(f'prometheus: {{url: "{prometheus.url}"}}', panels=panels, sections=STEPS))
    exporter.set(9)
    prometheus.wait_for(API, lambda v: v == 9)
    _walk(runbook, tmp_path, "dry run: guard 'err' tripped: 9% above 5%; a live run would pause and ask to roll back to the last checkpoint")


def test_a_dry_run_with_the_source_unreachable_says_the_guard_would_pause_and_goes_on(write_runbook: Callable[[str], Path], tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nothing listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    panels = f"- {{id: err, title: Error rate, query: '{API}', unit: '%', critical: 5, for: 0s, on_critical: pause}}"
    runbook = write_runbook(metrics_runbook(f'prometheus: {{url: "http://127.0.0.1:{port}"}}', panels=panels, sections=STEPS))
    _walk(runbook, tmp_path, "; a live run would pause (nothing is paused in a dry run)")
    [failing] = [e for e in of_type(journal(tmp_path / "journal.jsonl"), "error") if e.get("metrics")]
    assert failing["message"].endswith("; the run goes on, panels keep trying"), failing  # before: "guard 'err' pauses the run after 0s …"
