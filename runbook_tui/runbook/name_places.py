"""Where a name used in a plain or quoted string is written in the file.

YAML folds the lines of a plain or quoted string into one (a line break and the
next line's indentation become a space), and a quoted one has escapes (`\\t` is
two characters written, one read): a place in the string is not a column of one
of the file's lines. The use itself (`{{ name`) is found instead: the string's
Nth use is the Nth written from the string's start, on its first line and the
lines indented under its key.
"""

from __future__ import annotations

import re

from runbook_tui.runbook.model import Mark


def use_pattern(root: str) -> re.Pattern[str]:
    """A use of `root` inside `{{ }}` or `{% %}`; the group `name` is the name itself."""
    return re.compile(r"\{[{%][^}]*?(?<![\w.])(?P<name>" + re.escape(root) + r")(?!\w)")


def written_use(lines: list[str], mark: Mark, used: re.Pattern[str], nth: int) -> Mark | None:
    """The file's place of use `nth` (0-based) of the string that starts at `mark`; None when it is not found."""
    first = lines[mark.line - 1] if mark.line - 1 < len(lines) else ""
    key = len(first) - len(first.lstrip(" -"))  # `- run: a` goes on under `run`, not under the `-`
    seen = 0
    for line_no in range(mark.line, len(lines) + 1):
        text = lines[line_no - 1]
        if line_no > mark.line and text.strip() and len(text) - len(text.lstrip()) <= key:
            return None  # the string ended: the next key or item
        for match in used.finditer(text, mark.col - 1 if line_no == mark.line else 0):
            if seen == nth:
                return Mark(mark.file, line_no, match.start("name") + 1)
            seen += 1
    return None
