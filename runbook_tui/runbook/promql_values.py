"""Values in a metric panel's query: data inside a PromQL string, never query code.

A panel's `query` may use parameters (`{service="{{ svc }}"}`). Inserted as
text, a value `x"} or vector(0) or up{a="` closed the label's string and
changed the query: the guard then read a constant and could never trip. Each
value is marked as it is inserted (`mark`), and the rendered query is read
once (`query_from`) the way PromQL reads it: inside a `"` or `'` string the
value is escaped so that it stays one string; inside a backtick string it may
hold no backtick; outside any string it must be a plain token (a metric or
label name, a number, a duration: letters, digits, `_`, `:`, `.`), else the
query is refused, with the value named, at the query's position. A string
that a regex matcher opens (`=~`, `!~`) is a regular expression: the value is
escaped as one too, so `.*` matches a dot and a star, not every series (as
`expect.stdout` does with its values); so is `label_replace`'s fifth argument,
its regex (`label_replace(v, "to", "y", "from", "{{ x }}")` with `.*` matched
every label's value), and in its replacement a value's `$` is written `$$`
(`$1` wrote the captured group, not `$1`).
"""

from __future__ import annotations

import re

from runbook_tui.runbook import lazy_re

VALUE_START, VALUE_END = "\x00", "\x01"  # around each inserted value in the rendered text; never in a value (refused)
_TOKEN = lazy_re.compile(r"-?[A-Za-z0-9_:.]+")
_CALLED = lazy_re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*$")  # the function a `(` calls
#: The arguments (from 0) of a function that are no plain text: label_replace's replacement (`$1` expands) and regex.
_ARGUMENT_ROLES = {("label_replace", 2): "replacement", ("label_replace", 4): "regex"}
_COMMON = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_ESCAPES = {quote: str.maketrans({**_COMMON, quote: "\\" + quote}) for quote in ('"', "'")}


class PromqlRefused(ValueError):
    """A value that would change the query's meaning, in words."""


def mark(text: str) -> str:
    """A value's text as the template inserts it: marked, to be placed by `query_from` (or `url_values.url_from`)."""
    if VALUE_START in text or VALUE_END in text:
        raise PromqlRefused(f"a value inserted into a query or URL holds a control character: {text!r}")
    return f"{VALUE_START}{text}{VALUE_END}"


def query_from(rendered: str) -> str:
    """The query with every marked value placed as data; PromqlRefused for one that would be code."""
    if VALUE_START not in rendered:
        return rendered
    out: list[str] = []
    quote = ""  # the string being read: ", ' or `; "" outside any
    role = ""  # that string is a "regex" (a regex matcher's, label_replace's) or label_replace's "replacement"
    nested: list[tuple[str, int]] = []  # each open (, [ or {: (the function a ( calls, or ""; commas read in it)
    index = 0
    while index < len(rendered):
        char = rendered[index]
        if char == VALUE_START:
            end = rendered.index(VALUE_END, index)
            value = rendered[index + 1 : end]
            out.append(_placed(_as_text(value, role) if quote else value, quote))
            index = end + 1
            continue
        if quote and char == "\\" and quote != "`" and index + 1 < len(rendered):
            out.append(rendered[index : index + 2])  # an escape of the query's own text
            index += 2
            continue
        if char in "\"'`" and (not quote or char == quote):
            role = "" if quote else _role("".join(out), nested)  # a query is short: joined per string
            quote = "" if quote else char
        elif not quote and char in "([{":
            called = _CALLED.search("".join(out)) if char == "(" else None
            nested.append((called.group(1) if called else "", 0))
        elif not quote and char in ")]}" and nested:
            nested.pop()
        elif not quote and char == "," and nested:
            nested[-1] = (nested[-1][0], nested[-1][1] + 1)
        elif char == "#" and not quote:  # a comment, to the end of its line: a quote in it opens no string
            stop = _line_end(rendered, index)
            out.append(_placed_in_comment(rendered[index:stop]))
            index = stop
            continue
        out.append(char)
        index += 1
    return "".join(out)


def _role(before: str, nested: list[tuple[str, int]]) -> str:
    """What a string opened after `before` is read as: "regex" (a regex matcher's value, label_replace's regex),
    "replacement" (label_replace's), or "" (text)."""
    if before.rstrip().endswith(("=~", "!~")):
        return "regex"
    return _ARGUMENT_ROLES.get(nested[-1], "") if nested else ""


def _as_text(value: str, role: str) -> str:
    """The value written so that the string reads it as its own text: escaped as a regex, `$` as `$$` in a replacement."""
    if role == "regex":
        return re.escape(value)
    return value.replace("$", "$$") if role == "replacement" else value


def _line_end(rendered: str, index: int) -> int:
    """Where the query's line from `index` ends: at a newline of the query's own text, not one inside a value (a value
    `\nor vector(1)` in `# {{ x }}` ended the comment there, and `or vector(1)` was read as the query)."""
    while index < len(rendered) and rendered[index] != "\n":
        index = rendered.index(VALUE_END, index) + 1 if rendered[index] == VALUE_START else index + 1
    return index


def _placed_in_comment(comment: str) -> str:
    """A comment's text, with any value in it as it is (a comment is not read as the query)."""
    return comment.replace(VALUE_START, "").replace(VALUE_END, "").replace("\n", " ")


def _placed(value: str, quote: str) -> str:
    if quote in ('"', "'"):
        # PromQL's strings take these escapes and, of the quotes, only their own (`\'` inside "..." is an error).
        return value.translate(_ESCAPES[quote])
    if quote == "`":
        if "`" in value:
            raise PromqlRefused(f"the value {value!r} would end the query's `...` string; expected a value without a backtick")
        return value
    if not _TOKEN.fullmatch(value):
        raise PromqlRefused(
            f"the value {value!r} would be PromQL code here; outside a quoted label value a query takes only a name, "
            'a number or a duration (letters, digits, _ : .): put it in quotes, like {label="{{ value }}"}'
        )
    return value
