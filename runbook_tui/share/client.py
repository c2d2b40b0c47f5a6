"""The verifier's side: join a shared session over SSH and keep a replica of the run.

The replica folds the assignee's journal events with the same `apply()`,
so the verifier's screen shows exactly the journal's state. Connections
drop at 2 AM: the client reconnects with backoff and asks for the events
after the last one it has, so nothing is missed and nothing is applied twice.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from types import EllipsisType
from typing import Protocol

import asyncssh

from runbook_tui.engine.actors import Reply
from runbook_tui.engine.event_shape import EventShapes
from runbook_tui.engine.events import Event
from runbook_tui.engine.files import private_folder
from runbook_tui.engine.http_bounded import os_reason
from runbook_tui.engine.state import RunState, apply, initial, replay
from runbook_tui.runbook.lean_dataclass import dataclass
from runbook_tui.runbook.safe_text import visible_line
from runbook_tui.share import protocol
from runbook_tui.trust.known_by_name import read_by_name
from runbook_tui.trust.ledger import Ledger
from runbook_tui.trust.participant import SEALED_AT, ParticipantTrust, SealRule, find_signer, received_copy
from runbook_tui.trust.sshsig import SignatureError

log = logging.getLogger(__name__)

Listener = Callable[[Event, RunState], None]
StatusListener = Callable[[str], None]

#: While events come faster than a screen can show them (a catch-up: hundreds per read), the replica is
#: folded and the listeners told at most this often (each fold rebuilds a step's output tail); every event
#: is still checked against the ledger as it comes. A read of at most LIVE_BATCH new events is folded at once.
FOLD_SECONDS = 0.05
LIVE_BATCH = 64


#: Characters of a reply or a status shown at most: the session's words go to a toast (its own are a line or two).
SHOWN_CHARS = 600


def shown(text: str) -> str:
    """Words from the session (a reply, a bye's reason) as the screen may show them: visible characters on one line, cut
    (before: as written, so a reply could set the verifier's terminal title or clipboard with escape sequences)."""
    line = visible_line(text)
    return line if len(line) <= SHOWN_CHARS else line[: SHOWN_CHARS - 1] + "…"


#: Seconds to reach the session and log in: a port that takes the connection and never answers (the assignee's process
#: stopped or hung, or another program listening there) is not waited on for ever.
CONNECT_SECONDS = 15.0


class JoinError(Exception):
    """Joining failed for a reason retrying will not fix (host key, refused key)."""


def another_session(ep: Endpoint, there: str, joined: str) -> str:
    """Why a rejoin stops: the address now shares another session than the one joined (the same host key, kept across
    runs, let the reconnect in). Before, its events were taken for the joined one's: `THE ASSIGNEE'S JOURNAL CHANGED`."""
    address = f"[{ep.host}]" if ":" in ep.host else ep.host
    return (
        f"{address}:{ep.port} now shares another session ({shown(there)}), not the one you joined ({shown(joined)}): that run's program"
        f" stopped and another run is shared there; it goes on when the assignee resumes it. To follow the new one: runbook-tui"
        f" join {address}:{ep.port}"
    )


class NeverWritten(JoinError):
    """The session sent an event this program never writes: the replica cannot go past it, and a rejoin gets it again."""


class Tunnel(Protocol):
    """The bastion the session is reached through (the verifier's ssh config's ProxyJump, `join_endpoint`): its live
    connection, opened again after a drop; `JoinError` when it refuses for good, OSError when it cannot be reached now."""

    async def __call__(self) -> asyncssh.SSHClientConnection: ...

    async def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Endpoint:
    host: str
    port: int
    known_hosts: str
    identity: str | None = None  # None: the SSH agent and ~/.ssh/id_* as ssh does
    observe: bool = False  # join read-only even with a verifier's key
    copy_dir: str | None = None  # where the verifier keeps its own copy of the events received
    #: What ssh reads beside `known_hosts` for the session's key (the verifier's ssh config, `join_endpoint`): the system's
    #: known_hosts files there (GlobalKnownHostsFile) and the RevokedHostKeys file; `trusted` reads them all, with the
    #: revoked keys refused, at each (re)connection (None: `known_hosts` alone).
    system_known: tuple[str, ...] = ()
    revoked_keys: str | None = None
    trusted: Callable[[], asyncssh.SSHKnownHosts] | None = None
    tunnel: Tunnel | None = None  # None: reached directly
    #: The verifier's ssh config's IdentityFiles there (without --identity): offered after the agent's keys, in place of
    #: ~/.ssh/id_*, as ssh offers them; the one the session knows signs (`find_signer`, by the welcome's fingerprint).
    config_identities: tuple[str, ...] = ()


def host_key_entry(host: str, port: int, key: asyncssh.SSHKey) -> str:
    """A known_hosts line for the session's host key."""
    name = host if port == 22 else f"[{host}]:{port}"
    return f"{name} {key.export_public_key().decode().strip()}\n"


async def fetch_host_key(host: str, port: int, tunnel: asyncssh.SSHClientConnection | None = None) -> asyncssh.SSHKey | None:
    """The session's host key, to show its fingerprint on first contact before trusting it (through `tunnel`, the
    bastion's connection, when there is one). `config=None`: asyncssh read ~/.ssh/config itself, as it reads it."""
    fetched = asyncssh.get_server_host_key(host, port, tunnel=tunnel if tunnel is not None else (), config=None)
    return await asyncio.wait_for(fetched, CONNECT_SECONDS)


def trust(known_hosts: str, host: str, port: int, key: asyncssh.SSHKey) -> None:
    path = Path(known_hosts).expanduser()
    private_folder(path.parent)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600), "a", encoding="utf-8") as handle:
        handle.write(host_key_entry(host, port, key))


