"""`join` looks the session's host key up under the name joined alone, as ssh does (CheckHostIP off, its default).

asyncssh also took a known_hosts line written for the address the name resolved to (`[other]:PORT,[127.0.0.1]:PORT KEY`,
as an older ssh wrote them): a name never listed, or listed under another key, was trusted on another host's line.
"""

from __future__ import annotations

import asyncio
import subprocess

import asyncssh
import pytest
from share_peers import HOST, Lab, Shared, until

from runbook_tui.share.client import Endpoint, ShareClient, fetch_host_key

pytestmark = [pytest.mark.peers, pytest.mark.asyncio]


async def _session_and_lines(lab: Lab) -> tuple[Shared, str, str]:
    """A shared run, its host key's known_hosts text, and another key's."""
    bob = lab.key("bob")
    shared = await lab.share(lab.runbook(), "--verifier-key", f"{bob}.pub")
    key = await fetch_host_key(HOST, shared.port)
    assert key is not None
    other = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode().strip()
    return shared, key.export_public_key().decode().strip(), other


def _ssh_says(lab: Lab, port: int) -> subprocess.CompletedProcess[str]:
    """What the real ssh says connecting to `localhost:PORT` with the lab's known_hosts alone."""
    options = [f"UserKnownHostsFile={lab.known_hosts}", "GlobalKnownHostsFile=/dev/null", "StrictHostKeyChecking=yes", "BatchMode=yes"]
    options += ["CheckHostIP=no", "ConnectTimeout=20"]
    argv = ["ssh", "-F", "/dev/null", *(f"-o{option}" for option in options), "-p", str(port), "-i", str(lab.root / "bob"), "runbook@localhost", "true"]
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


async def test_a_name_never_listed_is_not_trusted_on_a_line_for_its_address(lab: Lab) -> None:
    shared, key, _other = await _session_and_lines(lab)
    lab.known_hosts.write_text(f"[other]:{shared.port},[{HOST}]:{shared.port} {key}\n")
    ssh = await asyncio.to_thread(_ssh_says, lab, shared.port)
    assert ssh.returncode == 255 and "Host key verification failed" in ssh.stderr, ssh.stderr  # ssh: localhost is not known
    client = ShareClient(Endpoint("localhost", shared.port, str(lab.known_hosts), str(lab.root / "bob")))
    with pytest.raises(asyncssh.HostKeyNotVerifiable):
        await client.connect()
    assert "participant_joined" not in shared.stdout()


async def test_a_changed_key_under_the_name_is_refused_though_its_address_lists_the_new_one(lab: Lab) -> None:
    shared, key, other = await _session_and_lines(lab)
    lab.known_hosts.write_text(f"[localhost]:{shared.port} {other}\n[other]:{shared.port},[{HOST}]:{shared.port} {key}\n")
    await _refused_as_changed(lab, shared, "it joined on the address's line")


@pytest.mark.parametrize(
    "lines", ["# stolen laptop\n@revoked * {key}\n", "# stolen laptop\n@revoked [localhost]:{port} {key}\n", "[localhost]:{port} {key}\n@revoked * {key}\n"]
)
async def test_a_revoked_session_key_is_refused_never_offered_for_trust(lab: Lab, lines: str) -> None:
    """ssh: "WARNING: REVOKED HOST KEY DETECTED!", no question asked. Before: join asked to trust it (or with
    --accept-fingerprint wrote it to known_hosts), then said asyncssh's "Host key is revoked"."""
    shared, key, _other = await _session_and_lines(lab)
    lab.known_hosts.write_text(lines.format(port=shared.port, key=key))
    trusted = lab.known_hosts.read_text()
    ssh = await asyncio.to_thread(_ssh_says, lab, shared.port)
    assert ssh.returncode == 255 and "REVOKED HOST KEY DETECTED" in ssh.stderr, ssh.stderr
    for extra in ((), ("--accept-fingerprint", shared.fingerprint)):
        joined = await asyncio.to_thread(lab.join, f"localhost:{shared.port}", "--identity", str(lab.root / "bob"), *extra, terminal=True)
        assert joined.returncode == 2, joined
        assert "Trust this session's key" not in joined.stdout
        assert "REVOKED HOST KEY DETECTED" in joined.stderr and f"fingerprint {shared.fingerprint}" in joined.stderr, joined.stderr
        assert f"revoked in {lab.known_hosts}:2" in joined.stderr and "Refusing to join" in joined.stderr, joined.stderr
        assert lab.known_hosts.read_text() == trusted
    assert "participant_joined" not in shared.stdout()


