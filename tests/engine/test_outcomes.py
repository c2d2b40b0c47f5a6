"""One policy maps how a run ended to the process's exit code (exec, resume and the TUI use it): 0 only for done; a rollback,
also the one `resume --rollback` asked for, exits 1 as `run` does (the contract: `resume` exits "as `run`")."""

from __future__ import annotations

import pytest

from runbook_tui.engine.outcomes import EXIT_FAILED, EXIT_OK, exit_code


@pytest.mark.parametrize("outcome", ["rolled_back", "aborted", "stopped", "failed", None])
def test_only_done_is_success_for_a_run(outcome: str | None) -> None:
    assert exit_code("done") == EXIT_OK
    assert exit_code(outcome) == EXIT_FAILED
