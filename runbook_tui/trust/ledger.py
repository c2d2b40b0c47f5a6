"""A participant's own record of the events they received: the chain checked as it grows.

The verifier's client feeds every event it receives here (and flushes the
copy after each batch it read). Each must extend
the chain it already holds (`prev` is the last hash, `hash` is the event's
own); an event it already has must be the same event. Anything else is a
divergence: the assignee's history changed under the verifier's eyes. A copy
left by an earlier `join` of the same session is read first: what they saw
then counts as seen.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import stat
from pathlib import Path
from typing import BinaryIO

from runbook_tui.engine.events import Event
from runbook_tui.engine.files import private_folder
from runbook_tui.engine.journal import canonical, event_hash
from runbook_tui.engine.journal_lines import output_event
from runbook_tui.trust import statements

#: Lines held for the copy before they are written even without a `flush` (a long batch stays bounded).
FLUSH_EVERY = 4096


def _open_regular(path: Path) -> BinaryIO:
    """`path` opened to read, never through a link, never blocking on a FIFO or a device: a copy's path that is not a
    regular file is refused (OSError). Before, a FIFO planted there hung `join` before its first screen, and a link was
    read through."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


class Ledger:
    """The hashes seen, by seq; the last event that showed each step; an optional copy on disk."""

    def __init__(self, copy: Path | None = None) -> None:
        self.hashes: list[str] = []
        self.shown: dict[str, str] = {}  # step (statements.shown_key) -> hash of the last event that showed it
        self.copy = copy
        self._fd: int | None = None
        self._unwritten: list[bytes] = []  # lines for the copy, written by `flush` (one write per batch received)
        self.failed = ""  # why the copy could not be kept ("" while it is): then it is not written any more
        if copy is not None:
            self._load(copy)

    def _load(self, copy: Path) -> None:
        """What an earlier join of this session by this person received (its copy): held as seen, so a history rewritten
        while they were away is a divergence when the catch-up brings it, and the copy is not written twice. A torn or
        unreadable tail (their machine stopped mid-write) is cut off: the copy holds only what chains."""
        try:
            handle = _open_regular(copy)
        except FileNotFoundError:
            return
        except OSError as exc:
            self._failed(exc)
            return
        self.copy, kept = None, 0  # checked, not written again
        with handle:
            for line in handle:  # streamed: a long session's copy is not held whole
                if not line.endswith(b"\n"):  # the last piece has no newline: a torn line
                    break
                line = line[:-1]
                if self.add_output(line) is None:
                    try:
                        event = json.loads(line)
                    except (ValueError, RecursionError):
                        break
                    if not isinstance(event, dict) or self.add(event) is not None:
                        break
                kept += len(line) + 1
            size = os.fstat(handle.fileno()).st_size
        self.copy = copy
        if kept < size:  # cut by the one writer only: another join of this person may be writing that line now
            try:
                if self._writer():
                    assert self._fd is not None
                    os.ftruncate(self._fd, kept)
            except OSError as exc:
                self._failed(exc)

    @property
    def head(self) -> str:
        return self.hashes[-1] if self.hashes else ""

    def holds(self, event: Event) -> bool:
        """This very event is in the verified chain."""
        seq = event.get("seq")
        return isinstance(seq, int) and 0 <= seq < len(self.hashes) and self.hashes[seq] == event.get("hash")

    def add_output(self, line: bytes) -> Event | None:
        """Record the event in `line` (its journal line, as received) when it is the next event, a canonical `output`
        event whose hash is right (most of a catch-up: parsed, checked and recorded in one call, its hash from the
        bytes, the copy on disk gets those bytes); None when it is not that (nothing recorded: read it and `add` it)."""
        held = len(self.hashes)
        event: Event | None = output_event(line, held, self.hashes[-1] if held else "")
        if event is not None:
            self.hashes.append(event["hash"])
            self._write(line)
        return event

    def add(self, event: Event) -> str | None:
        """Record one event; None when it fits, else the divergence in words. It is encoded again, as the spec hashes it."""
        held = len(self.hashes)
        seq = event.get("seq")
        if not isinstance(seq, int) or seq < 0:
            return f"an event without a valid seq: {seq!r}"
        try:
            digest = event_hash(event)  # the spec's encoding of the event, whatever bytes came
        except (ValueError, RecursionError):
            return f"event {seq} cannot be hashed"
        if digest != event.get("hash"):
            return f"event {seq}: its hash does not match its content"
        if seq < held:
            if self.hashes[seq] != digest:
                return f"event {seq} differs from the one received before: the assignee's history was rewritten"
            return None
        if seq != held:
            return f"event {seq} after {held - 1}: a gap"
        if event.get("prev") != (self.hashes[-1] if held else ""):
            return f"event {seq} does not follow event {seq - 1} (prev does not match)"
        self.hashes.append(digest)
        shows = statements.shows(event)
        if shows is not None:
            self.shown[shows] = digest
        self._write(canonical(event))
        return None

    def _write(self, line: bytes) -> None:
        if self.copy is not None:
            self._unwritten.append(line)
            if len(self._unwritten) >= FLUSH_EVERY:
                self.flush()

    def flush(self) -> None:
        """The lines added since the last flush, to the copy on disk, in one write."""
        if self.copy is None or not self._unwritten:
            return
        data = b"\n".join(self._unwritten) + b"\n"
        self._unwritten.clear()
        try:
            if not self._writer():
                return
            assert self._fd is not None
            view = memoryview(data)
            while view:
                view = view[os.write(self._fd, view) :]
        except OSError as exc:
            self._failed(exc)

    def _writer(self) -> bool:
        """Open the copy as its one writer (the same person joined twice, from two windows, wrote every event twice,
        interleaved); False when another join of theirs holds it: this one keeps no copy, and says why."""
        if self._fd is not None:
            return True
        assert self.copy is not None
        # Every folder made 0700, whatever the umask (a verifier's first join makes their state folder: `mkdir -p` gave
        # it the umask's mode, world-writable under 000); the copy 0600, never written through a planted link.
        private_folder(self.copy.parent)
        fd = os.open(self.copy, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o600)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):  # a FIFO made there since it was read: never block on it
                raise OSError(errno.EINVAL, "not a regular file")
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.fchmod(fd, 0o600)  # a copy found looser (0644, restored from a backup): private before anything more is added
        except BlockingIOError:
            os.close(fd)
            self.failed, self.copy = f"{self.copy}: another join of yours to this session writes it", None
            return False
        except OSError:
            os.close(fd)
            raise
        self._fd = fd
        return True

    def _failed(self, exc: OSError) -> None:
        """The copy cannot be read or written (a full disk, a folder that is not one): kept no more, and why said in
        `failed` (before: the OSError ended the read of the session, taken for a lost connection, and so at each rejoin)."""
        self.failed = f"{self.copy}: {exc.strerror or exc}"
        self.copy, self._unwritten = None, []
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def close(self) -> None:
        self.flush()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
