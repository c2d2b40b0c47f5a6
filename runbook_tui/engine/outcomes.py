"""How a run's outcome becomes the process's exit code: the one policy for exec, resume, rehearse and the TUI."""

from __future__ import annotations

#: 0: the run did what was asked; 1: it failed, stopped or was refused; 2: the input was invalid.
EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2


def exit_code(outcome: str | None, *, rollback_asked: bool = False) -> int:
    """0 when the run finished `done` (or `rolled_back`, when a rollback is what was asked for), else 1.

    A run still open (outcome None), aborted, stopped or failed exits 1.
    """
    wanted = ("done", "rolled_back") if rollback_asked else ("done",)
    return EXIT_OK if outcome in wanted else EXIT_FAILED
