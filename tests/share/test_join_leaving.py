"""What `join` prints once the verifier's screen closes: how the run ended, or that it goes on and the command that
joins it again (found in a walk: `q` left the terminal with no word, and the way back had to be looked up)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from runbook_tui.engine.state import initial
from runbook_tui.engine.state_model import RollbackState, RunState
from runbook_tui.ui.join import left_words


def test_leaving_a_run_that_goes_on_names_the_command_that_joins_it_again() -> None:
    said = left_words(initial(), "10.0.0.5:2222", observe=False, identity="/home/bob/keys/my key\x1b]0;x")
    assert said == "runbook-tui: you left the session; the run goes on. To come back: runbook-tui join 10.0.0.5:2222 --identity '/home/bob/keys/my key␛]0;x'"
    assert "--observe" in left_words(initial(), "h:1", observe=True, identity=None)


def test_leaving_an_ended_run_says_how_it_ended() -> None:
    ended = RunState(outcome="rolled_back")
    assert left_words(ended, "h:1", observe=False, identity=None) == "runbook-tui: the run ended: ROLLED BACK"


def test_leaving_a_run_rolled_back_to_its_checkpoint_names_it() -> None:
    """Before: `the run ended: ROLLED BACK`, as if the whole change was undone, while the verifier's last status row
    and the report's Outcome said `ROLLED BACK to the last checkpoint (backup_config)`: the checkpoint's changes stand."""
    back = RollbackState("checkpoint", {"checkpoint_step": "backup_config"}, finished=True, ok=True)
    said = left_words(RunState(outcome="rolled_back", rollback=back), "h:1", observe=False, identity=None)
    assert said == "runbook-tui: the run ended: ROLLED BACK to the last checkpoint (backup_config)", said


def test_leaving_a_run_that_ended_with_unmet_criteria_accepted_says_so() -> None:
    """Before: `the run ended: done`, as if every success criterion had been met; the review's title said the rest."""
    check = {"when": "end", "criterion": {"text": "p99 < 300 ms"}, "met": False}
    ended = RunState(outcome="done", success_checks=(check,), criteria_acceptance={"by": "alice\x1b]0;x", "reason": "load test"})
    said = left_words(ended, "h:1", observe=False, identity=None)
    assert said == "runbook-tui: the run ended: done, success criteria NOT met (accepted by alice␛]0;x)", said
    unaccepted = RunState(outcome="done", success_checks=(check,))
    assert left_words(unaccepted, "h:1", observe=False, identity=None) == "runbook-tui: the run ended: done, success criteria NOT met"


def test_the_way_back_keeps_the_known_hosts_file_join_was_given() -> None:
    """Walked in tmux: `join … --identity bob --known-hosts kh`, then q; the way back printed left out `--known-hosts`,
    so it checked ~/.ssh/known_hosts and asked bob to trust the session's key again (or refused a changed one)."""
    said = left_words(initial(), "h:1", observe=False, identity="/k/bob", known_hosts="/tmp/my kh")
    assert said.endswith("To come back: runbook-tui join h:1 --identity /k/bob --known-hosts '/tmp/my kh'"), said
    assert "--known-hosts" not in left_words(initial(), "h:1", observe=False, identity=None)


def test_the_way_back_names_the_program_as_it_was_started(monkeypatch: pytest.MonkeyPatch) -> None:
    """Walked in tmux (session 38): the README's demo joined with `.venv/bin/runbook-tui join …` (no venv activated),
    then q; the way back printed `runbook-tui join …`, which that shell answered `command not found`. A command the
    program prints to be run next names the program as it was started, as `resume J` and the demo's commands do."""
    script = Path(sys.executable).with_name("runbook-tui")
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # the venv's bin is not on it, as in a shell that did not activate it
    monkeypatch.setattr(sys, "argv", [str(script), "join", "h:1"])
    said = left_words(initial(), "h:1", observe=False, identity="/k/bob")
    assert said.endswith(f"To come back: {script} join h:1 --identity /k/bob"), said
