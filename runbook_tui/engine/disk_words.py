"""What to do when the journal's folder cannot be made, or the journal opened or written.

Before, such an error said what failed and where, as the system words it (`cannot make the journal's folder
afile/deeper: Not a directory`), and stopped there: which part of the path is in the way, and what the person at the
keyboard at 3 a.m. should do next, was left to them. Each now ends with that.
"""

from __future__ import annotations

import errno
import getpass
from pathlib import Path
from typing import Literal

#: new: a run's new journal (`--journal PATH` chooses another); resume: an existing one continued in place; write: a
#: write to an open journal (the run stops, and `resume` continues what reached the disk); state: the state folder
#: (`demo` keeps its sandbox and journal there, and takes no --journal); output: a file written with `-o`; create:
#: the FILE `new` makes.
Where = Literal["new", "resume", "write", "state", "output", "create"]

#: How another path is named, where the person names it: `{} elsewhere`, `{} on another disk`, ...
_ANOTHER = {"new": "give --journal a path", "output": "give -o a path", "create": "name a file"}
_ELSEWHERE = {
    **{where: f"{another} elsewhere" for where, another in _ANOTHER.items()},
    "resume": "copy the journal to a folder you can write and resume the copy",
    "write": "",  # the run says what follows: nothing was run, or `resume` continues what reached the disk
    "state": "set XDG_STATE_HOME to a folder you can write",
}
_READ_ONLY = {
    **{where: f"{another} on one that can be written" for where, another in _ANOTHER.items()},
    "resume": "copy the journal to one that can be written and resume the copy",
    "state": "set XDG_STATE_HOME to a folder on one that can be written",
}


def said(message: str, number: int | None, path: Path, where: Where) -> str:
    """`message` (what failed, where, as the system words it) and, after a `; `, what to do."""
    what = remedy(number, path, where)
    return f"{message}; {what}" if what else message


def remedy(number: int | None, path: Path, where: Where) -> str:
    """Why in a few words, and what to do: `afile is a file, not a folder: give --journal a path elsewhere`."""
    folder = path.parent
    elsewhere = _ELSEWHERE[where]
    another = _ANOTHER.get(where)
    if number in (errno.ENOSPC, errno.EDQUOT):
        again = f", or {another} on another disk" if another else ", then resume again" if where == "resume" else ""
        return f"the disk holding {folder} is full (or its quota is used up): free space there{again}"
    if not elsewhere or number is None or number == errno.ELOOP:  # (the message says what to do itself: a symbolic link refused)
        return ""
    if number == errno.ENOTDIR and (blocker := _not_a_folder(path)) is not None:
        return f"{blocker} is a file, not a folder: {elsewhere}"
    if number in (errno.EACCES, errno.EPERM) and where in ("resume", "output") and path.exists():  # the file itself is read-only
        appends = ", and resume appends to it" if where == "resume" else ""
        return f"{_user()} may not write to {path}{appends}: get write access to it, or {elsewhere}"
    if number in (errno.EACCES, errno.EPERM):
        return f"{_user()} may not write in {_nearest(folder)}: {elsewhere}, or get write access there"
    if number == errno.EROFS:
        return f"{_nearest(folder)} is on a read-only file system: {_READ_ONLY[where]}"
    if number == errno.EISDIR and another:
        return f"{path} is a folder: {another.replace(' a path', ' a file name')} in it ({path / ('NAME.jsonl' if where == 'new' else 'NAME')})"
    if number == errno.ENAMETOOLONG:
        return f"the path is too long for the file system: {elsewhere}, with a shorter name"
    if number == errno.ENOENT and another:
        return f"{_nearest(folder)} cannot hold new folders or files: {another} in a folder that exists"
    return elsewhere


def _not_a_folder(path: Path) -> Path | None:
    """The first of `path`'s folders that exists and is not a folder."""
    for folder in reversed(path.parents):
        if folder.exists() and not folder.is_dir():
            return folder
    return None


def _nearest(folder: Path) -> Path:
    """`folder`, or its nearest parent that exists (where the making or the writing was refused)."""
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            return candidate
    return folder


def _user() -> str:
    try:
        return f"this user ({getpass.getuser()})"
    except (KeyError, OSError):  # no name for the uid
        return "this user"
