"""kill -9 of `rehearse` after its rollback finished, while the prechecks ran again: `resume --continue` ends it.

A real `runbook-tui rehearse --yes` process (and its process group) is
SIGKILLed once the journal holds `rollback_finished` and the recheck of the
precheck has begun. The rehearsal's change is undone; what is left is the
recheck and the end. Before: `resume --rerun --continue` ran the change forward
again and ended the rehearsal `done` (the hosts left changed by a rehearsal);
now it re-runs the prechecks only and ends `rolled_back`, as rehearse does.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import yaml
from fault_helpers import RUNBOOK_TUI, env_for, of_type, raw_events, run


def _runbook(tmp_path: Path) -> Path:
    ledger = tmp_path / "ledger"
    doc = {
        "runbook": 1,
        "id": "rehearsal-kill",
        "title": "faults: kill -9 after a rehearsal's rollback",
        "sections": [
            {"id": "pre", "title": "Prechecks", "kind": "precheck", "steps": [{"id": "pre", "run": f"echo pre >> {ledger}; sleep 1"}]},
            {"id": "impl", "title": "Change", "kind": "implement", "steps": [
                {"id": "change", "run": f"echo change >> {ledger}", "undo": f"echo undo >> {ledger}"},
            ]},
        ],
    }  # fmt: skip
    path = tmp_path / "rehearsal.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, width=1000), encoding="utf-8")
    return path


def ledger(tmp_path: Path) -> Counter[str]:
    path = tmp_path / "ledger"
    return Counter(path.read_text().split()) if path.exists() else Counter()


def test_a_rehearsal_killed_after_its_rollback_ends_on_resume_without_running_forward_again(tmp_path: Path) -> None:
    journal = tmp_path / "j.jsonl"
    args = [*RUNBOOK_TUI, "rehearse", str(_runbook(tmp_path)), "--yes", "--journal", str(journal)]
    with open(tmp_path / "rehearse.out", "wb") as out:
        proc = subprocess.Popen(
            args, cwd=tmp_path, env=env_for(tmp_path), stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
        try:
            deadline = time.monotonic() + 30

            def rechecking() -> bool:
                events = raw_events(journal) if journal.exists() else []
                finished = of_type(events, "rollback_finished")
                return bool(finished) and any(e["seq"] > finished[0]["seq"] for e in of_type(events, "step_started", step="pre"))

            while not (rechecking() and ledger(tmp_path)["pre"] == 2):
                assert proc.poll() is None, f"rehearse ended ({proc.returncode}) before the recheck: {(tmp_path / 'rehearse.out').read_text()}"
                assert time.monotonic() < deadline, "no recheck of the precheck after the rollback within 30 s"
                time.sleep(0.01)  # the polling's pace; the condition is the event in the journal
        finally:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
    assert ledger(tmp_path) == Counter(["pre", "pre", "change", "undo"])
    assert not of_type(raw_events(journal), "session_finished")

    undecided = run(tmp_path, "resume", str(journal), "--continue")
    assert undecided.returncode == 1, undecided.stdout + undecided.stderr
    assert "outcome: undecided (the journal is left open)" in undecided.stdout, undecided.stdout
    assert ledger(tmp_path) == Counter(["pre", "pre", "change", "undo"]), "nothing ran without a decision about the unknown precheck"

    went = run(tmp_path, "resume", str(journal), "--rerun", "--continue")
    assert went.returncode == 0, went.stdout + went.stderr
    assert "rehearsal: its rollback (full) had finished before the program stopped; the prechecks run again" in went.stdout, went.stdout
    assert "rehearsal: rollback (full), prechecks after rollback pass\nrehearsal: rollback restored state\n" in went.stdout, went.stdout
    assert ledger(tmp_path) == Counter(["pre", "pre", "pre", "change", "undo"]), "the change ran forward again"
    events = raw_events(journal)
    assert [e["outcome"] for e in of_type(events, "session_finished")] == ["rolled_back"]
    assert len(of_type(events, "step_started", step="change")) == 1
    assert run(tmp_path, "journal", "verify", str(journal)).returncode == 0
