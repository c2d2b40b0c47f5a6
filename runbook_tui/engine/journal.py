"""The journal: append-only JSONL with a SHA-256 hash chain, fsynced before the program acts.

Anyone can check a journal with ten lines of Python: each line's `hash` is the SHA-256 of the line's object
without `hash`, serialised with sorted keys and compact separators; `prev` is the previous line's hash.

`output` and `metric_sample` events are written in groups, as a database
commits its log: buffered, fsynced at least once a second and always before
the next event of any other type. Every other event is on disk before
`append` returns, so nothing shown as done can be lost. The writing and
fsyncing happen on a writer thread, off the UI's event loop.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from runbook_tui.engine.disk_words import said
from runbook_tui.engine.events import GROUPED, Event
from runbook_tui.engine.files import private_folder
from runbook_tui.engine.journal_file import MAX_LINE_BYTES, as_left, open_journal, write_all, written_again
from runbook_tui.engine.journal_file import JournalError as JournalError  # raised by the writer; importers take it from here
from runbook_tui.engine.journal_hash import canonical as canonical
from runbook_tui.engine.journal_hash import event_hash as event_hash
from runbook_tui.engine.journal_hash import hashed_line as hashed_line
from runbook_tui.engine.journal_scan import JournalRead as JournalRead
from runbook_tui.engine.journal_scan import JournalScan as JournalScan
from runbook_tui.engine.journal_scan import read_events as read_events
from runbook_tui.engine.journal_scan import verify as verify
from runbook_tui.engine.journal_waiters import DurableWaiters
from runbook_tui.engine.keys_first import KEYS
from runbook_tui.engine.output_numbers import NUMBERED, OutputNumbers
from runbook_tui.engine.redact import Redactor

log = logging.getLogger(__name__)

#: The writer thread commits grouped events this often (the contract asks for at least once a second): small fsyncs, so a decision queued behind
#: an output flood waits for little data (the thread's fsyncs cost the event loop nothing).
COMMIT_SECONDS = 0.1
#: ... or as soon as this much waits: during a flood the disk writes as the output comes, and a decision (a pause) waits for
#: the output queued before it, which this bounds (at 1 MiB a flooding `p` waited a median 14 ms for its fsync, now 6.5).
COMMIT_BYTES = 256 * 1024


def utc_now() -> str:
    """ISO 8601 UTC with milliseconds, as the journal's `ts`."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JournalWriter:
    """Appends events to a journal file, chaining hashes and masking secrets.

    The writes and fsyncs happen on a writer thread, so the caller's event loop (the UI's) keeps
    rendering while the disk works: grouped events are committed by the thread once the oldest
    waited COMMIT_SECONDS (or sooner: with the next other event, or once COMMIT_BYTES wait); `append` of any other event
    blocks until that event and everything before it is on disk (group commit: the events queued
    meanwhile go in the same write and fsync).
    """

    def __init__(
        self, path: str | Path, redactor: Redactor | None = None, *, clock: Callable[[], str] = utc_now, new: bool = False, cut: tuple[int, int] | None = None
    ) -> None:
        """`new`: a journal that must not exist yet (or be empty); otherwise continue one (resume) or start it. `cut`
        (resume: where a torn last line starts, the file's size when read): that line is dropped here, under the lock,
        only once the resume that journals the drop is opening the journal; still the same size, nothing else wrote."""
        self.path = Path(path)
        self.redactor = redactor or Redactor()
        self._clock = clock
        self._pending: list[bytes] = []
        self._pending_since = 0.0
        self._pending_bytes = 0
        self._broken: JournalError | None = None  # a write failed: nothing more is appended (no gap mid-journal)
        try:
            private_folder(self.path.parent)
        except OSError as exc:  # a file where a folder should be, no permission, a read-only file system
            words = said(f"cannot make the journal's folder {self.path.parent}: {exc.strerror}", exc.errno, self.path, "new" if new else "resume")
            raise JournalError(exc.errno or 0, words) from None
        self._fd = open_journal(self.path, new=new)
        if cut is not None and os.fstat(self._fd).st_size == cut[1]:
            os.ftruncate(self._fd, cut[0])
            os.fsync(self._fd)
        self._size = os.fstat(self._fd).st_size  # what this writer left in the file: another program's change is seen (as_left)
        self.seq, self.prev = _tail(self.path)
        self._queued = self.seq - 1  # seq of the last line handed to the writer thread
        self._durable = self.seq - 1  # seq of the last line written and fsynced
        self._wanted = self.seq - 1  # commit up to here now (someone waits for it)
        self._closing = False
        self._lock = threading.Condition()
        self._waiters = DurableWaiters()
        self._stopped = False  # the writer thread has returned (closed): nothing more becomes durable
        self._numbers = OutputNumbers()  # each output's `chunk`, each reading's number (a resume's writer starts with session_resumed: from 0)
        self._thread = threading.Thread(target=self._commit_loop, name=f"journal {self.path.name}", daemon=True)
        self._thread.start()
        self._unwatch_keys = KEYS.when_held(self._commit_soon)

    def append(self, type: str, actor: str, data: dict[str, Any] | None = None) -> Event:
        """Write one event and return it as written (masked, with seq, ts, prev, hash).

        Every event but the grouped ones is on disk when this returns.
        """
        obj = self.queue(type, actor, data)
        if type not in GROUPED:
            self._wait_durable(obj["seq"])
        return obj

    async def durable(self, seq: int, *, hurry: bool = True) -> None:
        """Return once the event `seq` (and everything before it) is on disk; the caller's event loop runs on meanwhile
        (the writer thread wakes it). JournalError if the write failed. `hurry=False`: a grouped event is not committed
        sooner for this wait (it is within COMMIT_SECONDS anyway): a share relaying output waits without an fsync per send."""
        with self._lock:
            if self._durable < seq and self._broken is None and not self._stopped:
                if hurry and seq > self._wanted:
                    self._wanted = seq
                    self._lock.notify_all()
                settled = self._waiters.add(seq)
            else:
                settled = None
        if settled is not None:
            await settled
        self._raise_if_broken()

    @property
    def closed(self) -> bool:
        """`close` has begun: the program is leaving (a quit, a signal), and nothing more is journaled (JournalError)."""
        return self._closing

    @property
    def durable_seq(self) -> int:
        """The seq of the last event written and fsynced."""
        return self._durable

    def queue(self, type: str, actor: str, data: dict[str, Any] | None = None, *, commit: bool = True) -> Event:
        """Chain one event and hand it to the writer thread; return it as it will be written, without waiting for the disk.

        `append` waits (for all but the grouped events); a caller on an event loop awaits `durable(event["seq"])`
        before acting on it. `commit=False`: the caller's `flush` commits it, with what it queues after it (one write).
        """
        self._raise_if_broken()
        if self._closing:  # e.g. a participant's leave while the process shuts down: no writer thread is left to write it
            raise JournalError(errno.EBADF, f"the journal {self.path} is closed")
        obj: dict[str, Any] = self.redactor.value(dict(data or {}))
        obj.update(seq=self.seq, ts=self._clock(), type=str(type), actor=actor, prev=self.prev)
        if type in NUMBERED:
            obj[NUMBERED[type]] = self._numbers.take(obj)
        else:
            self._numbers.seen(obj)
        try:
            digest, line = hashed_line(obj)
        except UnicodeEncodeError:  # a lone surrogate: bytes that were not UTF-8 (a folder's name, the environment)
            raise JournalError(
                errno.EILSEQ, f"a {type} event holds text that is not UTF-8 (a file or folder name, or the environment's); the journal cannot hold it"
            ) from None
        obj["hash"] = digest
        seq = self.seq
        self.seq += 1
        self.prev = digest
        with self._lock:
            if not self._pending:
                self._pending_since = time.monotonic()
                self._lock.notify_all()  # the thread may sleep with nothing to do: its commit clock starts now
            self._pending.append(line)
            self._pending_bytes += len(line)
            if self._pending_bytes >= COMMIT_BYTES:
                self._lock.notify_all()
            self._queued = seq
            if type not in GROUPED and commit:  # committed now, whether the caller waits here (append) or on its loop (durable)
                self._wanted = seq
                self._lock.notify_all()
        return obj  # the thread commits a grouped event within COMMIT_SECONDS, or with the next other event

    def flush_if_due(self) -> None:
        """Raise the writer thread's failure, if any (called on a timer: the thread commits by itself)."""
        self._raise_if_broken()

    def flush(self) -> None:
        """Everything appended so far on disk before this returns."""
        self._wait_durable(self._queued)

    def close(self) -> None:
        self._unwatch_keys()
        try:
            self.flush()
        finally:
            with self._lock:
                self._closing = True
                self._lock.notify_all()
            self._thread.join()
            os.close(self._fd)

    def _commit_soon(self) -> None:
        """Commit what is queued now, without waiting for it: a key is being handled (output stops meanwhile), and the
        decision it may journal next then waits for its own fsync only, not for the output's group commit too."""
        with self._lock:
            if self._queued > self._wanted:
                self._wanted = self._queued
                self._lock.notify_all()

    def _raise_if_broken(self) -> None:
        if self._broken is not None:
            raise JournalError(self._broken.errno, self._broken.strerror)

    def _wait_durable(self, seq: int) -> None:
        with self._lock:
            if seq > self._wanted:
                self._wanted = seq
                self._lock.notify_all()
            while self._durable < seq and self._broken is None and not (self._closing and not self._thread.is_alive()):
                self._lock.wait(1.0)  # bounded: a writer thread that is gone must not leave us waiting forever
        self._raise_if_broken()

    def _commit_loop(self) -> None:
        """The writer thread: take what is queued, write it, fsync it, say so; until closed or broken."""
        while True:
            with self._lock:
                while True:
                    if self._pending and (self._wanted > self._durable or self._closing or self._pending_bytes >= COMMIT_BYTES):
                        break
                    if self._closing:
                        self._stopped = True
                        self._waiters.fail(None)
                        return
                    if self._pending:
                        left = self._pending_since + COMMIT_SECONDS - time.monotonic()
                        if left <= 0:
                            break
                        self._lock.wait(left)
                    else:
                        self._lock.wait()
                batch, self._pending, self._pending_bytes = self._pending, [], 0
                last = self._queued
            writing = False  # another program's change (as_left) is left as it is, never emptied below
            try:
                as_left(self._fd, self._size)
                writing = True
                write_all(self._fd, batch)
                self._size += sum(map(len, batch))
                if (again := written_again(self.path, self._fd)) is not None:
                    self._fd = again
                    log.warning("the journal %s was deleted while the run went on; it is written there again, as it was", self.path)
            except OSError as exc:
                # What was lost (and any half-written line) stays lost: appending after it would leave a
                # hole in the chain mid-journal, which `resume` refuses; a cut-short last line it repairs.
                if self._durable < 0 and writing:  # never a whole line: emptied, so "nothing was run" starts again with this --journal
                    with contextlib.suppress(OSError):
                        os.ftruncate(self._fd, 0)
                with self._lock:
                    self._broken = JournalError(exc.errno or 0, said(f"cannot write the journal {self.path}: {exc.strerror}", exc.errno, self.path, "write"))
                    self._lock.notify_all()
                    self._waiters.fail(self._broken)
                return
            with self._lock:
                self._durable = last
                self._lock.notify_all()
                self._waiters.settle(last)


