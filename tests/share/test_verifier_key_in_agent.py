"""A shared run whose assignee's ssh-agent holds the verifier's key does not start, wherever the key stands in it.

alice's agent held her key first and bob's second (a forwarded or shared agent, keys added for a test once): `exec
--share --verifier-key bob.pub` started, her decisions signed with her key, and nothing stopped her `join` (which offers
the agent's keys) from logging in as bob and confirming her own steps under his name, each signature holding. With bob's
key first the same agent was refused ("the key your decisions are signed with"): only the first key was compared. Now
every key of the agent is, and either order is refused before anything is journaled or listens.

A real ssh-agent and real `runbook-tui exec` processes.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from share_peers import CLI, Lab, free_port, make_key
from waiting import wait_until

pytestmark = pytest.mark.peers


@pytest.fixture
def agent(lab: Lab) -> Iterator[str]:
    started = subprocess.run(["ssh-agent", "-s"], capture_output=True, text=True, check=True, timeout=20).stdout
    sock = re.search(r"SSH_AUTH_SOCK=([^;]+);", started).group(1)  # type: ignore[union-attr]
    pid = int(re.search(r"SSH_AGENT_PID=(\d+);", started).group(1))  # type: ignore[union-attr]
    try:
        yield sock
    finally:
        os.kill(pid, signal.SIGTERM)


def _exec(lab: Lab, sock: str, journal: Path, *keys: str) -> subprocess.CompletedProcess[str]:
    runbook = lab.runbook()
    argv = [*CLI, "exec", str(runbook), "--share", f"127.0.0.1:{free_port()}", *keys, "--journal", str(journal)]
    env = lab.env(SSH_AUTH_SOCK=sock, HOME=str(lab.root), SHELL="/bin/sh")  # alice; no ~/.ssh/id_*: the agent's keys only
    return subprocess.run(argv, cwd=lab.root, env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("order", ["alice first", "bob first"])
def test_a_verifier_key_in_the_assignee_s_agent_refuses_the_shared_run(lab: Lab, agent: str, order: str) -> None:
    alice, bob = make_key(lab.root, "alice"), make_key(lab.root, "bob")
    added = [alice, bob] if order == "alice first" else [bob, alice]
    subprocess.run(["ssh-add", "-q", *map(str, added)], env={**os.environ, "SSH_AUTH_SOCK": agent}, check=True, capture_output=True, timeout=20)
    journal = lab.root / "J.jsonl"
    done = _exec(lab, agent, journal, "--verifier-key", f"{bob}.pub")
    # Before, with alice's key first: the run started and listened (it waited for bob at 'one').
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "runbook-tui: --share: the" in done.stderr and "bob's key" in done.stderr, done.stderr
    if order == "alice first":
        assert "the ssh-agent this run was started with holds the verifier bob's key" in done.stderr, done.stderr
        assert "could join as bob and confirm its steps themselves" in done.stderr, done.stderr
    assert not journal.exists(), "a journal was made for a run that must not start"


def test_an_agent_without_the_verifier_key_shares_as_before(lab: Lab, agent: str) -> None:
    """alice's agent holds her key and carol's (not a verifier here): the run shares (it is stopped once it listens)."""
    alice, _bob, carol = (make_key(lab.root, name) for name in ("alice", "bob", "carol"))
    subprocess.run(["ssh-add", "-q", str(alice), str(carol)], env={**os.environ, "SSH_AUTH_SOCK": agent}, check=True, capture_output=True, timeout=20)
    journal = lab.root / "J.jsonl"
    runbook = lab.runbook()
    argv = [*CLI, "exec", str(runbook), "--share", f"127.0.0.1:{free_port()}", "--verifier-key", f"{lab.root / 'bob'}.pub", "--journal", str(journal)]
    env = lab.env(SSH_AUTH_SOCK=agent, HOME=str(lab.root), SHELL="/bin/sh")
    out = lab.root / "exec.out"
    with out.open("wb") as stdout:
        proc = subprocess.Popen(argv, cwd=lab.root, env=env, stdout=stdout, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        wait_until(lambda: "shared at" in out.read_text(), lambda: f"the run to listen: {out.read_text()}", 60, alive=proc)
    finally:
        proc.terminate()
        proc.wait(30)
