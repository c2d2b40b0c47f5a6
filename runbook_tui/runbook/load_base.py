"""What every part of the runbook loader shares: the collector, the text maker, field readers and small helpers."""

from __future__ import annotations

import re
from typing import Any

from runbook_tui.runbook import field_table as T
from runbook_tui.runbook.diagnostics import Collector
from runbook_tui.runbook.document import YMap
from runbook_tui.runbook.fields import Fields, describe_at
from runbook_tui.runbook.model import (
    LOCAL,
    Host,
    Mark,
    Text,
    TextKind,
)
from runbook_tui.runbook.templating import is_template
from runbook_tui.runbook.texts import Names, Scope, TextMaker

RUNBOOK_ID = re.compile(r"[a-z0-9-]+")
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

TOP_KEYS, PARAM_KEYS, STEP_KEYS = T.RUNBOOK.keys, T.PARAM.keys, T.STEP.keys
PARAM_TYPES, SECTION_KINDS, STEP_KINDS = T.PARAM_TYPES, T.SECTION_KINDS, T.STEP_KINDS

LOCAL_HOST = Host(LOCAL, "127.0.0.1", Mark("<builtin>", 1, 1))


class ReaderBase:
    """State of one load: diagnostics, texts, and the ids seen so far (steps refer to panels and hosts)."""

    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.text = text
        self.diags = Collector()
        self.texts = TextMaker(self.diags, Names(frozenset(), frozenset()), text.splitlines())
        self.fields = Fields(self.diags, self.texts.render_now)
        self.step_ids: dict[str, Mark] = {}
        self.panel_ids: set[str] = set()
        self.panel_directions: dict[str, str] = {}  # which side of its lines is bad: of several series it shows the worst
        self.hosts: dict[str, tuple[Host, ...]] = {}

    # -- helpers -------------------------------------------------------------

    def _text(self, m: YMap, key: str, kind: TextKind, scope: Scope = Scope()) -> Text | None:
        if key not in m:
            return None
        value = m[key]
        if type(value) is str and not is_template(value):
            return Text(value, m.value_mark(key), kind, value)  # what `make` gives a plain string
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.diags.error(m.value_mark(key), f"'{key}': expected a string, got {describe_at(m, key)}")
            return None
        return self.texts.make(str(m.as_written(key)), m.value_mark(key), kind, scope)

    def _plain(self, m: YMap, key: str, default: str | None = None) -> str | None:
        """A string rendered at load (titles, ticket fields)."""
        value, _template = self._plain_and_template(m, key, default)
        return value

    def _plain_and_template(self, m: YMap, key: str, default: str | None = None) -> tuple[str | None, str | None]:
        """`_plain`'s string, and its template when it reads `now`: a plan shows and binds the template, so an approval
        of the plan can be met later (a title rendered at the approval's time never was)."""
        value = m.get(key)
        if type(value) is str and not is_template(value):
            return value, None  # what the Text below would hold, without making one
        text = self._text(m, key, "plain")
        if text is None:
            return default, None
        return text.value, (text.source if "now" in text.uses else None)

    def _entries(self, root: YMap, key: str, what: str) -> list[tuple[str, Any, Mark, Mark]]:
        """(name, value, key mark, value mark) for each entry of a mapping section such as params."""
        if key not in root or root[key] is None:
            return []
        m = self.fields.mapping(root[key], root.value_mark(key), what)
        if m is None:
            return []
        return [(name, value, m.key_mark(name), m.value_mark(name)) for name, value in m.items()]

    def _items(self, m: YMap, key: str, what: str) -> list[tuple[Any, Mark]]:
        if key not in m or m[key] is None:
            return []
        items = self.fields.sequence(m[key], m.value_mark(key), what)
        return [] if items is None else list(zip(items, items.item_marks))

    def _unique(self, seen: dict[str, Mark], name: str, mark: Mark, what: str) -> bool:
        if name in seen:
            self.diags.error(mark, f"duplicate {what} '{name}' (first at line {seen[name].line}); expected a unique id")
            return False
        seen[name] = mark
        return True

    def _plain_list(self, m: YMap, key: str) -> list[str]:
        result = []
        for source, mark in self.fields.string_list(m, key):
            text = self.texts.make(source, mark, "plain", Scope())
            if text is not None and text.value is not None:
                result.append(text.value)
        return result


def written_at(item: Any, mark: Mark, key: str) -> Mark:
    """Where list item `item` (at `mark`) writes `key`'s value: said there (a duplicate id or name; before, at the item's
    start, the line of whichever key came first); `mark` itself for an alias (`*db1`: the item is written elsewhere)."""
    return item.value_mark(key) if isinstance(item, YMap) and item.mark == mark and key in item else mark
