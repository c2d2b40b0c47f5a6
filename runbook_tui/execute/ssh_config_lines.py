"""The ssh config's lines as ssh reads them, their comments left out before asyncssh splits them into words.

ssh ends a line at a word starting with `#` outside quotes (`argv_split`, OpenSSH 8.2 and later); a `#` inside a word
or a quoted string stays, and a ProxyCommand's line stays whole. asyncssh split the comment too: an apostrophe in it
(`HostName 10.0.0.5  # don't touch`) refused the whole config (`No closing quotation`), and a quoted word starting with
`#` (`User "#ops"`) could no longer be told from a comment.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from asyncssh.config import ConfigParseError

from runbook_tui.runbook.diagnostics import RunbookInvalid
from runbook_tui.runbook.document import decode

#: Keywords whose rest of the line ssh takes whole, `#` included (the command a shell runs).
WHOLE_LINE = frozenset({"proxycommand", "remotecommand", "localcommand", "knownhostscommand"})

#: The keyword, and the `=` or blanks after it.
_KEYWORD = re.compile(r"\s*([A-Za-z]*)\s*=?\s*")


def without_comment(line: str) -> str:
    """`line` up to its first word starting with `#` outside quotes, as ssh ends it; the whole line when ssh keeps it."""
    found = _KEYWORD.match(line)  # matches any text
    start, keyword = (found.end(), found[1].lower()) if found else (0, "")
    if keyword in WHOLE_LINE:
        return line
    quote, word_starts, at = "", True, start
    while at < len(line):
        char = line[at]
        if char == "\\":  # escapes the next character, in quotes or out
            at, word_starts = at + 2, False
            continue
        if quote:
            quote = "" if char == quote else quote
        elif char == "#" and word_starts:
            return line[:at].rstrip() + "\n"
        elif char in "'\"":
            quote = char
        word_starts = not quote and char in " \t"
        at += 1
    return line


def utf8_text(data: bytes, file: str) -> str:
    """`data` as text; ConfigParseError `FILE:LINE:COL: expected UTF-8 text; the byte 0xFF is not`, as for a runbook."""
    try:
        return decode(data, file)
    except RunbookInvalid as invalid:
        raise ConfigParseError(str(invalid.errors[0])) from None


class _Named(os.PathLike[str]):
    """A file to open (`where`) that says it is `name`: asyncssh names it in its messages and the values' origins."""

    def __init__(self, name: Path, where: str) -> None:
        self.name, self.where = name, where

    def __fspath__(self) -> str:
        return self.where

    def __str__(self) -> str:
        return str(self.name)


@contextmanager
def as_ssh_reads(path: Path) -> Iterator[os.PathLike[str]]:
    """`path`'s text without its comments, to hand asyncssh's parser in its place (named as `path`). ConfigParseError at
    FILE:LINE:COL of the first byte that is not UTF-8 (asyncssh reads text; ssh reads bytes)."""
    text = utf8_text(Path(path).read_bytes(), str(path))
    with tempfile.TemporaryFile("w+", encoding="utf-8") as cleaned:
        cleaned.writelines(without_comment(line) for line in text.splitlines(keepends=True))
        cleaned.flush()
        yield _Named(path, f"/dev/fd/{cleaned.fileno()}")


#: A line's keyword (group 1) and the start of its value (group 2's start), as asyncssh splits them.
_VALUE = re.compile(r"\s*([A-Za-z0-9]+)(?:\s*=\s*|\s+|$)(.*)")


def error_place(path: os.PathLike[str] | str, number: int, reason: str) -> str:
    """`FILE:LINE:COL` of asyncssh's refusal `reason` of line `number` (which it says as `FILE line N`): at the quote left
    open, at the word the reason names (`Invalid match condition bogus`, `... value: maybe`), else at the value."""
    try:
        line = Path(str(path)).read_bytes().decode("utf-8", "replace").splitlines()[number - 1]
    except (OSError, IndexError):
        return f"{path}:{number}:1"
    found = _VALUE.match(line)
    if found is None:
        return f"{path}:{number}:{len(line) - len(line.lstrip()) + 1}"
    start = found.start(2) if found[2] else found.start(1)
    named = reason.rsplit(": ", 1)[-1].split() if ": " in reason else reason.split()[-1:]
    at = _open_quote(line, start) if reason == "No closing quotation" else line.find(named[0], start) if named else -1
    return f"{path}:{number}:{(at if at >= 0 else start) + 1}"


def _open_quote(line: str, start: int) -> int:
    """Where the quote is that `line` leaves open (as shlex reads it, from `start`), or -1."""
    quote, opened, at = "", -1, start
    while at < len(line):
        char = line[at]
        if char == "\\" and quote != "'":
            at += 2
            continue
        if quote and char == quote:
            quote = ""
        elif not quote and char in "'\"":
            quote, opened = char, at
        at += 1
    return opened if quote else -1
