"""Files and folders created with their final mode at creation: never readable by others, not even for a moment."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path


def private_folder(path: Path) -> None:
    """Make `path` and any missing parent 0700 (`mkdir -p` would give the parents the umask's mode)."""
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:  # made meanwhile by a parallel start
            pass


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path`, a new file created 0600 at open() (an existing file keeps its mode).

    A write that fails (a full disk) leaves no file: before, half a report stayed there, cut mid-sentence, looking
    like the whole one. A symbolic link at `path` is refused (OSError, in words), never followed: one planted in a shared folder had
    `report -o` overwrite its target (a `~/.ssh/authorized_keys`) with a report holding the steps' output.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
        raise OSError(errno.ELOOP, "it is a symbolic link: refusing to follow it (remove it, or write elsewhere)") from None
    regular = stat.S_ISREG(os.fstat(fd).st_mode)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError:  # a full disk: the half written would read as the whole report (never a device: /dev/full stays)
        if regular:
            with contextlib.suppress(OSError):
                os.unlink(path)
        raise
