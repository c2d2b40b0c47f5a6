"""The session server: an asyncssh server inside the assignee's process.

Only the keys named on the command line (or in a participants file) get
in; passwords and keyboard-interactive logins are refused outright, and
connections that have not authenticated are bounded (share/admission.py).
Each participant receives every journal event from where they left off
(catch-up after a dropped connection, streamed from the journal file), then
live. Their intents go to the controller
under their own name and role, and the controller decides; the server only
relays.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import socket
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import asyncssh

from runbook_tui.engine.controller import Actor, Controller, Reply
from runbook_tui.engine.events import JOIN_REFUSED, SHARE_CLOSED, SHARE_REFUSING, SYSTEM, Event
from runbook_tui.engine.files import private_folder
from runbook_tui.engine.journal import JournalError, JournalScan
from runbook_tui.engine.state import RunState
from runbook_tui.runbook.safe_text import visible_line
from runbook_tui.share import protocol
from runbook_tui.share.admission import (
    LOGIN_TIMEOUT,
    TOTAL,
    Admission,
    KeyRefusals,
    quiet_accept_errors,
)
from runbook_tui.share.gate import Gate
from runbook_tui.share.pace import REQUEST_BURST, REQUESTS_PER_SECOND, NotePace, Pace, text_field
from runbook_tui.share.participants import Participant
from runbook_tui.share.presence import Presence
from runbook_tui.trust.gate import SignedIntents, dispatch_signed

log = logging.getLogger(__name__)

#: Events, and characters of their text, queued for one slow participant before they are disconnected (they catch up
#: from the journal file on reconnect): a step flooding output must not pile up in the assignee's memory for a
#: participant who reads nothing.
QUEUE_LIMIT = 20_000
QUEUE_CHARS = 8 * 1024 * 1024
#: Sessions one participant may have open at once (more are told `bye`), counted from the moment a session opens.
SESSIONS_PER_PARTICIPANT = 4
#: Seconds a session has to say hello once welcomed (then it is told `bye`).
HELLO_SECONDS = LOGIN_TIMEOUT
#: Bytes of catch-up written before waiting for the participant to take them.
CATCH_UP_CHUNK = 256 * 1024
#: Bytes of the catch-up's first write, each next one twice the last up to CATCH_UP_CHUNK: a write is one SSH packet,
#: decrypted only once whole, and at ~1.3 KB/s a first one of 256 KiB kept the verifier's screen empty for over three
#: minutes. Seven writes more for a fast link's catch-up (its bulk still goes in 256 KiB ones).
CATCH_UP_FIRST = 4 * 1024
#: Live events sent in one write at most (those that queued up while the last write drained), and their characters
#: (CATCH_UP_CHUNK, past the first event).
LIVE_BATCH = 512
#: Characters of a participant's requests read at once, and requests answered in one write: each write is drained
#: before more is read, so a participant who takes no replies stops being read (its SSH window closes) instead of
#: piling replies up in the assignee's memory, and the event loop is given back between writes.
REQUEST_READ = 64 * 1024
ANSWER_BATCH = 64
#: Characters of a request at most (text, signed statement and signature: under 200 KiB); a longer line ends the session,
#: told why, before it is all held or parsed (before: 8 MiB parsed on the run's event loop, 1/4 s, its `id` echoed back).
REQUEST_LINE = 512 * 1024


def parse_address(address: str, default_host: str = "127.0.0.1", *, given: str = "--share") -> tuple[str, int]:
    """`HOST:PORT`, `:PORT` (all interfaces) or `PORT` (loopback); `given`: where the address was given, for the error."""
    host, sep, port = address.rpartition(":")
    if not sep:
        host, port = default_host, address
    elif host == "":
        host = "0.0.0.0"
    if ":" in host and not (host.startswith("[") and host.endswith("]")):  # `::1`, `fe80::1:2222`: which part is the port?
        raise ValueError(f"{given} {address}: an IPv6 address goes in brackets, before the port: [::1]:2222; expected HOST:PORT, :PORT or PORT")
    try:
        number = int(port)
    except ValueError:
        raise ValueError(f"{given} {address}: expected HOST:PORT, :PORT or PORT") from None
    if not 0 < number < 65536:
        raise ValueError(f"{given} {address}: expected a port from 1 to 65535")
    return host.strip("[]"), number


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound and listening at HOST:PORT now, before the session journals anything: a port in use or a host
    that does not resolve stops the run before it starts, with a plain message (OSError), not after its first events."""
    family, kind, proto, _name, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as asyncssh's own listener: a restart within TIME_WAIT binds
        sock.bind(address)
        sock.listen(TOTAL)
    except OSError:
        sock.close()
        raise
    return sock


