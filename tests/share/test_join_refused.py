"""Someone offering a key that is not a participant's is journaled, so the assignee, the verifier and the report see it.

Before, the share server refused such a key with a line in its own log only: the stranger read
"refused" on their side, and the run screen, the verifier's screen and the journal said nothing of an
attempt to get into a production change. Now a connection that ends without getting in after offering
such keys is journaled once (`join_refused`: the keys' fingerprints and types, the user name it gave,
its address), each key named once a session and 20 in all, so the unauthenticated listener cannot
flood the journal. A client that tries other keys before a participant's and gets in is not said.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import asyncssh
import pytest
from share_peers import HOST, Lab, journal, of_type, until
from written_lines import written_events

from runbook_tui.share.admission import KEYS_NAMED, KeyRefusals
from runbook_tui.ui.log_lines import log_lines


def fingerprint(key: Path) -> str:
    return str(asyncssh.read_public_key(f"{key}.pub").get_fingerprint())


async def refused(lab: Lab, port: int, username: str, *keys: Path) -> None:
    """A real SSH client offering `keys` in turn as `username`: refused (PermissionDenied)."""
    with pytest.raises(asyncssh.PermissionDenied):
        await asyncssh.connect(HOST, port, username=username, client_keys=[str(k) for k in keys], known_hosts=str(lab.known_hosts), agent_path=None)


def refusals(path: Path) -> list[dict[str, Any]]:
    return of_type(written_events(path), "join_refused")


@pytest.mark.peers
def test_a_strangers_key_is_journaled_once_with_its_fingerprint_and_said_in_the_log(lab: Lab) -> None:
    async def main() -> None:
        bob, mallory, eve = lab.key("bob"), lab.key("mallory"), lab.key("eve")
        shared = await lab.share(lab.runbook(), "--verifier-key", f"{bob}.pub")
        await lab.trust(shared.fingerprint, shared.port)

        await refused(lab, shared.port, "mallory", mallory)
        await until(lambda: len(refusals(shared.journal)) == 1, what="the stranger's attempt in the journal")
        [event] = refusals(shared.journal)
        assert (event["keys"], event["user"], event["address"], event["actor"]) == (
            [{"fingerprint": fingerprint(mallory), "type": "ssh-ed25519"}], "mallory", HOST, "system"
        )  # fmt: skip
        said = f'join refused: a key that is not a participant\'s (ssh-ed25519 {fingerprint(mallory)}) from {HOST}, user "mallory"'
        assert log_lines(event) == [f"!! {said}"], "the run screen's and the verifier's log"
        await shared.wait_for_output(rf"join_refused\s+{re.escape(said)}")  # exec's own lines

        await refused(lab, shared.port, "mallory", mallory)  # the same key again: counted, not said again
        lead = '[bold red]bob[/] "seq 9" \\ '
        hostile = lead + "é" * 80  # SSH servers refuse control characters in names (SASLprep)
        await refused(lab, shared.port, hostile, eve)  # a new key: said, after the repeat's connection ended
        await until(lambda: len(refusals(shared.journal)) == 2, what="the second stranger's attempt")
        second = refusals(shared.journal)[1]
        assert second["user"] == hostile[:64], "cut to 64 characters"
        assert log_lines(second)[0].endswith(f'user "[bold red]bob[/] \\"seq 9\\" \\\\ {"é" * (64 - len(lead))}"'), "as text: its quotes escaped"

        shared.stop()
        events = journal(shared.journal)
        assert [e["keys"][0]["fingerprint"] for e in of_type(events, "join_refused")] == [fingerprint(mallory), fingerprint(eve)]
        closed = written_events(shared.journal)[-1]
        assert closed["type"] == "share_closed" and closed["unauthenticated"] >= 3, closed

    asyncio.run(main())


@pytest.mark.peers
def test_bobs_own_join_even_after_other_keys_of_his_agent_is_not_a_refusal(lab: Lab) -> None:
    async def main() -> None:
        bob, other, third = lab.key("bob"), lab.key("bob-old"), lab.key("bob-github")
        shared = await lab.share(lab.runbook(), "--verifier-key", f"{bob}.pub")
        await lab.trust(shared.fingerprint, shared.port)
        async with asyncssh.connect(
            HOST, shared.port, username="bob", client_keys=[str(other), str(third), str(bob)], known_hosts=str(lab.known_hosts), agent_path=None
        ) as conn:  # two keys refused, then bob's: he is in
            assert conn.get_extra_info("username") == "bob"
        client = lab.client(bob, shared.port)  # as `join --identity bob` connects
        await client.connect()
        await until(lambda: bool(of_type(written_events(shared.journal), "participant_joined")), what="bob's join in the journal")
        await client.close()
        shared.stop()
        events = journal(shared.journal)
        assert of_type(events, "join_refused") == [], "bob getting in is no attack on bob"
        assert of_type(events, "participant_joined"), "bob did join"

    asyncio.run(main())


def test_refused_keys_are_named_once_each_and_twenty_in_all_then_only_counted() -> None:
    refusals = KeyRefusals()
    first = refusals.notice({"SHA256:a": "ssh-ed25519", "SHA256:b": "ssh-rsa"}, "m" * 500, "10.0.0.9")
    assert first == {
        "keys": [{"fingerprint": "SHA256:a", "type": "ssh-ed25519"}, {"fingerprint": "SHA256:b", "type": "ssh-rsa"}],
        "user": "m" * 64,
        "address": "10.0.0.9",
    }
    assert refusals.notice({"SHA256:b": "ssh-rsa"}, "m", "10.0.0.9") is None, "named before: not again"
    named = 2
    for n in range(100):
        notice = refusals.notice({f"SHA256:n{n}": "ssh-ed25519", "SHA256:a": "ssh-ed25519"}, "\ud800x", "10.0.0.8")
        if named < KEYS_NAMED:
            named += 1
            assert notice is not None and [k["fingerprint"] for k in notice["keys"]] == [f"SHA256:n{n}"], "only the key not named before"
            assert notice["user"] == "?x", "a lone surrogate could not be journaled"
            assert notice.get("last", False) == (named == KEYS_NAMED), notice
        else:
            assert notice is None, "20 keys named: the rest are only counted"


def test_a_hostile_user_name_is_shown_as_text_on_one_line() -> None:
    """Escapes and newlines never reach the server's check (asyncssh refuses such names), and would be shown if they did."""
    event = {
        "seq": 9, "ts": "2026-12-04T14:00:00+00:00", "type": "join_refused", "actor": "system", "address": "10.0.0.9",
        "keys": [{"fingerprint": "SHA256:x", "type": "ssh-rsa"}], "user": "\x1b[2J\x1b]0;pwned\x07[b]bob[/b]\nseq 10 step_confirmed",
    }  # fmt: skip
    [line] = log_lines(event)
    assert "\x1b" not in line and "\x07" not in line and "\n" not in line, line
    assert line.endswith('user "␛[2J␛]0;pwned␇[b]bob[/b]⏎seq 10 step_confirmed"'), line


