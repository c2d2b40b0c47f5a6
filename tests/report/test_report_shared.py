"""The report of shared runs (`exec --share`, the test as the verifier over real SSH): what a change board reads of the
verifier's part."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from runbook_tui.report import build_report, render
from runbook_tui.share.client import ShareClient
from tests.share.share_peers import CLI, Lab, Shared, awaiting, journal, of_type, until

pytestmark = [pytest.mark.asyncio, pytest.mark.peers]

#: 'one' ran and waits for the verifier's word when bob asks for the rollback; 'two' never runs.
WAITING = """\
runbook: 1
id: share-report
title: Shared run, rolled back unconfirmed
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - id: one
        title: Step one
        run: echo one >> marks
        undo: echo undo-one >> marks
      - id: two
        title: Step two
        run: echo two >> marks
        undo: echo undo-two >> marks
"""

#: 'two' needs bob's go-ahead: the run stands there while he asks to hold.
GO_AHEAD = WAITING.replace("        undo: echo undo-two >> marks\n", "        undo: echo undo-two >> marks\n        verify: before\n")


@asynccontextmanager
async def bob_at_one(lab: Lab, runbook: str, *share: str) -> AsyncIterator[tuple[Shared, ShareClient]]:
    """`exec --share` of `runbook` with bob (trusted, following over SSH) as its verifier, once 'one' waits for his
    word; his client is closed after."""
    bob = lab.key("bob", "bob@laptop")
    shared = await lab.share(lab.runbook(runbook), "--verifier-key", f"{bob}.pub", *share)
    await lab.trust(shared.fingerprint, shared.port)
    client = lab.client(bob, shared.port)
    follow = asyncio.create_task(client.run())
    try:
        await until(lambda: awaiting(client) == "one", what="'one' waiting for bob")
        yield shared, client
    finally:
        follow.cancel()
        await client.close()


async def _rolled_back_while_waiting(lab: Lab) -> Path:
    """bob asks for the rollback while 'one' waits for his confirmation; exec rolls back (`--on-failure rollback`)."""
    async with bob_at_one(lab, WAITING, "--on-failure", "rollback") as (shared, client):
        reply = await client.send("request_rollback", "errors doubled")
        assert reply.ok, reply.message
        assert await shared.exit_code() == 1, shared.stderr()
    assert of_type(journal(shared.journal), "session_finished")[-1]["outcome"] == "rolled_back"
    return shared.journal


def _summary(md: str) -> dict[str, str]:
    return {line[2:-2].split(" | ", 1)[0].strip("*"): line[2:-2].split(" | ", 1)[1] for line in md.splitlines() if line.startswith("| **")}


async def test_a_step_rolled_back_before_its_confirmation_is_not_flagged_unverified(lab: Lab) -> None:
    """Before: 'one', undone while it waited for bob, was flagged UNVERIFIED (the banner, its heading, the Confirmed-by
    column, `1 UNVERIFIED` in the Summary and the JSON's `unverified`), as if an unchecked change stood."""
    path = await _rolled_back_while_waiting(lab)
    report = build_report(path)
    md, html, data = render(report, "md"), render(report, "html"), json.loads(render(report, "json"))
    assert "UNVERIFIED" not in md and "UNVERIFIED</strong>" not in html and 'class="step unverified"' not in html
    assert _summary(md)["Steps"] == "1 undone (1 waiting for verifier before the rollback), 1 not run", md
    # bob joined as the verifier and asked for the rollback (before: `—`, as if nobody had been there)
    assert _summary(md)["Verifier"] == "nobody confirmed a step (joined: bob)", md
    row = next(line for line in md.splitlines() if line.startswith("| 1 | one: "))
    assert row.split(" | ")[4:6] == ["waiting for verifier, then undone", "rolled back before confirmation"], row
    assert '<td class="muted">rolled back before confirmation</td>' in html
    one = data["steps"][0]
    assert (one["verification"], one["unverified"], one["confirmed_by"], data["unverified"]) == ("rolled back before confirmation", False, None, [])
    assert one["outcome"] == "undone" and one["result"] == "awaiting_verification"


async def test_the_note_exec_leaves_when_a_hold_stops_it_is_the_programs_not_the_assignees(lab: Lab) -> None:
    """bob asks to hold while 'two' waits for his go-ahead; exec stops with the journal open and says how to go on.
    Before: that note was journaled as alice's, and the report's Notes named her as its author; now it is the program's
    (`system`), as exec's note on a SIGTERM is."""
    async with bob_at_one(lab, GO_AHEAD) as (shared, client):
        assert (await client.send("confirm")).ok
        await until(lambda: client.state.current == "two", what="the run to stand at 'two'")
        assert (await client.send("hold", "wait for the dba")).ok
        assert await shared.exit_code() == 1, shared.stderr()
    notes = build_report(shared.journal).notes
    said = [(n.by, n.text.split(";")[0]) for n in notes]
    assert said == [("alice", "go-ahead requested for 'two'"), ("system", "exec stopped: the run is paused (bob asked to hold: wait for the dba)")], said
    md = render(build_report(shared.journal), "md").splitlines()
    row = next(line for line in md if "exec stopped" in line)
    assert row.split(" | ")[1:3] == ["the program", "two"], row  # the program's note, in its words (it read `system`)
    # why the journal ends open, on the board (before: `UNFINISHED` alone)
    outcome = next(line for line in md if line.startswith("| **Outcome** |"))
    assert outcome == "| **Outcome** | **UNFINISHED (the journal ends with the session open): paused (bob asked to hold: wait for the dba)** |", outcome


async def test_a_step_still_waiting_for_the_verifier_when_the_journal_ends_is_waiting_not_unverified(lab: Lab) -> None:
    """exec --share is stopped by SIGTERM while 'one' waits for bob; `resume` can still take his word. Before: the
    record of that open run flagged 'one' UNVERIFIED (banner, column, `1 UNVERIFIED` and the JSON's `unverified`) beside
    `1 waiting for verifier`, as if the run had gone on without him."""
    async with bob_at_one(lab, WAITING) as (shared, _):
        shared.proc.send_signal(signal.SIGTERM)
        assert await shared.exit_code() == 1, shared.stderr()
    report = build_report(shared.journal)
    md, data = render(report, "md"), json.loads(render(report, "json"))
    assert "UNVERIFIED" not in md and _summary(md)["Steps"] == "1 waiting for verifier, 1 not run", md
    row = next(line for line in md.splitlines() if line.startswith("| 1 | one: "))
    assert row.split(" | ")[4:6] == ["waiting for verifier", "waiting for verifier"], row
    one = data["steps"][0]
    assert (one["verification"], one["unverified"], data["unverified"]) == ("waiting for verifier", False, []), one
    assert 'class="step unverified"' not in render(report, "html")


async def test_the_signatures_table_lists_its_rows_in_journal_line_order(lab: Lab) -> None:
    """bob confirms 'one' and rejects 'two' over SSH (his client signs each decision and seals the end); carol then rolls
    back with `resume --rollback`. Before: the table listed the decisions, carol's rollback among them, then the seals
    (`4, 7, 10, 12, 20, 15` in its Line column), so bob's seal read as coming after the rollback it preceded; now the
    lines go down the journal as they were written, the end's own row last."""
    async with bob_at_one(lab, WAITING) as (shared, client):
        assert (await client.send("confirm")).ok
        await until(lambda: awaiting(client) == "two", what="'two' waiting for bob")
        assert (await client.send("reject", "two looks wrong")).ok
        assert await shared.exit_code() == 1, shared.stderr()
    back = subprocess.run(
        [*CLI, "resume", str(shared.journal), "--rollback", "--headless"],
        cwd=lab.root, env=lab.env(RUNBOOK_TUI_USER="carol", SSH_AUTH_SOCK=""), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert back.returncode == 1 and "outcome ROLLED BACK" in back.stdout, back.stdout + back.stderr
    report = build_report(shared.journal)
    lines = [row.line for row in report.signatures if row.line]
    said = [(row.line, row.what) for row in report.signatures]
    assert {"step_rejected", "rollback_started", "seal"} <= {what.split()[0] for _, what in said} and lines == sorted(lines), said
    assert said[-1][0] == 0, said  # the end of the run: not sealed (carol had no key), said last
    table = render(report, "md").split("## Signatures")[1].split("##")[0]
    shown = [int(cell) for cell in re.findall(r"^\| (\d+) \|", table, re.M)]
    assert shown == lines, table
