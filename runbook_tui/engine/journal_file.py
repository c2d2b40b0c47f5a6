"""The journal's file: opened for appending with its final mode, never through a symlink; written and fsynced.

One writer at a time: the process that appends holds an exclusive `flock` on the file for as long as it has it
open (a `run`, `exec` or `resume`; released when it closes it or dies), so a second `resume` of a run that is
still going, or of one being resumed already, is refused instead of forking the hash chain and running steps twice.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from runbook_tui.engine.disk_words import said
from runbook_tui.engine.invocation import invocation
from runbook_tui.runbook.bounded_read import open_regular
from runbook_tui.runbook.safe_text import shell_word, visible_line

#: A journal line longer than this is damage, not an event (an output chunk is at most 256 KiB of text,
#: six times that escaped): reading stops there, so `/dev/zero` or a huge line cannot exhaust memory.
MAX_LINE_BYTES = 8 * 1024 * 1024


class JournalError(OSError):
    """Writing the journal failed (disk full, file gone): the run must stop before its next step."""


#: Lines handed to one `writev` at most (Linux's IOV_MAX).
WRITEV_MAX = 1024
#: The page size `drop_written` rounds down to (the kernel keeps a partly written last page cached: an append fills it).
PAGE = 4096


def write_all(fd: int, lines: Sequence[bytes]) -> None:
    """Append `lines` one after another with `writev` (no copy joining them: a flood's group is up to 256 KiB and more),
    fsync, then let the kernel drop the pages made durable (`drop_written`)."""
    for start in range(0, len(lines), WRITEV_MAX):
        group = lines[start : start + WRITEV_MAX]
        size = sum(map(len, group))
        done = os.writev(fd, group)
        if done < size:  # cut short (a signal, the disk filling up): the rest of the group, or the error that stopped it
            view = memoryview(b"".join(group))[done:]
            while view:
                view = view[os.write(fd, view) :]
    os.fsync(fd)
    drop_written(fd, sum(map(len, lines)))


def drop_written(fd: int, size: int) -> None:
    """Let the kernel drop from its cache the pages of the last `size` bytes written, now durable (a hint: never fails).

    The run does not read them back, and a flood's journal is megabytes of new pages a second: on a virtual machine
    fresh page-cache pages cost the writer thread ~7 ms of copying a MiB (the host's faults on first touch), dropped
    ones come back warm for the next commit (~0.7 ms). The last page, partly written, the kernel keeps.
    """
    advise = getattr(os, "posix_fadvise", None)
    if advise is None or size <= 0:
        return
    with contextlib.suppress(OSError):
        end = os.lseek(fd, 0, os.SEEK_CUR)
        start = (end - size) // PAGE * PAGE
        advise(fd, start, end - start, os.POSIX_FADV_DONTNEED)


def as_left(fd: int, size: int) -> None:
    """OSError in words when the file no longer holds the `size` bytes this writer left in it: another program cut it
    (`: > j.jsonl`, a log rotation's copytruncate) or wrote to it. Appending then would start a chain mid-way (or go on
    after someone else's bytes): the record is broken, and the run must stop while it can still be said."""
    now = os.fstat(fd).st_size
    if now != size:
        raise OSError(errno.EIO, f"another program changed it while the run held it (it held {size} bytes, now {now}): nothing more is written to it")


def written_again(path: Path, fd: int) -> int | None:
    """When the journal's file was deleted while the run held it open (`rm`, a clean-up job): everything it holds written
    again at `path` (a new file, 0600, never through a link), fsynced and locked; its descriptor, the old one closed.
    None when it was not deleted; OSError when it cannot be written there (something else is there now).

    Before, the writer went on appending to the deleted file: the run ended and printed `resume PATH` of a file that
    was not there, the whole record gone with the process."""
    if os.fstat(fd).st_nlink:
        return None
    try:
        new = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as exc:  # a file or a link put in its place: never written through, nor over
        raise OSError(exc.errno, f"it was deleted while the run went on, and cannot be written there again ({exc.strerror})") from None
    try:
        with open(f"/proc/self/fd/{fd}", "rb") as old:  # the deleted file, still open here (Linux)
            while chunk := old.read(1 << 20):
                view = memoryview(chunk)
                while view:
                    view = view[os.write(new, view) :]
        os.fsync(new)
        _locked(path, new)
    except BaseException:
        os.close(new)
        raise
    os.close(fd)
    return new


def open_journal(path: Path, *, new: bool) -> int:
    """A journal's file descriptor for appending, created 0600 at open(); never through a symlink.

    A new journal is created with O_EXCL (no gap between a check and the create); an existing empty
    regular file is taken as new. JournalError says why the path cannot be a journal.
    """
    flags = os.O_WRONLY | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        if new:
            try:
                return _locked(path, os.open(path, flags | os.O_CREAT | os.O_EXCL, 0o600))
            except FileExistsError:
                if not path.is_symlink() and path.is_file() and path.stat().st_size == 0:
                    return _regular(path, os.open(path, flags | os.O_NONBLOCK), new=True)
                refuse_unsafe_journal(path)
                raise JournalError(errno.EEXIST, _taken(path)) from None
        refuse_unsafe_journal(path)
        return _regular(path, os.open(path, flags | os.O_NONBLOCK | os.O_CREAT, 0o600), new=False)
    except JournalError:
        raise
    except OSError as exc:
        refuse_unsafe_journal(path)
        raise JournalError(exc.errno or 0, said(f"cannot open the journal {path}: {exc.strerror}", exc.errno, path, "new" if new else "resume")) from None


def _taken(path: Path) -> str:
    """Why a new journal cannot be `path`, which holds something: a journal (resume it), or another file (`--journal
    rb.yaml`, the runbook itself, was said to hold a journal, and `resume rb.yaml` offered; so was a JSON report)."""
    first = first_event(path)
    if first is None:
        return f"{path} exists and is not a journal: refusing to write over it (expected a new file for the journal)"
    # Which run it holds, and both ways on: `--journal` reused from the last night's command line was told only to
    # resume that run, not how to start this one.
    whose = [visible_line(str(first[key])[:80]) for key in ("runbook", "ts") if isinstance(first.get(key), str)]
    run = f" (of runbook '{whose[0]}', started {whose[1]})" if len(whose) == 2 else ""
    return f"{path} already holds a journal{run}: for a new run give --journal a new file, or leave --journal out; to continue that run: {invocation()} resume {shell_word(path)}"


def holds_journal(path: str | Path) -> bool:
    """Whether `path` holds a journal, intact or not (a run's record): its first line is a JSON object with `seq` and
    `hash`. A missing file, a FIFO or a device holds none (and is neither waited on nor read)."""
    return first_event(path) is not None


def first_event(path: str | Path) -> dict[str, Any] | None:
    """The first line of the journal `path` holds (as written: not checked beyond `seq` and `hash`), or None when it
    holds none (see `holds_journal`)."""
    try:
        with open(open_regular(path), "rb") as handle:
            first = json.loads(handle.readline(MAX_LINE_BYTES + 1))
    except (OSError, ValueError, RecursionError):  # RecursionError: nested deeper than json can follow
        return None
    return first if isinstance(first, dict) and {"seq", "hash"} <= first.keys() else None


def new_journal_problem(path: Path) -> str | None:
    """Why `path` cannot be a new journal, as far as can be told before opening it (None: it may be one); a command that
    asks first (`rehearse` in a terminal) says it before the question, not after the yes."""
    try:
        refuse_unsafe_journal(path)
        return _taken(path) if path.stat().st_size else None
    except JournalError as exc:
        return exc.strerror
    except OSError:  # nothing there, or a folder that cannot be read: opening it says why
        return None


def refuse_unsafe_journal(path: Path) -> None:
    """JournalError when `path` is a symlink or exists as something other than a regular file."""
    try:
        mode = path.lstat().st_mode
    except OSError:  # nothing there, a file where a folder should be, a name too long: open() says which (a traceback before)
        return
    if stat.S_ISLNK(mode):
        raise JournalError(errno.ELOOP, f"{path} is a symbolic link: a journal must be a regular file (refusing to follow it)")
    if not stat.S_ISREG(mode):
        raise JournalError(errno.EINVAL, f"{path} is not a regular file: a journal must be one (refusing to write to it)")


def _regular(path: Path, fd: int, *, new: bool) -> int:
    """`fd` when it is a regular file (empty if `new`), made 0600; closed and refused otherwise."""
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or (new and info.st_size):
        os.close(fd)
        refuse_unsafe_journal(path)
        raise JournalError(errno.EEXIST, _taken(path))
    os.set_blocking(fd, True)
    os.fchmod(fd, 0o600)
    return _locked(path, fd)


def hold_journal(path: Path) -> int:
    """An open descriptor holding `path`'s writer lock (JournalError when another process has it): `resume` reads the
    state and cuts a torn tail under it, then closes it just before its own writer takes the lock again."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except OSError as exc:
        raise JournalError(exc.errno or 0, f"cannot open the journal {path}: {exc.strerror}") from None
    return _locked(path, fd)


def _locked(path: Path, fd: int) -> int:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise JournalError(
            errno.EBUSY, f"{path} is being written by another runbook-tui process (the run, or a resume of it, is still going); end that one first"
        ) from None
    return fd
