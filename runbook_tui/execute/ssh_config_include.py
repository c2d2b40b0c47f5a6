"""`Include` in the ssh config, as OpenSSH reads it: which files, in which order, how deep; and what a reading
depends on, so that a change to an included file is read again as ssh would read it.

asyncssh found an Include's files with `Path.glob`: in the directory's own order (ext4's hash order, so of
`conf.d/01-first.conf` … `99-last.conf` another file's values won than `ssh` takes), with hidden names among a `*`'s
(an editor's `.db.conf.swp`, a `.disabled.conf`), and `**` reaching into every folder below. ssh's glob(3) sorts the
names (byte order: ssh collates in the C locale), leaves a name starting with `.` out of a wildcard, and reads `**` as
`*`; `glob.glob` without `recursive` does the same, and the names are sorted here.
"""

from __future__ import annotations

import glob
import itertools
import os
import shlex
from pathlib import Path

#: How deep `Include`s may nest, as OpenSSH allows (its READCONF_MAX_DEPTH): deeper is a loop of files.
MAX_INCLUDE_DEPTH = 16


class IncludeLoopError(Exception):
    """The `Include`s nest deeper than OpenSSH allows; the message is for the user."""


def included_files(pattern: str, base: Path | None = None) -> list[Path]:
    """The files `Include PATTERN` reads, in the order ssh reads them; a relative pattern is under `base`: ~/.ssh for
    the user's config (the default), /etc/ssh for the system's, as ssh's."""
    where = _anchored(pattern, base)
    return [Path(name) for name in sorted(glob.glob(str(where))) if Path(name).is_file()]


def _anchored(pattern: str, base: Path | None) -> Path:
    where = Path(pattern).expanduser()
    return where if where.anchor else (base or Path("~", ".ssh").expanduser()) / where


def include_tree(path: Path, base: Path | None = None) -> tuple[str, ...]:
    """What a reading of the config at `path` depends on: the file, every file its `Include`s name (whatever their
    Host or Match), and the folder each Include's glob searches (a file added there changes it). `IncludeLoopError` when
    they nest deeper than OpenSSH allows (a file that includes itself, or two that include each other): asyncssh
    follows such a loop until Python's stack runs out."""
    found: dict[str, None] = {}
    _walk(path, 0, found, base)
    return tuple(found)


def stamp(paths: tuple[str, ...]) -> tuple[tuple[str, int, int, int, int, int] | str, ...]:
    """Each path's inode, size, modification time, owner and mode (the path alone when it is not there): a change to
    any of them is a change of the config (before, only the config file itself was looked at: an included file fixed
    mid-run was not read again; and a chmod was no change, so a file opened to everyone mid-run was not checked again,
    see `ssh_config_perms`)."""
    marks: list[tuple[str, int, int, int, int, int] | str] = []
    for path in paths:
        try:
            info = os.stat(path)
        except OSError:
            marks.append(path)
            continue
        marks.append((path, info.st_ino, info.st_size, info.st_mtime_ns, info.st_uid, info.st_mode))
    return tuple(marks)


def _walk(path: Path, depth: int, found: dict[str, None], base: Path | None) -> None:
    if depth > MAX_INCLUDE_DEPTH:
        raise IncludeLoopError("its Includes go round in a loop (a file that includes itself, or two that include each other)")
    found[str(path)] = None
    with open(path, encoding="utf-8", errors="replace") as text:
        lines = [line.strip() for line in text]
    for line in lines:
        try:
            words = shlex.split(line) if line[:7].lower() == "include" else []
        except ValueError:  # asyncssh says what is wrong with the line
            continue
        patterns = [*words[0].partition("=")[2:], *words[1:]] if words and words[0].lower().partition("=")[0] == "include" else []
        for pattern in filter(None, (p.removeprefix("=") for p in patterns)):
            where = _anchored(pattern, base)
            plain = [part for part in itertools.takewhile(lambda part: not glob.has_magic(part), where.parts)]
            found[str(Path(*plain))] = None  # the file itself, or the folder its glob searches
            for each in included_files(pattern, base):
                _walk(each, depth + 1, found, base)
