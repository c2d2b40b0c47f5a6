"""Read a file the user named, never more than a limit: `/dev/zero`, a FIFO or a growing file cannot bypass it.

`stat().st_size` says 0 for `/dev/zero` and a FIFO, and `read_bytes()` then
reads forever (or blocks). So: open without blocking, refuse anything that is
not a regular file, and read at most `limit + 1` bytes to tell "too large".
The kind is looked at (`stat`) before any open: opening a socket fails with the
OS's `No such device or address`, and opening a device can have effects of its own.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path


class ReadRefused(OSError):
    """Not a regular file, or larger than the limit; `strerror` says which in words."""


_KINDS: tuple[tuple[Callable[[int], bool], str], ...] = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def not_regular(mode: int) -> str | None:
    """None for a regular file's mode; else what a message says instead: `expected a regular file, got a FIFO`."""
    if stat.S_ISREG(mode):
        return None
    kind = next((words for test, words in _KINDS if test(mode)), "not a regular file")
    return f"expected a regular file, got {kind}"


def open_regular(path: str | Path, *, pipes: bool = False) -> int:
    """A descriptor of the file, opened without blocking (a FIFO with no writer would block `open`); ReadRefused
    (closed again) for anything but a regular file, or OSError. `pipes`: a pipe is read too (`-p x=@<(pass show x)`),
    blocking from here on (with no writer, a read ends at once with nothing)."""
    _refuse_unless_readable(os.stat(path).st_mode, pipes=pipes)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    mode = os.fstat(fd).st_mode
    try:
        _refuse_unless_readable(mode, pipes=pipes)  # again: the path may have been replaced since the stat
    except ReadRefused:
        os.close(fd)
        raise
    if stat.S_ISFIFO(mode):
        os.set_blocking(fd, True)
    return fd


def _refuse_unless_readable(mode: int, *, pipes: bool) -> None:
    """ReadRefused, in words, for a mode open_regular does not read."""
    problem = None if pipes and stat.S_ISFIFO(mode) else not_regular(mode)
    if problem is not None:
        raise ReadRefused(0, problem)


def read_limited(path: str | Path, limit: int, *, pipes: bool = False) -> bytes:
    """The file's bytes; raises ReadRefused (or OSError) instead of reading more than `limit`. `pipes`: as open_regular."""
    fd = open_regular(path, pipes=pipes)
    try:
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise ReadRefused(0, f"more than {limit} bytes; the limit is {limit // (1024 * 1024)} MiB")
        return b"".join(chunks)
    finally:
        os.close(fd)