class ShareClient:
    """A participant's connection and replica. `state` is always the journal's state up to `seq`."""

    def __init__(
        self, endpoint: Endpoint, *, reconnect_delays: tuple[float, ...] = (0.5, 1, 2, 4, 5), keepalive: tuple[float, int] = protocol.KEEPALIVE
    ) -> None:
        self.endpoint = endpoint
        self._keepalive = keepalive
        self.state: RunState = initial()
        self.name: str | None = None
        self.role: str | None = None
        self.connected = False
        self.lost_at: float | None = None  # when the link dropped (time.time()), until it is back: the screen says so
        self.farewell = ""  # why the session let this link go (its `bye`), until it is back: the screen says it
        self._listeners: list[Listener] = []
        self._status: list[StatusListener] = []
        self._delays = reconnect_delays
        self._process: asyncssh.SSHClientProcess[str] | None = None
        self._conn: asyncssh.SSHClientConnection | None = None
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[Reply]] = {}
        self._welcomed = asyncio.Event()
        self.trust: ParticipantTrust | None = None
        self.diverged: str | None = None  # the first divergence from what this client received before
        self.unsigned = ""  # the session's welcome: why the assignee's decisions go unsigned (each reconnect says it again)
        self.clock_offset = 0.0  # seconds this machine's clock is ahead of the session's (each welcome says its clock)
        self._seals: set[asyncio.Task[None]] = set()
        self._unfolded: list[Event] = []  # checked, after `state.seq`, not folded yet (FOLD_SECONDS)
        self._fold_timer: asyncio.TimerHandle | None = None
        self._folded_at = 0.0
        self._shapes = EventShapes()  # each event shown is checked as the journal's reader checks it, in order
        self._seal_rule = SealRule()  # which checkpoints and end this verifier seals: the ones the controller journals
        self._copy_said = False  # that the copy of the events received cannot be kept (Ledger.failed)
        self.seals_refused = 0  # seal events of the session not sealed (`SealRule`): the 1st, 10th, 100th... said

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def on_status(self, listener: StatusListener) -> None:
        self._status.append(listener)

    def _say(self, message: str) -> None:
        message = shown(message)  # it may quote the session (a bye's reason, an error's text)
        for listener in list(self._status):
            _guarded(listener, message)

    async def connect(self) -> None:
        """One connection: welcome, then the events after `state.seq`. Raises on failure."""
        ep = self.endpoint
        # asyncssh's default client keys are the agent's and ~/.ssh/id_*, as with ssh; None would mean none.
        named = [ep.identity] if ep.identity else list(ep.config_identities)
        keys: dict[str, object] = {"client_keys": named} if named else {}
        interval, count = self._keepalive
        # The session's key is looked up under the name joined alone, as ssh (before: a line for the address it resolved to was trusted too).
        known = ep.trusted() if ep.trusted is not None else read_by_name([ep.known_hosts])
        # the route is the verifier's ssh config's, read as for a step host (`join_endpoint`): before, asyncssh read
        # ~/.ssh/config itself, its own way (a ProxyCommand run, the settings' ssh.config not read)
        tunnel = await ep.tunnel() if ep.tunnel is not None else ()
        self._conn = await asyncssh.connect(
            ep.host, ep.port, known_hosts=known, username="runbook", encoding="utf-8", tunnel=tunnel, config=None,
            keepalive_interval=interval, keepalive_count_max=count, connect_timeout=CONNECT_SECONDS,
            encryption_algs=protocol.CIPHERS, compression_algs=protocol.COMPRESSION, **keys,
        )  # fmt: skip
        conn = self._conn

        async def opened() -> tuple[asyncssh.SSHClientProcess[str], str]:
            process = await conn.create_process(window=protocol.WINDOW, max_pktsize=protocol.MAX_PACKET)
            return process, await process.stdout.readline()

        # A session that lets the key in and then says nothing is not waited on for ever either (before: join hung, silent).
        process, line = await asyncio.wait_for(opened(), CONNECT_SECONDS)
        self._process = process
        welcome = protocol.welcome(line)
        self.name = welcome["name"]
        self.role = "observer" if ep.observe else welcome["role"]
        self.unsigned = welcome.get("unsigned", "")  # why the assignee's decisions go unsigned (empty: signed)
        self.clock_offset = protocol.clock_offset(welcome, time.time())
        if self.trust is not None and welcome["session"] != self.trust.session:
            self._drop()  # no hello: the other session never counts this link as a join
            raise JoinError(another_session(ep, welcome["session"], self.trust.session))
        if self.trust is None:
            session, name = welcome["session"], self.name
            signer = None if self.role == "observer" else await find_signer(ep.identity, welcome["key"], ep.config_identities)
            self.trust = ParticipantTrust(signer, name, session, Ledger(received_copy(ep.copy_dir, session, name)))
        process.stdin.write(protocol.encode({"kind": "hello", "since": self.state.seq, "observe": ep.observe}))
        self.connected = True
        self._welcomed.set()

    async def run(self) -> None:
        """Stay joined: read events; on a drop, reconnect and catch up from the last event seen."""
        attempt = 0
        while True:
            try:
                if self._process is None:
                    await self.connect()
                    back = "rejoined" if self.lost_at is not None else "joined"
                    self.lost_at, self.farewell, attempt = None, "", 0
                    self._say(f"{back} as {self.role} {self.name}")
                await self._read()
                self._lost("the session closed the connection")
            except (asyncssh.HostKeyNotVerifiable, asyncssh.PermissionDenied) as exc:
                raise JoinError(words(exc)) from exc  # the cause says which: join prints what to do about it
            except NeverWritten:
                self._drop()  # what came before it is shown
                raise
            except (OSError, asyncssh.Error, protocol.ProtocolError) as exc:
                why = words(exc)
                self._lost(f"connection lost{'' if why.lower() == 'connection lost' else f' ({why})'}; reconnecting")
            self._drop()
            if self.state.finished:
                return
            delay = self._delays[min(attempt, len(self._delays) - 1)]
            attempt += 1
            await asyncio.sleep(delay)

    def _lost(self, words: str) -> None:
        """Said once when the link drops, not at each failed retry (a toast every 5 s stacked up on the screen)."""
        if self.lost_at is None:
            self.lost_at = time.time()
            self._say(words)

    async def _read(self) -> None:
        assert self._process is not None
        async for lines in protocol.read_lines(self._process.stdout):
            try:
                self._receive(lines)
            finally:
                self._received()

    def _receive(self, lines: list[str]) -> None:
        """Each line in order: an event is checked against the ledger and kept for the fold, a reply resolved."""
        prefix, start, fresh = protocol.EVENT_PREFIX, len(protocol.EVENT_PREFIX), self._unfolded
        ledger = None if self.trust is None else self.trust.ledger
        in_step = ledger is not None and len(ledger.hashes) == (fresh[-1]["seq"] if fresh else self.state.seq) + 1
        add_output = ledger.add_output if ledger is not None and in_step else None  # (it always is: both grow only here)
        for line in lines:
            if line.startswith(prefix) and line.endswith("}") and len(line) <= protocol.MAX_LINE:  # the event's journal line
                raw = line[start:-1].encode()
                # Most of a catch-up: an output event parsed, checked as the next link of the chain and recorded, in one
                # call (the ledger holds exactly the events of the replica and its unfolded ones: the next of one is the
                # next of the other).
                event = None if add_output is None else add_output(raw)
                if event is not None:
                    fresh.append(event)
                    continue
                event = protocol.event_object(raw)
                if event is not None:
                    self._take(event)
                    continue  # else not the event alone: read it as any message
            message = protocol.decode(line)
            kind = message.get("kind")
            if kind == "event":
                self._take(message.get("event"))
            elif kind == "bye":  # the session lets this connection go, and says why (the reconnect's toast says it)
                self._fold()  # the events before it are shown first
                self.farewell = shown(str(message.get("reason")))
                raise protocol.ProtocolError(f"the session said: {message.get('reason')}")
            elif kind == "reply":
                self._fold()  # in order: the events before the reply first
                fresh = self._unfolded
                request = message.get("id")  # a reply to no request of this client's (another type, unknown) answers none
                future = self._waiting.pop(request, None) if type(request) is int else None
                if future is not None and not future.done():
                    future.set_result(Reply(bool(message.get("ok")), shown(str(message.get("message", "")))))

    def _take(self, event: object) -> None:
        """Check an event against the ledger; a new one is kept for the fold (a seal of it signed when it is due).

        The next one to show is first checked as the journal's reader checks each line: an event this program never
        writes (not an object, a step not in the plan, a field of another type) ends the join, saying which, and is
        neither recorded nor shown (before: the fold raised, the screen stopped following the run and still said
        connected)."""
        if not isinstance(event, dict):
            raise NeverWritten("the session sent an event that is not a JSON object")
        fresh = self._unfolded
        last = fresh[-1]["seq"] if fresh else self.state.seq
        if type(event.get("seq")) is int and event["seq"] == last + 1:
            misfit = protocol.misfit(event, self._shapes)
            if misfit is not None:
                raise NeverWritten(f"the session sent an event this program never writes: {misfit}")
        if not self._verified(event):
            return
        seq = event["seq"]
        if seq <= last:
            return  # already have it (a catch-up overlapping a live event)
        if seq != last + 1:
            raise protocol.ProtocolError(f"event {seq} after {last}: a gap")
        fresh.append(event)

    def _received(self) -> None:
        """After a read: the copy written; the new events folded now (a few, or the first in FOLD_SECONDS) or within FOLD_SECONDS."""
        if self.trust is not None:
            ledger = self.trust.ledger
            ledger.flush()
            if ledger.failed and not self._copy_said:  # said once; the run is still followed and checked
                self._copy_said = True
                self._say(f"WARNING: your own copy of the events received cannot be kept ({ledger.failed}): the run is shown and checked, not written")
        if len(self._unfolded) <= LIVE_BATCH or time.monotonic() - self._folded_at >= FOLD_SECONDS:
            self._fold()
        elif self._fold_timer is None:
            self._fold_timer = asyncio.get_running_loop().call_later(FOLD_SECONDS, self._fold)

    def _fold(self) -> None:
        """Fold the events checked since the last fold, then tell the listeners of each (with the state after them all).

        A listener that fails on one event is passed over for that one (`_guarded`), as the controller treats its own:
        unguarded, the failure lost the rest of the batch on every view (the replica had moved on: the step list was
        right, the log missed lines) and, raised from the read loop, ended the join's reader unseen."""
        if self._fold_timer is not None:
            self._fold_timer.cancel()
            self._fold_timer = None
        fresh, self._unfolded = self._unfolded, []
        self._folded_at = time.monotonic()
        if fresh:
            self.state = state = self._replay(fresh)
            listeners = list(self._listeners)
            for event in fresh:
                for listener in listeners:
                    _guarded(listener, event, state)

    def _replay(self, events: list[Event]) -> RunState:
        """The replica after `events`; each seal `SealRule` owes among them signed and sent (said when one is not).

        The events the rule watches (a few a step) are folded one by one, to give it the state before and after each;
        the rest, most of a catch-up, in runs (`replay`)."""
        state, start, rule = self.state, 0, self._seal_rule
        sealing = self.role == "verifier" and self.trust is not None and self.trust.signer is not None
        for index, event in enumerate(events):
            if event["type"] not in rule.WATCHED:
                continue
            before = replay(events[start:index], state)
            state, start = apply(before, event), index + 1
            refused = rule.refusal(before, state, event)
            if event["type"] not in SEALED_AT or not sealing:
                continue
            if refused is None:
                task = asyncio.get_running_loop().create_task(self._seal(event))
                self._seals.add(task)
                task.add_done_callback(self._seals.discard)
                continue
            self.seals_refused += 1
            if str(self.seals_refused).strip("0") == "1":  # 1, 10, 100...: a session sending them in a loop is not echoed each time
                count = "" if self.seals_refused == 1 else f" ({self.seals_refused:,} refused so far)"
                self._say(f"not sealing line {int(event['seq']) + 1} ({event['type']}): {refused}{count}")
        return replay(events[start:], state)

    def _verified(self, event: Event) -> bool:
        """`event` extends the chain this participant holds (or repeats it)."""
        if self.trust is None:
            return True
        problem = self.trust.ledger.add(event)
        if problem is None:
            return True
        if self.diverged is None:  # said once (the screen keeps saying it): every later event diverges too
            copy = self.trust.ledger.copy
            self.diverged = problem + (f"; what you saw is kept in {copy}" if copy else "")
            self._say(f"WARNING: the journal diverges from what you saw: {self.diverged}")
        return False

    async def _seal(self, event: Event) -> None:
        """Sign the head just verified when it is a checkpoint or the end, and send the seal."""
        assert self.trust is not None
        try:
            signed = await self.trust.sign_seal(event)
        except SignatureError as exc:
            self._say(f"could not seal line {int(event['seq']) + 1}: {exc}")
            await self._unsigned("seal", str(exc), line=int(event["seq"]) + 1)
            return
        if signed is not None:
            reply = await self.send("seal", signed=signed)
            if not reply.ok:
                self._say(f"the seal was not taken: {reply.message}")

    def _drop(self) -> None:
        self._fold()  # the replica holds every event checked: a reconnect asks for the ones after it
        self.connected = False
        for future in self._waiting.values():
            if not future.done():
                future.set_result(Reply(False, UNANSWERED))
        self._waiting.clear()
        if self._conn is not None:
            self._conn.close()
        self._conn = None
        self._process = None

    async def send(self, action: str, text: str = "", *, signed: dict[str, object] | None = None, seen: str | EllipsisType | None = ...) -> Reply:
        """An intent to the assignee's controller, signed when it is a decision; the reply says whether it was accepted.

        `seen`: the step the person decided on (a dialog's, as it named the step when it opened); the replica's current
        step when not given. The session refuses a confirm or reject that would land on another step (before: a dialog
        sent the step current when it was answered, and a reason typed about one step rejected the next)."""
        step = self.state.current if seen is ... else seen
        if signed is None and self.trust is not None:
            try:
                signed = await self.trust.sign_decision(self.state, action, step, text)
            except SignatureError as exc:
                told = await self._unsigned(action, str(exc), step=step)
                return Reply(False, f"cannot sign the decision: {exc}; nothing was sent{told}")
        if self._process is None or not self.connected:
            return Reply(False, "not connected to the session right now; it reconnects by itself")
        # The step this replica shows as current: the session refuses a confirm that would land on another.
        return await self._request({"action": action, "text": text, "step": step, "signed": signed})

    async def _request(self, fields: dict[str, object]) -> Reply:
        """One intent sent (connected), its reply awaited."""
        assert self._process is not None
        request = next(self._ids)
        future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self._waiting[request] = future
        self._process.stdin.write(protocol.encode({"kind": "intent", "id": request, **fields}))
        return await future

    async def _unsigned(self, what: str, why: str, *, step: str | None = None, line: int | None = None) -> str:
        """Tell the session that this key would not sign `what` (a decision's action, or "seal"): it journals it, and the
        assignee sees why the run still waits (before: this screen alone said it). Returns words for this screen."""
        if self._process is None or not self.connected:
            return ""
        told = await self._request({"action": "unsigned", "of": what, "text": why, "step": step, "line": line})
        return " (the session was told, and journaled it)" if told.ok else ""

    async def close(self) -> None:
        self._drop()
        if self.trust is not None:
            self.trust.ledger.close()
        if self.endpoint.tunnel is not None:
            await self.endpoint.tunnel.close()


