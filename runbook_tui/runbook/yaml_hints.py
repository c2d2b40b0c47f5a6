"""Hints for the YAML syntax errors authors make most, naming the other line involved.

PyYAML says where it gave up (`did not find expected '-' indicator while
parsing a block collection`), rarely why. The common causes are easy to
recognise from the text around that place: a key indented one column off
from its sibling, a tab, a quote or bracket never closed, a `: ` inside an
unquoted value.
"""

from __future__ import annotations

import re

import yaml

from runbook_tui.runbook import lazy_re

#: Where YAML ends a line (a lone CR too): the lines counted as the error's marks count them.
_LINE_BREAK = lazy_re.compile("\r\n|[\r\n\x85\u2028\u2029]")
#: `  - key: value` -> indent, dash, key, value
_KEY_LINE = lazy_re.compile(r"^(?P<indent> *)(?P<dash>(?:- +)*)(?P<key>[^\s:#'\"\[\]{}][^:#]*?|\"[^\"]*\"|'[^']*'):(?:\s+(?P<value>.*))?$")


def hint(text: str, error: yaml.MarkedYAMLError) -> str | None:
    """A sentence saying the likely cause and what to change, or None when none fits."""
    lines = _LINE_BREAK.split(text)  # "\r\"" failed with an IndexError: the mark counted the CR as a line, split("\n") did not
    problem = error.problem_mark or error.context_mark
    if problem is None:
        return None
    line_no = min(problem.line, len(lines) - 1)  # 0-based
    context = error.context or ""
    return (
        _tab(lines, line_no, error)
        or _escape(lines, line_no, problem.column, error)
        or _unclosed_quote(lines, line_no, error)
        or _unclosed_bracket(lines, error, context)
        or _indentation(lines, line_no)
        or _colon_in_value(lines, line_no, problem.column, error)
        or _expected(error)
    )


#: What was expected, for PyYAML's words that say only what it found (the contract: every error says what was expected).
_EXPECTED = (
    ("mapping values are not allowed", "expected one 'key: value' a line, and a value holding ': ' in quotes"),
    ("cannot start any token", "expected a value that starts otherwise, or the whole value in quotes"),
    ("found unexpected ':'", "expected ': ' (a colon, then a space) after a key, or the value in quotes"),
    ("block sequence entries are not allowed", "expected each '- ' item on a line of its own, indented under its key"),
    ("mapping keys are not allowed", "expected '? ' only before a complex key, or the value in quotes"),
    ("incompatible YAML document", "expected %YAML 1.1 or 1.2, or no %YAML line"),
    ("duplicate %YAML directive", "expected one %YAML line"),
    ("unknown directive name", "expected a key at the line's start (a line starting with % is a YAML directive)"),
)


def _expected(error: yaml.MarkedYAMLError) -> str | None:
    """What was expected, where PyYAML's own words do not say it (`did not find expected key` does)."""
    said = f"{error.problem or ''} {error.context or ''}"
    if "expected" in said:
        return None
    return next((expected for found, expected in _EXPECTED if found in said), None)


def _tab(lines: list[str], line_no: int, error: yaml.MarkedYAMLError) -> str | None:
    for index in range(line_no, -1, -1):
        line = lines[index]
        leading = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in leading:
            column = leading.index("\t") + 1
            return f"line {index + 1} has a tab at column {column}; YAML indents with spaces only: replace it with spaces{_line_up_with(lines, index)}"
        if index < line_no - 1 and "tab" not in (error.problem or ""):
            return None  # only a tab on the failing line or the one just above it explains the error
    return None


def _line_up_with(lines: list[str], line_no: int) -> str:
    """`, lining up with 'id:' on line 7 (column 9)` for the nearest key line above, if any."""
    for index in range(line_no - 1, -1, -1):
        above = _KEY_LINE.match(lines[index].replace("\t", " "))
        if above is not None:
            return f", lining up with '{above.group('key')}:' on line {index + 1} (column {_key_column(above)}) if it belongs to the same mapping"
        if lines[index].strip() and not lines[index].lstrip().startswith("#"):
            return ""
    return ""


#: Where a backslash is itself: what to write instead of a double-quoted value whose backslash starts no escape.
_BACKSLASH_AS_WRITTEN = "write the value in single quotes or as a block, where a backslash is itself (key: |), or double it (\\\\)"


def _escape(lines: list[str], line_no: int, column: int, error: yaml.MarkedYAMLError) -> str | None:
    """A backslash in double quotes that starts no escape (`run: "grep \\d+ log"`, a regex or a Windows path): the quote
    is closed, so the hint that it is not (it was given) sent the author to add a second one."""
    problem = error.problem or ""
    line = lines[line_no] if line_no < len(lines) else ""
    written = line[column : column + 2] if line[column : column + 1] == "\\" else ""
    if "unknown escape" in problem:
        return f"in double quotes a backslash starts an escape (\\n, \\t, \\x41), and {written or 'this one'} is none: {_BACKSLASH_AS_WRITTEN}"
    if "hexdecimal number" in problem:
        return f"in double quotes \\x takes 2 hex digits, \\u 4 and \\U 8 (\\x41, \\u00e9, \\U0001F600); for a backslash itself, {_BACKSLASH_AS_WRITTEN}"
    if "invalid Unicode character escape" in problem:
        return "this escape names no character (\\ud800-\\udfff are halves of UTF-16 pairs); expected the character itself, or \\U and 8 hex digits up to \\U0010FFFF (\\U0001F600)"
    return None


