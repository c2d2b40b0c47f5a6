"""Output piped into a reader that stops early (`runbook-tui report J | head`): end quietly, as `cat` does."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Sequence
from typing import Protocol


class Main(Protocol):
    def __call__(self, argv: Sequence[str] | None = None) -> int: ...


def quiet_on_broken_pipe(main: Main) -> Main:
    """A closed stdout ends the command with exit 1 and no traceback (stdout goes to /dev/null so the final flush cannot raise again)."""

    @functools.wraps(main)
    def wrapped(argv: Sequence[str] | None = None) -> int:
        try:
            return main(argv)
        except BrokenPipeError:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1

    return wrapped
