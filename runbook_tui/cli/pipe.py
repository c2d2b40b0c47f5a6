"""Output piped into a reader that stops early (`runbook-tui report J | head`): end quietly, as `cat` does."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TextIO

#: Commands whose exit code is their answer (`validate` 0 valid / 2 invalid, `preflight` 0 ready / 1 findings,
#: `journal verify` 0 intact / 1 tampered): a reader that leaves early (`| head -1`) must not change it.
ANSWER_IN_EXIT_CODE = frozenset({"validate", "preflight", "journal"})

_started_closed = False


class Main(Protocol):
    def __call__(self, argv: Sequence[str] | None = None) -> int: ...


def quiet_on_broken_pipe(main: Main) -> Main:
    """A closed stdout ends the command with exit 1 and no traceback (stdout goes to /dev/null so the final flush cannot raise again)."""

    @functools.wraps(main)
    def wrapped(argv: Sequence[str] | None = None) -> int:
        global _started_closed
        closed = _started_closed = _stand_in_for_closed_streams()
        try:
            return main(argv)
        except BrokenPipeError:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            if closed:  # no reader ever was: say so, as `cat FILE >&-` does (a reader that left, `| head`, is quiet)
                print("runbook-tui: stdout is closed (started with >&-): nothing could be written there", file=sys.stderr)
            return 1

    return wrapped


class _ReaderMayLeave:
    """stdout (or stderr) for a command whose exit code is its answer: once the reader has left, what is still to say is dropped
    (stdout goes to /dev/null, so the final flush cannot raise) and the command goes on to its answer."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.gone = False
        self.refused: str | None = None  # why a write failed, when it was not a reader that left

    def write(self, text: str) -> int:
        if not self.gone:
            try:
                return self.stream.write(text)
            except OSError as exc:  # a reader that left, or a full disk behind `> FILE` (said by answer_kept)
                self._left(exc)
        return len(text)

    def flush(self) -> None:
        if not self.gone:
            try:
                self.stream.flush()
            except OSError as exc:
                self._left(exc)

    def _left(self, exc: OSError) -> None:
        self.gone = True
        self.refused = None if isinstance(exc, BrokenPipeError) else refusal_words(exc)
        os.dup2(os.open(os.devnull, os.O_WRONLY), self.stream.fileno())

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def answer_kept(run: Callable[[], int]) -> int:
    """Run a command of ANSWER_IN_EXIT_CODE with its exit code kept whatever happens to stdout or stderr. Before, `journal verify
    J | head -1` (or `>&-`) ended with exit 1, which is "tampered" for verify and "findings" for preflight: a broken
    pipe read as a verdict on the journal. stderr too: `validate DIR 2>&1 | head -1` ended with exit 1 at the next
    warning or error, which `validate` does not have."""
    out, err = _ReaderMayLeave(sys.stdout), _ReaderMayLeave(sys.stderr)
    sys.stdout, sys.stderr = out, err
    try:
        code = run()
        out.flush()
        err.flush()
    finally:
        sys.stdout, sys.stderr = out.stream, err.stream
    if out.refused is not None:  # a full disk: what was meant for stdout is not all there (before: a traceback, exit 1)
        print(f"runbook-tui: {out.refused}; the exit code ({code}) is the answer", file=sys.stderr)
    elif out.gone and _started_closed:  # no reader ever was: say so (a reader that left, `| head`, is quiet)
        print(f"runbook-tui: stdout is closed (started with >&-): nothing could be written there; the exit code ({code}) is the answer", file=sys.stderr)
    return code


#: Commands that print what they make to stdout, with no screen: a write stdout refuses is said, and they end with 1.
PRINTED = frozenset({"plan", "schema", "report", "approve", "new"})


class _StdoutRefused(Exception):
    def __init__(self, exc: OSError) -> None:
        super().__init__(refusal_words(exc))


class _Refusals:
    """stdout for a command of PRINTED: a write it refuses (not a reader that left: that ends quietly, as above) stops the
    command, to be said by `refusal_said`."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        try:
            return self.stream.write(text)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _StdoutRefused(exc) from None

    def flush(self) -> None:
        try:
            self.stream.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _StdoutRefused(exc) from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def refusal_said(run: Callable[[], int]) -> int:
    """Run a command of PRINTED; when stdout refuses a write (`plan --json > plan.json` on a full disk), say so and end with
    1, as when a reader leaves (before: a traceback, `OSError: [Errno 28] No space left on device`)."""
    out = _Refusals(sys.stdout)
    sys.stdout = out
    try:
        code = run()
        out.flush()
    except _StdoutRefused as refused:
        os.dup2(os.open(os.devnull, os.O_WRONLY), out.stream.fileno())  # the final flush cannot raise again
        print(f"runbook-tui: {refused}; what it holds is incomplete", file=sys.stderr)
        return 1
    finally:
        sys.stdout = out.stream
    return code


def refusal_words(exc: OSError) -> str:
    return f"cannot write to stdout: {exc.strerror or exc}"


def _stand_in_for_closed_streams() -> bool:
    """Started with a standard stream closed (`>&-`, `<&-`, `2>&-`), Python leaves it None: every print to stdout and
    every `sys.stdin.isatty()` was a traceback (`'NoneType' object has no attribute ...`; in `exec` one "please report
    it" per event), errors meant for stderr went into stdout (`print(file=None)`), and the next file opened (the
    journal) could take the descriptor. Stand-ins take each one: for stdout a pipe whose reader is gone, so each write
    fails as into a reader that left (`| head`), which every command already handles (`exec` goes on and says so; the
    others end with exit 1); for stdin /dev/null (as `</dev/null`: no terminal); for stderr /dev/null. True when
    stdout was closed."""
    if sys.stdin is None:
        _occupy(0, os.open(os.devnull, os.O_RDONLY))
        sys.stdin = open(0, encoding="utf-8", closefd=False)
    closed = sys.stdout is None
    if closed:
        read_end, write_end = os.pipe()
        _occupy(1, write_end)  # (when the pipe's read end took descriptor 1, this closes it)
        if read_end != 1:
            os.close(read_end)
        sys.stdout = open(1, "w", encoding="utf-8", errors="backslashreplace", closefd=False, buffering=1)
    if sys.stderr is None:
        _occupy(2, os.open(os.devnull, os.O_WRONLY))
        sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False, buffering=1)
    return closed


def _occupy(descriptor: int, opened: int) -> None:
    if opened != descriptor:
        os.dup2(opened, descriptor)
        os.close(opened)
