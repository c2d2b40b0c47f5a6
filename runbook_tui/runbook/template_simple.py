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
from typing import Any, NamedTuple

_EXPRESSION = re.compile(r"\{\{[ \t\n]*([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?[ \t\n]*\}\}")
#: Words Jinja's parser reads as constants or operators, not as names.
_KEYWORDS = frozenset({"true", "false", "none", "True", "False", "None", "not", "and", "or", "in", "is", "if", "else"})


class Reference(NamedTuple):
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
    """The template as texts and lookups when it has the simple shape (names in `globals_` excluded), else None.

    Simple when the text holds no `{%`, `{#` or `{{{` and every `{{` opens a `{{ name }}` or
    `{{ name.attr }}` (then no text between them holds a tag, nor ends in a `{` that would open
    one); checked on the whole string, so the pieces come from one `re.split`.
    """
    if "\r" in source or "{%" in source or "{#" in source or "{{{" in source:
        return None  # Jinja normalises line ends in the text; the others are tags, or a `{` before one
    pieces = _EXPRESSION.split(source)  # text, root, attr, text, root, attr, ..., text
    roots = pieces[1::3]
    if source.count("{{") != len(roots) or not _KEYWORDS.isdisjoint(roots) or not globals_.isdisjoint(roots):
        return None
    if "\n" in source:
        lines = [source.count("\n", 0, match.start(1)) + 1 for match in _EXPRESSION.finditer(source)]
    else:
        lines = [1] * len(roots)
    lookups = tuple(Reference(root, attr, line) for root, attr, line in zip(roots, pieces[2::3], lines))
    return SimpleTemplate(tuple(pieces[0::3]), lookups)
