"""The wire protocol of a shared session: one JSON object per line over an SSH session channel.

Client to server:
  {"kind": "hello", "since": SEQ}            the last event seq the client has (-1: none)
  {"kind": "intent", "id": N, "action": A, "text": T, "step": S}
      A: confirm | reject | note | hold | request_rollback | unsigned
      S: the step the participant saw as current (a confirm for another step is refused)
      "signed": {"statement": {...}, "signature": ARMORED} on confirm, reject, hold and
      request_rollback (see trust/statements.py), and on A = seal (a verified head, signed)
      A = unsigned: the participant's key would not sign; "of": the action (or seal), "text": why,
      "line": the journal line a seal was of (the session journals an `error` with `unsigned`)
Server to client:
  {"kind": "welcome", "name": NAME, "role": ROLE, "session": ID, "key": FINGERPRINT joined with,
   "unsigned": WHY}                          (only when the assignee's decisions go unsigned: their screen's words)
  {"kind": "event", "event": {...}}          journal events, catch-up first, then live
  {"kind": "reply", "id": N, "ok": BOOL, "message": TEXT}
  {"kind": "bye", "reason": TEXT}

The events are the journal's own lines, so the client folds them with the
same `apply()` and its replica cannot disagree with the journal.

Limits (share/server.py, share/channels.py, share/pace.py): 8 authenticated connections per participant's key
at once (a session on one more is told `bye`, and the connection closed a
second later); 8 session channels at once on one connection (one more is refused as it
opens), none keeping an `env` request; no SSH compression either way; 4 sessions per participant at once, counted from
when a session opens (one more is told `bye` and closed); its hello within 10 s; requests paced per session (20
at once, then 5 a second), notes per participant (10 at once, then 10 a
minute), their text at most 16,384 characters, a request's
line at most 512 KiB (longer: `bye`, and the session ends). A session
over a limit, or whose hello is not one, is told `bye` with the reason; a
request refused for its pace or shape gets a reply saying why, and the
session goes on. A session's requests are not read while its replies wait
to be taken: a participant that sends and never reads is stopped by its own
SSH window, not buffered for.
"""

from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator
from typing import Any, Protocol

from runbook_tui.engine.event_shape import EventShapes
from runbook_tui.engine.events import SESSION_STARTED
from runbook_tui.engine.journal import canonical
from runbook_tui.engine.journal_lines import decode_line

ACTIONS = frozenset({"confirm", "reject", "note", "hold", "request_rollback", "unsigned"})
#: A line longer than this is refused (a hostile or broken peer cannot make us buffer forever).
MAX_LINE = 8 * 1024 * 1024
#: Characters asked of the stream at once: a catch-up arrives as many lines per read, not one (asyncssh's
#: `readline` copies the rest of its buffer for every line).
READ_CHUNK = 1024 * 1024
#: The SSH channel's receive window and largest data packet the client asks for (asyncssh's defaults: 2 MiB,
#: 32 KiB). A catch-up is tens of MB: each packet costs its own decryption set-up and asyncssh's copy of the
#: rest of its input buffer, so larger packets cut the per-packet work on both sides (a 74 MB catch-up: 5,216
#: packets received -> 1,188); the window bounds what the client buffers.
WINDOW = 8 * 1024 * 1024
MAX_PACKET = 256 * 1024
#: The ciphers the client offers, first preferred (SSH takes the client's first that the server has): AES-GCM
#: before ChaCha20-Poly1305, asyncssh's own first choice. A catch-up is tens of MB; with the AES instructions of
#: today's x86-64 and most ARMv8 CPUs, AES-GCM is one OpenSSL call per packet, about 2x faster than ChaCha20-Poly1305's
#: three (the verifier's decryption of a 74 MB catch-up: ~5% of its CPU time -> ~3%; bench/README.md). Each is an
#: AEAD cipher OpenSSH offers by default.
CIPHERS = ("aes256-gcm@openssh.com", "aes128-gcm@openssh.com", "chacha20-poly1305@openssh.com")
#: The SSH compression offered and accepted, each way: none. A peer that picks zlib (asyncssh offers it unless told
#: not to, and takes it whenever the other side asks) can send a packet of 256 KiB that inflates to 256 MB in the
#: other's process, on its event loop (before: five such packets from a verifier took the assignee's RSS 60 -> 469 MB).
COMPRESSION = ("none",)
#: (seconds between SSH keepalives, unanswered ones before a link counts as dead), both ways. A link
#: that dies silently (NAT timeout, a laptop changing networks) gives no reset: without keepalives the
#: verifier's replica would wait on it forever showing "connected", and so would the assignee's header.
KEEPALIVE: tuple[float, int] = (5.0, 3)

_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


class ProtocolError(ValueError):
    """A line that is not a message of this protocol."""


def encode(message: dict[str, Any]) -> str:
    return _encode(message) + "\n"


def decode(line: str) -> dict[str, Any]:
    if len(line) > MAX_LINE:
        raise ProtocolError(f"message of {len(line)} bytes is over the limit of {MAX_LINE}")
    try:
        message = json.loads(line)
    except ValueError:
        raise ProtocolError("not JSON") from None
    except RecursionError:  # (before: it ended the session's listener, the request unanswered and the session closed)
        raise ProtocolError("JSON nested deeper than this program reads") from None
    if not isinstance(message, dict) or not isinstance(message.get("kind"), str):
        raise ProtocolError("expected an object with a 'kind'")
    return message


