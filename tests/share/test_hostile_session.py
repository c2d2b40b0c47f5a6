"""`join` to a session that is not what it says: a fake assignee server that answers with anything but a welcome, says
`bye`, or sends a reply or an event this program never writes (its hash chain recomputed, so only its shape is wrong).

Before: a first line that was not JSON (or a `bye`, read as a welcome: "joined as None None") ended `join` with a
traceback; a reply whose `id` was text, an event that was a number, or a step the plan does not have raised out of
the verifier's reader, which stopped for good while the screen still said connected. The server here is a real
asyncssh server on loopback; the verifier is a real `runbook-tui join` on a terminal, or `ShareClient`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncssh
import pytest
from share_peers import CLI, HOST, TWO_STEPS, Lab, journal_lines, until

from runbook_tui.engine.journal import read_events
from runbook_tui.share import client as client_module
from runbook_tui.share.client import Endpoint, NeverWritten, ShareClient, trust, words

pytestmark = [pytest.mark.peers, pytest.mark.asyncio]

WELCOME = json.dumps({"kind": "welcome", "name": "bob", "role": "verifier", "session": "s1", "key": "SHA256:x"})


class _Anyone(asyncssh.SSHServer):
    def begin_auth(self, username: str) -> bool:
        return True

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        return True


class FakeSession:
    """An asyncssh server that lets any key in and writes `script` on each session, then keeps what the client sends
    (`heard`, each line parsed), answering each intent that it was taken, until the client goes."""

    def __init__(self, script: Sequence[str]) -> None:
        self.script = list(script)
        self.sessions = 0
        self.heard: list[dict[str, Any]] = []
        self.answer = "taken"  # the message of each reply (ok)

    async def session(self, process: asyncssh.SSHServerProcess[str]) -> None:
        self.sessions += 1
        process.stdout.write("".join(line + "\n" for line in self.script))
        try:
            while line := await process.stdin.readline():
                message = json.loads(line)
                self.heard.append(message)
                if message.get("kind") == "intent":
                    process.stdout.write(json.dumps({"kind": "reply", "id": message["id"], "ok": True, "message": self.answer}) + "\n")
        except (asyncssh.Error, OSError):
            pass
        process.exit(0)


@asynccontextmanager
async def fake_session(lab: Lab, script: Sequence[str]) -> Any:
    """A fake session listening on loopback, its host key trusted in the lab's known_hosts: (server, port)."""
    fake = FakeSession(script)
    host_key = asyncssh.generate_private_key("ssh-ed25519")
    server = await asyncssh.create_server(_Anyone, HOST, 0, server_host_keys=[host_key], process_factory=fake.session, encoding="utf-8")
    port = int(server.sockets[0].getsockname()[1])
    trust(str(lab.known_hosts), HOST, port, host_key)
    try:
        yield fake, port
    finally:
        server.close()
        await server.wait_closed()


