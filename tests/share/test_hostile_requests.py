"""A participant with a valid key who misbehaves: sessions held before their hello, requests in a flood, malformed fields.

Each used to cost the assignee: hellos held back passed the limit of 4 sessions (each then got a whole catch-up);
thousands of notes froze the run screen and grew the journal without bound; a lone surrogate in a note killed the
session's listener, so its later requests went unanswered. The server now counts a session when it opens, paces
requests (a burst, then a few a second), bounds their text and refuses a bad field with a reply, and the session goes on.
A real `runbook-tui exec --share` process; the test speaks the wire protocol over real SSH.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path
from typing import Any

import asyncssh
import pytest
from share_peers import HOST, TWO_STEPS, Lab, awaiting, confirm_next, journal_lines, of_type, until

from runbook_tui.report import build_report, render
from runbook_tui.share import protocol
from runbook_tui.share.gate import CONNECTIONS_PER_PARTICIPANT
from runbook_tui.share.pace import NOTE_BURST, REQUEST_BURST, TEXT_MAX
from runbook_tui.share.server import HELLO_SECONDS, REQUEST_LINE, SESSIONS_PER_PARTICIPANT

pytestmark = [pytest.mark.peers, pytest.mark.asyncio]

#: 'one' waits for the verifier's go-ahead: the run stands still while the test sends what it sends.
WAITING = TWO_STEPS.replace("undo: echo undo-one\n", "undo: echo undo-one\n        verify: before\n", 1)


async def _read(process: asyncssh.SSHClientProcess[str]) -> dict[str, Any]:
    return dict(json.loads(await asyncio.wait_for(process.stdout.readline(), 10)))


async def _replies(process: asyncssh.SSHClientProcess[str], count: int) -> list[dict[str, Any]]:
    """The next `count` replies (events in between are skipped)."""
    replies: list[dict[str, Any]] = []
    while len(replies) < count:
        message = await _read(process)
        if message["kind"] == "reply":
            replies.append(message)
    return replies


async def test_sessions_count_from_their_opening_so_hellos_held_back_cannot_pass_the_limit(lab: Lab) -> None:
    bob = lab.key("bob")
    shared = await lab.share(lab.runbook(WAITING), "--verifier-key", f"{bob}.pub")
    await lab.trust(shared.fingerprint, shared.port)
    extra = 3
    async with asyncssh.connect(HOST, shared.port, known_hosts=str(lab.known_hosts), client_keys=[str(bob)], username="runbook") as conn:
        sessions = [await conn.create_process(encoding="utf-8") for _ in range(SESSIONS_PER_PARTICIPANT + extra)]
        first = [await _read(process) for process in sessions]  # every session's first word, before any hello
        kinds = [message["kind"] for message in first]
        assert kinds.count("welcome") == SESSIONS_PER_PARTICIPANT and kinds.count("bye") == extra, kinds
        assert all("already has 4 sessions open" in m["reason"] for m in first if m["kind"] == "bye"), first
        for process, message in zip(sessions, first, strict=True):
            if message["kind"] == "welcome":
                process.stdin.write(json.dumps({"kind": "hello", "since": -1}) + "\n")
        for process in sessions:
            process.close()
    shared.proc.terminate()
    assert await shared.exit_code() != 0
    [closed] = of_type(journal_lines(shared.journal), "share_closed")
    assert closed["refused_sessions"] == extra, closed


async def test_a_session_that_never_says_hello_is_told_bye_and_frees_its_place(lab: Lab) -> None:
    bob = lab.key("bob")
    shared = await lab.share(lab.runbook(WAITING), "--verifier-key", f"{bob}.pub")
    await lab.trust(shared.fingerprint, shared.port)
    async with asyncssh.connect(HOST, shared.port, known_hosts=str(lab.known_hosts), client_keys=[str(bob)], username="runbook") as conn:
        silent = [await conn.create_process(encoding="utf-8") for _ in range(SESSIONS_PER_PARTICIPANT)]
        assert [(await _read(process))["kind"] for process in silent] == ["welcome"] * SESSIONS_PER_PARTICIPANT
        byes = [json.loads(await asyncio.wait_for(process.stdout.readline(), HELLO_SECONDS + 10)) for process in silent]
        assert all(bye == {"kind": "bye", "reason": f"no hello within {HELLO_SECONDS:g} s"} for bye in byes), byes
        late = await conn.create_process(encoding="utf-8")  # their places are free again
        assert (await _read(late))["kind"] == "welcome"
        late.close()
    shared.proc.terminate()
    await shared.exit_code()


async def test_requests_are_paced_bounded_and_a_bad_one_is_refused_while_the_session_goes_on(lab: Lab) -> None:
    bob = lab.key("bob")
    shared = await lab.share(lab.runbook(WAITING), "--verifier-key", f"{bob}.pub")
    await lab.trust(shared.fingerprint, shared.port)
    flood = 3 * REQUEST_BURST
    async with asyncssh.connect(HOST, shared.port, known_hosts=str(lab.known_hosts), client_keys=[str(bob)], username="runbook") as conn:
        process = await conn.create_process(encoding="utf-8")
        assert (await _read(process))["kind"] == "welcome"
        process.stdin.write(json.dumps({"kind": "hello", "since": -1}) + "\n")
        bad = [
            ('{"kind": "intent", "id": "s", "action": "note", "text": "\\ud800"}', "'text' is not valid Unicode"),
            ('{"kind": "intent", "id": "d", "action": "note", "text": {"x": "[b]y[/b]"}}', "'text' must be a string"),
            (json.dumps({"kind": "intent", "id": "l", "action": "note", "text": "x" * (TEXT_MAX + 1)}), f"at most {TEXT_MAX:,}"),
            ('{"kind": "gossip", "id": "k"}', "unknown message kind 'gossip'"),
            ("not json", "not JSON"),
        ]
        process.stdin.write("".join(line + "\n" for line, _ in bad))
        for reply, (_, why) in zip(await _replies(process, len(bad)), bad, strict=True):
            assert not reply["ok"] and why in reply["message"], reply
        process.stdin.write("".join(json.dumps({"kind": "intent", "id": i, "action": "note", "text": f"n{i}"}) + "\n" for i in range(flood)))
        replies = await _replies(process, flood)
        paced = [r for r in replies if not r["ok"] and "more than 20 requests at once" in r["message"]]
        heard = [r for r in replies if r not in paced]
        # the burst less the refused requests above that counted against it (3 of the 5 were intents), give or take
        # what the seconds the test took refilled
        assert REQUEST_BURST - 3 <= len(heard) <= REQUEST_BURST, heard
        assert paced, "the session's pace refused the rest"
        # of the requests heard, the participant's notes past their own pace are refused too, in words (share/pace.py)
        accepted = [r["id"] for r in heard if r["ok"]]
        assert accepted == list(range(NOTE_BURST)), heard
        noted = [r for r in heard if not r["ok"]]
        assert noted and all(r["message"].startswith(f"more than {NOTE_BURST} notes at once") for r in noted), noted[:2]
        refused = paced + noted
        # the pace refills: asked again and again, a request is heard within a second or so (5 a second); a hold, as a
        # note would wait for the note pace (its refusal heard too: unsigned, it is refused for that, not for the pace)
        asked = time.monotonic()
        while True:
            process.stdin.write(json.dumps({"kind": "intent", "id": "later", "action": "hold", "text": "after a pause"}) + "\n")
            [later] = await _replies(process, 1)
            if "more than 20 requests at once" not in later["message"]:
                break
            refused.append(later)
            assert time.monotonic() - asked < 10, f"no request heard again within 10 s: {later}"
        assert "must be signed" in later["message"], later
        process.close()
    shared.proc.terminate()
    await shared.exit_code()
    events = journal_lines(shared.journal)
    notes = [e["text"] for e in of_type(events, "note") if e["actor"] == "bob"]
    assert notes == [f"n{i}" for i in accepted], notes
    said = [e["text"] for e in of_type(events, "note") if e["actor"] == "system" and "notes come faster" in e["text"]]
    assert said == ["bob's notes come faster than 10 a minute: the rest are refused to bob and not journaled (said once)"], said
    [closed] = of_type(events, "share_closed")
    assert closed["refused_requests"] == len(refused), closed  # the unsigned hold is refused by the controller: not counted
    [row] = [line for line in render(build_report(shared.journal), "md").splitlines() if "Share connections" in line]
    assert f"{len(refused)} requests refused (too many too fast)" in row, row


def _rss_mb(pid: int, field: str = "VmRSS") -> float:
    """The process's resident memory now (VmRSS) or at its peak (VmHWM), in MB."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(f"{field}:")) / 1024


