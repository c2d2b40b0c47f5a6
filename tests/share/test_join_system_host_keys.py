"""`join` checks the session's host key as ssh would, with the verifier's ssh config: the system's known_hosts files
(`GlobalKnownHostsFile`, /etc/ssh/ssh_known_hosts by default) trust a key, and `RevokedHostKeys` refuses one, as `exec`
does for its step hosts. Before: join read its own known_hosts alone: a key revoked there joined, and a key the
system's file lists was asked about as a first contact (or refused without a terminal)."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import asyncssh
import pytest
from share_peers import HOST, Cutter, Lab, Shared, until

from runbook_tui.app.sharing import join_endpoint
from runbook_tui.share.client import JoinError, ShareClient, fetch_host_key
from runbook_tui.ui import join

pytestmark = [pytest.mark.peers, pytest.mark.asyncio]


async def _shared_with_config(lab: Lab, options: str) -> tuple[Shared, str]:
    """A shared run; the verifier's settings name an ssh config holding `options`. Returns it and its key's text."""
    bob = lab.key("bob")
    shared = await lab.share(lab.runbook(), "--verifier-key", f"{bob}.pub")
    key = await fetch_host_key(HOST, shared.port)
    assert key is not None
    config = lab.root / "ssh_config"
    config.write_text(f"Host *\n  {options}\n".replace("\n  \n", "\n"))
    settings = lab.root / "xdg-config" / "runbook-tui" / "settings.yaml"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(f"ssh: {{config: {config}}}\n")
    return shared, key.export_public_key().decode().strip()


def _ssh_says(lab: Lab, port: int) -> subprocess.CompletedProcess[str]:
    """What the real ssh says connecting to the session with the lab's ssh config and known_hosts."""
    options = [f"UserKnownHostsFile={lab.known_hosts}", "StrictHostKeyChecking=yes", "BatchMode=yes", "ConnectTimeout=20"]
    argv = ["ssh", "-F", str(lab.root / "ssh_config"), *(f"-o{option}" for option in options), "-p", str(port)]
    argv += ["-i", str(lab.root / "bob"), f"runbook@{HOST}", "true"]
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def _revoked(lab: Lab, key: str) -> Path:
    revoked = lab.root / "revoked_keys"
    revoked.write_text(f"# the laptop stolen on Monday\n{key} old-session\n")
    return revoked


async def test_a_session_key_in_revoked_host_keys_is_refused_though_known_hosts_trusts_it(lab: Lab) -> None:
    shared, key = await _shared_with_config(lab, f"RevokedHostKeys {lab.root / 'revoked_keys'}")
    _revoked(lab, key)
    lab.known_hosts.write_text(f"[{HOST}]:{shared.port} {key}\n")
    trusted = lab.known_hosts.read_text()
    ssh = await asyncio.to_thread(_ssh_says, lab, shared.port)
    assert ssh.returncode == 255 and "revoked by file" in ssh.stderr, ssh.stderr
    joined = await asyncio.to_thread(lab.join, f"{HOST}:{shared.port}", "--identity", str(lab.root / "bob"), terminal=True)
    assert joined.returncode == 2, joined
    said = joined.stderr
    assert "REVOKED HOST KEY DETECTED" in said and f"fingerprint {shared.fingerprint}" in said, said
    assert f"revoked by file {lab.root / 'revoked_keys'}:2 (RevokedHostKeys)" in said and "Refusing to join" in said, said
    assert "participant_joined" not in shared.stdout()
    assert lab.known_hosts.read_text() == trusted