def chained(events: list[dict[str, Any]]) -> Iterator[str]:
    """Each event as an event message, every hash and prev recomputed (what a hostile assignee can always do)."""
    prev = ""
    for event in events:
        event = {k: v for k, v in event.items() if k != "hash"} | {"prev": prev}
        body = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        event["hash"] = prev = hashlib.sha256(body.encode()).hexdigest()
        yield json.dumps({"kind": "event", "event": event}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def a_real_run(lab: Lab, runbook: str = TWO_STEPS) -> list[dict[str, Any]]:
    """The events of a real solo run of `runbook`, as its journal holds them."""
    journal = lab.root / "real.jsonl"
    done = subprocess.run(
        [*CLI, "exec", str(lab.runbook(runbook)), "--solo", "practice", "--journal", str(journal)],
        cwd=lab.root, env=lab.env(), capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return list(read_events(journal).events)


@pytest.mark.parametrize(
    ("first", "said"),
    [
        ("not json", "cannot join 127.0.0.1:{port}: not JSON"),
        (
            json.dumps({"kind": "bye", "reason": "bob already has 4 sessions open \x1b]0;pwned\x07"}),
            "the session said: bob already has 4 sessions open ␛]0;pwned␇",
        ),
        (WELCOME.replace('"verifier"', '"assignee"'), "the session's welcome names the role 'assignee'; expected verifier or observer"),
        (WELCOME.replace('"bob"', '{"a": 1}'), "the session's first message is not a welcome with text name, role, session and key"),
        ("", "cannot join 127.0.0.1:{port}: not JSON"),  # an empty line
    ],
    ids=["not-json", "bye", "role-assignee", "name-object", "empty-line"],
)
async def test_join_to_a_session_whose_first_message_is_not_a_welcome_exits_2_with_why(lab: Lab, first: str, said: str) -> None:
    bob = lab.key("bob")
    async with fake_session(lab, [first]) as (_fake, port):
        joined = await asyncio.to_thread(lab.join, f"{HOST}:{port}", "--identity", str(bob), terminal=True, timeout=30)
    said = said.format(port=port)
    assert joined.returncode == 2, (joined.returncode, joined.stderr[-2000:])
    assert "Traceback" not in joined.stderr, joined.stderr[-2000:]
    assert said in joined.stderr and "\x1b" not in joined.stderr, joined.stderr


def _ghost_script(lab: Lab) -> list[str]:
    """A welcome, the first 3 events of a real run, two replies with ids no request has, then a `step_finished` of a
    step the plan does not have: the chain recomputed, so only its shape is wrong."""
    real = a_real_run(lab)[:3]
    ghost = {"seq": 3, "ts": real[0]["ts"], "type": "step_finished", "actor": "system", "step": "ghost", "status": "done"}
    *good, bad = chained([*real, ghost])
    replies = [json.dumps({"kind": "reply", "id": request, "ok": True, "message": "m"}) for request in ("not-a-number", [1], 1.5)]
    return [WELCOME, *good, *replies, bad]


GHOST = "the session sent an event this program never writes: event 3: step_finished: step 'ghost' is not a step of the plan"


async def test_an_event_this_program_never_writes_ends_the_join_with_why_after_what_came_before(lab: Lab) -> None:
    bob = lab.key("bob")
    async with fake_session(lab, _ghost_script(lab)) as (fake, port):
        client = ShareClient(Endpoint(HOST, port, str(lab.known_hosts), str(bob), False, None), reconnect_delays=(0.2,))
        with pytest.raises(NeverWritten, match=GHOST):  # before: a ValueError from the replies' ids, the reader gone unseen
            await asyncio.wait_for(client.run(), 20)
        assert client.state.seq == 2, client.state.seq  # the good events shown, the ghost not
        assert not client.connected and fake.sessions == 1
        await client.close()


async def test_join_on_a_terminal_leaves_a_session_that_sends_an_event_this_program_never_writes(lab: Lab) -> None:
    bob = lab.key("bob")
    async with fake_session(lab, _ghost_script(lab)) as (_fake, port):
        joined = await asyncio.to_thread(lab.join, f"{HOST}:{port}", "--identity", str(bob), terminal=True, timeout=30)
    assert joined.returncode == 2, (joined.returncode, joined.stderr[-2000:])
    assert f"runbook-tui: left the session at {HOST}:{port}: {GHOST}" in joined.stderr, joined.stderr[-2000:]
    assert "Traceback" not in joined.stderr


@pytest.mark.parametrize("event", [5, None], ids=["a-number", "none"])
async def test_an_event_that_is_not_an_object_ends_the_join(lab: Lab, event: object) -> None:
    bob = lab.key("bob")
    message = {"kind": "event"} | ({} if event is None else {"event": event})
    async with fake_session(lab, [WELCOME, json.dumps(message)]) as (_fake, port):
        client = ShareClient(Endpoint(HOST, port, str(lab.known_hosts), str(bob), False, None), reconnect_delays=(0.2,))
        with pytest.raises(NeverWritten, match="the session sent an event that is not a JSON object"):  # before: AttributeError
            await asyncio.wait_for(client.run(), 20)
        await client.close()


async def test_a_bye_mid_stream_is_said_once_and_the_client_rejoins(lab: Lab) -> None:
    bob = lab.key("bob")
    why = "connection lost (the session said: cut off: too slow); reconnecting"
    async with fake_session(lab, [WELCOME, json.dumps({"kind": "bye", "reason": "cut off: too slow"})]) as (fake, port):
        client = ShareClient(Endpoint(HOST, port, str(lab.known_hosts), str(bob), False, None), reconnect_delays=(0.2,))
        said: list[str] = []
        client.on_status(said.append)
        running = asyncio.create_task(client.run())
        try:
            await until(lambda: why in said, 15, f"{why!r} said")
            await until(lambda: fake.sessions >= 2, 15, "a rejoin")
            assert not running.done(), running
        finally:
            running.cancel()
            await client.close()


async def test_a_session_that_lets_the_key_in_and_never_welcomes_is_not_waited_on_for_ever(lab: Lab, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: `join` to a session that authenticated the key, opened the session channel and never wrote its welcome
    waited for ever, saying nothing (checked by hand: still silent after 40 s)."""
    monkeypatch.setattr(client_module, "CONNECT_SECONDS", 1.0)
    bob = lab.key("bob")
    async with fake_session(lab, []) as (fake, port):
        client = ShareClient(Endpoint(HOST, port, str(lab.known_hosts), str(bob), False, None))
        started = asyncio.get_running_loop().time()
        with pytest.raises(TimeoutError) as raised:
            await asyncio.wait_for(client.connect(), 10)
        assert asyncio.get_running_loop().time() - started < 5 and fake.sessions == 1
        assert words(raised.value).startswith("no answer within 1 s (the assignee's process may be stopped or hung"), words(raised.value)
        await client.close()


@pytest.mark.parametrize("session", ["s" * 300, "é" * 200], ids=["300-characters", "400-bytes"])
async def test_a_session_id_too_long_for_a_file_name_still_keeps_the_copy_and_the_join_follows(lab: Lab, session: str) -> None:
    """The verifier keeps a copy of the events received in a file named after the session and their name, both from the
    session's welcome. Before: a session id too long for a file name (the assignee's process chooses it) made each
    write of the copy fail, read as a lost connection: join rejoined and lost it again every few seconds, the screen
    never past the first events, and leaving raised the same OSError. Now the name is cut and a hash of the whole added."""
    bob = lab.key("bob")
    real = a_real_run(lab)
    welcome = json.dumps({"kind": "welcome", "name": "bob", "role": "verifier", "session": session, "key": "SHA256:x"})
    copies = lab.root / "received"
    async with fake_session(lab, [welcome, *chained(real)]) as (fake, port):
        client = ShareClient(Endpoint(HOST, port, str(lab.known_hosts), str(bob), False, str(copies)), reconnect_delays=(0.2,))
        said: list[str] = []
        client.on_status(said.append)
        running = asyncio.create_task(client.run())
        try:
            await until(lambda: client.state.seq == len(real) - 1, 20, f"the replica at event {len(real) - 1} (at {client.state.seq}; said {said})")
        finally:
            running.cancel()
            await client.close()
        assert said == ["joined as verifier bob"] and fake.sessions == 1, said
    [copy] = copies.iterdir()
    assert len(copy.name.encode()) <= 255 and copy.suffix == ".jsonl", copy.name
    assert [json.loads(line)["seq"] for line in copy.read_text(encoding="utf-8").splitlines()] == list(range(len(real)))


async def test_a_copy_that_cannot_be_written_is_said_once_and_the_join_follows_the_run(lab: Lab) -> None:
    """Before: a folder for the copy that could not be made (here a file stands where it goes; a full disk alike) raised
    out of the read of the session: taken for a lost connection, join rejoined and failed again every few seconds."""
    bob = lab.key("bob")
    real = a_real_run(lab)
    (lab.root / "blocked").write_text("a file, not a folder\n")
    async with fake_session(lab, [WELCOME, *chained(real)]) as (fake, port):
        client = ShareClient(Endpoint(HOST, port, str(lab.known_hosts), str(bob), False, str(lab.root / "blocked" / "received")), reconnect_delays=(0.2,))
        said: list[str] = []
        client.on_status(said.append)
        running = asyncio.create_task(client.run())
        try:
            await until(lambda: client.state.seq == len(real) - 1, 20, f"the replica at event {len(real) - 1} (at {client.state.seq}; said {said})")
        finally:
            running.cancel()
            await client.close()  # before: raised the OSError again
    assert fake.sessions == 1 and said[0] == "joined as verifier bob" and len(said) == 2, said
    assert said[1].startswith("WARNING: your own copy of the events received cannot be kept (") and "Not a directory" in said[1], said
    assert said[1].endswith("): the run is shown and checked, not written"), said


#: What a hostile session puts in a reply or a bye: a terminal title, a screen clear, colour, markup, a bidi override,
#: line breaks, and length.
HOSTILE_WORDS = "\x1b]0;PWNED\x07\x1b]52;c;ZWNobyBwd25lZA==\x07\x1b[2J\x1b[31m[bold red]markup[/] \u202eevil\r\nsecond line " + "W" * 100_000


async def test_a_reply_or_bye_from_the_session_reaches_the_screen_as_visible_text_on_one_line(lab: Lab) -> None:
    """Before: a reply's message went to the verifier's screen as the session wrote it (a toast, markup off, escapes
    not): on a terminal, `join` set the pane's title to PWNED and could have written the verifier's clipboard (OSC 52)
    before their next paste. Now replies and everything the client says are shown as visible text on one line, cut."""
    bob = lab.key("bob")
    script = [WELCOME, *chained(a_real_run(lab)[:3])]
    async with fake_session(lab, script) as (fake, port):
        fake.answer = HOSTILE_WORDS  # each intent is answered with it
        client = ShareClient(Endpoint(HOST, port, str(lab.known_hosts), str(bob), False, None), reconnect_delays=(0.2,))
        said: list[str] = []
        client.on_status(said.append)
        running = asyncio.create_task(client.run())
        try:
            await until(lambda: client.state.seq == 2, 20, "the replica at event 2")
            reply = await asyncio.wait_for(client.send("note", "hello"), 20)
            fake.script = [WELCOME, json.dumps({"kind": "bye", "reason": HOSTILE_WORDS})]
            running.cancel()
            await client.close()
            running = asyncio.create_task(client.run())  # rejoins: told bye with those words
            await until(lambda: any("the session said" in line for line in said), 20, f"the bye said (said {said})")
        finally:
            running.cancel()
            await client.close()
    for shown in [reply.message, *said]:
        assert not any(c in shown for c in "\x1b\x07\r\n\u202e"), shown[:300]
        assert len(shown) <= 700, len(shown)
    assert reply.message.startswith("␛]0;PWNED␇␛]52;c;ZWNobyBwd25lZA==␇␛[2J␛[31m[bold red]markup[/] ⟨U+202E⟩evil"), reply.message[:200]
    assert reply.message.endswith("W…"), reply.message[-20:]


async def test_a_request_whose_reply_the_drop_cut_off_may_have_been_taken_and_says_so(lab: Lab) -> None:
    """Before: 'the connection dropped before the session answered; try again', about a note the session had journaled:
    bob, told to try again (his words kept for n), sent it again, and the log held it twice."""
    bob = lab.key("bob")
    shared = await lab.share(lab.runbook(TWO_STEPS), "--verifier-key", f"{bob}.pub")
    await lab.trust(shared.fingerprint, shared.port)
    client = ShareClient(Endpoint(HOST, shared.port, str(lab.known_hosts), str(bob), False, None))
    await client.connect()  # nothing reads its replies: the one to this note never arrives
    sending = asyncio.create_task(client.send("note", "db2 lag looks odd"))
    taken = lambda: [e["text"] for e in journal_lines(shared.journal) if e["type"] == "note" and e["actor"] == "bob"]  # noqa: E731
    await until(lambda: taken() == ["db2 lag looks odd"], what="the note journaled")
    await client.close()  # the link drops before the reply is read
    reply = await asyncio.wait_for(sending, 10)
    assert not reply.ok and reply.message == (
        "the connection dropped before the session answered: it may have been taken, as the log shows once the link is back"
    ), reply
    shared.proc.terminate()
    await shared.exit_code()
