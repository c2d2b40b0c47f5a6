"""`preflight` reads the ssh config off the event loop, as a run does (a `Match exec` runs a program as it is read)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from peers import Sshd

from runbook_tui.app.preflight_hosts import HostFinding, host_findings
from runbook_tui.app.settings import Settings
from runbook_tui.runbook.loader import load_text

pytestmark = pytest.mark.peers


def test_a_slow_match_exec_does_not_stop_the_event_loop_during_preflight(sshd: Sshd, tmp_path: Path) -> None:
    """A `Match exec` taking 2 s (a VPN check timing out): before, preflight resolved each host's route on the event
    loop, which stood still 2 s per host (6 s for 3: no repaint, no keepalive, no other host's check meanwhile)."""
    config = tmp_path / "ssh_config"
    config.write_text(
        f"Host peer*\n  HostName 127.0.0.1\n  Port {sshd.port}\n  User {sshd.user}\n  IdentityFile {sshd.client_key}\n"
        f"  UserKnownHostsFile {sshd.known_hosts}\n"
        'Match exec "sleep 2"\n  ForwardAgent no\n'
    )
    text = """\
runbook: 1
id: preflight-off-loop
title: Preflight off the loop
hosts:
  db: [{name: peer01}, {name: peer02}, {name: peer03}]
sections:
  - id: main
    kind: precheck
    steps:
      - {id: look, on: db, run: "true"}
"""
    runbook = load_text(text.encode(), "preflight.yaml").runbook
    assert runbook is not None
    settings = Settings(known_hosts=str(tmp_path / "trusts_nothing"), ssh_config=str(config))

    async def main() -> tuple[list[HostFinding], float]:
        loop, gaps, last = asyncio.get_running_loop(), [0.0], [0.0]

        async def tick() -> None:
            last[0] = loop.time()
            while True:
                await asyncio.sleep(0.05)
                gaps.append(loop.time() - last[0])
                last[0] = loop.time()

        ticker = asyncio.create_task(tick())
        try:
            return await host_findings(runbook, settings), max(gaps)
        finally:
            ticker.cancel()

    found, stood_still = asyncio.run(main())
    assert found == [], [str(f) for f in found]
    assert stood_still < 1.5, f"the event loop stood still {stood_still:.1f}s while preflight read the ssh config"
