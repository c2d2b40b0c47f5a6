"""A connection offering key after key: closed after AUTH_TRIES attempts, as sshd's MaxAuthTries does.

Before, one unauthenticated connection could offer keys for its whole login time (10 s), each parsed and
hashed on the assignee's event loop: 32 such connections pipelining offers made ~6,000 attempts a second.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess

import asyncssh
import pytest
from share_peers import HOST, Lab, journal_lines, of_type

from runbook_tui.share.admission import AUTH_TRIES, TOO_MANY_TRIES

pytestmark = pytest.mark.peers


class _Offering(asyncssh.SSHClient):
    """Offers its keys one after another, counting them."""

    def __init__(self, keys: list[asyncssh.SSHKey]) -> None:
        self.keys = iter(keys)
        self.offered = 0

    def public_key_auth_requested(self) -> asyncssh.SSHKey | None:
        key = next(self.keys, None)
        self.offered += key is not None
        return key


async def _offer(lab: Lab, port: int, keys: list[asyncssh.SSHKey]) -> tuple[_Offering, str]:
    """Log in offering `keys` in turn: the client, and the first line the session wrote (or why it would not)."""
    client = _Offering(keys)
    try:
        conn, _ = await asyncssh.create_connection(lambda: client, HOST, port, known_hosts=str(lab.known_hosts), username="runbook", preferred_auth="publickey")
    except asyncssh.DisconnectError as exc:
        return client, f"{type(exc).__name__}: {exc.reason}"
    async with conn:
        process = await conn.create_process(encoding="utf-8")
        return client, await asyncio.wait_for(process.stdout.readline(), 10)


@pytest.mark.asyncio
async def test_a_connection_offering_more_keys_than_the_limit_is_closed_and_a_participant_still_gets_in(lab: Lab) -> None:
    bob = lab.key("bob")
    shared = await lab.share(lab.runbook(), "--verifier-key", f"{bob}.pub")
    await lab.trust(shared.fingerprint, shared.port)
    strangers = [asyncssh.generate_private_key("ssh-ed25519") for _ in range(AUTH_TRIES + 10)]
    flooding, said = await _offer(lab, shared.port, strangers)
    assert said == f"PermissionDenied: {TOO_MANY_TRIES}", said
    assert flooding.offered == AUTH_TRIES + 1, f"{flooding.offered} keys offered on one connection"
    # Bob's key after 30 others: asked about, then its signature checked, the 31st and 32nd attempts: he gets in.
    last_chance, said = await _offer(lab, shared.port, [*strangers[: AUTH_TRIES - 2], asyncssh.read_private_key(str(bob))])
    assert json.loads(said)["kind"] == "welcome" and last_chance.offered == AUTH_TRIES - 1, said
    shared.stop()
    refused = of_type(journal_lines(shared.journal), "join_refused")
    assert refused and len(refused[0]["keys"]) == 20, refused  # the stranger is still said, as before


def test_join_whose_agent_offers_too_many_keys_before_the_verifiers_says_so(lab: Lab, monkeypatch: pytest.MonkeyPatch) -> None:
    """bob's agent holds 34 keys, his verifier key last: the session stops the login; `join` says why and what to do
    (not that his key is no participant's)."""
    bob = lab.key("bob")
    started = subprocess.run(["ssh-agent", "-s"], capture_output=True, text=True, check=True).stdout
    sock = re.search(r"SSH_AUTH_SOCK=([^;]+);", started).group(1)  # type: ignore[union-attr]
    pid = int(re.search(r"SSH_AGENT_PID=(\d+);", started).group(1))  # type: ignore[union-attr]
    try:
        others = [lab.key(f"old{n}") for n in range(AUTH_TRIES + 1)]
        subprocess.run(["ssh-add", "-q", *map(str, [*others, bob])], env={**os.environ, "SSH_AUTH_SOCK": sock}, check=True, capture_output=True)
        monkeypatch.setenv("SSH_AUTH_SOCK", sock)
        monkeypatch.setenv("HOME", str(lab.root))  # no ~/.ssh/id_*: the agent's keys only

        async def share() -> int:
            # bob's agent is his: the assignee's run starts without it (a run whose agent holds the verifier's key is refused)
            shared = await lab.share(lab.runbook(), "--verifier-key", f"{bob}.pub", env={"SSH_AUTH_SOCK": ""})
            await lab.trust(shared.fingerprint, shared.port)
            return shared.port

        port = asyncio.run(share())
        joined = lab.join(f"127.0.0.1:{port}", terminal=True)
    finally:
        os.kill(pid, signal.SIGTERM)
    assert joined.returncode == 2, joined
    assert joined.stderr.strip() == (
        f"runbook-tui: the session closed your login after {AUTH_TRIES} attempts, before a key it knows came up; tried the SSH agent's "
        f"{AUTH_TRIES + 2} keys (no default key ({lab.root}/.ssh/id_*)). What to do: join with the private key of the public key file "
        "the assignee gave (--identity KEYFILE)"
    ), joined.stderr