async def test_an_observer_who_sends_and_never_reads_is_no_longer_read_and_the_run_goes_on(lab: Lab) -> None:
    """Before: each line was answered with a write never drained, so replies piled up in the assignee's process (64 MiB of
    requests: ~70 MB more RSS, at 100% CPU, for as long as the observer kept sending); now its input stops being read."""
    bob, carol = lab.key("bob"), lab.key("carol")
    shared = await lab.share(lab.runbook(), "--verifier-key", f"{bob}.pub", "--observer-key", f"{carol}.pub")
    await lab.trust(shared.fingerprint, shared.port)
    line = json.dumps({"kind": "x", "id": "i" * 1000}) + "\n"  # refused, and the reply echoes the id
    chunk, limit = line * 1024, 64 * 1024 * 1024
    async with asyncssh.connect(HOST, shared.port, known_hosts=str(lab.known_hosts), client_keys=[str(carol)], username="runbook") as conn:
        process = await conn.create_process(encoding="utf-8")
        assert (await _read(process))["kind"] == "welcome"
        process.stdin.write(json.dumps({"kind": "hello", "since": -1}) + "\n")
        before, taken = _rss_mb(shared.proc.pid), 0
        while taken < limit:  # until the assignee stops taking what carol sends, or it took 64 MiB
            process.stdin.write(chunk)
            try:
                await asyncio.wait_for(process.stdin.drain(), 3)
            except TimeoutError:
                break
            taken += len(chunk)
        grown = _rss_mb(shared.proc.pid) - before
        # what the SSH windows and buffers on both sides hold (8-16 MiB seen), not what carol sends
        assert taken < 32 * 1024 * 1024 and grown < 32, f"the assignee took {taken / 2**20:.0f} MiB of requests nobody read the replies to; RSS +{grown:.0f} MB"
        client = lab.client(bob, shared.port)  # the rest of the session is unaffected: bob's words run it to its end
        follow = asyncio.create_task(client.run())
        try:
            assert [await confirm_next(client), await confirm_next(client)] == ["one", "two"]
            assert await shared.exit_code() == 0, shared.stderr()
        finally:
            follow.cancel()
            await client.close()
    assert "Traceback" not in shared.stderr()


