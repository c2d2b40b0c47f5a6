"""A step's undo that uses its own capture reads the captured value once the step has run and printed it.

Before: while 'backup' waited for bob's word (it had run and captured `/var/backups/pg-0412.tar`), the undo bob was
asked to stand behind, on his screen and on alice's, read `⟨captured.backup: from step 'backup', not run yet⟩`:
the text rendered by `step_ready`/`step_started` before the run, never rendered again. The capture's `step_finished`
now carries the step's texts rendered with it, so every view that folds the events (the assignee's screen, the
verifier's replica, replay, the report) shows the same undo, with the value; and the next step's title, which read
`Restore from ⟨captured.backup⟩` in the step list until that step was ready, reads the value too (also a step whose
undo reads `now`: only a title that reads the clock waits for its own `step_ready`).

Real processes: alice's `exec --share`, bob a real ShareClient over SSH.
"""

from __future__ import annotations

import asyncio

import pytest
from share_peers import Lab, awaiting, confirm_next, journal_state, until

from runbook_tui.report.assemble import build_report
from runbook_tui.ui.widgets import step_as_shown

pytestmark = [pytest.mark.asyncio, pytest.mark.peers]

RUNBOOK = """\
runbook: 1
id: undo-capture
title: An undo that uses its own capture
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - id: backup
        title: "Take the backup"
        run: echo /var/backups/pg-0412.tar
        capture: backup
        undo: rm -f {{ captured.backup }}
      - id: restore
        title: "Restore from {{ captured.backup }}"
        run: echo restoring {{ captured.backup }}
      - id: stamp
        title: "Stamp {{ captured.backup }}"
        run: echo stamped
        undo: echo unstamped at {{ now }}
"""


async def test_the_undo_waiting_for_the_verifier_shows_the_captured_value(lab: Lab) -> None:
    bob = lab.key("bob")
    shared = await lab.share(lab.runbook(RUNBOOK), "--verifier-key", f"{bob}.pub")
    await lab.trust(shared.fingerprint, shared.port)
    client = lab.client(bob, shared.port)
    follow = asyncio.create_task(client.run())
    try:
        await until(lambda: awaiting(client) == "backup", 30, "'backup' to run and wait for bob's word")
        views = {"verifier": step_as_shown(client.state, "backup"), "assignee": step_as_shown(journal_state(shared.journal), "backup")}
        for name, shown in views.items():
            assert shown["undo"] == {"local": "rm -f /var/backups/pg-0412.tar"}, f"{name}: {shown['undo']}"
            title = step_as_shown(client.state if name == "verifier" else journal_state(shared.journal), "restore")["title"]
            assert title == "Restore from /var/backups/pg-0412.tar", f"{name}: the next step's title reads {title!r}"
            # a step reading `now` elsewhere (its undo) still names the value: its title reads no clock
            title = step_as_shown(client.state if name == "verifier" else journal_state(shared.journal), "stamp")["title"]
            assert title == "Stamp /var/backups/pg-0412.tar", f"{name}: a later step's title reads {title!r}"
        assert await confirm_next(client, "backup") == "backup"
        assert await confirm_next(client, "restore") == "restore"
        assert await confirm_next(client, "stamp") == "stamp"
        assert await shared.exit_code() == 0, shared.stderr()
        await asyncio.wait_for(follow, 10)
    finally:
        await client.close()
    [step] = [s for s in build_report(shared.journal).steps if s.id == "backup"]
    assert step.undo == {"local": "rm -f /var/backups/pg-0412.tar"}, step.undo
