"""`runbook-tui join` checks the session's host key as ssh checks a host's: trust on first contact, refuse a changed key.

The session is a real `runbook-tui exec --share` process; its host key is
in `$XDG_STATE_HOME/runbook-tui/share_host_key`, so deleting that file and
starting again is exactly "the session's key changed".
"""

from __future__ import annotations

import asyncio
import re
import subprocess

import pytest
from share_peers import HOST, Lab, journal_lines, until

from runbook_tui.share.client import Endpoint

pytestmark = [pytest.mark.peers, pytest.mark.asyncio]


async def test_first_contact_needs_the_fingerprint_then_trusts_and_joins(lab: Lab, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    bob = lab.key("bob")
    runbook = lab.runbook()
    shared = await lab.share(runbook, "--verifier-key", f"{bob}.pub")
    address = f"{HOST}:{shared.port}"

    first = await asyncio.to_thread(lab.join, address, "--identity", str(bob))  # stdin is not a terminal: nobody to ask
    assert first.returncode == 2
    assert f"unknown session host key {shared.fingerprint}" in first.stderr
    assert f"--accept-fingerprint {shared.fingerprint}" in first.stderr
    assert not lab.known_hosts.exists()

    # In a terminal, `no` to the question: what to do next, and nothing trusted.
    from runbook_tui.ui import join

    monkeypatch.setattr(join.sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda _question: "no")
    said = await join._ensure_trusted(Endpoint(HOST, shared.port, str(lab.known_hosts)), None)
    assert said is not None and said.startswith("host key not accepted: nothing was joined or trusted"), said
    assert f"If the assignee's screen shows {shared.fingerprint}, join again and type yes" in said
    assert f"Its host key fingerprint is {shared.fingerprint}" in capsys.readouterr().out
    assert not lab.known_hosts.exists()

    wrong = await asyncio.to_thread(lab.join, address, "--identity", str(bob), "--accept-fingerprint", "SHA256:" + "A" * 43)
    assert wrong.returncode == 2 and f"the session's host key is {shared.fingerprint}" in wrong.stderr
    assert not lab.known_hosts.exists()

    with lab.joined_in_a_terminal(address, "--identity", str(bob), "--accept-fingerprint", shared.fingerprint):
        await shared.wait_for_output(r"participant_joined bob joined as verifier")  # the assignee's journal shows bob joined
    [line] = lab.known_hosts.read_text().splitlines()
    assert line.startswith(f"[{HOST}]:{shared.port} ssh-ed25519 ")


async def _changed_key(lab: Lab) -> tuple[str, str, int]:
    """Trust a session, then restart it with a new host key on the same port: (old fingerprint, new fingerprint, port)."""
    bob = lab.key("bob")
    runbook = lab.runbook()
    before = await lab.share(runbook, "--verifier-key", f"{bob}.pub", journal_name="before.jsonl")
    await lab.trust(before.fingerprint, before.port)
    before.stop()
    lab.host_key_path.unlink()  # a new session host key is generated at the next start
    after = await lab.share(runbook, "--verifier-key", f"{bob}.pub", port=before.port, journal_name="after.jsonl")
    assert after.fingerprint != before.fingerprint
    return before.fingerprint, after.fingerprint, after.port


async def test_a_changed_session_key_is_refused_not_offered(lab: Lab) -> None:
    old, new, port = await _changed_key(lab)
    trusted = lab.known_hosts.read_text()
    for extra in ((), ("--accept-fingerprint", new)):  # even the new key's own fingerprint does not override known_hosts
        joined = await asyncio.to_thread(lab.join, f"{HOST}:{port}", "--identity", str(lab.root / "bob"), *extra, terminal=True)
        assert joined.returncode == 2, joined
        # as OpenSSH says it: that it changed, which file and line hold the old key, the new fingerprint
        assert "REMOTE HOST IDENTIFICATION HAS CHANGED" in joined.stderr and "Refusing to join" in joined.stderr, joined.stderr
        assert f"the old key is in {lab.known_hosts}:1" in joined.stderr
        assert f"fingerprint {new}" in joined.stderr and old not in joined.stderr
        assert "Trust this session's key" not in joined.stdout
    assert lab.known_hosts.read_text() == trusted
    assert not [e for e in journal_lines(lab.root / "after.jsonl") if e["type"] == "participant_joined"]


async def test_a_changed_key_is_refused_when_known_hosts_is_hashed(lab: Lab) -> None:
    """ssh's HashKnownHosts writes `|1|salt|hash` names; such an entry is still the session's entry."""
    _old, new, port = await _changed_key(lab)
    subprocess.run(["ssh-keygen", "-H", "-f", str(lab.known_hosts)], check=True, capture_output=True)
    assert re.match(r"\|1\|", lab.known_hosts.read_text())
    trusted = lab.known_hosts.read_text()
    joined = await asyncio.to_thread(lab.join, f"{HOST}:{port}", "--identity", str(lab.root / "bob"), "--accept-fingerprint", new, terminal=True)
    assert joined.returncode == 2, joined
    assert "REMOTE HOST IDENTIFICATION HAS CHANGED" in joined.stderr and f"the old key is in {lab.known_hosts}:1" in joined.stderr
    assert lab.known_hosts.read_text() == trusted


async def test_a_trusted_session_joins_without_asking_again(lab: Lab) -> None:
    bob = lab.key("bob")
    shared = await lab.share(lab.runbook(), "--verifier-key", f"{bob}.pub")
    await lab.trust(shared.fingerprint, shared.port)
    trusted = lab.known_hosts.read_text()
    # Without a terminal the screen cannot be shown: said, and the session sees nobody join (before: it drew into the pipe).
    piped = await asyncio.to_thread(lab.join, f"{HOST}:{shared.port}", "--identity", str(bob))
    assert piped.returncode == 2 and piped.stdout == "", piped
    assert (
        piped.stderr == "runbook-tui: join shows a screen, and stdin or stdout is not a terminal: nothing was started. "
        "A verifier confirms at a screen: run join in a terminal.\n"
    ), piped.stderr
    assert "participant_joined" not in shared.stdout()
    with lab.joined_in_a_terminal(f"{HOST}:{shared.port}", "--identity", str(bob)):
        await shared.wait_for_output(r"participant_joined bob joined")
    await until(lambda: "participant_left" in shared.stdout(), 5, "bob to leave")
    assert lab.known_hosts.read_text() == trusted
