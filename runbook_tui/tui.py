"""Wiring for the TUI commands: load and check on the command line, then hand the app a starter."""

from __future__ import annotations

import sys
from typing import Any

from runbook_tui.session import Session, SessionError, load, open_session, resume_session
from runbook_tui.ui.app import RunbookApp


def _launch(app: RunbookApp) -> int:
    code = app.run()
    if app.failure:
        print(f"runbook-tui: {app.failure}", file=sys.stderr)
    if app.handle is not None:
        print(f"journal: {app.handle.journal_path}")
    return code if isinstance(code, int) else 1


def run(file: str, params: dict[str, Any], *, solo: str | None, dry_run: bool, journal: str | None, override_window: str | None) -> int:
    """`run FILE`: invalid runbooks never reach the screen (exit 2 with FILE:LINE:COL errors)."""
    try:
        loaded = load(file, params)
    except SessionError as exc:
        print(exc, file=sys.stderr)
        return exc.code
    mode = "dry-run" if dry_run else "live"

    def starter(override: str | None) -> Session:
        return open_session(loaded, mode=mode, solo=solo, journal=journal, override_window=override or override_window)

    return _launch(RunbookApp(starter))


def resume(journal: str) -> int:
    return _launch(RunbookApp(lambda _override: resume_session(journal)))
