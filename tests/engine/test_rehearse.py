"""`rehearse`: run forward, fail on purpose, roll back, re-run the prechecks, and say whether the state came back."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from runbook_tui import cli
from runbook_tui.engine.journal import read_events

CLI = [sys.executable, "-m", "runbook_tui"]

RUNBOOK = """\
    runbook: 1
    id: rehearse-demo
    title: Rehearse demo
    sections:
      - id: pre
        title: Pre-checks
        kind: precheck
        steps:
          - id: clean
            title: Nothing applied yet
            run: test ! -e applied && test ! -e tuned
      - id: backup
        title: Backup
        kind: backup
        steps:
          - id: backup
            title: Back up
            run: echo backup >> log
            undo: echo undo-backup >> log
            checkpoint: true
      - id: impl
        title: Change
        kind: implement
        steps:
          - id: apply
            title: Apply
            run: sleep 0.3; touch applied; echo apply >> log
            undo: UNDO_APPLY
          - id: tune
            title: Tune
            run: touch tuned; echo tune >> log
            undo: rm -f tuned; echo undo-tune >> log
      - id: post
        title: Post-checks
        kind: postcheck
        steps:
          - id: applied-now
            title: Applied
            run: test -e applied; echo post >> log
"""

GOOD_UNDO = "sleep 0.2; rm -f applied; echo undo-apply >> log"


def runbook(undo_apply: str = GOOD_UNDO) -> str:
    return RUNBOOK.replace("UNDO_APPLY", undo_apply)


def log(tmp_path: Path) -> list[str]:
    path = tmp_path / "log"
    return path.read_text().splitlines() if path.exists() else []


@pytest.fixture
def rehearse(tmp_path: Path, write_runbook: Callable[..., Path], monkeypatch: pytest.MonkeyPatch,
             capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str]]:  # fmt: skip
    """`rehearse(runbook_text, *args)`: `cli.main(["rehearse", ...])` in tmp_path; (exit code, stdout + stderr)."""
    monkeypatch.chdir(tmp_path)

    def run(text: str, *args: str) -> tuple[int, str]:
        path = write_runbook(text)
        code = cli.main(["rehearse", "--yes", str(path), "--journal", "rehearsal.jsonl", *args])
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    return run


def test_fail_at_a_step_rolls_back_to_its_checkpoint_and_reports_durations(tmp_path: Path, write_runbook: Callable[..., Path],
                                                                            run_cli: Callable[..., Any]) -> None:  # fmt: skip
    path = write_runbook(runbook())
    result = run_cli("rehearse", "--yes", str(path), "--fail-at", "tune", "--journal", "rehearsal.jsonl")
    assert result.returncode == 0, result.stdout + result.stderr
    timings = re.search(r"forward (\d+\.\d)s, rollback \(checkpoint\) (\d+\.\d)s", result.stdout)
    assert timings, result.stdout
    forward, rollback = float(timings[1]), float(timings[2])
    assert forward >= 0.3, "forward includes the 0.3 s apply step"
    assert rollback >= 0.2, "rollback includes the 0.2 s undo"
    assert "rollback restored state" in result.stdout
    assert "NOT" not in result.stdout
    # `tune` failed on purpose (its command never ran); its undo and apply's ran, newest first; backup is the checkpoint.
    assert log(tmp_path) == ["backup", "apply", "undo-tune", "undo-apply"]
    assert not (tmp_path / "applied").exists()
    read = read_events(tmp_path / "rehearsal.jsonl")
    assert read.intact, read.problems
    events = read.events
    assert events[0]["mode"] == "rehearsal"
    [started] = [e for e in events if e["type"] == "rollback_started"]
    assert started["scope"] == "checkpoint" and started["plan"]["checkpoint_step"] == "backup"
    assert [e["step_id"] for e in started["plan"]["entries"]] == ["tune", "apply"]
    rechecks = [e for e in events if e["type"] == "step_finished" and e["step"] == "clean"]
    assert [e["status"] for e in rechecks] == ["done", "done"], "the prechecks ran again after the rollback"
    # Each precheck announced before it starts again, and no step that does not run (before: step_started, then its
    # step_ready, then a step_ready of 'apply', which never ran again; still announced until session 30).
    after = [(e["type"], e.get("step")) for e in events[events.index(started) :] if e["type"] in ("step_ready", "step_started", "session_finished")]
    assert after == [("step_ready", "clean"), ("step_started", "clean"), ("session_finished", None)], after
    assert not any(e["type"] == "step_started" and e["step"] == "applied-now" for e in events)
    assert events[-1]["type"] == "session_finished"


def test_a_broken_undo_exits_1(tmp_path: Path, rehearse: Callable[..., tuple[int, str]]) -> None:
    code, out = rehearse(runbook("exit 1"), "--fail-at", "tune")
    assert code == 1, out
    assert "rollback did NOT restore state" in out
    assert "rollback restored state" not in out
    events = read_events(tmp_path / "rehearsal.jsonl").events
    [finished] = [e for e in events if e["type"] == "rollback_finished"]
    assert finished["ok"] is False and finished["failed_step"] == "apply"


def test_an_undo_that_forgets_something_fails_the_rechecked_prechecks(tmp_path: Path, rehearse: Callable[..., tuple[int, str]]) -> None:
    """The undo exits 0 but leaves `applied` behind: the rehearsal catches it through the prechecks."""
    code, out = rehearse(runbook("echo undo-apply >> log"), "--fail-at", "tune")
    assert code == 1, out
    assert "prechecks after rollback FAIL" in out
    assert "rollback did NOT restore state" in out


def test_without_fail_at_the_whole_change_is_rolled_back(tmp_path: Path, rehearse: Callable[..., tuple[int, str]]) -> None:
    code, out = rehearse(runbook())
    assert code == 0, out
    assert re.search(r"forward \d+\.\ds, rollback \(full\) \d+\.\ds", out), out
    assert "rollback restored state" in out
    assert log(tmp_path) == ["backup", "apply", "tune", "post", "undo-tune", "undo-apply", "undo-backup"]
    assert not (tmp_path / "applied").exists() and not (tmp_path / "tuned").exists()


def test_fail_at_an_unknown_step_is_invalid_and_runs_nothing(tmp_path: Path, rehearse: Callable[..., tuple[int, str]]) -> None:
    code, out = rehearse(runbook(), "--fail-at", "no-such-step")
    assert code == 2, out
    assert "no-such-step: no such step; expected one of: clean, backup, apply, tune, applied-now" in out
    assert log(tmp_path) == []
    # Refused before the warning (and, in a terminal, the question) and before a journal is made (before: a
    # session_started and a step_ready were journaled, an open session `resume --continue` would have run).
    assert not (tmp_path / "rehearsal.jsonl").exists()
    assert "REAL commands" not in out


def test_fail_at_a_precheck_reruns_it_for_real_after_the_rollback(tmp_path: Path, rehearse: Callable[..., tuple[int, str]]) -> None:
    """The failure is injected into the forward run only (before: it was injected again into the prechecks' re-run, so
    they "failed" without running and the rehearsal said the rollback did NOT restore state, exit 1)."""
    code, out = rehearse(runbook(), "--fail-at", "clean")
    assert code == 0, out
    assert "prechecks after rollback pass" in out and "rollback restored state" in out, out
    events = read_events(tmp_path / "rehearsal.jsonl").events
    runs = [e for e in events if e["type"] == "step_finished" and e["step"] == "clean"]
    assert [e["status"] for e in runs] == ["failed", "done"], runs
    assert "injected" in str(runs[0].get("problems")) and "injected" not in str(runs[1].get("problems")), runs
    assert events[-1]["type"] == "session_finished" and events[-1]["outcome"] == "rolled_back"


def test_a_rollback_that_stopped_ends_the_session_failed_not_rolled_back(tmp_path: Path, rehearse: Callable[..., tuple[int, str]]) -> None:
    """As exec and resume end it (before: `rolled_back` whatever happened, and the report's outcome said ROLLED BACK)."""
    code, out = rehearse(runbook("exit 1"))
    assert code == 1, out
    journal = tmp_path / "rehearsal.jsonl"
    events = read_events(journal).events
    [finished] = [e for e in events if e["type"] == "rollback_finished"]
    assert finished["ok"] is False, finished
    assert events[-1]["type"] == "session_finished" and events[-1]["outcome"] == "failed", events[-1]
    assert cli.main(["journal", "verify", str(journal)]) == 0
    report = subprocess.run([*CLI, "report", str(journal)], capture_output=True, text=True, timeout=60, check=True).stdout
    # the banner does not say it was rolled back (it said "run forward, then rolled back on purpose" over this one)
    assert "> **Rehearsal: the real commands ran forward to rehearse the rollback (the outcome and the rollbacks below say how it ended)" in report
    assert "rolled back on purpose" not in report, report


def test_fail_at_a_rollback_step_says_why_it_cannot_and_runs_nothing(tmp_path: Path, rehearse: Callable[..., tuple[int, str]]) -> None:
    """The step exists: "no such step" was not true."""
    text = runbook() + "      - {id: rb, title: Rollback, kind: rollback, steps: [{id: restore, title: Restore, run: echo restore >> log}]}\n"
    code, out = rehearse(text, "--fail-at", "restore")
    assert code == 2, out
    assert "--fail-at restore: a step of a rollback section runs only during a rollback" in out, out
    assert "no such step" not in out
    assert "expected one of: clean, backup, apply, tune, applied-now" in out
    assert log(tmp_path) == [] and not (tmp_path / "rehearsal.jsonl").exists()


def test_a_real_failure_before_the_fail_at_step_is_said(tmp_path: Path, rehearse: Callable[..., tuple[int, str]]) -> None:
    """`--fail-at tune`, but `apply` fails for real first: the output says the rehearsed failure point was not reached
    (before: nothing said it; the rollback ran from `apply` as if that was what was asked)."""
    text = runbook().replace("run: sleep 0.3; touch applied; echo apply >> log", "run: echo apply >> log; exit 3")
    code, out = rehearse(text, "--fail-at", "tune")
    assert "rehearsal: the forward run ended (failed) at 'apply' before it reached 'tune' (--fail-at); rolling back from there" in out, out
    assert log(tmp_path) == ["backup", "apply", "undo-apply"]
    assert code == 0, out  # the rollback did restore state (the contract's exit code)


def test_without_prechecks_the_rehearsal_does_not_say_they_passed(tmp_path: Path, rehearse: Callable[..., tuple[int, str]]) -> None:
    text = runbook().replace("kind: precheck", "kind: verify")
    code, out = rehearse(text)
    assert code == 0, out
    assert "no prechecks to re-run" in out and "prechecks after rollback pass" not in out, out


def test_a_rehearsal_stopped_during_its_rollback_says_so_in_the_journal(tmp_path: Path, write_runbook: Callable[..., Path],
                                                                          wait_for: Callable[..., None], reap_commands: Callable[[str], None]) -> None:  # fmt: skip
    """The journal's last note names the command and the undo that ran (before: "exec was stopped by SIGINT at 'tune'",
    'tune' being an undone step and exec not the command run)."""
    path = write_runbook(runbook("touch undo-began; sleep 30.4242"))
    proc = subprocess.Popen([*CLI, "rehearse", "--yes", str(path), "--journal", "rehearsal.jsonl"], cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        wait_for(lambda: (tmp_path / "undo-began").exists(), 30, "the undo of 'apply' to start")
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
        reap_commands("sleep 30.4242")
    assert proc.returncode == 1 and "interrupted; the journal is kept" in err, err
    read = read_events(tmp_path / "rehearsal.jsonl")
    assert read.intact, read.problems
    last = read.events[-1]
    assert last["type"] == "note" and last["step"] == "apply", last
    assert last["text"] == (
        "rehearse was stopped by SIGINT during a rollback (full) while the undo of 'apply' ran (its outcome is unknown: resume decides); the journal is kept"
    ), last


def test_a_journal_path_that_is_taken_is_refused_before_the_question(tmp_path: Path, write_runbook: Callable[..., Path]) -> None:
    """The journal's path is checked before anything is asked: in a terminal, rehearse asked "Type yes" and only then
    said the path already held a journal (exit 2 after the yes). Without a terminal nor --yes it now says the path's
    problem, not "pass --yes", which would only lead to the same refusal."""
    path = write_runbook(runbook())
    (tmp_path / "rehearsal.jsonl").write_text("notes, not a journal\n")
    result = subprocess.run([*CLI, "rehearse", str(path), "--journal", "rehearsal.jsonl"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=60, stdin=subprocess.DEVNULL)  # fmt: skip
    assert result.returncode == 2, result.stdout + result.stderr
    assert "rehearsal.jsonl exists and is not a journal: refusing to write over it" in result.stderr, result.stderr
    assert "pass --yes" not in result.stderr and "REAL commands" not in result.stdout, result.stdout + result.stderr
    assert log(tmp_path) == [] and (tmp_path / "rehearsal.jsonl").read_text() == "notes, not a journal\n"


def test_a_rehearsal_the_process_died_in_goes_on_as_a_rehearsal_on_resume(
    tmp_path: Path, rehearse: Callable[..., tuple[int, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    """Before: `resume --continue` of a rehearsal whose process died ran the rest forward and ended it `done` (exit 0):
    nothing was rolled back, and the report still said "Rehearsal: run forward, then rolled back on purpose"."""
    assert rehearse(runbook())[0] == 0
    journal = tmp_path / "rehearsal.jsonl"
    lines = journal.read_text().splitlines(keepends=True)
    cut = next(i for i, line in enumerate(lines) if '"type":"step_finished"' in line and '"step":"apply"' in line)
    journal.write_text("".join(lines[: cut + 1]))  # the process died right after `apply` (whole lines: the chain holds)
    (tmp_path / "applied").touch()  # as `apply` left the host then
    (tmp_path / "log").write_text("")

    code = cli.main(["resume", str(journal), "--headless", "--continue"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert re.search(r"forward \d+\.\ds, rollback \(full\) \d+\.\ds, prechecks after rollback pass", out), out
    assert "rehearsal: rollback restored state" in out
    assert log(tmp_path) == ["tune", "post", "undo-tune", "undo-apply", "undo-backup"]
    assert not (tmp_path / "applied").exists() and not (tmp_path / "tuned").exists()
    read = read_events(journal)
    assert read.intact, read.problems
    ends = [e["outcome"] for e in read.events if e["type"] == "session_finished"]
    assert ends == ["rolled_back"], ends
