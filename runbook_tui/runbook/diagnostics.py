"""Errors and warnings about a runbook, each pinned to `FILE:LINE:COL`.

The loader collects every problem it can find in one pass instead of
stopping at the first: an author fixing a runbook at 5 PM wants the whole
list.
"""

from __future__ import annotations

from typing import Literal

from runbook_tui.runbook.lean_dataclass import dataclass
from runbook_tui.runbook.model import Mark


@dataclass(frozen=True, slots=True)
class Diagnostic:
    mark: Mark
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.mark}: {prefix}{self.message}"


def shown(value: object, limit: int = 40) -> str:
    """A value as a message quotes it: its repr, cut short (a hostile value may be megabytes long)."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


class RunbookInvalid(Exception):
    """A runbook that failed validation. It carries every diagnostic found, warnings too."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
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
