"""kill -9 of `exec --on-failure rollback|abort` in the middle of its rollback, then `resume` as a person would.

Each step, undo and rollback step appends to a ledger (the side effect that
must not happen twice). The undo (or rollback step) that runs at the kill
blocks until the kill, and its shell is killed with the process
(the box lost it): its outcome is unknown. Then `resume --headless` must say
the rollback did not finish, what finished, what was running and what is
left, and run nothing; `report` must not call the run finished; and the
second `resume --rollback [--full]` must run what is left, once, and nothing
that already finished.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from fault_helpers import RUNBOOK_TUI, env_for, of_type, raw_events, run
from test_fault_kill9 import settle_orphans

from runbook_tui.app.resume_words import interrupted_rollback
from runbook_tui.engine.journal import read_events
from runbook_tui.engine.state import replay
from runbook_tui.engine.undo_notes import UNDO_LIVES_ON


def _undo(tmp_path: Path, name: str, token: str, blocks: bool) -> str:
    """Append `undo-NAME` to the ledger; the one that `blocks` waits for `release`, made only after the kill."""
    wait = f": {token}; while [ ! -e {tmp_path}/release ]; do sleep 0.05; done; " if blocks else ""
    return f"echo undo-{name} >> {tmp_path}/ledger; {wait}echo undone-{name} >> {tmp_path}/ledger"


def rollback_runbook(tmp_path: Path, token: str, blocking: str) -> Path:
    """s1 (checkpoint), s2..s4 with undos, s5 fails; a rollback section r1..r3. `blocking` names the undo/step that hangs."""
    led = tmp_path / "ledger"
    steps: list[dict[str, Any]] = [
        {"id": "s1", "title": "Checkpoint", "run": f"echo s1 >> {led}", "checkpoint": True, "undo": _undo(tmp_path, "s1", token, False)}
    ]
    steps += [{"id": s, "title": f"Change {s}", "run": f"echo {s} >> {led}", "undo": _undo(tmp_path, s, token, s == blocking)} for s in ("s2", "s3", "s4")]
    steps.append({"id": "s5", "title": "Fails", "run": f"echo s5 >> {led}; exit 3", "undo": f"echo undo-s5 >> {led}"})
    rollback = [
        {
            "id": r,
            "title": f"Rollback {r}",
            "run": f"echo {r} >> {led}" + (f"; : {token}; while [ ! -e {tmp_path}/release ]; do sleep 0.05; done" if r == blocking else ""),
        }
        for r in ("r1", "r2", "r3")
    ]
    doc = {
        "runbook": 1,
        "id": "kill9-rollback",
        "title": "faults: kill -9 during a rollback",
        "sections": [
            {"id": "impl", "title": "Implement", "kind": "implement", "steps": steps},
            {"id": "back", "title": "Back out", "kind": "rollback", "steps": rollback},
        ],
    }
    path = tmp_path / "kill9-rollback.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, width=1000), encoding="utf-8")
    return path


def ledger(tmp_path: Path) -> Counter[str]:
    path = tmp_path / "ledger"
    return Counter(path.read_text().split()) if path.exists() else Counter()


def kill_at(tmp_path: Path, on_failure: str, blocking: str, kind: str, step: str, written: str) -> Path:
    """`exec --on-failure ON_FAILURE`, SIGKILLed once the journal holds `kind` for `step` and the ledger `written` (the
    command is in its middle); the hanging shell killed too."""
    token = f"kill9rb-{uuid.uuid4().hex}"
    rb = rollback_runbook(tmp_path, token, blocking)
    journal = tmp_path / "j.jsonl"
    with open(tmp_path / "exec.out", "wb") as out:
        proc = subprocess.Popen([*RUNBOOK_TUI, "exec", str(rb), "--solo", "kill -9 in a rollback", "--on-failure", on_failure, "--journal", str(journal)],
                                cwd=tmp_path, env=env_for(tmp_path), stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)  # fmt: skip
        try:
            deadline = time.monotonic() + 30
            while not (journal.exists() and of_type(raw_events(journal), kind, step=step) and ledger(tmp_path)[written]):
                assert proc.poll() is None, f"exec ended ({proc.returncode}) before {kind} {step}: {(tmp_path / 'exec.out').read_text()}"
                assert time.monotonic() < deadline, f"no {kind} of {step} in the journal (and {written} in the ledger) within 30 s"
                time.sleep(0.01)  # the polling's pace; the condition is the event in the journal
        finally:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
    settle_orphans(token, kill=True)
    (tmp_path / "release").touch()  # from here on the same command (run again on purpose) goes through
    return journal


def test_a_rollback_killed_during_an_undo_resumes_with_that_undo_unknown_and_runs_only_what_is_left(tmp_path: Path) -> None:
    journal = kill_at(tmp_path, "rollback", "s3", "undo_started", "s3", "undo-s3")
    assert ledger(tmp_path) == Counter(["s1", "s2", "s3", "s4", "s5", "undo-s5", "undo-s4", "undone-s4", "undo-s3"])
    before = ledger(tmp_path)

    looked = run(tmp_path, "resume", str(journal), "--headless")
    assert looked.returncode == 1, looked.stdout + looked.stderr
    assert ledger(tmp_path) == before, "resume without a decision ran something"
    out = looked.stdout
    assert "A rollback (checkpoint) was running when the program stopped; it did not finish." in out, out
    assert "  finished: s5, s4\n" in out, out
    assert "  the undo of 's3' was running: its outcome is unknown, and nothing stopped it: it may still be running\n" in out, out
    assert "  not run yet: s2\n" in out, out

    report = run(tmp_path, "report", str(journal), "--format", "json")
    assert report.returncode == 0, report.stderr
    data = json.loads(report.stdout)
    assert data["session"]["outcome"] == "unfinished"
    [first] = data["rollbacks"]
    # Before: s3's undo, started and killed, read "not run", and the rollback "FAILED" as if an undo had failed.
    assert [(u["step"], u["status"]) for u in first["undo"]] == [("s5", "ok"), ("s4", "ok"), ("s3", "unknown"), ("s2", "not run")]
    md = run(tmp_path, "report", str(journal), "--format", "md").stdout
    assert "Result: **DID NOT FINISH: the program stopped during it**" in md, md
    # s3's own history says its undo was cut (before: from the rollback straight on, as if its undo had never begun)
    [s3] = [s for s in data["steps"] if s["id"] == "s3"]
    cut = "undo on local: unknown (the program stopped while this undo ran; its outcome is unknown)"
    assert [h["kind"] for h in s3["history"]][-2:] == ["rollback", "undo"] and s3["history"][-1]["words"] == cut, s3["history"]
    assert f"- {cut} at " in md.split("### 3. s3: Change s3")[1].split("\n### ")[0], md
    assert run(tmp_path, "journal", "verify", str(journal)).returncode == 0

    again = run(tmp_path, "resume", str(journal), "--rollback")
    assert again.returncode == 1, again.stdout + again.stderr  # rolled back: 1, as `run` exits
    second = of_type(raw_events(journal), "rollback_started")[-1]
    assert [(e["step_id"], e["host"]) for e in second["plan"]["entries"] if e["command"]] == [("s3", "local"), ("s2", "local")]
    # The undo list (the TUI's u, the printed plan) says s3's killed undo may still be running (before: nothing beside it)
    assert [e["note"] for e in second["plan"]["entries"] if e["command"]] == [UNDO_LIVES_ON, ""], second["plan"]["entries"]
    assert f"undo s3 ({UNDO_LIVES_ON}) on local:" in again.stdout, again.stdout
    # s4's undo finished before the kill: it never runs again; s3's (unknown) runs once more, as the plan said.
    assert ledger(tmp_path) - before == Counter(["undo-s3", "undone-s3", "undo-s2", "undone-s2"])
    assert of_type(raw_events(journal), "session_finished")[-1]["outcome"] == "rolled_back"
    assert run(tmp_path, "journal", "verify", str(journal)).returncode == 0


def test_a_full_rollback_killed_in_its_rollback_section_runs_no_finished_step_again(tmp_path: Path) -> None:
    journal = kill_at(tmp_path, "abort", "r2", "step_started", "r2", "r2")
    before = ledger(tmp_path)
    assert before["r1"] == 1 and before["r2"] == 1 and before["r3"] == 0, before

    looked = run(tmp_path, "resume", str(journal), "--headless")
    assert looked.returncode == 1, looked.stdout + looked.stderr
    assert ledger(tmp_path) == before
    out = looked.stdout
    assert "  done                   r1 (rollback)\n" in out and "  UNKNOWN                r2 (rollback)\n" in out, out
    assert "  rollback step 'r2' was running: its outcome is unknown, and nothing stopped it: it may still be running\n" in out, out
    assert "  not run yet: r3\n" in out, out

    again = run(tmp_path, "resume", str(journal), "--rollback", "--full")
    assert again.returncode == 1, again.stdout + again.stderr  # rolled back: 1, as `run` exits
    second = of_type(raw_events(journal), "rollback_started")[-1]["plan"]
    # Before: r1 ran a second time, and r1/r2 were listed as forward steps "without an undo" to acknowledge.
    assert second["rollback_steps"] == ["r2", "r3"]
    assert {e["step_id"] for e in second["entries"]} <= {"s1", "s2", "s3", "s4", "s5"}, second["entries"]
    assert ledger(tmp_path) - before == Counter(["r2", "r3"])
    assert ledger(tmp_path)["r1"] == 1
    assert of_type(raw_events(journal), "session_finished")[-1]["outcome"] == "rolled_back"


@pytest.mark.parametrize("kind", ["rollback_started", "undo_started", "undo_finished", "rollback_finished"])
def test_power_lost_in_any_byte_of_a_rollback_event_reads_back_as_the_rollback_unfinished(tmp_path: Path, kind: str) -> None:
    led = tmp_path / "ledger"
    rb = rollback_runbook(tmp_path, "no-token", blocking="")
    journal = tmp_path / "j.jsonl"
    done = run(tmp_path, "exec", str(rb), "--solo", "power loss", "--on-failure", "rollback", "--journal", str(journal))
    assert done.returncode == 1, done.stdout + done.stderr
    whole = journal.read_bytes()
    lines = whole.splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if json.loads(line)["type"] == kind)
    head = b"".join(lines[:index])
    for cut in range(len(lines[index])):  # every byte offset, the line's last "\n" left out (then the line is whole)
        journal.write_bytes(head + lines[index][:cut])
        scan = read_events(journal)
        assert len(scan.events) == index, (kind, cut)
        state = replay([*scan.events, {"type": "session_resumed", "seq": index, "actor": "t", "ts": scan.events[-1]["ts"], "pid": 1}])
        if kind == "rollback_started":  # no rollback in the journal: the failed step stands, nothing was undone
            assert state.rollback is None and interrupted_rollback(state) == [], (kind, cut)
            assert state.steps["s5"].status == "failed" and state.steps["s4"].status == "done", (kind, cut)
            continue
        assert state.rollback is not None and state.rollback.interrupted and not state.rollback.ok, (kind, cut)
        assert interrupted_rollback(state)[0].startswith("A rollback (checkpoint) was running"), (kind, cut)
    # One real resume of the torn journal: it runs nothing, says the rollback did not finish, and verifies after.
    journal.write_bytes(head + lines[index][: len(lines[index]) // 2])
    led.write_text("")
    looked = run(tmp_path, "resume", str(journal), "--headless")
    assert looked.returncode == 1, looked.stdout + looked.stderr
    assert ("it did not finish" in looked.stdout) == (kind != "rollback_started"), looked.stdout
    assert led.read_text() == ""
    assert run(tmp_path, "journal", "verify", str(journal)).returncode == 0


def test_power_lost_in_session_finished_after_a_full_rollback_never_runs_the_change_again(tmp_path: Path) -> None:
    rb = rollback_runbook(tmp_path, "no-token", blocking="")
    journal = tmp_path / "j.jsonl"
    aborted = run(tmp_path, "exec", str(rb), "--solo", "power loss", "--on-failure", "abort", "--journal", str(journal))
    assert aborted.returncode == 1, aborted.stdout + aborted.stderr
    lines = journal.read_bytes().splitlines(keepends=True)
    assert json.loads(lines[-1]) | {"outcome": "rolled_back"} == json.loads(lines[-1]), lines[-1]
    journal.write_bytes(b"".join(lines[:-1]) + lines[-1][: len(lines[-1]) // 2])  # the rollback finished; its ending is torn
    before = ledger(tmp_path)

    resumed = run(tmp_path, "resume", str(journal), "--continue")
    # Before: --continue ran s1 to s5 again (the change, after its full rollback), and ended `failed`.
    assert ledger(tmp_path) == before, resumed.stdout
    assert resumed.returncode == 1, resumed.stdout + resumed.stderr
    assert [e["type"] for e in raw_events(journal)][-3:] == ["session_resumed", "note", "session_finished"]  # the note: the torn line dropped
    assert raw_events(journal)[-1]["outcome"] == "rolled_back"
    assert run(tmp_path, "journal", "verify", str(journal)).returncode == 0


def test_power_lost_in_session_finished_after_a_checkpoint_rollback_says_the_run_stands_at_the_checkpoint(tmp_path: Path) -> None:
    """exec ends the run `rolled_back` after its checkpoint rollback; if that ending is lost, nothing in the journal ends
    the run: it stands at the checkpoint, as after `u`. resume must say so, and what --continue would run again."""
    rb = rollback_runbook(tmp_path, "no-token", blocking="")
    journal = tmp_path / "j.jsonl"
    done = run(tmp_path, "exec", str(rb), "--solo", "power loss", "--on-failure", "rollback", "--journal", str(journal))
    assert done.returncode == 1, done.stdout + done.stderr
    lines = journal.read_bytes().splitlines(keepends=True)
    assert json.loads(lines[-1])["outcome"] == "rolled_back", lines[-1]
    journal.write_bytes(b"".join(lines[:-1]) + lines[-1][: len(lines[-1]) // 2])
    before = ledger(tmp_path)

    looked = run(tmp_path, "resume", str(journal), "--headless")
    assert looked.returncode == 1, looked.stdout + looked.stderr
    assert ledger(tmp_path) == before
    # Before: only the steps' statuses; nothing said that a rollback had finished, or that --continue re-runs s2..s5.
    assert "A rollback to checkpoint 's1' finished and the session was not ended; the run stands there.\n" in looked.stdout, looked.stdout
    assert "--continue runs the steps after it again (undone: s2, s3, s4, s5); without it nothing runs.\n" in looked.stdout, looked.stdout
    assert run(tmp_path, "journal", "verify", str(journal)).returncode == 0
