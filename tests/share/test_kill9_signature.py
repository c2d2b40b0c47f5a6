"""kill -9 of a shared, signed `exec` right after the verifier's confirmation: the signature is on disk with it.

alice runs `runbook-tui exec --share --identity alice`; bob confirms step one
with his key. The process is SIGKILLed (by itself: a `sitecustomize` in its
PYTHONPATH kills it with signal 9) the moment it journals anything after bob's
`step_confirmed` other than its `decision_signed`: the first event that acts
on the confirmation. Then `resume --continue --share` runs step two, bob
confirms it, and `journal verify --allowed-signers` must pass: the journal is
honest. Before, the signature was journaled after what followed the
confirmation (the next step's `step_ready`), so the kill left bob's
confirmation unsigned and verify failed the journal ("step_confirmed by bob is
not signed").
"""

from __future__ import annotations

import asyncio
import os
import signal

import pytest
from share_peers import NO_AGENT, TWO_STEPS, Lab, allowed_signers, awaiting, journal, journal_verify, start_shared, until

pytestmark = [pytest.mark.asyncio, pytest.mark.peers]

#: Loaded by the exec process at start-up (PYTHONPATH): it kills itself with SIGKILL when it journals the first event
#: after bob's confirmation that is not that confirmation's signature.
KILLER = """\
import os, signal
from runbook_tui.engine import journal

_queue = journal.JournalWriter.queue
_confirmed = []


def queue(self, type, actor, data=None, **how):
    if _confirmed and str(type) != "decision_signed":
        os.kill(os.getpid(), signal.SIGKILL)
    if str(type) == "step_confirmed" and actor == "bob":
        _confirmed.append(True)
    return _queue(self, type, actor, data, **how)


journal.JournalWriter.queue = queue
"""


async def test_a_kill_right_after_a_confirmation_leaves_it_signed_and_the_resumed_journal_verifies(lab: Lab) -> None:
    alice, bob = lab.key("alice"), lab.key("bob")
    rb, path = lab.runbook(TWO_STEPS), lab.root / "J.jsonl"
    killer = lab.root / "killer"
    killer.mkdir()
    (killer / "sitecustomize.py").write_text(KILLER)
    keys = ["--verifier-key", f"{bob}.pub"]
    python_path = os.pathsep.join(p for p in (str(killer), os.environ.get("PYTHONPATH", "")) if p)
    env = lab.env(**NO_AGENT, PYTHONPATH=python_path)
    proc, out, port = await start_shared(lab, "first", ["exec", str(rb), "--journal", str(path), "--identity", str(alice)], keys, env)
    client = lab.client(bob, port)
    follow = asyncio.create_task(client.run())
    try:
        await until(lambda: awaiting(client) == "one", 30, "step one waiting for bob")
        sending = asyncio.create_task(client.send("confirm"))  # its reply may never come: the process dies deciding it
        await until(lambda: proc.poll() is not None, 30, "the exec process to be killed after bob's confirmation")
        sending.cancel()
    finally:
        follow.cancel()
        await client.close()
    assert proc.returncode == -signal.SIGKILL, out.read_text()
    events = journal(path)
    confirmed = [e for e in events if e["type"] == "step_confirmed"]
    assert [(e["step"], e["actor"]) for e in confirmed] == [("one", "bob")], events
    # Right after the confirmation, its signature: nothing acted on the decision before it was signed on disk.
    assert events[-1]["type"] == "decision_signed" and events[-1]["decision"] == confirmed[0]["seq"], [e["type"] for e in events[-4:]]

    # The run goes on: step two, confirmed by bob; the end sealed by both.
    proc, out, port = await start_shared(lab, "second", ["resume", str(path), "--continue", "--identity", str(alice)], keys, lab.env(**NO_AGENT))
    client = lab.client(bob, port)
    follow = asyncio.create_task(client.run())
    try:
        await until(lambda: awaiting(client) == "two", 30, "step two waiting for bob")
        reply = await client.send("confirm")
        assert reply.ok, reply.message
        await asyncio.wait_for(follow, 30)  # bob's client ends with the session (his seal given)
    finally:
        follow.cancel()
        await client.close()
    assert proc.wait(30) == 0, out.read_text()
    verified = journal_verify(lab, path, allowed_signers(lab, ("alice", alice), ("bob", bob)))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "0 unsigned, 0 failing" in verified.stdout and "signatures hold and the end is sealed" in verified.stdout, verified.stdout
