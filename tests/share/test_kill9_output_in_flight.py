"""kill -9 of a shared `exec` while a step prints: the verifier must hold nothing the journal lost.

The journal commits a step's output in groups (within 0.1 s, or 256 KiB): an event
the session relayed to the verifier before its group reached the file is gone when
the process is killed, and `resume` writes other events under the same numbers. The
verifier's client, which checks every event against what it received before, then
said `THE ASSIGNEE'S JOURNAL CHANGED what you had already seen` (a tamper alarm over an
honest crash) and stopped following the run. A real `exec --share` process, a real
verifier (bob, a ShareClient over SSH) who kills the process the moment an output
event reaches him; then `resume --rerun --continue --share` and bob follows it to
the end.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from typing import Any

import pytest
from share_peers import NO_AGENT, Lab, journal, start_shared, until

from runbook_tui.engine.state import RunState
from runbook_tui.share.client import ShareClient

pytestmark = [pytest.mark.asyncio, pytest.mark.peers]

FLOOD = """\
runbook: 1
id: flood
title: Output in flight
sections:
  - id: impl
    title: Change
    steps:
      - id: one
        title: Prints until released
        run: "while [ ! -e {release} ]; do seq 1 2000; sleep 0.02; done"
        undo: "true"
      - id: two
        title: Step two
        run: echo two
        undo: "true"
"""


async def _start(lab: Lab, name: str, *args: str) -> tuple[subprocess.Popen[bytes], ShareClient, asyncio.Task[None]]:
    env = lab.env(**NO_AGENT)
    proc, _out, port = await start_shared(lab, name, args, ["--verifier-key", f"{lab.root / 'bob'}.pub"], env)
    bob = lab.client(lab.root / "bob", port)
    return proc, bob, asyncio.create_task(bob.run())


async def test_a_kill_9_while_output_flows_leaves_the_verifier_nothing_the_journal_lost(lab: Lab) -> None:
    lab.key("bob")
    release = lab.root / "release"
    rb, path = lab.runbook(FLOOD.format(release=release)), lab.root / "J.jsonl"
    proc, bob, follow = await _start(lab, "first", "exec", str(rb), "--journal", str(path))
    outputs: list[int] = []

    def kill_on_output(event: dict[str, Any], _state: RunState) -> None:
        if event["type"] == "output" and proc.poll() is None:
            outputs.append(int(event["seq"]))
            if len(outputs) >= 5:  # the moment bob has it: a group not yet on disk is lost with the process
                os.kill(proc.pid, signal.SIGKILL)

    bob.subscribe(kill_on_output)
    await until(lambda: proc.poll() is not None, 30, "the exec killed once bob had its output")
    follow.cancel()
    await bob.close()
    assert bob.trust is not None
    seen, kept = bob.trust.ledger.hashes, [e["hash"] for e in journal(path)]
    # Before: bob held events past the journal's end (the output relayed before its group was written).
    assert seen == kept[: len(seen)], f"bob holds {len(seen)} events, the journal on disk {len(kept)}"

    # The resumed run writes its events after the journal's end; bob (his copy of what he saw read again) follows it.
    release.touch()
    proc, bob, follow = await _start(lab, "second", "resume", str(path), "--rerun", "--continue")

    def waits_for_bob(step: str) -> bool:
        status = bob.state.steps.get(step)
        return bob.diverged is not None or (bob.state.current == step and status is not None and status.status == "awaiting_verification")

    for step in ("one", "two"):
        await until(lambda step=step: waits_for_bob(step), 30, f"'{step}' waiting for bob")  # type: ignore[misc]
        assert bob.diverged is None, bob.diverged  # before: THE ASSIGNEE'S JOURNAL CHANGED what you had already seen
        reply = await bob.send("confirm")
        assert reply.ok, reply.message
    await asyncio.wait_for(follow, 30)
    assert bob.diverged is None, bob.diverged
    assert proc.wait(30) == 0
    assert bob.state.outcome == "done"