#: How every event message starts: the server writes the event's journal line after it, as it stands.
EVENT_PREFIX = '{"kind":"event","event":'


def event(evt: dict[str, Any]) -> str:
    """An event message; the event as the journal writes it (canonical), so the client can check its hash from the bytes."""
    return EVENT_PREFIX + canonical(evt).decode("utf-8") + "}\n"


def event_object(text: bytes | str) -> dict[str, Any] | None:
    """`text` parsed when it is one JSON object and nothing else (as `json.loads`, faster: `decode_line`), else None."""
    try:
        value = decode_line(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def welcome(line: str) -> dict[str, Any]:
    """The session's first message, checked: a `welcome` with text name, role (verifier or observer), session and key.

    A `bye` (a limit reached, a hello refused) says why, and anything else is refused: the participant's screen shows
    these fields, and its copy of the events is named after them (before: a `bye` read as a welcome "joined as None
    None", and a line that was not JSON ended `join` with a traceback)."""
    if not line:
        raise ProtocolError("the session closed the connection before its welcome")
    message = decode(line)
    if message["kind"] == "bye":
        raise ProtocolError(f"the session said: {message.get('reason')}")
    texts = ("name", "role", "session", "key")
    if message["kind"] != "welcome" or not all(isinstance(message.get(name), str) for name in texts):
        raise ProtocolError("the session's first message is not a welcome with text name, role, session and key")
    if message["role"] not in ("verifier", "observer"):
        raise ProtocolError(f"the session's welcome names the role {message['role'][:40]!r}; expected verifier or observer")
    if not isinstance(message.get("unsigned", ""), str):
        raise ProtocolError("the session's welcome has an 'unsigned' that is not text")
    return message


#: Seconds two clocks may differ by and still be believed: past that, a wrong clock or a hostile session.
CLOCK_SLACK = 86_400.0


def clock_offset(welcome: dict[str, Any], now: float) -> float:
    """How far this machine's clock (`now`, epoch seconds) is ahead of the session's, by the welcome's `clock`: every time a
    screen shows is the assignee's (the events' `ts`), so ages and countdowns are counted by their clock. 0 without one (an
    older session), or one not a finite number, or a day off or more."""
    clock = welcome.get("clock")
    if isinstance(clock, bool) or not isinstance(clock, int | float) or not math.isfinite(clock):
        return 0.0
    offset = now - clock
    return offset if abs(offset) < CLOCK_SLACK else 0.0


#: The fields every event holds as text (`seq` is an integer), as the journal's reader checks them.
_EVENT_TEXTS = ("ts", "type", "actor", "prev", "hash")


def misfit(event: dict[str, Any], shapes: EventShapes) -> str | None:
    """What the journal's reader would refuse in `event`, the next one to show (its chain is the ledger's to check):
    its fields, a `session_started` anywhere but first, a shape this program never writes (`EventShapes`, which
    remembers the plan's steps: give it every event shown, in order). None when it fits."""
    seq = event["seq"]
    if not all(isinstance(event.get(name), str) for name in _EVENT_TEXTS):
        return f"event {seq}: expected text ts, type, actor, prev and hash"
    if (seq == 0) != (event["type"] == SESSION_STARTED):
        return (
            f"event {seq}: a {event['type'][:40]!r} event where the journal {'starts with session_started' if seq == 0 else 'has one session_started, first'}"
        )
    shape = shapes.problem(event)
    return None if shape is None else f"event {seq}: {shape}"


def reply(request_id: Any, ok: bool, message: str) -> str:
    return encode({"kind": "reply", "id": request_id, "ok": ok, "message": message})


class TextStream(Protocol):
    async def read(self, n: int = -1) -> str: ...


async def read_lines(stream: TextStream, chunk_size: int = READ_CHUNK, limit: int | None = None) -> AsyncIterator[list[str]]:
    """The stream's complete lines (newlines taken off), as many as each read of `chunk_size` brought; a line of more
    than `limit` characters (MAX_LINE unless given) is a ProtocolError, at most that much held for one unfinished."""
    limit = MAX_LINE if limit is None else limit
    partial: list[str] = []  # pieces of a line not finished yet (joined once it is: no copy per piece)
    held = 0
    while chunk := await stream.read(chunk_size):
        end = chunk.rfind("\n") + 1
        if not end:
            held += len(chunk)
            if held > limit:
                raise ProtocolError(f"a message of over {limit} characters without its end")
            partial.append(chunk)
            continue
        if held + chunk.find("\n") > limit:  # the line this chunk ends, begun in earlier ones
            raise ProtocolError(f"a message of over {limit} characters")
        text = "".join(partial) + chunk[:end] if partial else chunk[:end]
        rest = chunk[end:]
        partial, held = ([rest], len(rest)) if rest else ([], 0)
        lines = text.split("\n")
        lines.pop()  # the empty string after the last newline
        yield lines