class _Appended:
    """Whether `needle` was appended to the file: each call reads only what came since the last (a flood's journal is large)."""

    def __init__(self, path: Path, needle: bytes) -> None:
        self.path, self.needle, self.at, self.rest = path, needle, 0, b""

    def __call__(self) -> bool:
        with self.path.open("rb") as handle:
            handle.seek(self.at)
            new = handle.read()
        text, self.at = self.rest + new, self.at + len(new)
        self.rest = text[-len(self.needle) :]
        return self.needle in text


#: Step one waits for the test's `gate` file, then prints 40 MB in lines of 8,000 characters.
FLOODING = TWO_STEPS.replace("run: echo one", "run: until [ -e gate ]; do sleep 0.02; done; head -c 40000000 /dev/zero | tr '\\\\0' y | fold -w 8000")


async def test_an_observer_who_reads_nothing_while_a_step_floods_output_is_cut_off_and_held_in_bounded_memory(lab: Lab) -> None:
    """Before: their queue was bounded by its count of events only (20,000, each up to 256 KiB of output), so the assignee
    kept what the step printed for them (100 MB printed: +112 MB RSS), and a participant cut off for being slow was
    closed cleanly, which waits for them to read: they stayed joined, their queue held, for ever."""
    bob, carol = lab.key("bob"), lab.key("carol")
    shared = await lab.share(lab.runbook(FLOODING), "--verifier-key", f"{bob}.pub", "--observer-key", f"{carol}.pub")
    await lab.trust(shared.fingerprint, shared.port)
    async with asyncssh.connect(HOST, shared.port, known_hosts=str(lab.known_hosts), client_keys=[str(carol)], username="runbook") as conn:
        process = await conn.create_process(encoding="utf-8")
        assert (await _read(process))["kind"] == "welcome"
        process.stdin.write(json.dumps({"kind": "hello", "since": -1}) + "\n")  # then reads nothing
        await until(lambda: bool(of_type(journal_lines(shared.journal), "participant_joined")), what="carol joined")
        before = _rss_mb(shared.proc.pid)
        (lab.root / "gate").touch()
        await until(_Appended(shared.journal, b'"type":"participant_left"'), 30, "carol cut off while the step floods output")
        grown = _rss_mb(shared.proc.pid, "VmHWM") - before
        assert grown < 40, f"the assignee's peak RSS grew {grown:.0f} MB for an observer who reads nothing"
    shared.proc.terminate()
    await shared.exit_code()
    assert "Traceback" not in shared.stderr()


