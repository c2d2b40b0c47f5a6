"""A resumed run journals the `step_ready` of the step it stands on when the process died before it reached the disk.

Before: power lost (or a kill) after `session_started` was on disk but before the first `step_ready` was, or between a
step's end and the next step's `step_ready`, left that step unannounced: `resume` ran it without a `step_ready`, so the
screen, a joining verifier and the report read it as the plan words it (`Adjust ⟨cluster⟩`, `⟨captured.value⟩`) until
it started. Now `resume` announces it, rendered, before anything acts, and a step whose `step_ready` is on disk is not
announced twice.
"""

from __future__ import annotations

import json
import subprocess
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from written_lines import written_events

from runbook_tui.engine.resuming import ready_unsaid
from runbook_tui.engine.state import replay

RUNBOOK = """\
runbook: 1
id: announce
title: "Announce on {{ cluster }}"
params:
  cluster: {type: choice, choices: [a, b], default: b}
sections:
  - id: impl
    title: Implement
    kind: implement
    steps:
      - id: first
        title: "Adjust {{ cluster }}"
        run: echo first >> ledger
      - id: second
        title: Capture
        run: echo value-42
        capture: value
        checkpoint: true
      - id: third
        title: "Use {{ captured.value }}"
        run: echo third {{ captured.value }} >> ledger
"""


def _cut_after(lines: list[bytes], count: int) -> bytes:
    return b"".join(lines[:count])


@pytest.mark.parametrize(
    ("last_kept", "announced"),
    [
        (("session_started", None), {"first": "Adjust b"}),  # power lost before the opening's step_ready was on disk
        (("step_finished", "first"), {"second": "Capture"}),  # killed between a step's end and the next step_ready
        (("checkpoint_reached", "second"), {"third": "Use value-42"}),  # ... after the checkpoint the step reached
        (("step_finished", "second"), {"third": "Use value-42"}),  # ... before its checkpoint_reached, too
    ],
)
def test_resume_announces_the_step_whose_step_ready_never_reached_the_disk(
    tmp_path: Path, run_cli: Callable[..., subprocess.CompletedProcess[str]], last_kept: tuple[str, str | None], announced: dict[str, str]
) -> None:
    (tmp_path / "runbook.yaml").write_text(textwrap.dedent(RUNBOOK))
    whole = tmp_path / "whole.jsonl"
    ran = run_cli("exec", "runbook.yaml", "--solo", "a test", "--journal", str(whole))
    assert ran.returncode == 0, ran.stdout + ran.stderr
    lines = whole.read_bytes().splitlines(keepends=True)
    kept = next(i for i, line in enumerate(lines) if (json.loads(line)["type"], json.loads(line).get("step")) == last_kept) + 1
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(_cut_after(lines, kept))
    (tmp_path / "ledger").unlink()

    went = run_cli("resume", str(cut), "--headless", "--continue")

    assert went.returncode == 0, went.stdout + went.stderr
    events = written_events(cut)
    resumed = next(i for i, e in enumerate(events) if e["type"] == "session_resumed")
    after = events[resumed:]
    ((step, title),) = announced.items()
    ready = [e for e in after if e["type"] == "step_ready"]
    assert ready and ready[0]["step"] == step and ready[0]["title"] == title, f"the step it stands on is announced rendered: {ready}"
    for e in after:
        if e["type"] == "step_started":  # every step the resumed run starts was announced before, once
            assert [r["step"] for r in events[: events.index(e)] if r["type"] == "step_ready"].count(e["step"]) == 1, e["step"]
    started = [e["step"] for e in after if e["type"] == "step_started"]
    order = ["first", "second", "third"]
    assert started == order[order.index(step) :], "each step left runs once, from the one it stood on"
    assert f"step_ready         {step}: {title}" in went.stdout, went.stdout
    assert replay(events).outcome == "done"
    assert run_cli("journal", "verify", str(cut)).returncode == 0


def test_resume_does_not_announce_again_a_step_whose_step_ready_is_on_disk(tmp_path: Path, run_cli: Callable[..., subprocess.CompletedProcess[str]]) -> None:
    (tmp_path / "runbook.yaml").write_text(textwrap.dedent(RUNBOOK))
    whole = tmp_path / "whole.jsonl"
    assert run_cli("exec", "runbook.yaml", "--solo", "a test", "--journal", str(whole)).returncode == 0
    lines = whole.read_bytes().splitlines(keepends=True)
    types = [(json.loads(line)["type"], json.loads(line).get("step")) for line in lines]
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(_cut_after(lines, types.index(("step_ready", "third")) + 1))

    went = run_cli("resume", str(cut), "--headless", "--continue")

    assert went.returncode == 0, went.stdout + went.stderr
    assert [e["step"] for e in written_events(cut) if e["type"] == "step_ready"] == ["first", "second", "third"]


ROLLING_BACK = """\
runbook: 1
id: back
title: Back
sections:
  - id: impl
    title: Implement
    kind: implement
    steps:
      - {id: safe, title: Safe, run: "true", undo: "true", checkpoint: true}
      - {id: change, title: Change, run: "true", undo: "true"}
      - {id: breaks, title: Breaks, run: "false", undo: "true"}
"""


@pytest.mark.parametrize(
    ("on_failure", "left_out", "owed"),
    [
        ("rollback", "", "change"),
        ("rollback", "change", "breaks"),  # the step announced last is the one it stands on again: announced afresh
        ("abort", "", None),
    ],
)
def test_after_a_rollback_the_step_it_stands_on_is_owed_its_step_ready_once_the_rollback_ended(
    tmp_path: Path, run_cli: Callable[..., subprocess.CompletedProcess[str]], on_failure: str, left_out: str, owed: str | None
) -> None:
    """Killed between `rollback_finished` and the next `step_ready`: the step the run stands on again is owed its
    announcement, rendered afresh; not while the rollback runs, nor after a full rollback (the run ends rolled back)."""
    (tmp_path / "runbook.yaml").write_text("".join(line for line in ROLLING_BACK.splitlines(True) if not left_out or f"id: {left_out}," not in line))
    whole = tmp_path / "whole.jsonl"
    assert run_cli("exec", "runbook.yaml", "--solo", "a test", "--on-failure", on_failure, "--journal", str(whole)).returncode == 1
    events = written_events(whole)
    types = [e["type"] for e in events]
    assert types[-2:] == ["rollback_finished", "session_finished"]

    assert ready_unsaid(replay(events[: types.index("rollback_started") + 1])) is None, "no step is announced while the rollback runs"
    assert ready_unsaid(replay(events[:-1])) == owed
    assert ready_unsaid(replay(events)) is None, "a finished run stands on no step"


def test_a_session_reopened_for_a_rollback_announces_no_step(tmp_path: Path, run_cli: Callable[..., subprocess.CompletedProcess[str]]) -> None:
    """`resume --rollback --full` of a run exec rolled back to its checkpoint: it goes back, so no step is announced
    between the reopening and the rollback (its forward step would read as what runs next)."""
    (tmp_path / "runbook.yaml").write_text(ROLLING_BACK)
    night = tmp_path / "night.jsonl"
    assert run_cli("exec", "runbook.yaml", "--solo", "a test", "--on-failure", "rollback", "--journal", str(night)).returncode == 1
    before = len(written_events(night))

    went = run_cli("resume", str(night), "--headless", "--rollback", "--full")

    types = [e["type"] for e in written_events(night)[before:]]
    assert types[:3] == ["session_reopened", "session_resumed", "rollback_started"], went.stdout + went.stderr
    assert "step_ready" not in types
