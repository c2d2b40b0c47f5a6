"""What the program's last-resort handlers log reaches stderr as one line in words, never as a Python traceback.

The executors, the poller, the controller's listeners and the notifier catch what nobody foresaw and log it
(`log.exception`) so the run goes on; with no logging set up, Python's last-resort printer put the whole traceback on
`exec`'s stderr. Here such a record is one line: what failed and the error's type and words (sanitised: an error's
text may hold a runbook's or a peer's bytes; the run's secrets masked, as in the journal). asyncio's own reports (a
task whose exception was never retrieved) too.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from runbook_tui.runbook.safe_text import visible_line

#: The loggers whose records are said this way: ours, and asyncio's.
LOGGERS = ("runbook_tui", "asyncio")


class _OneLine(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        # Imported when a line is said: with the cli's own imports, before the collector is paused, it moved a
        # collection into every start (tests/engine/test_headless_collector.py).
        from runbook_tui.engine.redact import mask_known

        said = record.getMessage()
        error = record.exc_info[1] if record.exc_info else None
        if error is None:  # a warning the code wrote in words: as Python's last-resort printer showed it, sanitised
            return visible_line(mask_known(said))
        said = f"{said}: {type(error).__name__}: {error}" if str(error) else f"{said}: {type(error).__name__}"
        return f"runbook-tui: {visible_line(mask_known(said))} (an unexpected error; please report it)"


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """stderr as it is when a record comes (a screen's app captures it while it runs: nothing is drawn over the TUI)."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass  # StreamHandler sets it at construction: the stream is looked up at each record instead


def install() -> None:
    """Say warnings and errors of LOGGERS as single lines on stderr (once per process)."""
    handler = _Stderr()
    handler.setFormatter(_OneLine())
    handler.setLevel(logging.WARNING)
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, _Stderr) for existing in logger.handlers):
            logger.addHandler(handler)  # (it still propagates: nothing above it prints, unless a test's log capture listens)
