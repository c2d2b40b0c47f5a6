"""Files and folders created with their final mode at creation: never readable by others, not even for a moment."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
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
    """Write `text` to `path`, which ends 0600 whether it was there or not, and no other user reads the text, ever.

    The text goes to a new file created 0600 beside `path`, then takes its name (rename): an existing file at `path`
    (the user's own at 0644) is replaced whole, never written in place, so no descriptor opened on it earlier (another
    user's reader) sees the new text, and it does not keep a looser mode (before: it kept 0644 and held a run's output).
    A write that fails (a full disk) leaves the old file as it was and no file beside it (before: half a report stayed
    there, cut mid-sentence). A symbolic link at `path` is refused (OSError, in words), never followed: one planted in a
    shared folder had `report -o` overwrite its target (a `~/.ssh/authorized_keys`) with a report holding the steps'
    output. A device or a FIFO there (`-o /dev/stdout`) is written as it is. A file there this user may not write (its
    owner made it read-only) is refused as writing it in place would be (PermissionError), never replaced by the rename.
    """
    try:
        there = os.lstat(path).st_mode
    except FileNotFoundError:
        there = None
    if there is not None and stat.S_ISLNK(there):
        raise OSError(errno.ELOOP, "it is a symbolic link: refusing to follow it (remove it, or write elsewhere)")
    if there is not None and not stat.S_ISREG(there):
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC), "w", encoding="utf-8") as handle:
            handle.write(text)
        return
    if there is not None:  # the rename would replace a file its user may not write (0444): refused as `>` refuses it
        os.close(os.open(path, os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC))
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".runbook-tui-", suffix=".part")  # O_EXCL, 0600; a short name
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)  # a link planted meanwhile is replaced, never written through
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
