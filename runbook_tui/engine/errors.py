"""Why a run cannot start, in words the person at the keyboard can act on."""

from __future__ import annotations

from collections.abc import Iterable

from runbook_tui.runbook.diagnostics import Diagnostic, diagnostic_lines


class StartRefused(Exception):
    """A session could not start. `window` is True when an override reason would let it start."""

    def __init__(self, message: str, code: int = 2, *, window: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.window = window


class RunbookRefused(StartRefused):
    """A runbook that failed validation: every diagnostic on its own `FILE:LINE:COL: message` line, as `validate` prints
    it (a newline or an escape in a message shown as a symbol, so a line cannot be forged), for stderr as it is."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        super().__init__(diagnostic_lines(diagnostics))
