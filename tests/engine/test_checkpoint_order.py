"""A checkpoint is on record for the step that finished before the next step is announced (`step_ready`).

Replay, the report, `exec`'s lines and the verifier all read the journal in order: "checkpoint reached" must
come right after the checkpoint step's completion (and its confirmation when one is needed), never after the
next step's `step_ready`.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rules_helpers import ALICE, BOB, TWO_STEPS, until

from runbook_tui.app.session import Session

THREE_STEPS_CHECKPOINT_SECOND = """\
runbook: 1
id: cp-order
title: Checkpoint order
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - id: one
        title: Step one
        run: echo one
        undo: echo undo-one
      - id: two
        title: Step two
        run: echo two
        undo: echo undo-two
        checkpoint: true
      - id: three
        title: Step three
        run: echo three
        undo: echo undo-three
"""


def order(events: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    """The journal's step events in order (output and metrics left out)."""
    kept = {"step_ready", "step_started", "step_finished", "step_confirmed", "step_marked_done", "checkpoint_reached", "session_finished"}
    return [(e["type"], e.get("step")) for e in events if e["type"] in kept]


def test_exec_solo_journals_the_checkpoint_before_the_next_step_is_ready(
    run_cli: Callable[..., subprocess.CompletedProcess[str]], write_runbook: Callable[..., Path], tmp_path: Path,
    journal_events: Callable[[Path], list[dict[str, Any]]],
) -> None:  # fmt: skip
    runbook = write_runbook(THREE_STEPS_CHECKPOINT_SECOND)
    done = run_cli("exec", str(runbook), "--solo", "staging rehearsal", "--journal", str(tmp_path / "j.jsonl"))
    assert done.returncode == 0, done.stderr
    assert order(journal_events(tmp_path / "j.jsonl")) == [
        ("step_ready", "one"),
        ("step_started", "one"),
        ("step_finished", "one"),
        ("step_ready", "two"),
        ("step_started", "two"),
        ("step_finished", "two"),
        ("checkpoint_reached", "two"),
        ("step_ready", "three"),
        ("step_started", "three"),
        ("step_finished", "three"),
        ("session_finished", None),
    ]
    # exec's lines (what a person or a script reads) say it in the same order
    said = [line.split(maxsplit=2)[1:] for line in done.stdout.splitlines() if line[:2].isdigit()]
    at = said.index(["checkpoint_reached", "checkpoint two"])
    assert said[at - 1] == ["step_finished", "two done [unverified]"], said
    assert said[at + 1] == ["step_ready", "three: Step three"], said


def test_a_confirmed_checkpoint_is_reached_after_the_confirmation_and_before_the_next_step_is_ready(
    session_for: Callable[..., Any], tmp_path: Path, journal_events: Callable[[Path], list[dict[str, Any]]]
) -> None:
    async def body(s: Session) -> None:
        c = s.controller
        assert c.run_current(ALICE).ok
        await until(lambda: c.state.steps["a"].status == "awaiting_verification", "step a to await verification")
        assert c.state.checkpoint is None  # not a safe point until the verifier confirms it
        assert c.confirm(BOB).ok
        assert c.state.checkpoint == "a" and c.state.current == "b"

    session_for(TWO_STEPS)(body)
    assert order(journal_events(tmp_path / "journal.jsonl"))[:6] == [
        ("step_ready", "a"),
        ("step_started", "a"),
        ("step_finished", "a"),
        ("step_confirmed", "a"),
        ("checkpoint_reached", "a"),
        ("step_ready", "b"),
    ]


def test_an_unknown_checkpoint_marked_done_is_reached_before_the_next_step_is_ready(
    run_cli: Callable[..., subprocess.CompletedProcess[str]], write_runbook: Callable[..., Path], tmp_path: Path,
    journal_events: Callable[[Path], list[dict[str, Any]]],
) -> None:  # fmt: skip
    """The process dies while the checkpoint step runs; the assignee checks by hand and marks it done: the rollback
    planner goes back to it from then on, so the record (and the screens' "last checkpoint") says it was reached."""
    runbook = write_runbook(THREE_STEPS_CHECKPOINT_SECOND.replace("run: echo two", "run: kill -9 $PPID"))
    journal = tmp_path / "j.jsonl"
    died = run_cli("exec", str(runbook), "--solo", "staging rehearsal", "--journal", str(journal))
    assert died.returncode == -9, (died.returncode, died.stderr)
    assert not [e for e in journal_events(journal) if e["type"] == "checkpoint_reached"]
    resumed = run_cli("resume", str(journal), "--headless", "--mark-done", "checked by hand", "--continue")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    after = order(journal_events(journal))
    at = after.index(("checkpoint_reached", "two"))
    assert [kind for kind, _ in after[at - 1 : at + 2]] == ["step_marked_done", "checkpoint_reached", "step_ready"], after
    assert after[at + 1] == ("step_ready", "three")


def test_a_resume_says_the_checkpoint_the_dead_process_finished_but_never_said(
    run_cli: Callable[..., subprocess.CompletedProcess[str]], write_runbook: Callable[..., Path], tmp_path: Path,
    journal_events: Callable[[Path], list[dict[str, Any]]],
) -> None:  # fmt: skip
    """The process died right after the checkpoint step's `step_finished` was on disk (the journal ends there):
    `resume` journals the `checkpoint_reached` it never wrote, once, before the run goes on."""
    runbook = write_runbook(THREE_STEPS_CHECKPOINT_SECOND)
    journal = tmp_path / "j.jsonl"
    assert run_cli("exec", str(runbook), "--solo", "staging rehearsal", "--journal", str(journal)).returncode == 0
    lines = journal.read_text(encoding="utf-8").splitlines(keepends=True)
    cut = next(n for n, e in enumerate(journal_events(journal)) if e["type"] == "step_finished" and e["step"] == "two")
    journal.write_text("".join(lines[: cut + 1]), encoding="utf-8")  # whole lines: a process killed between two events
    resumed = run_cli("resume", str(journal), "--headless", "--continue")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    after = [(e["type"], e.get("step")) for e in journal_events(journal)[cut + 1 :] if e["type"] != "output"]
    assert after.count(("checkpoint_reached", "two")) == 1, after
    assert after.index(("checkpoint_reached", "two")) < after.index(("step_started", "three")), after
    again = run_cli("resume", str(journal), "--headless")  # the finished run, looked at again: nothing more to say
    assert again.returncode == 0, again.stdout + again.stderr
    assert [e["step"] for e in journal_events(journal) if e["type"] == "checkpoint_reached"] == ["two"]
