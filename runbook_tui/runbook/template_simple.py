"""Templates of the simplest shape, analysed and rendered without Jinja: text with `{{ name }}` / `{{ name.attr }}`.

Most runbook strings are this shape (`"Step 3 on {{ cluster }}"`, `--host
{{ host.name }}`). Jinja would lex, parse, generate and compile a Python
module for each one, which made a 1,000-step runbook take seconds to load.
For this shape the names, their lines and the rendered text are exactly
Jinja's (the same finalize and value-recording functions run on the same
values); anything else (filters, tags, comments, literals, whitespace
control, keywords, a `\\r`, a value that is not a plain lookup) is left to
Jinja: `split` returns None, or `render` does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

_EXPRESSION = re.compile(r"\{\{[ \t\n]*([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?[ \t\n]*\}\}")
#: Words Jinja's parser reads as constants or operators, not as names.
_KEYWORDS = frozenset({"true", "false", "none", "True", "False", "None", "not", "and", "or", "in", "is", "if", "else"})


@dataclass(frozen=True, slots=True)
class Reference:
    """A name a template uses: `root` alone (`now`, a bare parameter) or `root.attr` (a simple template's lookups too)."""

    root: str
    attr: str | None
    line: int  # 1-based line inside the template


@dataclass(frozen=True, slots=True)
class SimpleTemplate:
    """Literal texts around lookups: `texts[0] lookups[0] texts[1] ... texts[-1]`."""

    texts: tuple[str, ...]
    lookups: tuple[Reference, ...]

    def render(self, context: Mapping[str, Any], emit: Callable[[Any], str]) -> str | None:
        """The text Jinja would render, each value passed through `emit`; None when a value is not a plain lookup."""
        values = []
        for lookup in self.lookups:
            if lookup.root not in context:
                return None  # a global or an undefined name: Jinja says what it is
            value = context[lookup.root]
            if lookup.attr is not None:
                # The sandbox's getattr: an attribute first, then the key; only the key of a plain mapping is taken here.
                if not isinstance(value, dict) or hasattr(value, lookup.attr) or lookup.attr not in value:
                    return None
                value = value[lookup.attr]
            values.append(value)
        parts = [self.texts[0]]
        for value, text in zip(values, self.texts[1:]):
            parts.append(emit(value))
            parts.append(text)
        return "".join(parts)


@lru_cache(maxsize=8192)
def split(source: str, globals_: frozenset[str]) -> SimpleTemplate | None:
    """The template as texts and lookups when it has the simple shape (names in `globals_` excluded), else None."""
    if "\r" in source:
        return None  # Jinja normalises line ends in the text
    texts: list[str] = []
    lookups: list[Reference] = []
    position = 0
    one_line = "\n" not in source
    for match in _EXPRESSION.finditer(source):
        text = source[position : match.start()]
        root, attr = match.groups()
        if ("{" in text and (text.endswith("{") or _has_tag(text))) or root in _KEYWORDS or root in globals_:
            return None
        texts.append(text)
        lookups.append(Reference(root, attr, 1 if one_line else source.count("\n", 0, match.start(1)) + 1))
        position = match.end()
    rest = source[position:]
    if _has_tag(rest):
        return None
    texts.append(rest)
    return SimpleTemplate(tuple(texts), tuple(lookups))


def _has_tag(text: str) -> bool:
    return "{" in text and ("{{" in text or "{%" in text or "{#" in text)
