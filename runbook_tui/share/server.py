"""The session server: an asyncssh server inside the assignee's process.

Only the keys named on the command line (or in a participants file) get
in; passwords and keyboard-interactive logins are refused outright. Each
participant receives every journal event from where they left off (catch-up
after a dropped connection), then live. Their intents go to the controller
under their own name and role, and the controller decides; the server only
relays.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Callable, Iterable
from pathlib import Path

import asyncssh

from runbook_tui.engine.controller import Actor, Controller, Reply
from runbook_tui.engine.events import Event
from runbook_tui.engine.state import RunState
from runbook_tui.share import protocol
from runbook_tui.share.participants import Participant
from runbook_tui.trust.gate import SignedIntents, dispatch_signed

log = logging.getLogger(__name__)

#: Events queued for one slow participant before they are disconnected (they catch up on reconnect).
QUEUE_LIMIT = 20_000


def parse_address(address: str, default_host: str = "127.0.0.1") -> tuple[str, int]:
    """`HOST:PORT`, `:PORT` (all interfaces) or `PORT` (loopback)."""
    host, sep, port = address.rpartition(":")
    if not sep:
        host, port = default_host, address
    elif host == "":
        host = "0.0.0.0"
    try:
        number = int(port)
    except ValueError:
        raise ValueError(f"--share {address}: expected HOST:PORT, :PORT or PORT") from None
    if not 0 < number < 65536:
        raise ValueError(f"--share {address}: expected a port from 1 to 65535")
    return host.strip("[]"), number


def load_or_create_host_key(path: Path) -> asyncssh.SSHKey:
    """The session's host key, kept in the state folder so verifiers can trust it across runs."""
    if path.exists():
        return asyncssh.read_private_key(str(path))
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = asyncssh.generate_private_key("ssh-ed25519", comment="runbook-tui session")
    key.write_private_key(str(path))
    path.chmod(0o600)
    return key


class _Gate(asyncssh.SSHServer):
    """Per connection: public keys only, and only the participants' keys."""

    def __init__(self, share: ShareServer) -> None:
        self.share = share
        self.participant: Participant | None = None

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return False

    def kbdint_auth_supported(self) -> bool:
        return False

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        participant = self.share.participants.get(key.get_fingerprint())
        if participant is None:
            log.info("refused a key that is not a participant's: %s", key.get_fingerprint())
            return False
        self.participant = participant
        return True


class ShareServer:
    """Relays a controller's events to participants and their intents back to it."""

    def __init__(self, controller: Controller, participants: Iterable[Participant], host_key: asyncssh.SSHKey, events: list[Event]) -> None:
        self.controller = controller
        self.participants = {p.fingerprint: p for p in participants}
        self.host_key = host_key
        self.events = events  # every event so far, seq == index (loaded from the journal on resume)
        self._queues: dict[asyncio.Queue[Event], asyncssh.SSHServerProcess[str]] = {}
        self._server: asyncssh.SSHAcceptor | None = None
        self.address: tuple[str, int] = ("127.0.0.1", 0)  # where start() listens
        self.keepalive: tuple[float, int] = protocol.KEEPALIVE  # a participant whose link died silently leaves
        controller.subscribe(self._on_event)
        self.signed = SignedIntents(controller, events)  # decisions and seals: signature checked before journaling

    @property
    def fingerprint(self) -> str:
        return self.host_key.get_fingerprint()

    async def start(self, host: str, port: int) -> int:
        """Listen; returns the port (useful when 0 asked for a free one)."""
        interval, count = self.keepalive
        self._server = await asyncssh.create_server(
            lambda: _Gate(self), host, port, server_host_keys=[self.host_key], process_factory=self._session, encoding="utf-8",
            keepalive_interval=interval, keepalive_count_max=count,
        )  # fmt: skip
        return int(self._server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        for process in list(self._queues.values()):
            process.close()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def _on_event(self, event: Event, state: RunState) -> None:
        self.events.append(event)
        for queue, process in list(self._queues.items()):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                del self._queues[queue]
                process.close()  # too slow: cut off; it catches up from its last event when it reconnects

    async def _session(self, process: asyncssh.SSHServerProcess[str]) -> None:
        gate = process.get_extra_info("connection").get_owner()
        participant: Participant = gate.participant
        actor = Actor(participant.name, participant.role)
        queue: asyncio.Queue[Event] = asyncio.Queue(QUEUE_LIMIT)
        try:
            process.stdout.write(protocol.encode({"kind": "welcome", "name": actor.name, "role": actor.role, "session": self.controller.session_id, "key": participant.fingerprint}))
            hello = protocol.decode(await process.stdin.readline())
            since = int(hello.get("since", -1))
            if hello.get("observe"):
                actor = Actor(actor.name, "observer")
            backlog = self.events[since + 1 :]
            self._queues[queue] = process  # from here on, new events queue up behind the backlog
            for event in backlog:
                process.stdout.write(protocol.event(event))
            await process.stdout.drain()
            self.controller.join(actor.name, actor.role)
            await self._serve(process, queue, actor, participant.fingerprint)
        except (asyncssh.Error, ConnectionError, protocol.ProtocolError, ValueError, asyncio.IncompleteReadError) as exc:
            log.info("participant %s left: %s", actor.name, exc)
        finally:
            self._queues.pop(queue, None)
            with contextlib.suppress(Exception):  # the journal may be closed when the run ends
                self.controller.leave(actor.name, actor.role)
            process.exit(0)

    async def _serve(self, process: asyncssh.SSHServerProcess[str], queue: asyncio.Queue[Event], actor: Actor, fingerprint: str) -> None:
        async def pump() -> None:
            while True:
                event = await queue.get()
                process.stdout.write(protocol.event(event))
                if queue.empty():
                    await process.stdout.drain()

        async def listen() -> None:
            while line := await process.stdin.readline():
                message = protocol.decode(line)
                if message.get("kind") == "intent":
                    seen = message.get("step")
                    action, text, step = str(message.get("action")), str(message.get("text") or ""), str(seen) if seen else None
                    answer = dispatch_signed(
                        self.signed, actor, fingerprint, action, step, text, message.get("signed"), functools.partial(self.dispatch, actor, action, text, step)
                    )  # fmt: skip
                    process.stdout.write(protocol.reply(message.get("id"), answer.ok, answer.message))

        tasks = [asyncio.create_task(pump()), asyncio.create_task(listen())]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()

    def dispatch(self, actor: Actor, action: str, text: str, seen: str | None = None) -> Reply:
        """A participant's intent, decided by the controller like any other; `seen`: the step it is about."""
        controller = self.controller
        handlers: dict[str, Callable[[], Reply]] = {
            "confirm": lambda: controller.confirm(actor, seen),
            "reject": lambda: controller.reject(actor, text, seen),
            "note": lambda: controller.note(actor, text),
            "hold": lambda: controller.request_hold(actor, text),
            "request_rollback": lambda: controller.request_rollback(actor, text),
        }
        if action not in handlers:
            return Reply(False, f"unknown action {action!r}; expected one of {', '.join(sorted(protocol.ACTIONS))}")
        return handlers[action]()
