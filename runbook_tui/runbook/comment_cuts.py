"""Warnings for texts meant for people that a YAML comment cut short.

In YAML a ` #` after a plain (unquoted) scalar starts a comment: `note: Post in #changes that the pool moved` is the
note "Post in". The YAML reader keeps such comments beside the scalars they follow (`cut`); here the texts people
read (titles, notes, questions, confirmations, descriptions, the ticket's prose) are looked up for one, each a
warning at the comment's `#`. Commands (`run`, `undo`) are not: a shell comment there is the shell's own.
"""

from __future__ import annotations

from typing import Any

from runbook_tui.runbook.diagnostics import Collector
from runbook_tui.runbook.model import Mark
from runbook_tui.runbook.yaml_comments import Cut
from runbook_tui.runbook.yaml_values import YList, YMap

#: Per mapping of the format: its keys holding a text for people, its keys holding a list of them (or one), and the
#: keys under it to walk into: (key, the shape there, whether it holds a list of that shape, a mapping by name, or one).
_TEXTS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, str, str], ...]]] = {
    "runbook": (
        ("title",),
        (),
        (
            ("ticket", "ticket", "one"),
            ("params", "param", "by name"),
            ("sections", "section", "list"),
            ("metrics", "metrics", "one"),
            ("alerts", "alerts", "one"),
        ),
    ),
    "ticket": (("subject", "description"), ("success_criteria",), (("risk", "risk", "one"),)),
    "risk": (("summary",), ("mitigations",), ()),
    "param": (("description",), (), ()),
    "section": (("title",), (), (("steps", "step", "list"),)),
    "step": (("title", "note", "ask", "confirm"), (), ()),
    "metrics": ((), (), (("panels", "panel", "list"),)),
    "panel": (("title",), (), ()),
    "alerts": ((), (), (("silence", "silence", "list"),)),
    "silence": (("comment",), (), ()),
}

#: The most characters of a comment or a value a warning quotes (a hostile line may be megabytes long).
_QUOTED = 40


def warn_cut_texts(root: Any, file: str, diags: Collector) -> None:
    """A warning for each text for people in the runbook `root` that a comment on its line cut short."""
    _Walk(file, diags).walk(root, "runbook")


class _Walk:
    def __init__(self, file: str, diags: Collector) -> None:
        self.file = file
        self.diags = diags
        self.warned: set[tuple[int, int]] = set()  # a value reached twice through an alias is warned about once

    def walk(self, m: Any, shape: str) -> None:
        if not isinstance(m, YMap):
            return
        texts, lists, children = _TEXTS[shape]
        if m.cut:  # nearly never: the walk costs a look per mapping
            for key in (*texts, *lists):
                if key in m.cut:
                    self.warn(m.cut[key], f"the {key}")
        for key in lists:
            items = m.get(key)
            if isinstance(items, YList):
                for cut in items.cut.values():
                    self.warn(cut, f"this item of {key}")
        for key, child, how in children:
            value = m.get(key)
            if how == "one":
                self.walk(value, child)
            elif how == "list" and isinstance(value, YList):
                for item in value:
                    self.walk(item, child)
            elif how == "by name" and isinstance(value, YMap):
                for item in value.values():
                    self.walk(item, child)

    def warn(self, cut: Cut, what: str) -> None:
        if (cut.line, cut.col) in self.warned:
            return
        self.warned.add((cut.line, cut.col))
        comment = cut.comment if len(cut.comment) <= _QUOTED else f"{cut.comment[: _QUOTED - 1]}…"
        value = cut.value if len(cut.value) <= _QUOTED else f"…{cut.value[1 - _QUOTED :]}"
        cut_to = f"ends at '{value}'" if value else "is empty"  # `title: #1 priority` is a title of nothing (null)
        message = f"'{comment}' is a YAML comment, so {what} {cut_to}; quote the text (\"…\") to keep it"
        self.diags.warning(Mark(self.file, cut.line, cut.col), message)