def load_or_create_host_key(path: Path) -> asyncssh.SSHKey:
    """The session's host key, kept in the state folder so verifiers can trust it across runs.

    Created 0600 at open() (O_EXCL, never through a symlink), in a 0700 folder: no moment when
    another user could read it.
    """
    if path.exists():
        return asyncssh.read_private_key(str(path))
    private_folder(path.parent)
    key = asyncssh.generate_private_key("ssh-ed25519", comment="runbook-tui session")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key.export_private_key())
    return key


def _weight(event: Event) -> int:
    """About how many characters an event holds (its text fields; a few hundred for the rest)."""
    return 256 + sum(len(value) for value in event.values() if isinstance(value, str))


class _Outbox(asyncio.Queue[Event]):
    """The events waiting to be sent to one participant: at most QUEUE_LIMIT of them, QUEUE_CHARS characters in all."""

    def __init__(self) -> None:
        super().__init__(QUEUE_LIMIT)
        self.chars = 0

    def full(self) -> bool:
        return super().full() or self.chars >= QUEUE_CHARS

    def _put(self, item: Event) -> None:
        self.chars += _weight(item)
        super()._put(item)

    def _get(self) -> Event:
        item = super()._get()
        self.chars -= _weight(item)
        return item


class ShareServer:
    """Relays a controller's events to participants and their intents back to it."""

    def __init__(self, controller: Controller, participants: Iterable[Participant], host_key: asyncssh.SSHKey) -> None:
        self.controller = controller
        self.participants = {p.fingerprint: p for p in participants}
        self.host_key = host_key
        self.admission = Admission()
        self.key_refusals = KeyRefusals()
        self.presence = Presence(controller)
        self.notes = NotePace(controller, self.admission.counts)
        #: Why the assignee's decisions go unsigned, as their screen says it (empty: signed): each welcome says it too.
        self.unsigned = ""
        self._queues: dict[_Outbox, asyncssh.SSHServerProcess[str]] = {}
        self._open: dict[str, int] = {}  # sessions open per participant, hello or not
        self.connections: Counter[str] = Counter()  # authenticated connections open per participant's key
        self._server: asyncssh.SSHAcceptor | None = None
        self._undo_quiet: Callable[[], None] | None = None
        self.address: tuple[str, int] = ("127.0.0.1", 0)  # where start() listens
        self.socket: socket.socket | None = None  # already listening there (`listening_socket`): start() serves it
        self.keepalive: tuple[float, int] = protocol.KEEPALIVE  # a participant whose link died silently leaves
        controller.subscribe(self._on_event)
        # Decisions and seals: each signature checked before journaling; on resume it reads what was shown before.
        self.signed = SignedIntents(controller, JournalScan(controller.journal.path))

    @property
    def fingerprint(self) -> str:
        return self.host_key.get_fingerprint()

    async def start(self, host: str, port: int) -> int:
        """Listen; returns the port (useful when 0 asked for a free one)."""
        interval, count = self.keepalive
        self._undo_quiet = quiet_accept_errors(asyncio.get_running_loop(), self.admission.logger)
        where: dict[str, Any] = {"sock": self.socket} if self.socket is not None else {"host": host, "port": port}
        self._server = await asyncssh.create_server(
            lambda: Gate(self), **where, server_host_keys=[self.host_key], encoding="utf-8",
            keepalive_interval=interval, keepalive_count_max=count, login_timeout=LOGIN_TIMEOUT, backlog=TOTAL,
            agent_forwarding=False, allow_pty=False,  # nothing here needs a client's agent or a terminal
            compression_algs=protocol.COMPRESSION,
        )  # fmt: skip
        return int(self._server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        """Stop listening, drop everyone, and journal what the server counted (never each attempt)."""
        if self._server is None:
            return
        self._server.close()
        farewell = _farewell(self.controller.state, self.controller.fatal)
        with contextlib.suppress(JournalError):
            self.controller.journal.flush()
        durable = self.controller.journal.durable_seq
        for queue, process in list(self._queues.items()):
            # What is still queued goes first (what the journal holds), then why the link ends (a run not finished: the
            # screen said only `NOT CONNECTED (the assignee's program stopped, or the network)` when alice had quit at her keys).
            left = [event for event in (queue.get_nowait() for _ in range(queue.qsize())) if event["seq"] <= durable]
            with contextlib.suppress(Exception):
                process.stdout.write("".join(map(protocol.event, left)) + (protocol.encode({"kind": "bye", "reason": farewell}) if farewell else ""))
            process.close()
        await self._server.wait_closed()
        self._server = None
        if self._undo_quiet is not None:
            self._undo_quiet()
        with contextlib.suppress(JournalError):
            self.presence.close(journal=not self.controller.fatal)  # who was still connected leaves: the server dropped them
            if not self.controller.fatal:
                self.controller.emit(SHARE_CLOSED, SYSTEM, **self.admission.summary(), presence_unjournaled=self.presence.unjournaled())

    def say_refusals(self) -> None:
        """Journal (and so show the assignee) that connections are being refused: the first at once, then once a minute."""
        notice = self.admission.refusal_notice()
        if notice is not None and not self.controller.fatal:
            with contextlib.suppress(JournalError):
                self.controller.emit(SHARE_REFUSING, SYSTEM, **notice)

    def say_refused_keys(self, offered: dict[str, str], user: str, address: str) -> None:
        """Journal (and so show everyone) a connection that ended without getting in after offering keys that are not
        participants': each key once a session, KEYS_NAMED in all (`KeyRefusals`)."""
        notice = self.key_refusals.notice(offered, user, address)
        if notice is not None and not self.controller.fatal:
            with contextlib.suppress(JournalError):
                self.controller.emit(JOIN_REFUSED, SYSTEM, **notice)

    def _on_event(self, event: Event, state: RunState) -> None:
        for queue, process in list(self._queues.items()):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                del self._queues[queue]
                # Too slow: cut off at once (a close would wait for them to take what was sent, which may be never);
                # they catch up from their last whole event, from the journal file, when they reconnect.
                process.channel.abort()

    async def _session(self, process: asyncssh.SSHServerProcess[str]) -> None:
        gate: Gate = process.get_extra_info("connection").get_owner()
        participant = gate.participant
        assert participant is not None  # a session opens only on a connection logged in with a participant's key
        actor = Actor(participant.name, participant.role)
        queue = _Outbox()
        arrived = False
        if gate.over:
            _bye(process, gate.over)
            process.exit(0)
            return
        if process.command is not None:  # `ssh -p PORT runbook@HOST CMD`: nothing runs here (before: CMD was not said, JSON came)
            _bye(process, f"this session runs no command ({visible_line(process.command)[:200]!r} was not run): join it with runbook-tui join")
            process.exit(0)
            return
        if self._open.get(actor.name, 0) >= SESSIONS_PER_PARTICIPANT:
            self.admission.counts["refused_sessions"] += 1
            _bye(process, f"{actor.name} already has {SESSIONS_PER_PARTICIPANT} sessions open")
            process.exit(0)  # closed, not left open: each would hold what was written to it (before: without end)
            return
        self._open[actor.name] = self._open.get(actor.name, 0) + 1  # counted now: hellos held back cannot pass the limit
        try:
            process.stdout.write(
                protocol.encode(
                    {
                        "kind": "welcome",
                        "name": actor.name,
                        "role": actor.role,
                        "session": self.controller.session_id,
                        "key": participant.fingerprint,
                        **({"unsigned": self.unsigned} if self.unsigned else {}),
                        "clock": round(time.time(), 3),  # the verifier's screen counts ages and countdowns by it
                    }
                )
            )
            try:
                hello = protocol.decode(await asyncio.wait_for(process.stdin.readline(), HELLO_SECONDS))
            except TimeoutError:
                _bye(process, f"no hello within {HELLO_SECONDS:g} s")
                return
            except protocol.ProtocolError:
                hello = {}
            since = hello.get("since", -1)
            if hello.get("kind") != "hello" or isinstance(since, bool) or not isinstance(since, int):
                _bye(process, 'expected {"kind": "hello", "since": SEQ} (SEQ: the last event seq you have, -1 for none)')
                return
            if hello.get("observe"):
                actor = Actor(actor.name, "observer")
            self._queues[queue] = process  # from here on, new events queue up behind the catch-up
            self.controller.journal.flush()  # the file then holds every event before the queued ones
            until = self.controller.journal.seq
            self.presence.arrive(actor.name, actor.role)  # their join (if journaled) is queued: they see it after the catch-up
            arrived = True
            await self._serve(process, gate, queue, actor, participant.fingerprint, (since, until))
        except (asyncssh.Error, ConnectionError, protocol.ProtocolError, ValueError, TypeError, asyncio.IncompleteReadError, OSError) as exc:
            log.info("participant %s left: %s", actor.name, exc)
        finally:
            self._open[actor.name] -= 1
            self._queues.pop(queue, None)
            if arrived:  # a malformed hello never joined, so it never leaves
                with contextlib.suppress(Exception):  # the journal may be closed when the run ends
                    self.presence.depart(actor.name, actor.role)
            process.exit(0)

    async def _catch_up(self, process: asyncssh.SSHServerProcess[str], gate: Gate, since: int, until: int) -> None:
        """Events `since` < seq < `until`, streamed from the journal file: no event list in memory.

        The journal's line N holds seq N-1 (a verified journal; resume cuts a torn tail first), and each
        line is the event's JSON as journaled, so it is relayed as it stands, without parsing: a chunk of
        whole lines at a time, each line made a message by one `replace` over the chunk.
        """
        with self.controller.journal.path.open("rb") as journal:
            seq, rest = 0, b""  # seq of the first line in `rest`, the start of a line not read to its end
            size = CATCH_UP_FIRST
            while seq < until and (block := journal.read(size)):
                size = min(2 * size, CATCH_UP_CHUNK)
                lines = rest + block
                end = lines.rfind(b"\n") + 1
                lines, rest = lines[:end], lines[end:]
                count = lines.count(b"\n")
                start = _after_lines(lines, since + 1 - seq) if seq <= since else 0
                stop = _after_lines(lines, until - seq) if seq + count > until else len(lines)
                seq += count
                if start < stop:  # one write per chunk: asyncssh sends a packet per write, however small
                    text = lines[start : stop - 1].decode("utf-8")
                    process.stdout.write(f"{protocol.EVENT_PREFIX}{text.replace(chr(10), '}' + chr(10) + protocol.EVENT_PREFIX)}}}\n")
                    await gate.sent(process)

    async def _serve(
        self, process: asyncssh.SSHServerProcess[str], gate: Gate, queue: _Outbox, actor: Actor, fingerprint: str, missed: tuple[int, int]
    ) -> None:
        """The catch-up (`missed`: since, until), then live events; the participant's requests are read from the hello on,
        the catch-up's too: a hold typed as a long catch-up came was taken only after it (never, while it was not read)."""

        async def pump() -> None:
            await self._catch_up(process, gate, *missed)
            while True:
                events = [await queue.get()]
                left = queue.chars
                while not queue.empty() and len(events) < LIVE_BATCH and left - queue.chars < CATCH_UP_CHUNK:
                    events.append(queue.get_nowait())
                # Only what the journal holds goes out: a step's output is told to the run's screen before its group is
                # written (within 0.1 s), and a kill -9 meanwhile loses it; `resume` then writes other events under those
                # numbers (before: the verifier held the lost ones, and read the resumed run as a rewritten history).
                try:
                    await self.controller.journal.durable(int(events[-1]["seq"]), hurry=False)
                except JournalError:
                    return  # never on disk: the run stops, and close() says why
                process.stdout.write("".join(map(protocol.event, events)))  # what queued up meanwhile goes in one write
                await gate.sent(process)

        async def listen() -> None:
            pace = Pace()
            try:
                async for lines in protocol.read_lines(process.stdin, REQUEST_READ, REQUEST_LINE):
                    for start in range(0, len(lines), ANSWER_BATCH):
                        process.stdout.write("".join(self._answer(line, pace, actor, fingerprint) for line in lines[start : start + ANSWER_BATCH]))
                        await gate.sent(process)
                        await asyncio.sleep(0)  # drain() returns at once while the window is open: let the run go on between batches
            except protocol.ProtocolError as exc:  # a line too long for a request: the session ends, told why
                _bye(process, f"refused: {exc}: no request is that long; this session ends")
                return
            # Their end of the channel closed (`echo HELLO | ssh ...`): they send nothing more, and still follow the run
            # until the channel closes (before: the session ended right after the catch-up, a join and a leave journaled).
            await process.channel.wait_closed()

        tasks = [asyncio.create_task(pump()), asyncio.create_task(listen())]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()

    def _answer(self, line: str, pace: Pace, actor: Actor, fingerprint: str) -> str:
        """The reply to one line from a participant: their intent decided, or why it was refused (the session goes on)."""
        request_id: Any = None
        try:
            message = protocol.decode(line)
            request_id = message.get("id")
            if message["kind"] != "intent":
                raise protocol.ProtocolError(f"unknown message kind {message['kind'][:40]!r}; expected 'intent'")
            if not pace.take():
                self.admission.counts["refused_requests"] += 1
                return protocol.reply(request_id, False, f"refused: more than {REQUEST_BURST} requests at once; send at most {REQUESTS_PER_SECOND:g} a second")
            action, text, step = text_field(message, "action"), text_field(message, "text"), text_field(message, "step") or None
            if action == "unsigned":  # their key would not sign a decision or a seal: journaled, so the assignee sees why
                told = self.notes.unsigned(actor, text_field(message, "of"), text, step, message.get("line"))
                return protocol.reply(request_id, told.ok, told.message)
        except protocol.ProtocolError as exc:
            return protocol.reply(request_id, False, f"refused: {exc}")
        answer = dispatch_signed(
            self.signed, actor, fingerprint, action, step, text, message.get("signed"), functools.partial(self.dispatch, actor, action, text, step)
        )
        return protocol.reply(request_id, answer.ok, answer.message)

    def dispatch(self, actor: Actor, action: str, text: str, seen: str | None = None) -> Reply:
        """A participant's intent, decided by the controller like any other; `seen`: the step it is about."""
        controller = self.controller
        handlers: dict[str, Callable[[], Reply]] = {
            "confirm": lambda: controller.confirm(actor, seen),
            "reject": lambda: controller.reject(actor, text, seen),
            "note": lambda: self.notes.note(actor, text),  # paced per participant (share/pace.py)
            "hold": lambda: controller.request_hold(actor, text),
            "request_rollback": lambda: controller.request_rollback(actor, text),
        }
        if action not in handlers:
            return Reply(False, f"unknown action {action!r}; expected one of {', '.join(sorted(protocol.ACTIONS))}")
        return handlers[action]()


def _farewell(state: RunState, fatal: str | None) -> str:
    """Why the session lets everyone go, for a run not finished (a finished run's last event says it: nothing then)."""
    if state.finished:
        return ""
    who = visible_line(str(state.session.get("assignee") or "the assignee"))
    if fatal:
        return f"{who}'s run stopped: its journal cannot be written ({fatal})"
    where = f"at '{visible_line(state.current)}'" if state.current else "after its last step"
    return f"{who} closed the session before the run finished ({where}): it goes on when they resume it"


def _bye(process: asyncssh.SSHServerProcess[str], reason: str) -> None:
    process.stdout.write(protocol.encode({"kind": "bye", "reason": reason}))


def _after_lines(lines: bytes, count: int) -> int:
    """The offset in `lines` (whole lines) just after its first `count` lines (all of them when it has fewer)."""
    at = 0
    for _ in range(max(count, 0)):
        at = lines.find(b"\n", at) + 1
        if not at:
            return len(lines)
    return at
