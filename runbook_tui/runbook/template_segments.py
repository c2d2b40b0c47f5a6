"""A command's template as literal text, `{{ values }}` and other tags: what the shell checks read and mark.

`{% raw %}` blocks are literal text, with Jinja's whitespace control at their tags.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from runbook_tui.runbook import lazy_re

_TAG = lazy_re.compile(r"\{\{(.*?)\}\}|\{%(.*?)%\}|\{#.*?#\}", re.DOTALL)
_RAW_START = lazy_re.compile(r"-?\s*raw\s*-?\Z")
_RAW_END = lazy_re.compile(r"\{%-?\s*endraw\s*-?%\}")


class ShellRefused(ValueError):
    """A value stands where the shell would not take it as one literal word; `value`: which of the render's, when known."""

    def __init__(self, message: str, value: int | None = None) -> None:
        super().__init__(message)
        self.value = value


class Segment(NamedTuple):
    kind: str  # "data", "value", "tag"
    text: str
    start: int  # offset in the template source


def segments(source: str) -> Iterator[Segment]:
    """The template as literal text, `{{ values }}` and other tags; `{% raw %}` blocks are literal text, with Jinja's
    whitespace control at their tags (`{%- raw -%}` strips the blanks before and inside, as `{%- endraw -%}` those
    inside and after: `echo a {%- raw %} b{% endraw %}` runs `echo a b` in Jinja's reading, never `echo a  b`)."""
    position = 0
    strip_next = False  # the `endraw -%}` before: the text after it starts at its first non-blank
    while True:
        match = _TAG.search(source, position)
        if match is None:
            break
        raw = match.group(2) is not None and _RAW_START.match(match.group(2).strip()) is not None
        if match.start() > position:
            yield from _data(source, position, match.start(), strip_next, raw and match.group(2).startswith("-"))
        strip_next = False
        if match.group(1) is not None:
            if _ends_in_string(match.group(1)):
                raise ShellRefused("a '}}' inside a string in a command's {{ }} is not supported; expected the string in a parameter or a {% set %}")
            yield Segment("value", match.group(1), match.start())
            position = match.end()
        elif raw:
            end = _RAW_END.search(source, match.end())
            stop = len(source) if end is None else end.start()
            ending = "" if end is None else end.group(0)
            yield from _data(source, match.end(), stop, match.group(2).endswith("-"), ending.startswith("{%-"))
            position = len(source) if end is None else end.end()
            strip_next = ending.endswith("-%}")
        else:
            yield Segment("tag", match.group(0), match.start())
            position = match.end()
    if position < len(source):
        yield from _data(source, position, len(source), strip_next, False)


def _data(source: str, start: int, stop: int, strip_start: bool, strip_end: bool) -> Iterator[Segment]:
    """The literal text source[start:stop], less the blanks a `-` of the tag before or after strips (if any is left)."""
    text = source[start:stop]
    if strip_start:
        stripped = text.lstrip()
        start += len(text) - len(stripped)
        text = stripped
    if strip_end:
        text = text.rstrip()
    if text:
        yield Segment("data", text, start)


def _ends_in_string(expression: str) -> bool:
    """Whether the text up to the first `}}` stops inside a string literal: the `}}` is not the block's end."""
    if "'" not in expression and '"' not in expression:
        return False
    quote = ""
    escaped = False
    for char in expression:
        if escaped:
            escaped = False
        elif quote and char == "\\":
            escaped = True
        elif quote and char == quote:
            quote = ""
        elif not quote and char in "'\"":
            quote = char
    return bool(quote)


def marked_source(source: str) -> str:
    """The template with each `{{ expr }}` sent through the value recorder (`__rbt_value`)."""
    parts: list[str] = []
    for seg in segments(source):
        if seg.kind == "value":
            expression = seg.text
            lead = "-" if expression.startswith("-") else ""
            trail = "-" if expression.endswith("-") and len(expression) > len(lead) else ""
            inner = expression[len(lead) : len(expression) - len(trail)]
            parts.append(f"{{{{{lead} ({inner}) | __rbt_value {trail}}}}}")
        elif seg.kind == "data" and ("{{" in seg.text or "{%" in seg.text or "{#" in seg.text):
            parts.append("{% raw %}" + seg.text + "{% endraw %}")
        else:
            parts.append(seg.text)
    return "".join(parts)
