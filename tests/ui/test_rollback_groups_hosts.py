"""The undo list (`u`) of a step on many hosts: hosts whose rendered undo is the same are one entry (the command once,
then its hosts, each name whole or broken after a dot under the entry's indent); a host whose undo renders otherwise
keeps its own entry. Walked in tmux at 80x24 and 140x45 with 50 aliases of the real sshd: 50 entries, 150 rows of
`N  push on web01.…` over the same `systemctl restart app`, the list scrolled 18 screens, and a host whose undo differed
was one entry among the 50 that read alike."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from peers import Sshd
from run_screen_helpers import painted, read_to_end, screen_is, settled, started, until
from test_rollback_left_out import aliases, app_for

pytestmark = pytest.mark.peers

#: Names as a fleet has them: long, dotted; `db.` ones render their undo otherwise.
NAMES = [f"web{i:02d}.eu-west-1.payments.example.com" for i in range(1, 12)] + ["db01-frontend-production-eu-west-1a.internal.payments.example.com"]
UNDO = "systemctl restart app{% if host.name.startswith('db') %} --db{% endif %}"


def fleet(sshd: Sshd) -> list[dict[str, Any]]:
    return [{**host, "name": name} for host, name in zip(aliases(sshd, len(NAMES)), NAMES, strict=True)]


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)], ids=["80x24", "140x45"])
async def test_hosts_with_the_same_rendered_undo_are_one_entry(workdir: Path, sshd: Sshd, size: tuple[int, int]) -> None:
    step = {"id": "push", "on": "fleet", "run": "echo pushed", "undo": UNDO}
    app = app_for(workdir, sshd, step, fleet(sshd), {"id": "last", "run": "true"})
    async with app.run_test(size=size) as pilot:
        controller = await started(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: controller.state.steps["mark"].status == "done" and not controller.busy, "the checkpoint")
        await settled(pilot)
        await pilot.press("enter")
        await until(
            pilot, lambda: type(app.screen).__name__ == "ConfirmPrompt" or controller.busy or controller.state.steps["push"].status == "done", "push to start"
        )
        if type(app.screen).__name__ == "ConfirmPrompt":  # the commands do not fit: read them whole first
            await read_to_end(pilot)
            await pilot.press("y")
        await until(pilot, lambda: controller.state.steps["push"].status == "done" and not controller.busy, "push on every host", seconds=120)
        await settled(pilot)
        await pilot.press("u")
        modal = await screen_is(pilot, "RollbackModal")
        body = painted(modal.query_one("#dialog-body"))
        rows = body.split("\n")
        same = [row for row in rows if row.strip() == "systemctl restart app"]
        assert len(same) == 1, body  # the command shared by the eleven web hosts, once
        assert sum(row.strip() == "systemctl restart app --db" for row in rows) == 1, body  # db01's own entry
        joined = "".join(body.split())
        for name in NAMES:  # every host still named, whole (a break only after a dot or a hyphen)
            assert name in joined, (name, body)
        assert re.search(r" 1  push on\s+db01-frontend", body) and " 2  push on 11 hosts" in body, body  # two entries, numbered in turn
        assert not [row for row in rows if row and not row.startswith(" ")], body  # no host name at the margin
        await read_to_end(pilot)
        await pilot.press("y")
        await until(pilot, lambda: controller.state.rollback is not None and controller.state.rollback.finished, "the rollback", seconds=120)
        entries = controller.state.rollback.plan["entries"]
        assert len(entries) == len(NAMES)  # one undo per host still runs (and is journaled)
