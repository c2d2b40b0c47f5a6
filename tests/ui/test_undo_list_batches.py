"""The undo list says how a group step's undos run: together, or in the step's `serial:` batches, newest host first.

Walked at 80x24 (dry run, `restart` on web1-web4 with `serial: [1, 2]`): the list numbered its four undos `1 restart on
web4` … `4 restart on web1`, one after the other; the rollback runs them in the step's batches (web4; then web3 and web2
together; then web1), and a step without `serial` undoes all its hosts at once. The list showed "in what order" (the
spec's words) as an order that was not the one they ran in. Now a line under the step's entries says it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import make_app, painted, prepare_workdir, run_step, screen_is, settled, started

RUNBOOK = """\
runbook: 1
id: undo-batches
title: Undo in batches
hosts:
  web:
    - {name: web1, address: 10.9.0.1}
    - {name: web2, address: 10.9.0.2}
    - {name: web3, address: 10.9.0.3}
    - {name: web4, address: 10.9.0.4}
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - {id: backup, title: Back up, run: echo backup, undo: echo undo-backup, checkpoint: true, verify: none}
      - {id: restart, title: Restart, on: web, serial: [1, 2], run: systemctl restart app, undo: systemctl restart app-old, verify: none}
      - {id: reload, title: Reload, on: web, run: systemctl reload app, undo: systemctl reload app-old, verify: none}
      - {id: last, title: Last, run: echo last, verify: none}
"""


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)], ids=["80x24", "140x45"])
async def test_the_undo_list_says_which_undos_run_together(workdir: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    prepare_workdir(workdir, monkeypatch, RUNBOOK)
    app = make_app(mode="dry-run")
    async with app.run_test(size=size) as pilot:
        await started(pilot)
        await settled(pilot)
        for step in ("backup", "restart", "reload"):
            await run_step(pilot, step)
        await pilot.press("u")
        modal = await screen_is(pilot, "RollbackModal")
        listed = " ".join(painted(modal.query_one("#dialog-body")).split())
        assert "reload: these 4 undos run at once, as the step ran" in listed, listed
        assert "restart: these 4 undos run in the step's serial batches, newest host first: web4; then web3, web2; then web1" in listed, listed
        assert listed.index("reload on 4 hosts") < listed.index("these 4 undos run at once") < listed.index("restart on 4 hosts"), listed
        assert "hosts: web4, web3, web2, web1" in listed, listed  # one entry each (test_rollback_groups_hosts.py)
