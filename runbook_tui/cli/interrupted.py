"""ctrl-c that reaches the command line (a long journal still being read, a runbook still loading; runs and screens
handle their own): a line of words in place of Python's KeyboardInterrupt traceback, and the exit a caller expects."""

from __future__ import annotations

import os
import signal
import sys
from contextlib import AbstractContextManager, nullcontext

from runbook_tui.engine.outcomes import EXIT_FAILED, EXIT_OK

#: Commands whose exit table says what a stop is: replay's and join's one code (0, as when a signal closes their
#: screen), and a run's "aborted" (1, as its own ctrl-c handling says it once the run has begun).
_CODES = {"replay": EXIT_OK, "join": EXIT_OK, "run": EXIT_FAILED, "exec": EXIT_FAILED, "resume": EXIT_FAILED, "rehearse": EXIT_FAILED, "demo": EXIT_FAILED}


def interrupted(command: str, how: str = "ctrl-c") -> int:
    """Say that ctrl-c (or `how`: SIGTERM, SIGHUP, raised by app/stopped.signals_raise) stopped `command`; its code from
    `_CODES`, or, for every other command, end by that signal as Python's handler ends on ctrl-c (a shell loop around `runbook-tui
    validate` stops too, as after any program ctrl-c ends)."""
    print(f"runbook-tui: {command} stopped by {how}", file=sys.stderr, flush=True)
    if command in _CODES:
        return _CODES[command]
    sig = signal.SIGINT if how == "ctrl-c" else signal.Signals[how]
    signal.signal(sig, signal.SIG_DFL)
    os.kill(os.getpid(), sig)
    return 128 + sig  # (not reached: the default action ends the process)


#: Runs: SIGTERM or a hang-up before the run takes them (a long journal read, the runbook loaded) ended them by the
#: signal's default action (-15, -1) in silence; now as ctrl-c there (`interrupted`: words, and 1). The run's own
#: handlers (app/headless.py, ui/base_app.py) replace these as it begins.
_RUNS = frozenset({"run", "exec", "resume", "rehearse", "demo"})


def signals_said(command: str) -> AbstractContextManager[None]:
    """For a run command, SIGTERM and a hang-up raise app/stopped.Stopped until the run takes them; else nothing."""
    if command not in _RUNS:
        return nullcontext()
    from runbook_tui.app.stopped import signals_raise

    return signals_raise()