def _unclosed_quote(lines: list[str], line_no: int, error: yaml.MarkedYAMLError) -> str | None:
    if "quoted scalar" in (error.context or "") and error.context_mark is not None:
        opened = error.context_mark
        quote = (lines[opened.line] if opened.line < len(lines) else "")[opened.column : opened.column + 1] or '"'
        return f"the {quote} opened on line {opened.line + 1}, column {opened.column + 1} is never closed: add the closing {quote} on that line"
    for index in range(line_no - 1, -1, -1):
        column = _open_quote(lines[index])
        if column is None:
            continue
        quote = lines[index][column]
        closed = _closing_line(lines, index, column)
        if closed is not None and closed < line_no:
            continue  # a string written over several lines, closed before the error: not its cause
        return (
            f"the {quote} opened on line {index + 1}, column {column + 1} is not closed on that line, "
            f"so the string runs on to line {line_no + 1}: add the closing {quote} on line {index + 1}"
        )
    return None


def _open_quote(line: str) -> int | None:
    """The 0-based column of a quote on `line` that starts a quoted value (after `key: `, `- `, `[`, `{` or `,`, or
    first on the line) and is not closed on the line; None when there is none (a quote inside a plain value, as in
    `run: echo 'hi'`, starts nothing)."""
    can_start, index = True, 0
    while index < len(line):
        char = line[index]
        after = line[index + 1 : index + 2]
        if char in " \t":
            pass
        elif char == "#" and (index == 0 or line[index - 1] in " \t"):
            return None  # a comment to the end of the line
        elif char in "'\"" and can_start:
            end = _quote_end(line, index + 1, char)
            if end is None:
                return index
            index, can_start = end, False
        elif char in "[{," or (char in "-:?" and after in ("", " ", "\t")):
            can_start = True
        else:
            can_start = False  # a plain value: a quote further on is part of it
        index += 1
    return None


def _quote_end(line: str, start: int, quote: str) -> int | None:
    """Where the quoted value that opened before `start` closes on `line` ('' inside '…', a backslash escape inside
    "…"), or None."""
    index = start
    while index < len(line):
        if quote == '"' and line[index] == "\\":
            index += 2
            continue
        if line[index] == quote:
            if quote == "'" and line[index + 1 : index + 2] == "'":
                index += 2
                continue
            return index
        index += 1
    return None


def _closing_line(lines: list[str], index: int, column: int) -> int | None:
    """The line where the quote opened at (`index`, `column`) closes, however many lines on; None if it never does."""
    quote = lines[index][column]
    if _quote_end(lines[index], column + 1, quote) is not None:
        return index
    for later in range(index + 1, len(lines)):
        if _quote_end(lines[later], 0, quote) is not None:
            return later
    return None


def _unclosed_bracket(lines: list[str], error: yaml.MarkedYAMLError, context: str) -> str | None:
    if ("flow sequence" not in context and "flow mapping" not in context) or error.context_mark is None:
        return None
    opened = error.context_mark
    bracket = lines[opened.line][opened.column : opened.column + 1] or ("[" if "sequence" in context else "{")
    closing = {"[": "]", "{": "}"}.get(bracket, "]")
    return f"the '{bracket}' opened on line {opened.line + 1}, column {opened.column + 1} is not closed: add '{closing}' before the next key or item"


def _key_column(match: re.Match[str]) -> int:
    """1-based column of the key on a key line (after any `- `)."""
    return len(match.group("indent")) + len(match.group("dash")) + 1


def _indentation(lines: list[str], line_no: int) -> str | None:
    here = _KEY_LINE.match(lines[line_no]) if line_no < len(lines) else None
    if here is None:
        return None
    column = _key_column(here)
    for index in range(line_no - 1, -1, -1):
        stripped = lines[index].strip()
        if not stripped or stripped.startswith("#"):
            continue
        above = _KEY_LINE.match(lines[index])
        if above is None:
            return None
        sibling = _key_column(above)
        is_parent = not (above.group("value") or "").strip()
        if sibling == column or (is_parent and column > sibling) or abs(sibling - column) > 2:
            return None
        key, other = here.group("key"), above.group("key")
        more_or_less = "more" if column < sibling else "less"
        spaces = abs(sibling - column)
        return (
            f"'{key}:' on line {line_no + 1} is at column {column}, its sibling '{other}:' on line {index + 1} at column {sibling}: "
            f"indent '{key}:' {spaces} space{'s' if spaces > 1 else ''} {more_or_less} to line up with '{other}:'"
        )
    return None


def _colon_in_value(lines: list[str], line_no: int, column: int, error: yaml.MarkedYAMLError) -> str | None:
    if "mapping values are not allowed" not in (error.problem or ""):
        return None
    match = _KEY_LINE.match(lines[line_no])
    if match is None or not match.group("value"):
        return None
    key, value = match.group("key"), match.group("value").rstrip()
    if '"' not in value and "\\" not in value:
        quoted = f'"{value}"'
    elif "'" not in value:
        quoted = f"'{value}'"
    else:
        return f"the ': ' at column {column + 1} inside the unquoted value of '{key}' starts a mapping: write the value as a block (`{key}: |` and the text on the next line, indented)"
    return f"the ': ' at column {column + 1} inside the unquoted value of '{key}' starts a mapping: quote the whole value, {key}: {quoted}"
