"""`Include` in the ssh config, as OpenSSH reads it: which files, in which order, how deep.

asyncssh found an Include's files with `Path.glob`: in the directory's own order (ext4's hash order, so of
`conf.d/01-first.conf` … `99-last.conf` another file's values won than `ssh` takes), with hidden names among a `*`'s
(an editor's `.db.conf.swp`, a `.disabled.conf`), and `**` reaching into every folder below. ssh's glob(3) sorts the
names (byte order: ssh collates in the C locale), leaves a name starting with `.` out of a wildcard, and reads `**` as
`*`; `glob.glob` without `recursive` does the same, and the names are sorted here.
"""

from __future__ import annotations

import glob
import shlex
from pathlib import Path

#: How deep `Include`s may nest, as OpenSSH allows (its READCONF_MAX_DEPTH): deeper is a loop of files.
MAX_INCLUDE_DEPTH = 16


class IncludeLoopError(Exception):
    """The `Include`s nest deeper than OpenSSH allows; the message is for the user."""


def included_files(pattern: str) -> list[Path]:
    """The files `Include PATTERN` reads, in the order ssh reads them; a relative pattern is under ~/.ssh, as ssh's."""
    where = Path(pattern).expanduser()
    if not where.anchor:
        where = Path("~", ".ssh").expanduser() / where
    return [Path(name) for name in sorted(glob.glob(str(where))) if Path(name).is_file()]


def check_include_depth(path: Path, depth: int = 0) -> None:
    """`IncludeLoopError` when the `Include`s under `path` nest deeper than OpenSSH allows (a file that includes itself,
    or two that include each other): asyncssh follows such a loop until Python's stack runs out."""
    if depth > MAX_INCLUDE_DEPTH:
        raise IncludeLoopError("its Includes go round in a loop (a file that includes itself, or two that include each other)")
    with open(path, encoding="utf-8", errors="replace") as text:
        lines = [line.strip() for line in text]
    for line in lines:
        try:
            words = shlex.split(line) if line[:7].lower() == "include" else []
        except ValueError:  # asyncssh says what is wrong with the line
            continue
        patterns = [*words[0].partition("=")[2:], *words[1:]] if words and words[0].lower().partition("=")[0] == "include" else []
        for pattern in filter(None, (p.removeprefix("=") for p in patterns)):
            for each in included_files(pattern):
                check_include_depth(each, depth + 1)
