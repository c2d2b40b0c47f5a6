"""The journal: append-only JSONL with a SHA-256 hash chain, fsynced before the program acts.

Anyone can check a journal with ten lines of Python: each line's `hash` is
the SHA-256 of the line's object without `hash`, serialised with sorted keys
and compact separators; `prev` is the previous line's hash.

`output` and `metric_sample` events are written in groups, as a database
commits its log: buffered, fsynced at least once a second and always before
the next event of any other type. Every other event is on disk before
`append` returns, so nothing shown as done can be lost.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runbook_tui.engine.events import AFTER_FINISH, GROUPED, SESSION_FINISHED, SESSION_STARTED, Event
from runbook_tui.engine.redact import Redactor

GROUP_SECONDS = 1.0
_encode = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode


def canonical(obj: dict[str, Any]) -> bytes:
    """The bytes the hash is computed over."""
    return _encode(obj).encode("utf-8")


def event_hash(obj: dict[str, Any]) -> str:
    return hashlib.sha256(canonical({k: v for k, v in obj.items() if k != "hash"})).hexdigest()


def utc_now() -> str:
    """ISO 8601 UTC with milliseconds, as the journal's `ts`."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JournalError(OSError):
    """Writing the journal failed (disk full, file gone): the run must stop before its next step."""


class JournalWriter:
    """Appends events to a journal file, chaining hashes and masking secrets."""

    def __init__(self, path: str | Path, redactor: Redactor | None = None, *, clock: Callable[[], str] = utc_now) -> None:
        self.path = Path(path)
        self.redactor = redactor or Redactor()
        self._clock = clock
        self._pending: list[bytes] = []
        self._pending_since = 0.0
        self._broken: JournalError | None = None  # a write failed: nothing more is appended (no gap mid-journal)
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.seq, self.prev = _tail(self.path)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.fchmod(self._fd, 0o600)

    def append(self, type: str, actor: str, data: dict[str, Any] | None = None) -> Event:
        """Write one event and return it as written (masked, with seq, ts, prev, hash)."""
        if self._broken is not None:
            raise JournalError(self._broken.errno, self._broken.strerror)
        obj: dict[str, Any] = self.redactor.value(dict(data or {}))
        obj.update(seq=self.seq, ts=self._clock(), type=type, actor=actor, prev=self.prev)
        digest = hashlib.sha256(canonical(obj)).hexdigest()
        obj["hash"] = digest
        line = canonical(obj) + b"\n"
        self.seq += 1
        self.prev = digest
        if type in GROUPED:
            if not self._pending:
                self._pending_since = time.monotonic()
            self._pending.append(line)
            self.flush_if_due()
        else:
            self._pending.append(line)
            self.flush()
        return obj

    def flush_if_due(self) -> None:
        """Commit grouped events when the oldest waited a second; called on a timer too."""
        if self._pending and time.monotonic() - self._pending_since >= GROUP_SECONDS:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        data = b"".join(self._pending)
        self._pending.clear()
        try:
            view = memoryview(data)
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
            os.fsync(self._fd)
        except OSError as exc:
            # What was lost (and any half-written line) stays lost: appending after it would leave a
            # hole in the chain mid-journal, which `resume` refuses; a cut-short last line it repairs.
            self._broken = JournalError(exc.errno or 0, f"cannot write the journal {self.path}: {exc.strerror}")
            raise JournalError(exc.errno or 0, self._broken.strerror) from None

    def close(self) -> None:
        try:
            self.flush()
        finally:
            os.close(self._fd)


def _tail(path: Path) -> tuple[int, str]:
    """(next seq, last hash) of an existing journal, to continue its chain on resume."""
    if not path.exists() or path.stat().st_size == 0:
        return 0, ""
    last = None
    for event in read_events(path).events:
        last = event
    if last is None:
        return 0, ""
    return int(last["seq"]) + 1, str(last["hash"])


# -- reading and verifying -----------------------------------------------------------


