"""A problem many hosts share is said once, with how many hosts, above the table that lists each host.

Walked at 140x45: `k` `y` on a step running on 50 hosts with long names; the detail pane then read `✗ db-01-…corp:
stopped by root`, `✗ db-02-…corp: stopped by root`, … fifty times (two rows each), the table of hosts below its fold.
A problem only some hosts share, or one host's own, is still said with that host's name.
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

import pytest
from run_screen_helpers import FakeClient, painted, screen_is, settled, shared_session_events, until

from runbook_tui.engine.state_model import HostState, with_step
from runbook_tui.ui.verifier_app import VerifierApp
from runbook_tui.ui.widgets import StepDetail

HOSTS = [f"db-{n:02d}-primary-replica-eu-west-1b.production.example.internal" for n in range(1, 51)]


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_fifty_hosts_stopped_alike_are_said_once(workdir: Path, size: tuple[int, int]) -> None:
    client = FakeClient(shared_session_events(workdir))
    hosts = {host: HostState("failed", exit_code=None, error="stopped by alice") for host in HOSTS[:49]}
    hosts[HOSTS[49]] = HostState("failed", exit_code=3)
    problems = (*(f"{host}: stopped by alice" for host in HOSTS[:49]), f"{HOSTS[49]}: exit code 3, expected 0")
    client.state = with_step(client.state, "check", status="failed", attempts=1, hosts=MappingProxyType(hosts), problems=problems)
    app = VerifierApp(client)
    async with app.run_test(size=size) as pilot:
        await screen_is(pilot, "VerifierScreen")
        await settled(pilot)
        detail = app.screen.query_one(StepDetail)
        said = "✗ 49 hosts (listed below): stopped by alice"
        await until(pilot, lambda: said in " ".join(painted(detail).split()), f"{said!r} in the pane")
        await pilot.press("v")
        dialog = await screen_is(pilot, "InfoScreen")
        body = " ".join(painted(dialog.query_one("#dialog-body")).split())
        assert body.count("stopped by alice") == 1 and said in body, body  # once, with how many
        assert "exit code 3, expected 0" in body and "db-50-" in body, body  # the one host's own problem, named
        assert all(host[:6] in body for host in HOSTS), body  # each host still listed, in the table
