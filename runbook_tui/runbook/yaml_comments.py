"""Comments that end a plain scalar on its line: `note: Post in #changes` is the note "Post in".

The text is searched once for a `#` after a blank after something else on its line (none in most runbooks: then
the reader looks at nothing more); a plain scalar whose end is such a place keeps the comment beside it, in its
collection's `cut`, for the loader to warn about in texts meant for people.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

Position = tuple[int, int]


class Cut(NamedTuple):
    """A comment right after a plain scalar on its line: where its `#` is (1-based), the comment as written (from the
    blank before the `#`), and the scalar's value that the comment ended."""

    line: int
    col: int
    comment: str
    value: str


#: `cut` of a collection none of whose plain scalars is followed by a comment (nearly all): shared, read-only.
NO_CUTS: Mapping[Any, Cut] = MappingProxyType({})

#: Something, blanks, `#`: where the something ends, a comment may end a plain scalar.
_AFTER_TEXT = re.compile(r"[^ \t\r\n][ \t]+#")


def comment_ends(text: str) -> dict[Position, int]:
    """The places a plain scalar ends if a comment follows it on its line: (line, column), 0-based as the parser's
    marks count them (a byte order mark is no column), each with its index in `text`."""
    if "#" not in text:
        return {}
    ends: dict[Position, int] = {}
    line = searched = 0
    for match in _AFTER_TEXT.finditer(text):
        end = match.start() + 1
        line += text.count("\n", searched, end)
        searched = end
        column = end - (text.rfind("\n", 0, end) + 1)
        ends[(line, column - 1 if line == 0 and text.startswith("\ufeff") else column)] = end
    return ends


def keep_cut(container: Any, index: Any, text: str, end: int, mark: Any, value: str) -> None:
    """Note in `container.cut[index]` the comment after the plain scalar `value` that ends at `text[end]` (`mark`)."""
    line_end = text.find("\n", end)
    rest = text[end : len(text) if line_end < 0 else line_end].rstrip()
    blanks = len(rest) - len(rest.lstrip(" \t"))
    if container.cut is NO_CUTS:
        container.cut = {}
    container.cut[index] = Cut(mark.line + 1, mark.column + blanks + 1, rest, value)
