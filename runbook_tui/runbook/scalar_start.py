"""Where a value's own text starts, past the properties YAML lets it carry: an anchor (`&name`) and a tag (`!!str`).

The parser places a value at its first property: `run: &restart |` is at the `&`, so a place inside the text
counted from there (a block scalar's lines, a quoted string's columns) was off by the properties. Properties are
separated from the text by spaces, or by a line break (and comment lines) before a block scalar's indicator.
"""

from __future__ import annotations

from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.model import Mark

#: One property and the spaces after it: `&name`, `!`, `!!str`, `!local`, `!<tag:yaml.org,2002:str>`.
_PROPERTY = lazy_re.compile(r"(?:&[^\s,\[\]{}]+|!<[^>\s]*>|![^\s,\[\]{}]*)[ \t]*")


def text_start(lines: list[str], mark: Mark) -> Mark:
    """The place of the first character of the value at `mark` after its properties (`mark` itself without any)."""
    line_no, col = mark.line, mark.col
    if line_no - 1 >= len(lines) or lines[line_no - 1][col - 1 : col] not in ("&", "!"):
        return mark
    text = lines[line_no - 1]
    while (found := _PROPERTY.match(text, col - 1)) is not None:
        col = found.end() + 1
    while col > len(text) or text[col - 1] == "#":  # the rest of the line is a comment or nothing: the text is below
        if line_no >= len(lines):
            return mark
        line_no += 1
        text = lines[line_no - 1]
        col = len(text) - len(text.lstrip(" \t")) + 1
    return Mark(mark.file, line_no, col)
