"""The journal's file: opened for appending with its final mode, never through a symlink; written and fsynced."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path


class JournalError(OSError):
    """Writing the journal failed (disk full, file gone): the run must stop before its next step."""


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
    os.fsync(fd)


def open_journal(path: Path, *, new: bool) -> int:
    """A journal's file descriptor for appending, created 0600 at open(); never through a symlink.

    A new journal is created with O_EXCL (no gap between a check and the create); an existing empty
    regular file is taken as new. JournalError says why the path cannot be a journal.
    """
    flags = os.O_WRONLY | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        if new:
            try:
                return os.open(path, flags | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                if not path.is_symlink() and path.is_file() and path.stat().st_size == 0:
                    return _regular(path, os.open(path, flags | os.O_NONBLOCK), new=True)
                refuse_unsafe_journal(path)
                raise JournalError(errno.EEXIST, f"{path} already holds a journal; use `runbook-tui resume {path}` to continue it") from None
        refuse_unsafe_journal(path)
        return _regular(path, os.open(path, flags | os.O_NONBLOCK | os.O_CREAT, 0o600), new=False)
    except JournalError:
        raise
    except OSError as exc:
        refuse_unsafe_journal(path)
        raise JournalError(exc.errno or 0, f"cannot open the journal {path}: {exc.strerror}") from None


def refuse_unsafe_journal(path: Path) -> None:
    """JournalError when `path` is a symlink or exists as something other than a regular file."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
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
        raise JournalError(errno.EEXIST, f"{path} already holds a journal; use `runbook-tui resume {path}` to continue it")
    os.set_blocking(fd, True)
    os.fchmod(fd, 0o600)
    return fd
