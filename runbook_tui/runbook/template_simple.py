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
from functools import lru_cache
from typing import Any, NamedTuple

_EXPRESSION = re.compile(r"\{\{[ \t\n]*([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?[ \t\n]*\}\}")
#: Words Jinja's parser reads as constants or operators, not as names.
_KEYWORDS = frozenset({"true", "false", "none", "True", "False", "None", "not", "and", "or", "in", "is", "if", "else"})
_new_template = tuple.__new__  # the NamedTuple without its Python-level constructor


class SimpleTemplate(NamedTuple):
    """Literal texts around lookups: `texts[0] {{ roots[0][.attrs[0]] }} texts[1] ... texts[-1]`; `lines[i]`: lookup i's line.

    Plain tuples of the `re.split` pieces, no object per lookup: a load makes one of these per templated string.
    """

    texts: tuple[str, ...]
    roots: tuple[str, ...]
    attrs: tuple[str | None, ...]
    lines: tuple[int, ...]

    def render(self, context: Mapping[str, Any], emit: Callable[[Any], str]) -> str | None:
        """The text Jinja would render, each value passed through `emit`; None when a value is not a plain lookup."""
        values = []
        for root, attr in zip(self.roots, self.attrs):
            if root not in context:
                return None  # a global or an undefined name: Jinja says what it is
            value = context[root]
            if attr is not None:
                # The sandbox's getattr: an attribute first, then the key; only the key of a plain mapping is taken here.
                if not isinstance(value, dict) or hasattr(value, attr) or attr not in value:
                    return None
                value = value[attr]
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
    roots = tuple(pieces[1::3])
    if source.count("{{") != len(roots) or not _KEYWORDS.isdisjoint(roots) or not globals_.isdisjoint(roots):
        return None
    if "\n" in source:
        lines = tuple([source.count("\n", 0, match.start(1)) + 1 for match in _EXPRESSION.finditer(source)])
    else:
        lines = (1,) * len(roots)
    return _new_template(SimpleTemplate, (tuple(pieces[0::3]), roots, tuple(pieces[2::3]), lines))