async def test_an_observer_holding_connections_open_without_sessions_cannot_keep_the_verifier_out(lab: Lab) -> None:
    """Before: olive's key held 758 authenticated connections that opened no session (each a file descriptor) under a
    limit of 1,024 descriptors, after which every connection was refused before any SSH work, bob's too."""
    bob, olive = lab.key("bob"), lab.key("olive")
    shared = await lab.share(
        lab.runbook(WAITING), "--verifier-key", f"{bob}.pub", "--observer-key", f"{olive}.pub", wrap=("prlimit", "--nofile=1024:1024", "--")
    )
    await lab.trust(shared.fingerprint, shared.port)
    held: list[asyncssh.SSHClientConnection] = []
    refused: list[str] = []
    try:
        for _ in range(CONNECTIONS_PER_PARTICIPANT + 12):
            conn = await asyncssh.connect(HOST, shared.port, known_hosts=str(lab.known_hosts), client_keys=[str(olive)], username="runbook")
            held.append(conn)
            try:
                process = await asyncio.wait_for(conn.create_process(encoding="utf-8"), 10)
                first = await _read(process)
            except (asyncssh.Error, ConnectionError) as exc:  # closed before its session opened (a machine under load)
                first = {"kind": "bye", "reason": f"closed first: {exc!r}"}
            if first["kind"] == "bye":
                refused.append(first["reason"])
                await asyncio.wait_for(conn.wait_closed(), 10)  # then the session closes it
                continue
            assert first["kind"] == "welcome", first
            process.close()  # the session ends; the connection stays open, holding its place
        reason = f"olive already has {CONNECTIONS_PER_PARTICIPANT} connections open to this session"
        assert len(refused) == 12 and reason in refused, refused  # each told why, unless closed before it asked
        # 450 more that never open a session: each is closed a second after it got in (before: all held, over 450 descriptors)
        for _ in range(450):
            held.append(await asyncssh.connect(HOST, shared.port, known_hosts=str(lab.known_hosts), client_keys=[str(olive)], username="runbook"))
        # (their second runs from each one's login: on a quiet machine the 450 came in faster than that, ~390 open at the
        # last one's login; held, they stayed over 450)
        descriptors = lambda: len(os.listdir(f"/proc/{shared.proc.pid}/fd"))  # noqa: E731
        await until(
            lambda: descriptors() < 300, timeout=10, what=f"the connections without a session closed ({descriptors()} descriptors open as the wait began)"
        )
        client = lab.client(bob, shared.port)
        await asyncio.wait_for(client.connect(), 10)  # the verifier gets in
        assert client.role == "verifier"
        await client.close()
        held.pop(0).close()  # a place freed is taken again
        assert await _welcomed_within(lab, shared.port, olive, 10), "olive's connection again once one of hers closed"
    finally:
        for conn in held:
            conn.close()
    shared.proc.terminate()
    await shared.exit_code()
    [closed] = of_type(journal_lines(shared.journal), "share_closed")
    assert closed["refused_sessions"] >= 12 + 450, closed  # and those refused while the freed place was not yet known free