async def test_a_revoked_session_key_is_never_offered_for_trust_on_first_contact(lab: Lab) -> None:
    shared, key = await _shared_with_config(lab, f"RevokedHostKeys {lab.root / 'revoked_keys'}")
    _revoked(lab, key)
    for extra in ((), ("--accept-fingerprint", shared.fingerprint)):
        joined = await asyncio.to_thread(lab.join, f"{HOST}:{shared.port}", "--identity", str(lab.root / "bob"), *extra, terminal=True)
        assert joined.returncode == 2, joined
        assert "Trust this session's key" not in joined.stdout
        assert "REVOKED HOST KEY DETECTED" in joined.stderr and "(RevokedHostKeys)" in joined.stderr, joined.stderr
        assert not lab.known_hosts.exists()
    assert "participant_joined" not in shared.stdout()


async def test_an_unreadable_revoked_host_keys_file_refuses_the_session_key_as_ssh_does(lab: Lab) -> None:
    shared, key = await _shared_with_config(lab, f"RevokedHostKeys {lab.root / 'no-such-file'}")
    lab.known_hosts.write_text(f"[{HOST}]:{shared.port} {key}\n")
    ssh = await asyncio.to_thread(_ssh_says, lab, shared.port)
    assert ssh.returncode == 255 and "Host key verification failed" in ssh.stderr, ssh.stderr
    joined = await asyncio.to_thread(lab.join, f"{HOST}:{shared.port}", "--identity", str(lab.root / "bob"), terminal=True)
    assert joined.returncode == 2, joined
    assert f"RevokedHostKeys {lab.root / 'no-such-file'} of the ssh config cannot be read" in joined.stderr, joined.stderr
    assert "participant_joined" not in shared.stdout()


async def test_a_session_key_in_the_system_known_hosts_joins_without_a_question(lab: Lab) -> None:
    shared, key = await _shared_with_config(lab, f"GlobalKnownHostsFile {lab.root / 'nowhere'} {lab.root / 'ssh_known_hosts'}")
    (lab.root / "ssh_known_hosts").write_text(f"[{HOST}]:{shared.port} {key}\n")
    ssh = await asyncio.to_thread(_ssh_says, lab, shared.port)
    assert "Host key verification failed" not in ssh.stderr, ssh.stderr
    with lab.joined_in_a_terminal(f"{HOST}:{shared.port}", "--identity", str(lab.root / "bob")) as (joining, _):
        await until(lambda: "participant_joined bob joined as verifier" in shared.stdout() or joining.poll() is not None, 60, "bob to join")
        assert joining.poll() is None, joining.stderr.read().decode() if joining.stderr else ""
    assert not lab.known_hosts.exists()  # nothing asked, nothing written: the system's line is the trust


async def test_a_session_key_revoked_while_joined_is_refused_at_the_rejoin(lab: Lab) -> None:
    """The files are read again at each reconnection, as `exec` reads them for each connection: the verifier who hears the
    session's key was stolen revokes it, and the next rejoin (a link cut: it may be the thief's now) is refused."""
    shared, key = await _shared_with_config(lab, f"RevokedHostKeys {lab.root / 'revoked_keys'}")
    (lab.root / "revoked_keys").write_text("")
    cutter = Cutter(shared.port)
    await cutter.restore()
    lab.known_hosts.write_text(f"[{HOST}]:{cutter.port} {key}\n")
    endpoint = join_endpoint(f"{HOST}:{cutter.port}", observe=False, identity=str(lab.root / "bob"), known_hosts=str(lab.known_hosts))
    client = ShareClient(endpoint, reconnect_delays=(0.1,))
    following = asyncio.create_task(client.run())
    try:
        await until(lambda: client.connected, 30, "bob to join")
        _revoked(lab, key)
        await cutter.cut()
        await cutter.restore()
        with pytest.raises(JoinError) as refused:
            await asyncio.wait_for(following, 60)
        assert isinstance(refused.value.__cause__, asyncssh.HostKeyNotVerifiable), refused.value
        said = await join._refused(endpoint, refused.value.__cause__, endpoint.identity)
        assert "REVOKED HOST KEY DETECTED" in said and f"{lab.root / 'revoked_keys'}:2 (RevokedHostKeys)" in said, said
    finally:
        following.cancel()
        await client.close()
        await cutter.close()
