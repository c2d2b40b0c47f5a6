"""ctrl-c that reaches the command line (a long journal still being read, a runbook still loading; runs and screens
handle their own): a line of words in place of Python's KeyboardInterrupt traceback, and the exit a caller expects."""

from __future__ import annotations

import os
import signal
import sys

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