def _guarded(listener: Callable[..., None], *told: object) -> None:
    """Tell one listener (a view, a toast); its failure is logged, not raised: a broken view must not stop the join."""
    try:
        listener(*told)
    except Exception:
        log.exception("a listener of the shared session failed")


#: A request whose reply never came: it may have been taken (before: "try again", and a note sent again was there twice).
UNANSWERED = "the connection dropped before the session answered: it may have been taken, as the log shows once the link is back"


def words(exc: BaseException) -> str:
    """A failure to reach or read the session, in one line."""
    if isinstance(exc, TimeoutError) and not exc.args:
        return f"no answer within {CONNECT_SECONDS:g} s (the assignee's process may be stopped or hung, or what listens there is not a runbook-tui session)"
    if isinstance(exc, asyncssh.ConnectionLost) and str(exc).endswith("not responding to keepalive"):  # asyncssh's words
        return "the session stopped answering its keepalives: the assignee's process may be stopped or asleep, or the network down"
    if isinstance(exc, BrokenPipeError):  # before: `connection lost ([Errno 32] Broken pipe)`
        return "the session had closed this link already (a sleep or a network change outlasted its keepalives)"
    if isinstance(exc, OSError) and exc.errno is not None:  # `[Errno 111] Connect call failed ('10.0.0.5', 2222)`
        return os_reason(exc)
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
