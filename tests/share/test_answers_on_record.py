"""A verifier's signed word names the decision it answers; a rewrite that moves it off that decision is impossible.

bob refuses the go-ahead for 'one', then, talked round, gives it: his go-ahead's signed statement names the journal line
of his refusal (`answers`), as the session requires. Whoever writes the journal deletes the refusal and its signature
and recomputes every hash: the record now says bob gave his go-ahead at once. The go-ahead's signature still holds (it
names the step, attempt, phase and commands shown, all unchanged), and `journal verify` said intact. Now the signed
`answers` is checked against the journal: it names a decision on 'one' the journal no longer holds before it, which the
session never takes, so verify says NOT intact (exit 1), and `report` refuses the journal as it refuses a broken chain.

Real processes: the assignee's `run --share` in tmux (80x24), bob a real ShareClient over SSH, signing with his key.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from share_peers import CLI, Lab, free_port, journal, journal_verify, until, write_recomputed
from test_late_go_ahead import GO_AHEAD
from test_tmux_e2e import Tmux, _fingerprint

from runbook_tui.engine.state import confirmable
from runbook_tui.share.client import ShareClient

pytestmark = [pytest.mark.asyncio, pytest.mark.peers]


async def _refused_then_given(lab: Lab) -> Path:
    """alice's run: bob refuses the go-ahead for 'one', then gives it; the journal, once it holds both."""
    bob = lab.key("bob")
    port, path = free_port(), lab.root / "J.jsonl"
    env = lab.env()  # RUNBOOK_TUI_USER=alice
    keep = {k: env[k] for k in ("PATH", "HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "RUNBOOK_TUI_USER")} | {"TERM": "xterm-256color", "SHELL": "/bin/sh"}
    run = [sys.executable, "-m", "runbook_tui", "run", str(lab.runbook(GO_AHEAD)), "--share", f"127.0.0.1:{port}", "--verifier-key", f"{bob}.pub"]
    tmux = Tmux(lab.root)
    client: ShareClient | None = None
    follow: asyncio.Task[None] | None = None
    try:
        tmux.start("alice", [*run, "--journal", path.name], keep, lab.root, size=(80, 24))
        fingerprint = await asyncio.to_thread(_fingerprint, path, 60)
        await lab.trust(fingerprint, port)
        client = lab.client(bob, port)
        follow = asyncio.create_task(client.run())
        watched = client
        await until(lambda: watched.state.current == "one" and confirmable(watched.state) == "before", 60, "bob's window to show 'one' asking its go-ahead")
        refused = await client.send("reject", "the backup is not checked yet")
        assert refused.ok, refused.message
        await until(lambda: watched.state.steps["one"].decision == "go-ahead refused", 30, "bob's window to show his refusal")
        given = await client.send("confirm", seen="one")
        assert given.ok, given.message
        await until(lambda: sum(e["type"] == "decision_signed" for e in journal(path)) == 2, 30, "both of bob's words signed in the journal")
    finally:
        if follow is not None:
            follow.cancel()
        if client is not None:
            await client.close()
        tmux.end()
    return path


def _without_the_refusal(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The journal as its writer would rewrite it: the refusal and its signature gone, every line after renumbered (and
    each signature's `decision` pointing at its decision's new line), hashes recomputed afterwards."""
    refusal = next(e["seq"] for e in events if e["type"] == "step_rejected")
    dropped = {refusal, next(e["seq"] for e in events if e["type"] == "decision_signed" and e["decision"] == refusal)}
    kept = [e for e in events if e["seq"] not in dropped]
    renumbered = {e["seq"]: seq for seq, e in enumerate(kept)}
    return [e | {"seq": seq} | ({"decision": renumbered[e["decision"]]} if e["type"] == "decision_signed" else {}) for seq, e in enumerate(kept)]


@pytest.mark.forged_sequence
async def test_a_go_ahead_moved_off_the_refusal_it_answered_is_impossible(lab: Lab) -> None:
    path = await _refused_then_given(lab)
    honest = journal_verify(lab, path, None)
    assert honest.returncode == 0, honest.stdout + honest.stderr
    events = journal(path)
    refusal = next(e for e in events if e["type"] == "step_rejected")
    signed = [e for e in events if e["type"] == "decision_signed"]
    assert signed[-1]["statement"]["answers"] == refusal["seq"], signed[-1]["statement"]

    forged = lab.root / "forged.jsonl"
    write_recomputed(forged, _without_the_refusal(events))
    said = journal_verify(lab, forged, None)
    # Before: exit 0, `intact`: bob's go-ahead read as his first and only word on 'one'.
    assert said.returncode == 1, said.stdout + said.stderr
    go_ahead = next(e["seq"] for e in journal(forged) if e["type"] == "step_confirmed")
    assert f"line {go_ahead + 2}: decision_signed " in said.stdout, said.stdout
    assert f"answers line {refusal['seq'] + 1}" in said.stdout and "'one' had no decision before it" in said.stdout, said.stdout
    assert "NOT intact" in said.stdout, said.stdout

    report = subprocess.run([*CLI, "report", str(forged)], cwd=lab.root, env=lab.env(), capture_output=True, text=True, timeout=60)
    assert report.returncode == 2 and "refusing to report on it" in report.stderr and "answers line" in report.stderr, report.stdout + report.stderr
