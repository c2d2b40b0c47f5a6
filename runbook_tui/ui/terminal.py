"""A screen needs a terminal: without one (a pipe, a file, cron, CI) the commands that draw say so and start nothing.

Before, `run`, `replay` and `join` drew their escape codes into the pipe or the log file, and read keys from
whatever stdin was (`/dev/null`: none ever came), so a script waited for a screen nobody saw.
"""

from __future__ import annotations

import os
import sys


def not_a_terminal(command: str, instead: str) -> bool:
    """True, after saying on stderr what to use `instead`, when stdin or stdout is not a terminal."""
    if sys.stdin.isatty() and sys.stdout.isatty():
        return False
    print(f"runbook-tui: {command} shows a screen, and stdin or stdout is not a terminal: nothing was started. {instead}", file=sys.stderr)
    return True


def terminal_gone() -> None:
    """After the screen's terminal went away (a write to it failed: EIO): stdout and stderr to /dev/null, so what is still
    buffered for it does not fail again as Python exits, which made the exit code 120 and printed `Exception ignored ...
    OSError: [Errno 5]` (with buffered output: a person's shell sets no PYTHONUNBUFFERED)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        os.dup2(devnull, stream.fileno())
    os.close(devnull)


def left_on_a_gone_terminal() -> bool:
    """After a screen closed: True, once stdout and stderr go to /dev/null (terminal_gone), when what is still buffered
    for the terminal (the screen's own last writes: leaving the alternate screen, the cursor shown) cannot be written
    because the terminal went away (EIO); it failed again as Python exited: exit 120, `Exception ignored ...`."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:
        terminal_gone()
        return True
    return False
