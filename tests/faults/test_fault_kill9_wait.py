"""kill -9 of `exec` during a `wait:` step (a soak between two steps that change things), then resume, report, re-run.

Before: the look said `'soak' was running when the program stopped; its outcome is unknown`, and offered
`--mark-done REASON (you checked it by hand)`, as for a command that may have changed a host; the report and the
detail pane said `its outcome is unknown` too. A wait runs nothing: what is in doubt is only whether it lasted long
enough. Now every view says that the wait (how long, begun when) had not ended, that nothing ran, and what each
decision does; the status stays `unknown` (the assignee decides, nothing goes on by itself).
"""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

from fault_helpers import RUNBOOK_TUI, env_for, exec_killed_in_wait, of_type, raw_events, run, write_runbook
from waiting import wait_until

CUT = "the program stopped before this step (a wait of 5s, begun at {begun}) had ended: a wait runs nothing, so no host is in doubt"


def test_killed_during_a_wait_resume_says_the_wait_had_not_ended_and_nothing_ran(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger"
    steps = [
        {"id": "a", "title": "Change", "run": f"echo a >> {ledger}", "undo": f"echo undo-a >> {ledger}"},
        {"id": "soak", "title": "Soak", "wait": "5s"},
        {"id": "b", "title": "After", "run": f"echo b >> {ledger}"},
    ]
    journal = exec_killed_in_wait(tmp_path, steps)
    [started] = of_type(raw_events(journal), "step_started", step="soak")
    begun = started["ts"][11:19]
    assert not of_type(raw_events(journal), "step_finished", step="soak"), "killed within the wait"

    look = run(tmp_path, "resume", str(journal))
    assert look.returncode == 1, look
    assert (
        f"'soak' (a wait of 5s, begun at {begun}) had not ended when the program stopped: a wait runs nothing, "
        "so no host is in doubt. Nothing was re-run.\n"
        "Decide: --rerun (the whole 5s wait again), --mark-done REASON (it waited long enough), or --rollback.\n"
    ) in look.stdout, look.stdout
    assert "outcome is unknown" not in look.stdout and "checked it by hand" not in look.stdout, look.stdout

    report = json.loads(run(tmp_path, "report", str(journal), "--format", "json").stdout)
    [soak] = [s for s in report["steps"] if s["id"] == "soak"]
    assert soak["outcome"] == "unknown", soak
    assert soak["attempts"][0]["problems"] == [CUT.format(begun=begun)], soak["attempts"]

    again = run(tmp_path, "resume", str(journal), "--rerun", "--continue", timeout=60)
    assert again.returncode == 0, again
    assert ledger.read_text().split() == ["a", "b"], "each step ran once; the wait was waited again"
    assert run(tmp_path, "journal", "verify", str(journal)).returncode == 0


def test_sigterm_during_a_wait_the_note_says_the_wait_had_not_ended_and_nothing_ran(tmp_path: Path) -> None:
    """SIGTERM to `exec` in a wait: the journal's (and exec's) last note said `while 'soak' ran (its outcome is unknown:
    resume decides)`, as of a command; now it says which wait had not ended and that it runs nothing."""
    steps = [{"id": "a", "title": "Change", "run": "true"}, {"id": "soak", "title": "Soak", "wait": "1m"}]
    journal = tmp_path / "j.jsonl"
    argv = [*RUNBOOK_TUI, "exec", str(write_runbook(tmp_path, "soak", steps)), "--solo", "t", "--journal", str(journal)]
    proc = subprocess.Popen(argv, cwd=tmp_path, env=env_for(tmp_path), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        wait_until(lambda: journal.exists() and of_type(raw_events(journal), "step_started", step="soak"), "exec's start of the wait", alive=proc)
        proc.send_signal(signal.SIGTERM)
        printed, _ = proc.communicate(timeout=30)
    finally:
        proc.kill()
        proc.wait(10)
    assert proc.returncode == 1, printed
    [started] = of_type(raw_events(journal), "step_started", step="soak")
    said = (
        f"exec was stopped by SIGTERM while 'soak' waited (a wait of 1m, begun at {started['ts'][11:19]}; "
        "a wait runs nothing, so no host is in doubt: resume decides); the journal is kept"
    )
    assert raw_events(journal)[-1]["text"] == said, raw_events(journal)[-1]
    assert said in printed, printed
    assert run(tmp_path, "journal", "verify", str(journal)).returncode == 0
