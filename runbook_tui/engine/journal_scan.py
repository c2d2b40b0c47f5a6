"""Reading and verifying a journal: one line at a time, each checked against the chain as it comes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from runbook_tui.engine.after_end import may_follow_end
from runbook_tui.engine.event_shape import EventShapes, ts_problem
from runbook_tui.engine.events import SESSION_FINISHED, SESSION_REOPENED, SESSION_STARTED, Event
from runbook_tui.engine.journal_file import MAX_LINE_BYTES
from runbook_tui.engine.journal_hash import canonical, event_hash
from runbook_tui.engine.journal_lines import chained_output, decode_line
from runbook_tui.runbook.bounded_read import open_regular
from runbook_tui.runbook.lean_dataclass import dataclass, field
from runbook_tui.runbook.safe_text import visible_line


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


class JournalScan:
    """A journal read one line at a time, each checked as it comes: memory stays flat for any size.

    Iterate once for the events that hold together (hash chain, sequence, shape; with `finished_rule`
    also: nothing but events that may follow the end after session_finished, `may_follow_end`). Afterwards `problems`,
    `truncated_at`, `unreadable`, `count`, `last` and `finished` say how it ended; `malformed` when it stopped at an
    event whose chain holds but whose fields are not as this program writes them (`event_shape`).
    """

    def __init__(self, path: str | Path, *, finished_rule: bool = False) -> None:
        self.path = Path(path)
        self.finished_rule = finished_rule
        self.problems: list[str] = []
        self.truncated_at: int | None = None
        self.unreadable: str | None = None
        self.count = 0
        self.last: Event | None = None
        self.offset = 0
        self.malformed = False
        self.finished = False  # with `finished_rule`: the last session_finished is not followed by a session_reopened
        self._shapes = EventShapes()

    @property
    def intact(self) -> bool:
        return not self.problems and self.unreadable is None

    def __iter__(self) -> Iterator[Event]:
        try:
            with open(open_regular(self.path), "rb") as handle:  # a FIFO or a device is refused, never waited on or read forever
                yield from self._events(handle)
        except OSError as exc:
            self.unreadable = f"cannot read {self.path}: {exc.strerror}"
            return
        if self.count == 0 and not self.problems and self.unreadable is None:
            self.unreadable = f"{self.path} is empty: expected a journal (one JSON event per line)"

    def _events(self, handle: Any) -> Iterator[Event]:
        prev, offset, finished, last = "", 0, False, None
        fitting_ts = ""  # the last `output` event's ts that was a time (a flood's events share theirs): not parsed again
        readline = handle.readline
        number = 0
        try:
            while raw := readline(MAX_LINE_BYTES + 1):
                number += 1
                if len(raw) > MAX_LINE_BYTES:
                    self._refuse(number, f"line {number}: longer than {MAX_LINE_BYTES} bytes (not an event)", "is not a journal event")
                    return
                if raw[-1] != 10:  # readline gives a line without its end (b"\n") only at the end of the file
                    if number == 1 and not b'{"'.startswith(raw[:2]):
                        # Every event this program writes begins `{"`: a lone line that does not (`hello`, a binary file)
                        # was never one cut short (was: "cut short ... power loss", exit 1; resume: "the run never began").
                        self.unreadable = f"{self.path}: line 1 is not a journal event: expected a runbook-tui journal"
                        return
                    self.truncated_at = offset
                    self.problems.append(f"line {number}: cut short (the last line has no end: power loss or a crash while writing)")
                    return
                obj = None if finished else chained_output(raw, number, prev)  # most lines: every check done in one call
                if obj is not None and obj["ts"] != fitting_ts:
                    if (problem := ts_problem(obj["ts"])) is not None:
                        self._malformed(number, f"output: {problem}")
                        return
                    fitting_ts = obj["ts"]
                if obj is None:
                    obj = self._general(raw, number, prev)
                    if obj is None:
                        return
                    if self.finished_rule and finished and obj["type"] == SESSION_REOPENED:
                        finished = False  # resume --rollback on a failed session: the rollback and a new end follow
                    elif self.finished_rule and finished and not may_follow_end(obj):
                        self.problems.append(f"line {number}: a {obj['type']} event after session_finished")
                        return
                    finished = self.finished_rule and (finished or obj["type"] == SESSION_FINISHED)
                self.offset = offset  # where the event yielded next starts in the file
                prev, offset, last = obj["hash"], offset + len(raw), obj
                yield obj
        finally:
            self.last = last
            self.count = 0 if last is None else last["seq"] + 1
            self.finished = finished

    def _general(self, raw: bytes, number: int, prev: str) -> Event | None:
        """Line `number` read and checked the general way: its event, or None with the problem noted."""
        try:
            obj = decode_line(raw)
        except (ValueError, RecursionError):  # RecursionError: nested deeper than json can follow
            if number == 1 and _ours(raw):  # the session's start as written here, a byte changed: damage, not another file
                self.problems.append("line 1: not valid JSON (edited or damaged)")
            else:
                self._refuse(number, f"line {number}: not valid JSON (edited or damaged)", "is not JSON")
            return None
        problem = _check(obj, number, prev)
        if problem is None:
            event: Event = obj
            shape = _repeated_key(raw, event) or self._shapes.problem(event)
            if shape is None:
                return event
            self._malformed(number, shape)
            return None
        if number == 1 and not (isinstance(obj, dict) and {"seq", "hash", "prev", "type"} <= obj.keys()):
            self.unreadable = f"{self.path}: line 1 is not a journal event: expected a runbook-tui journal"
        else:
            self.problems.append(problem)
        return None

    def _malformed(self, number: int, problem: str) -> None:
        self.malformed = True
        self.problems.append(f"line {number}: {problem} (the chain holds, but this program writes no such event)")

    def _refuse(self, number: int, problem: str, first_line: str) -> None:
        if number == 1:
            self.unreadable = f"{self.path}: line 1 {first_line}: expected a runbook-tui journal"
        else:
            self.problems.append(problem)


def _repeated_key(raw: bytes, event: Event) -> str | None:
    """A key given twice in one object of the line (said as a shape problem); None when none is. JSON readers differ on
    which one counts (Python's `json` and `jq`: the last; others the first, or refuse), and the spec's hash is over the
    object parsed, so `"actor":"bob","actor":"alice"` hashed as alice's line while a first-wins reader saw bob's. A
    line as this program writes it (canonical) has none: only another spelling is parsed again to look."""
    if canonical(event) == raw.rstrip(b"\n"):
        return None
    repeated: list[str] = []

    def pairs(members: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: set[str] = set()
        for key, _ in members:
            if key in seen and not repeated:
                repeated.append(key)
            seen.add(key)
        return dict(members)

    json.loads(raw, object_pairs_hook=pairs)
    return f"{visible_line(repeated[0])!r} is given twice: JSON readers differ on which one counts" if repeated else None


def _ours(raw: bytes) -> bool:
    """`raw` (a whole line) reads as this program's first event: canonical JSON, with its type and its hash."""
    return raw.startswith(b'{"') and b'"type":"session_started"' in raw and b'"hash":"' in raw and b'"seq":0' in raw


def read_events(path: str | Path) -> JournalRead:
    """Read and check a journal into a list (small journals, tests); stops at the first break."""
    return _collect(JournalScan(path))


def _collect(scan: JournalScan) -> JournalRead:
    events = list(scan)
    return JournalRead(events, scan.problems, scan.truncated_at, scan.unreadable)


_EVENT_KEYS = frozenset(("seq", "ts", "type", "actor", "prev", "hash"))
_TEXT_KEYS = ("ts", "type", "actor", "prev", "hash")


def _check(obj: Any, number: int, prev: str) -> str | None:
    if not isinstance(obj, dict) or not obj.keys() >= _EVENT_KEYS:
        return f"line {number}: expected an event with seq, ts, type, actor, prev and hash"
    if type(obj["seq"]) is not int or not all(type(obj[k]) is str for k in _TEXT_KEYS):
        return f"line {number}: expected an integer seq and text ts, type, actor, prev and hash"
    if obj["seq"] != number - 1:
        return f"line {number}: seq {obj['seq']} where {number - 1} was expected (a line was removed or inserted)"
    if obj["prev"] != prev:
        return f"line {number}: prev does not match the hash of line {number - 1} (a line was removed, reordered or edited)"
    try:
        digest = event_hash(obj)  # the spec's encoding of the object, whatever bytes the line holds
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
    """`journal verify` into a list: the read plus the rule that nothing follows session_finished."""
    return _collect(JournalScan(path, finished_rule=True))
