"""Which files of a folder are runbooks: the one rule the picker and `validate DIR` (and `new`'s names) share."""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.bounded_read import open_regular

#: A runbook is one YAML file (the format's first line).
SUFFIXES = (".yaml", ".yml")
#: The format version's key at the top level of a runbook, looked for in the first HEAD bytes.
_FORMAT_KEY = lazy_re.compile(rb"^[\"']?runbook[\"']?[ \t]*:", re.MULTILINE)
HEAD = 64 * 1024


def dangling(path: Path) -> bool:
    """A link to nothing: listed, its error saying what it points to (skipped without a word, it hid a runbook)."""
    return path.is_symlink() and not path.exists()


def dangling_words(path: Path) -> str:
    try:
        path.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # `exists()` is False for a loop too: the file it names may well be there
            return f"a link to {os.readlink(path)}, which leads back to itself (a loop of links, no file at its end): fix the link or remove it"
    return f"a link to {os.readlink(path)}, which does not exist: fix the link or remove it"


def unread_wanted(exc: OSError) -> str:
    """What was expected of a runbook file the system could not read (the format's errors say it), after its words: a
    missing one said only `No such file or directory`. Empty when the words say it already (`expected a regular file`)."""
    if "expected" in str(exc.strerror):
        return ""
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return f"; expected the path of a runbook file ({' or '.join(SUFFIXES)})"
    return "; expected a runbook file this user can read"


def runbooks_in(folder: Path) -> list[Path]:
    """The runbook files under `folder`, recursively, in name order: `*.yaml` / `*.yml`, links to nothing too, none
    under a hidden folder (`.git/`, `.github/workflows/*.yml` are no runbooks)."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.suffix in SUFFIXES and (p.is_file() or dangling(p)) and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


def holds_runbook(path: str | Path) -> bool:
    """Whether `path` holds a runbook: a `.yaml` / `.yml` regular file with a top-level `runbook:` key (a file a command
    would write over must not be one: `report J -o next-change.yaml`). A missing file, a FIFO or a device holds none."""
    if Path(path).suffix not in SUFFIXES:
        return False
    try:
        with open(open_regular(path), "rb") as handle:
            return _FORMAT_KEY.search(handle.read(HEAD)) is not None
    except OSError:
        return False