@dataclass
class JournalRead:
    """The events that hold together, and what is wrong after them."""

    events: list[Event] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    truncated_at: int | None = None  # byte offset where a cut-short last line starts
    unreadable: str | None = None  # not a journal at all

    @property
    def intact(self) -> bool:
        return not self.problems and self.unreadable is None


def _lines(path: Path) -> Iterator[tuple[int, int, bytes]]:
    """(line number, byte offset, raw line) for each line, the last one possibly without newline."""
    offset = 0
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            yield number, offset, raw
            offset += len(raw)


def read_events(path: str | Path) -> JournalRead:
    """Read and check a journal: hash chain, sequence and shape. Stops at the first break."""
    path = Path(path)
    result = JournalRead()
    try:
        lines = list(_lines(path))
    except OSError as exc:
        result.unreadable = f"cannot read {path}: {exc.strerror}"
        return result
    if not lines:
        result.unreadable = f"{path} is empty: expected a journal (one JSON event per line)"
        return result
    prev = ""
    for number, offset, raw in lines:
        last = number == len(lines)
        if not raw.endswith(b"\n") and last:
            result.truncated_at = offset
            result.problems.append(f"line {number}: cut short (the last line has no end: power loss or a crash while writing)")
            break
        try:
            obj = json.loads(raw)
        except (ValueError, RecursionError):  # RecursionError: nested deeper than json can follow
            if number == 1:
                result.unreadable = f"{path}: line 1 is not JSON: expected a runbook-tui journal"
            else:
                result.problems.append(f"line {number}: not valid JSON (edited or damaged)")
            break
        problem = _check(obj, number, prev)
        if problem:
            if number == 1 and not (isinstance(obj, dict) and {"seq", "hash", "prev", "type"} <= obj.keys()):
                result.unreadable = f"{path}: line 1 is not a journal event: expected a runbook-tui journal"
            else:
                result.problems.append(problem)
            break
        result.events.append(obj)
        prev = obj["hash"]
    return result


def _check(obj: Any, number: int, prev: str) -> str | None:
    if not isinstance(obj, dict) or not all(k in obj for k in ("seq", "ts", "type", "actor", "prev", "hash")):
        return f"line {number}: expected an event with seq, ts, type, actor, prev and hash"
    if type(obj["seq"]) is not int or not all(isinstance(obj[k], str) for k in ("ts", "type", "actor", "prev", "hash")):
        return f"line {number}: expected an integer seq and text ts, type, actor, prev and hash"
    if obj["seq"] != number - 1:
        return f"line {number}: seq {obj['seq']} where {number - 1} was expected (a line was removed or inserted)"
    if obj["prev"] != prev:
        return f"line {number}: prev does not match the hash of line {number - 1} (a line was removed, reordered or edited)"
    try:
        digest = event_hash(obj)
    except (ValueError, RecursionError):  # a lone surrogate (\ud800) has no UTF-8 form; or nested too deep
        return f"line {number}: its content cannot be hashed (text that is not valid Unicode, or nested too deep)"
    if digest != obj["hash"]:
        return f"line {number}: hash does not match its content (the line was edited)"
    if number == 1 and obj["type"] != SESSION_STARTED:
        return f"line 1: expected a session_started event, got {obj['type']!r}"
    if number > 1 and obj["type"] == SESSION_STARTED:
        return f"line {number}: a second session_started event"
    return None


def verify(path: str | Path) -> JournalRead:
    """`journal verify`: the read plus the sequence rule that nothing follows session_finished."""
    result = read_events(path)
    finished = False
    for index, event in enumerate(result.events):
        if finished and event["type"] not in AFTER_FINISH:
            result.problems.append(f"line {index + 1}: a {event['type']} event after session_finished")
            break
        finished = finished or event["type"] == SESSION_FINISHED
    return result


def cut_partial_tail(path: str | Path, read: JournalRead) -> None:
    """Drop a cut-short last line so `resume` continues from the last whole event."""
    if read.truncated_at is not None:
        with open(path, "r+b") as handle:
            handle.truncate(read.truncated_at)
            handle.flush()
            os.fsync(handle.fileno())