def _tail(path: Path) -> tuple[int, str]:
    """(next seq, last hash) of an existing journal, to continue its chain on resume.

    Read from its last line (resume has checked the whole chain and cut a
    partial line before it opens the writer); a last line that is not a
    whole event means a full scan, as before.
    """
    if not path.exists() or path.stat().st_size == 0:
        return 0, ""
    last = _last_line(path)
    try:
        event = json.loads(last) if last is not None else None
    except (ValueError, RecursionError):
        event = None
    if isinstance(event, dict) and type(event.get("seq")) is int and isinstance(event.get("hash"), str):
        return event["seq"] + 1, event["hash"]
    scan = JournalScan(path)
    for _event in scan:
        pass
    if scan.last is None:
        return 0, ""
    return int(scan.last["seq"]) + 1, str(scan.last["hash"])


def _last_line(path: Path, block: int = 65536) -> bytes | None:
    """The file's last line when it ends with a newline (read backwards, at most MAX_LINE_BYTES); None otherwise."""
    with path.open("rb") as handle:
        end = handle.seek(0, os.SEEK_END)
        data = b""
        while end > 0 and len(data) <= MAX_LINE_BYTES:
            start = max(0, end - block)
            handle.seek(start)
            data = handle.read(end - start) + data
            end = start
            if data.count(b"\n") >= 2 or (end == 0 and data.endswith(b"\n")):
                break
    if not data.endswith(b"\n"):
        return None
    return data[:-1].rsplit(b"\n", 1)[-1]
