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
        closed = _stand_in_for_a_closed_stdout()
        try:
            return main(argv)
        except BrokenPipeError:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            if closed:  # no reader ever was: say so, as `cat FILE >&-` does (a reader that left, `| head`, is quiet)
                print("runbook-tui: stdout is closed (started with >&-): nothing could be written there", file=sys.stderr)
            return 1

    return wrapped


def _stand_in_for_a_closed_stdout() -> bool:
    """Started with stdout closed (`>&-`), Python leaves `sys.stdout` None: every print was a traceback
    (`'NoneType' object has no attribute 'write'`; in `exec` one "please report it" per event), and the next file
    opened could take descriptor 1. A pipe whose reader is gone stands in on it: each write fails as into a reader that
    left (`| head`), which every command already handles (`exec` goes on and says so; the others end with exit 1)."""
    if sys.stdout is not None:
        return False
    read_end, write_end = os.pipe()
    os.dup2(write_end, 1)  # (when the pipe's read end took descriptor 1, this closes it)
    os.close(write_end)
    if read_end != 1:
        os.close(read_end)
    sys.stdout = open(1, "w", encoding="utf-8", errors="backslashreplace", closefd=False, buffering=1)
    return True
