"""How a run's outcome becomes the process's exit code: the one policy for exec, resume, rehearse and the TUI."""

from __future__ import annotations

#: 0: the run did what was asked; 1: it failed, stopped or was refused; 2: the input was invalid.
EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2


def exit_code(outcome: str | None) -> int:
    """0 when the run finished `done`, else 1: a run rolled back (also by `resume --rollback`, which exits "as `run`"
    in the contract), still open (outcome None), aborted, stopped or failed exits 1."""
    return EXIT_OK if outcome == "done" else EXIT_FAILED