async def _welcomed_within(lab: Lab, port: int, key: Path, seconds: float) -> bool:
    """A new connection with `key` gets a welcome within `seconds` (asked again while it is disconnected)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            async with asyncssh.connect(HOST, port, known_hosts=str(lab.known_hosts), client_keys=[str(key)], username="runbook") as conn:
                process = await asyncio.wait_for(conn.create_process(encoding="utf-8"), 10)
                return (await _read(process))["kind"] == "welcome"
        except (asyncssh.Error, ConnectionError):
            await asyncio.sleep(0.1)
    return False


async def test_a_signed_statement_carrying_fields_no_one_checks_is_refused_before_it_reaches_the_journal(lab: Lab) -> None:
    """Before: a hold signed by bob's own key whose statement held a `junk` field of 1 MB (or a seal with one) was
    accepted, and the statement was journaled as it came: 1 MB in `decision_signed`, past the 16,384 characters a
    request's text may have. (The junk here is 200 KB: a request's line is at most 512 KiB now.)"""
    from runbook_tui.trust import statements
    from runbook_tui.trust.sshsig import file_signer

    bob = lab.key("bob")
    shared = await lab.share(lab.runbook(WAITING), "--verifier-key", f"{bob}.pub")
    await lab.trust(shared.fingerprint, shared.port)
    signer = file_signer(str(bob))
    async with asyncssh.connect(HOST, shared.port, known_hosts=str(lab.known_hosts), client_keys=[str(bob)], username="runbook") as conn:
        process = await conn.create_process(encoding="utf-8", window=16 * 1024 * 1024)
        session = (await _read(process))["session"]
        process.stdin.write(json.dumps({"kind": "hello", "since": -1}) + "\n")

        async def signed(statement: dict[str, Any]) -> dict[str, Any]:
            return {"statement": statement, "signature": await signer.sign(statements.encode(statement))}

        hold = statements.decision(session, "hold", "bob", step="one", attempt=0, phase="", shown="", reason="wait")
        junk = {"kind": "seal", "session": session, "by": "bob", "seq": 0, "head": "0" * 64, "junk": "x" * 200_000}
        requests = [
            (
                {"id": 1, "action": "hold", "text": "wait", "signed": await signed(hold | {"junk": "x" * 200_000})},
                "holds fields a 'decision' statement has not: junk",
            ),
            ({"id": 2, "action": "seal", "signed": await signed(junk)}, "holds fields a 'seal' statement has not: junk"),
            ({"id": 3, "action": "hold", "text": "wait", "signed": {**await signed(hold), "signature": "x" * 20_000}}, "the signature has 20,000 characters"),
            ({"id": 4, "action": "hold", "text": "wait", "signed": await signed(hold)}, ""),
        ]
        process.stdin.write("".join(json.dumps({"kind": "intent", **request}) + "\n" for request, _ in requests))
        replies = await _replies(process, len(requests))
        for reply, (_request, why) in zip(replies, requests[:3], strict=False):
            assert not reply["ok"] and reply["message"].startswith("refused: ") and why in reply["message"], reply
        assert replies[3]["ok"], replies[3]  # the session goes on: a hold as the client signs it is taken
    shared.proc.terminate()
    await shared.exit_code()
    assert shared.journal.stat().st_size < 64 * 1024, shared.journal.stat().st_size
    [signed_hold] = of_type(journal_lines(shared.journal), "decision_signed")
    assert set(signed_hold["statement"]) == set(hold), signed_hold


async def test_a_terminal_or_the_clients_agent_is_refused_and_the_session_still_works(lab: Lab) -> None:
    """Nothing in a share needs a terminal or the client's agent: asyncssh's server granted both by default (a pty, and
    an agent channel a hostile server could have used the other way round). Now the pty request fails, and a session
    with agent forwarding asked gets no agent, yet its welcome."""
    bob = lab.key("bob")
    shared = await lab.share(lab.runbook(WAITING), "--verifier-key", f"{bob}.pub")
    await lab.trust(shared.fingerprint, shared.port)
    connect = {"known_hosts": str(lab.known_hosts), "client_keys": [str(bob)], "username": "runbook"}
    async with asyncssh.connect(HOST, shared.port, agent_forwarding=True, **connect) as conn:
        with pytest.raises(asyncssh.ChannelOpenError, match=r"(?i)pty"):
            await conn.create_process(encoding="utf-8", term_type="xterm")
        plain = await conn.create_process(encoding="utf-8")
        assert (await _read(plain))["kind"] == "welcome"
        plain.close()
    shared.proc.terminate()
    assert await shared.exit_code() != 0


async def test_a_confirmation_sent_twice_is_refused_the_second_time_for_the_step_that_moved_on(lab: Lab) -> None:
    """Before: the second of two confirmations of 'one' (c pressed twice, or sent again after a reconnect) was checked
    against the signature first, and refused with "what you signed says attempt 1, the session has 2", which tells a
    verifier nothing; now it is refused as the controller refuses it: the run is at 'two'."""
    bob = lab.key("bob")
    shared = await lab.share(lab.runbook(TWO_STEPS), "--verifier-key", f"{bob}.pub", env={"SSH_AUTH_SOCK": ""})
    await lab.trust(shared.fingerprint, shared.port)
    client = lab.client(bob, shared.port)
    running = asyncio.create_task(client.run())
    try:
        await until(lambda: awaiting(client) == "one", 20, "'one' waiting for bob")
        assert client.trust is not None and client._process is not None
        signed = await client.trust.sign_decision(client.state, "confirm", "one", "")
        waiting = []
        for request in (101, 102):  # both signed as the screen showed 'one', sent in one write
            waiting.append(asyncio.get_running_loop().create_future())
            client._waiting[request] = waiting[-1]
        client._process.stdin.write(
            "".join(
                protocol.encode({"kind": "intent", "id": request, "action": "confirm", "text": "", "step": "one", "signed": signed}) for request in (101, 102)
            )
        )
        first, second = await asyncio.wait_for(asyncio.gather(*waiting), 20)
        assert (first.ok, first.message) == (True, "confirmed 'one'")
        assert (second.ok, second.message) == (
            False,
            "you acted on 'one', but you had confirmed it already; the run is now at 'two': look at it, then decide again",
        )
    finally:
        running.cancel()
        await client.close()
    confirmed = [(e["step"], e["actor"]) for e in of_type(journal_lines(shared.journal), "step_confirmed")]
    assert confirmed == [("one", "bob")], confirmed


async def test_a_request_line_longer_than_any_request_ends_that_session_unparsed_and_the_others_go_on(lab: Lab) -> None:
    """Before: a participant's line was read up to 8 MiB, parsed on the assignee's event loop (a quarter of a second for
    one of a million small objects, the run's screen and steps waiting meanwhile) and answered with its `id` echoed back,
    8 MB again; an observer could send them in a loop. Now a line longer than any request ends that session, told why."""
    bob, carol = lab.key("bob"), lab.key("carol")
    shared = await lab.share(lab.runbook(WAITING), "--verifier-key", f"{bob}.pub", "--observer-key", f"{carol}.pub")
    await lab.trust(shared.fingerprint, shared.port)
    client = lab.client(bob, shared.port)
    running = asyncio.create_task(client.run())
    try:
        await until(lambda: client.connected and client.state.seq >= 0, 20, "bob joined")
        async with asyncssh.connect(HOST, shared.port, known_hosts=str(lab.known_hosts), client_keys=[str(carol)], username="runbook") as conn:
            process = await conn.create_process(encoding="utf-8", window=16 * 1024 * 1024)
            assert (await _read(process))["kind"] == "welcome"
            process.stdin.write(json.dumps({"kind": "hello", "since": 1_000_000}) + "\n")
            process.stdin.write('{"kind": "intent", "action": "note", "id": [' + ",".join(['{"a": 1}'] * 200_000) + "]}\n")
            said = []
            while line := await asyncio.wait_for(process.stdout.readline(), 20):
                said.append(json.loads(line))
        assert [message["kind"] for message in said if message["kind"] != "event"] == ["bye"], [m for m in said if m["kind"] != "event"][:1]
        why = f"refused: a message of over {REQUEST_LINE} characters without its end: no request is that long; this session ends"
        assert said[-1]["reason"] == why, said[-1]
        reply = await client.send("note", "still heard")
        assert reply.ok, reply.message
    finally:
        running.cancel()
        await client.close()


async def test_notes_at_five_a_second_are_bounded_and_the_flood_is_said_once(lab: Lab) -> None:
    """The session's pace lets a client send a note every 0.2 s for ever: before, each was journaled and was a line on the
    assignee's screen (exec's stdout here): 18,000 an hour, the run's own lines scrolled away. Now NOTE_BURST are
    journaled, then 10 a minute; the sender is told each refusal and when the next is taken; everyone is told once."""
    bob = lab.key("bob")
    shared = await lab.share(lab.runbook(WAITING), "--verifier-key", f"{bob}.pub")
    await lab.trust(shared.fingerprint, shared.port)
    sent = 2 * NOTE_BURST + 5
    hostile = "[bold]x[/] \x1b]0;t\x07"
    async with asyncssh.connect(HOST, shared.port, known_hosts=str(lab.known_hosts), client_keys=[str(bob)], username="runbook") as conn:
        process = await conn.create_process(encoding="utf-8")
        assert (await _read(process))["kind"] == "welcome"
        process.stdin.write(json.dumps({"kind": "hello", "since": -1}) + "\n")
        replies = []
        for i in range(sent):  # the pace of the scenario (5 a second), not a wait for anything
            process.stdin.write(json.dumps({"kind": "intent", "id": i, "action": "note", "text": f"n{i} {hostile}"}) + "\n")
            replies += await _replies(process, 1)
            await asyncio.sleep(0.2)
        process.close()
    assert not [r for r in replies if "requests at once" in r["message"]], "5 a second is within the session's pace"
    accepted = [r["id"] for r in replies if r["ok"]]
    assert accepted[:NOTE_BURST] == list(range(NOTE_BURST)) and len(accepted) <= NOTE_BURST + 2, accepted  # 10 a minute refill
    refusal = next(r["message"] for r in replies if not r["ok"])
    assert refusal.startswith(f"more than {NOTE_BURST} notes at once, or 10 a minute: this one was not added; the next is taken in "), refusal
    await shared.wait_for_output(r"notes come faster than 10 a minute")
    shared.proc.terminate()
    await shared.exit_code()
    events = journal_lines(shared.journal)
    assert [e["text"] for e in of_type(events, "note") if e["actor"] == "bob"] == [f"n{i} {hostile}" for i in accepted]
    said = [e for e in of_type(events, "note") if e["actor"] == "system" and "notes come faster" in e["text"]]
    assert len(said) == 1, said
    screen = shared.stdout()
    assert screen.count("note by bob") == len(accepted), screen
    assert screen.count("bob's notes come faster than 10 a minute: the rest are refused to bob and not journaled (said once)") == 1, screen
    assert "\x1b]0;t" not in screen, "a participant's escape never reaches the assignee's terminal"
    [closed] = of_type(events, "share_closed")
    assert closed["refused_requests"] == sent - len(accepted), closed