@pytest.mark.peers
def test_the_report_tells_a_joins_look_at_the_session_from_a_connection_that_failed_to_log_in(lab: Lab) -> None:
    """A verifier's first `join --accept-fingerprint` reads the session's SSH version, then its host key, each on a
    connection of its own that never asks to log in. The report said `Share connections: 1 authenticated, 2 closed
    before authenticating` for that one honest join, as if someone had tried to get in twice. Now those are said
    apart from the stranger's connection that offered a key and failed."""
    import subprocess

    from share_peers import CLI

    async def main() -> None:
        bob, mallory = lab.key("bob"), lab.key("mallory")
        shared = await lab.share(lab.runbook(), "--verifier-key", f"{bob}.pub")
        with lab.joined_in_a_terminal(f"{HOST}:{shared.port}", "--identity", str(bob), "--accept-fingerprint", shared.fingerprint):
            await shared.wait_for_output(r"participant_joined bob joined as verifier")
        await refused(lab, shared.port, "mallory", mallory)
        await until(lambda: len(refusals(shared.journal)) == 1, what="the stranger's attempt in the journal")
        shared.stop()
        closed = written_events(shared.journal)[-1]
        assert closed["type"] == "share_closed", closed
        assert (closed["authenticated"], closed["unauthenticated"], closed.get("no_login_tried")) == (1, 3, 2), closed
        verified = subprocess.run([*CLI, "journal", "verify", str(shared.journal)], env=lab.env(), capture_output=True, text=True, timeout=60, check=False)
        assert verified.returncode == 0, verified.stdout + verified.stderr  # the new count is a known field of share_closed
        report = subprocess.run([*CLI, "report", str(shared.journal)], env=lab.env(), capture_output=True, text=True, timeout=60, check=False)
        assert report.returncode == 0, report.stderr
        [line] = [line for line in report.stdout.splitlines() if "Share connections" in line]
        assert (
            "1 authenticated, 1 closed before authenticating (after asking to log in), 2 closed without asking to log in"
            " (as join does: it reads the session's SSH version, and on first contact its host key)"
        ) in line, line

    asyncio.run(main())
