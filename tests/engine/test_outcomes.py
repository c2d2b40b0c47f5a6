"""One policy maps how a run ended to the process's exit code (exec, resume, rehearse and the TUI use it)."""

from __future__ import annotations

import pytest

from runbook_tui.engine.outcomes import EXIT_FAILED, EXIT_OK, exit_code


@pytest.mark.parametrize("outcome", ["rolled_back", "aborted", "stopped", "failed", None])
def test_only_done_is_success_for_a_run(outcome: str | None) -> None:
    assert exit_code("done") == EXIT_OK
    assert exit_code(outcome) == EXIT_FAILED


def test_a_rollback_that_was_asked_for_and_worked_is_success() -> None:
    assert exit_code("rolled_back", rollback_asked=True) == EXIT_OK
    assert exit_code("failed", rollback_asked=True) == EXIT_FAILED
    assert exit_code(None, rollback_asked=True) == EXIT_FAILED
