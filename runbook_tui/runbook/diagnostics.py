"""Errors and warnings about a runbook, each pinned to `FILE:LINE:COL`.

The loader collects every problem it can find in one pass instead of
stopping at the first: an author fixing a runbook at 5 PM wants the whole
list.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from runbook_tui.runbook.lean_dataclass import dataclass
from runbook_tui.runbook.model import Mark
from runbook_tui.runbook.safe_text import visible_line


@dataclass(frozen=True, slots=True)
class Diagnostic:
    mark: Mark
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.mark}: {prefix}{self.message}"


def diagnostic_lines(diagnostics: Iterable[Diagnostic]) -> str:
    """Every diagnostic on its own `FILE:LINE:COL: message` line, as `validate` prints it: a newline or an escape in a
    message or a file's name shown as a symbol, so that no line can be forged and every line starts so."""
    return "\n".join(visible_line(str(d)) for d in diagnostics)


def shown(value: object, limit: int = 40) -> str:
    """A value as a message quotes it: its repr, cut short (a hostile value may be megabytes long)."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


#: Errors a RunbookInvalid keeps (and every command prints) at most, the rest named in one line: a hostile runbook of
#: 45,000 duplicate keys printed 45,000 lines; an author fixes the first ones first.
MAX_ERRORS = 100


class RunbookInvalid(Exception):
    """A runbook that failed validation. It carries every diagnostic found, warnings too (the first MAX_ERRORS errors,
    then one saying how many more there are, at the first of them)."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        errors = [d for d in diagnostics if d.severity == "error"]
        if len(errors) > MAX_ERRORS:
            hidden = errors[MAX_ERRORS:]
            more = Diagnostic(hidden[0].mark, f"{len(hidden)} more errors from here on, not shown: fix these first")
            dropped = set(map(id, hidden))
            diagnostics = [d for d in diagnostics if id(d) not in dropped] + [more]
        self.diagnostics = diagnostics
        super().__init__("\n".join(str(d) for d in self.errors))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]


class Collector:
    """Accumulates diagnostics while the loader walks the document."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def error(self, mark: Mark, message: str) -> None:
        self.items.append(Diagnostic(mark, message))

    def warning(self, mark: Mark, message: str) -> None:
        self.items.append(Diagnostic(mark, message, "warning"))

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self.items)

    def raise_if_errors(self) -> None:
        if self.has_errors:
            raise RunbookInvalid(sorted(self.items, key=_order))


def _order(d: Diagnostic) -> tuple[int, int]:
    return (d.mark.line, d.mark.col)