async def test_a_key_revoked_under_the_port_stays_revoked_beside_a_bare_name_line(lab: Lab) -> None:
    """asyncssh, finding no key under `[localhost]:PORT`, looked again under `localhost` and forgot the revocation."""
    shared, key, _other = await _session_and_lines(lab)
    lab.known_hosts.write_text(f"@revoked [localhost]:{shared.port} {key}\nlocalhost {key}\n")
    ssh = await asyncio.to_thread(_ssh_says, lab, shared.port)
    assert ssh.returncode == 255 and "REVOKED HOST KEY DETECTED" in ssh.stderr, ssh.stderr
    client = ShareClient(Endpoint("localhost", shared.port, str(lab.known_hosts), str(lab.root / "bob")))
    with pytest.raises(asyncssh.HostKeyNotVerifiable, match="revoked"):
        await client.connect()
    assert "participant_joined" not in shared.stdout()


async def test_a_changed_key_under_a_pattern_line_is_refused_not_offered(lab: Lab) -> None:
    """known_hosts names may be patterns (`[local*]:PORT`, `*.example.com`): ssh takes such a line with another key as a changed
    key. Before: join found no line spelling the name, offered the key as a first contact and, accepted, joined."""
    shared, _key, other = await _session_and_lines(lab)
    lab.known_hosts.write_text(f"[local*]:{shared.port},!other {other}\n")
    await _refused_as_changed(lab, shared, "it offered it as a first contact")


async def test_the_very_key_under_the_bare_name_joins_without_a_question(lab: Lab) -> None:
    """ssh takes a bare-name line (`localhost KEY`, its port 22) for another port when it holds the very key the host
    offers. Before: join asked "Trust this session's key?" as on a first contact and wrote a second line."""
    shared, key, _other = await _session_and_lines(lab)
    lab.known_hosts.write_text(f"localhost {key}\n")
    trusted = lab.known_hosts.read_text()
    ssh = await asyncio.to_thread(_ssh_says, lab, shared.port)
    assert "Host key verification failed" not in ssh.stderr and "REMOTE HOST" not in ssh.stderr, ssh.stderr
    with lab.joined_in_a_terminal(f"localhost:{shared.port}", "--identity", str(lab.root / "bob")) as (joining, _):
        await shared.wait_for_output(r"participant_joined bob joined as verifier")
        assert joining.poll() is None
    assert lab.known_hosts.read_text() == trusted


async def _refused_as_changed(lab: Lab, shared: Shared, before: str) -> None:
    """ssh and join both refuse the session's key as changed, naming the old line and the new fingerprint; known_hosts
    stays as it was. `before`: what join did instead."""
    trusted = lab.known_hosts.read_text()
    ssh = await asyncio.to_thread(_ssh_says, lab, shared.port)
    assert ssh.returncode == 255 and "REMOTE HOST IDENTIFICATION HAS CHANGED" in ssh.stderr, ssh.stderr
    with lab.joined_in_a_terminal(f"localhost:{shared.port}", "--identity", str(lab.root / "bob"), "--accept-fingerprint", shared.fingerprint) as (joining, _):
        await until(lambda: joining.poll() is not None, 30, f"join to refuse the changed key ({before})")
        assert joining.stderr is not None
        said = joining.stderr.read().decode()
    assert joining.returncode == 2, said
    assert "REMOTE HOST IDENTIFICATION HAS CHANGED" in said and f"the old key is in {lab.known_hosts}:1" in said, said
    assert f"fingerprint {shared.fingerprint}" in said, said
    assert "participant_joined" not in shared.stdout()
    assert lab.known_hosts.read_text() == trusted
