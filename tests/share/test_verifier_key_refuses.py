"""A verifier whose key will not sign (an ssh-agent's `ssh-add -c` confirmation refused, a hardware key not touched)
after it let them log in: the assignee is told why the run still waits, and it is journaled.

Before: bob's screen alone said `cannot sign the decision: …` (or `could not seal line N: …`); alice's run waited for
him at 'one' with nothing on her screen nor in the journal, and at the end waited 5 s more for a seal that would never
come. Now his client tells the session, which journals an `error` by bob with `unsigned` (as for the assignee's own
key since session 37): both screens show it, and the end stops waiting for his seal.

A real ssh-agent whose confirmation program says yes while a count lasts, then no; a real `exec --share`; bob's real
client (`ShareClient`, what `join` runs).
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from share_peers import HOST, NO_AGENT, TWO_STEPS, Lab, awaiting, journal_lines, until

from runbook_tui.share.client import Endpoint, ShareClient

pytestmark = [pytest.mark.asyncio, pytest.mark.peers]

#: Step one is a checkpoint: bob seals the journal there (his key asked once more).
CHECKPOINTED = TWO_STEPS.replace("        undo: echo undo-one\n", "        undo: echo undo-one\n        checkpoint: true\n")


class Agent:
    """A real ssh-agent holding bob's key with `-c`: each use asks its confirmation program, which says yes `allow(n)` times."""

    def __init__(self, root: Path) -> None:
        self.count = root / "yes-left"
        self.count.write_text("0")
        asks = root / "ask"
        asks.write_text(f'#!/bin/sh\nn=$(cat "{self.count}")\n[ "$n" -gt 0 ] || exit 1\necho $((n - 1)) > "{self.count}"\n')
        asks.chmod(0o700)
        env = {**os.environ, "SSH_ASKPASS": str(asks), "SSH_ASKPASS_REQUIRE": "force", "DISPLAY": ":0"}
        started = subprocess.run(["ssh-agent", "-s", "-a", str(root / "agent.sock")], env=env, capture_output=True, text=True, check=True, timeout=20)
        self.pid = int(re.search(r"SSH_AGENT_PID=(\d+);", started.stdout).group(1))  # type: ignore[union-attr]
        self.sock = str(root / "agent.sock")

    def allow(self, uses: int) -> None:
        self.count.write_text(str(uses))

    def uses_left(self) -> int:
        return int(self.count.read_text().strip() or 0)


@pytest.fixture
def agent(lab: Lab, monkeypatch: pytest.MonkeyPatch) -> Iterator[Agent]:
    held = Agent(lab.root)
    try:
        bob = lab.key("bob")
        subprocess.run(["ssh-add", "-c", str(bob)], env={**os.environ, "SSH_AUTH_SOCK": held.sock}, check=True, capture_output=True, timeout=20)
        monkeypatch.setenv("SSH_AUTH_SOCK", held.sock)
        monkeypatch.setenv("HOME", str(lab.root))  # no ~/.ssh/id_*: bob logs in and signs with the agent's key alone
        yield held
    finally:
        os.kill(held.pid, signal.SIGTERM)


def _errors_by(path: Path, name: str) -> list[dict[str, object]]:
    return [e for e in journal_lines(path) if e["type"] == "error" and e["actor"] == name]


async def test_a_decision_bob_s_key_will_not_sign_is_told_to_alice_and_journaled(lab: Lab, agent: Agent) -> None:
    shared = await lab.share(lab.runbook(), "--verifier-key", f"{lab.root / 'bob'}.pub", "--identity", str(lab.key("alice")), env=NO_AGENT)
    await lab.trust(shared.fingerprint, shared.port)
    bob = ShareClient(Endpoint(HOST, shared.port, str(lab.known_hosts), None), reconnect_delays=(0.1, 0.2))
    seen: list[dict[str, object]] = []
    bob.subscribe(lambda event, _state: seen.append(event))
    agent.allow(1)  # the login
    follow = asyncio.create_task(bob.run())
    try:
        await until(lambda: awaiting(bob) == "one", 30, "'one' waiting for bob")
        assert agent.uses_left() == 0 and bob.trust is not None and bob.trust.signer is not None, "bob logged in with the agent's key"
        reply = await bob.send("confirm")
        assert not reply.ok and "cannot sign the decision: the ssh-agent did not sign" in reply.message, reply.message
        # alice's run says why it still waits at 'one' (before: nothing, here or in the journal)
        said = await shared.wait_for_output(r"bob's key would not sign (his|their) confirmation of 'one'[^\n]*")
        assert "the ssh-agent did not sign" in said.group(0) and "it was not sent" in said.group(0), said.group(0)
        [error] = _errors_by(shared.journal, "bob")
        assert error["unsigned"] == "decision_signed" and error["step"] == "one", error
        # bob's own log has the journal's line too: one truth on both screens
        await until(lambda: any(e["type"] == "error" and e["actor"] == "bob" for e in seen), 10, "bob's replica to show it")
        assert bob.state.steps["one"].status == "awaiting_verification", "nothing was decided"
        agent.allow(1)
        assert (await bob.send("confirm")).ok, "the key signs again once confirmed"
    finally:
        follow.cancel()
        await bob.close()
        shared.stop()


async def test_a_seal_bob_s_key_will_not_sign_is_journaled_and_the_end_does_not_wait_for_it(lab: Lab, agent: Agent) -> None:
    shared = await lab.share(lab.runbook(CHECKPOINTED), "--verifier-key", f"{lab.root / 'bob'}.pub", "--identity", str(lab.key("alice")), env=NO_AGENT)
    await lab.trust(shared.fingerprint, shared.port)
    bob = ShareClient(Endpoint(HOST, shared.port, str(lab.known_hosts), None), reconnect_delays=(0.1, 0.2))
    said: list[str] = []
    bob.on_status(said.append)
    agent.allow(2)  # the login and his confirmation of 'one'; not the checkpoint's seal
    follow = asyncio.create_task(bob.run())
    try:
        await until(lambda: awaiting(bob) == "one", 30, "'one' waiting for bob")
        assert (await bob.send("confirm")).ok
        await until(lambda: any("could not seal line" in s for s in said), 10, f"bob's screen to say his seal failed: {said}")
        found = await shared.wait_for_output(r"bob's key would not sign (his|their) seal of line \d+[^\n]*")
        assert "the ssh-agent did not sign" in found.group(0), found.group(0)
        await until(lambda: [e.get("unsigned") for e in _errors_by(shared.journal, "bob")] == ["seal"], 10, "the seal's error journaled")
    finally:
        follow.cancel()
        await bob.close()
        shared.stop()
