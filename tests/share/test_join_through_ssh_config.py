"""`join` reaches the session as `ssh -p PORT ALIAS` would, through the verifier's ssh config: its HostName, its
IdentityFile (without --identity) and its ProxyJump (a real sshd as the bastion, its own host key checked as a step
host's bastion's). The session's host key is checked as before: join's known_hosts, under the name connected to.
Before (session 37): the config was read for the session's known_hosts files alone, so `join sess:PORT` said the host name
`sess` is not known, and a verifier who reaches the assignee's machine only through a bastion could not join."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from peers import Sshd
from share_peers import HOST, Lab, Shared, until

pytestmark = [pytest.mark.peers, pytest.mark.asyncio]


async def _shared_behind(lab: Lab, sshd: Sshd, jumper_key: Path) -> Shared:
    """A shared run; the verifier's ssh config names it `sess`, reached through the sshd as bastion `jumper`."""
    bob = lab.key("bob")
    shared = await lab.share(lab.runbook(), "--verifier-key", f"{bob}.pub")
    config = lab.root / "ssh_config"
    config.write_text(
        f"Host sess\n  HostName {HOST}\n  ProxyJump jumper\n  IdentityFile {bob}\n"
        f"Host jumper\n  HostName {sshd.address}\n  Port {sshd.port}\n  User {sshd.user}\n  IdentityFile {jumper_key}\n"
        f"  UserKnownHostsFile {sshd.known_hosts}\n"
    )
    settings = lab.root / "xdg-config" / "runbook-tui" / "settings.yaml"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(f"ssh: {{config: {config}}}\n")
    return shared


def _bastion_logins(sshd: Sshd) -> int:
    return (sshd.dir / "sshd.log").read_text(errors="replace").count(f"Accepted publickey for {sshd.user}")


async def test_a_verifier_joins_an_alias_through_the_bastion_its_ssh_config_names(lab: Lab, sshd: Sshd) -> None:
    shared = await _shared_behind(lab, sshd, sshd.client_key)
    logins = _bastion_logins(sshd)
    with lab.joined_in_a_terminal(f"sess:{shared.port}", "--accept-fingerprint", shared.fingerprint) as (joining, _):
        await until(lambda: "participant_joined bob joined as verifier" in shared.stdout() or joining.poll() is not None, 60, "bob to join")
        assert joining.poll() is None, joining.stderr.read().decode() if joining.stderr else ""
    assert _bastion_logins(sshd) > logins  # through the bastion: its sshd let the verifier in to forward
    # first contact trusted under the name connected to (the HostName), as ssh writes it
    assert lab.known_hosts.read_text().startswith(f"[{HOST}]:{shared.port} ")


async def test_a_bastion_that_refuses_the_verifier_is_said_by_name_and_nothing_is_joined(lab: Lab, sshd: Sshd) -> None:
    shared = await _shared_behind(lab, sshd, lab.key("stranger"))
    joined = await asyncio.to_thread(lab.join, f"sess:{shared.port}", "--accept-fingerprint", shared.fingerprint)
    assert joined.returncode == 2, joined
    said = joined.stderr
    assert f"runbook-tui: cannot reach the session at {HOST}:{shared.port}: through bastion jumper: " in said, said
    assert "Nothing was joined" in said and "Traceback" not in said, said
    assert not lab.known_hosts.exists()
    assert "participant_joined" not in shared.stdout()
