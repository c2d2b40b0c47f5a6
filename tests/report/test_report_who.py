"""Who did what, as a change board reads it: the program is never a person called `system`, and a solo run's undone
step was never waiting for anyone's confirmation. Journals from real `exec` processes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from runbook_tui.engine import events as ev
from runbook_tui.engine.journal import read_events
from runbook_tui.report import build_report, render
from tests.engine.test_exec_cli import exec_env, run_exec

#: c fails while `make-c-fail` exists; b's change is undone by the rollback to a.
NIGHT = """\
    runbook: 1
    id: who-night
    title: Who did it
    ticket: {id: CHG-7, subject: who, assignee: alice, verifier: bob}
    sections:
      - id: impl
        title: Change
        kind: implement
        steps:
          - {id: a, title: Step a, run: echo a, checkpoint: true}
          - {id: b, title: Step b, run: echo b, undo: echo undo-b}
          - {id: c, title: Step c, run: "test ! -e make-c-fail", undo: echo undo-c}
"""


def test_a_run_the_program_ended_says_so_not_by_system(tmp_path: Path) -> None:
    """Every step done, the program journals the end (`actor` system): the Summary read `done (by system)`, as if a
    person called system had signed the change off."""
    result = run_exec(tmp_path, NIGHT, "s3cr3t-who-1")
    assert result.returncode == 0, result.stdout + result.stderr
    path = tmp_path / "run.jsonl"
    finished = next(e for e in read_events(path).events if e["type"] == ev.SESSION_FINISHED)
    assert finished["actor"] == ev.SYSTEM  # what the journal says
    report = build_report(path)
    markdown, html = render(report, "md"), render(report, "html")
    outcome = next(line for line in markdown.splitlines() if line.startswith("| **Outcome** |"))
    assert outcome == "| **Outcome** | **done** (ended by the program with no step left to run) |", outcome
    assert "done</strong> (ended by the program with no step left to run)</td>" in html
    assert "by system" not in markdown.split("## Timeline")[0] and "by system" not in html.split('id="timeline"')[0]
    assert json.loads(render(report, "json"))["session"]["finished_by"] == ev.SYSTEM  # the JSON keeps the journal's actor


def test_a_solo_step_undone_by_a_rollback_was_never_waiting_for_a_confirmation(tmp_path: Path) -> None:
    """Solo, b done, c fails, `--on-failure rollback` undoes both: b's Confirmed by read `rolled back before
    confirmation`, though in a solo run no confirmation was ever due."""
    (tmp_path / "make-c-fail").touch()
    result = run_exec(tmp_path, NIGHT, "s3cr3t-who-2", "--on-failure", "rollback")
    assert result.returncode == 1 and "outcome ROLLED BACK" in result.stdout, result.stdout + result.stderr
    report = build_report(tmp_path / "run.jsonl")
    markdown, html, data = render(report, "md"), render(report, "html"), json.loads(render(report, "json"))
    b = next(line for line in markdown.splitlines() if line.startswith("| 2 | b: "))
    assert b.split(" | ")[4:6] == ["done, then undone", "unverified (solo run), then rolled back"], b
    assert "before confirmation" not in markdown and "before confirmation" not in html
    assert "unverified (solo run), then rolled back</td>" in html
    steps = {s["id"]: s for s in data["steps"]}
    assert (steps["b"]["verification"], steps["b"]["unverified"]) == ("unverified (solo run), then rolled back", False)
    assert data["unverified"] == ["a"], data["unverified"]  # a's change stands, unverified; b's does not


def test_a_run_execs_policy_ended_says_so_not_as_the_persons_move(tmp_path: Path) -> None:
    """c fails and `exec` (its default `--on-failure stop`) ends the run FAILED: the journal's session_finished is the
    person's, with `driver` exec. The Summary read `FAILED (by alice)`, as if she had decided it then; so did a
    rollback exec started by `--on-failure abort`."""
    (tmp_path / "make-c-fail").touch()
    result = run_exec(tmp_path, NIGHT, "s3cr3t-who-3")
    assert result.returncode == 1, result.stdout + result.stderr
    report = build_report(tmp_path / "run.jsonl")
    person = report.session.finished_by
    assert person and person != ev.SYSTEM and report.session.finished_driver == "exec"
    outcome = next(line for line in render(report, "md").splitlines() if line.startswith("| **Outcome** |"))
    assert outcome == f"| **Outcome** | **FAILED** (by exec, run by {person}) |", outcome
    assert json.loads(render(report, "json"))["session"]["finished_driver"] == "exec"
    aborted = tmp_path / "aborted"
    aborted.mkdir()
    (aborted / "make-c-fail").touch()
    result = run_exec(aborted, NIGHT, "s3cr3t-who-4", "--on-failure", "abort")
    assert result.returncode == 1 and "outcome ROLLED BACK" in result.stdout, result.stdout + result.stderr
    outcome = next(line for line in render(build_report(aborted / "run.jsonl"), "md").splitlines() if line.startswith("| **Outcome** |"))
    assert outcome == f"| **Outcome** | **ROLLED BACK** (by exec, run by {person}) |", outcome


def test_a_run_resumed_by_another_person_names_both_in_every_format(tmp_path: Path) -> None:
    """exec by the login user fails at c; dave rolls it back with `resume --rollback`. The md's Assignee row reads
    `planned: alice, ran by: USER, then dave`; the JSON had only `assignee` (who started it) and `resumed_by` beside the
    ticket's assignee, so a machine reading the handover had to piece the fact together (or took the starter alone)."""
    (tmp_path / "make-c-fail").touch()
    result = run_exec(tmp_path, NIGHT, "s3cr3t-who-5")
    assert result.returncode == 1, result.stdout + result.stderr
    env = {**exec_env(tmp_path, "unused"), "RUNBOOK_TUI_USER": "dave"}
    resumed = subprocess.run(
        [sys.executable, "-m", "runbook_tui", "resume", "run.jsonl", "--solo", "e2e test", "--headless", "--rollback"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert resumed.returncode == 1 and "ROLLED BACK" in resumed.stdout, resumed.stdout + resumed.stderr
    report = build_report(tmp_path / "run.jsonl")
    starter = report.session.assignee
    assert starter and starter != "dave"
    row = next(line for line in render(report, "md").splitlines() if line.startswith("| Assignee |"))
    assert row == f"| Assignee | planned: alice, ran by: {starter}, then dave |", row
    assert f"<dt>Assignee</dt><dd>planned: alice, ran by: {starter}, then dave</dd>" in render(report, "html")
    session = json.loads(render(report, "json"))["session"]
    assert session["ran_by"] == [starter, "dave"], session
