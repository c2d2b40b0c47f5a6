"""A screen needs a terminal: without one (a pipe, a file, cron, CI) the commands that draw say so and start nothing.

Before, `run`, `replay` and `join` drew their escape codes into the pipe or the log file, and read keys from
whatever stdin was (`/dev/null`: none ever came), so a script waited for a screen nobody saw.
"""

from __future__ import annotations

import sys


def not_a_terminal(command: str, instead: str) -> bool:
    """True, after saying on stderr what to use `instead`, when stdin or stdout is not a terminal."""
    if sys.stdin.isatty() and sys.stdout.isatty():
        return False
    print(f"runbook-tui: {command} shows a screen, and stdin or stdout is not a terminal: nothing was started. {instead}", file=sys.stderr)
    return True
