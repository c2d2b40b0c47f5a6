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

#: Where YAML ends a line (a lone CR too): the lines counted as the error's marks count them.
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
#: `  - key: value` -> indent, dash, key, value
_KEY_LINE = re.compile(r"^(?P<indent> *)(?P<dash>(?:- +)*)(?P<key>[^\s:#'\"\[\]{}][^:#]*?|\"[^\"]*\"|'[^']*'):(?:\s+(?P<value>.*))?$")


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
        or _unclosed_quote(lines, line_no, error)
        or _unclosed_bracket(lines, error, context)
        or _indentation(lines, line_no)
        or _colon_in_value(lines, line_no, problem.column, error)
    )


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


def _unclosed_quote(lines: list[str], line_no: int, error: yaml.MarkedYAMLError) -> str | None:
    if "quoted scalar" in (error.context or "") and error.context_mark is not None:
        opened = error.context_mark
        quote = (lines[opened.line] if opened.line < len(lines) else "")[opened.column : opened.column + 1] or '"'
        return f"the {quote} opened on line {opened.line + 1}, column {opened.column + 1} is never closed: add the closing {quote} on that line"
    for index in range(line_no - 1, -1, -1):
        match = _KEY_LINE.match(lines[index])
        value = (match.group("value") or "") if match else ""
        if value[:1] in ('"', "'") and not _closes(value):
            quote = value[0]
            column = len(lines[index]) - len(value) + 1
            return (
                f"the {quote} opened on line {index + 1}, column {column} is not closed on that line, "
                f"so the string runs on to line {line_no + 1}: add the closing {quote} on line {index + 1}"
            )
    return None


def _closes(value: str) -> bool:
    """Whether a quoted value that starts `value` ends on the same line."""
    quote, rest = value[0], value[1:]
    if quote == "'":
        return "'" in rest.replace("''", "")
    return re.search(r'(?<!\\)(?:\\\\)*"', rest) is not None


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
