"""The journal's file deleted (`rm`) while `exec` goes on: nothing of the record is lost, and it is said.

Before, the writer went on appending to the open, deleted file: the run finished, printed `runbook-tui resume
j.jsonl --rollback` and left no file there (the whole record gone with the process, not a word said).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from fault_helpers import RUNBOOK_TUI, env_for, of_type, raw_events, run, wait_until, write_runbook


def test_a_journal_deleted_mid_run_is_written_again_where_it_was(tmp_path: Path) -> None:
    steps = [
        {"id": "one", "title": "One", "run": f"echo one >> {tmp_path}/log; for i in 1 2 3 4; do echo tick $i; sleep 0.5; done", "verify": "none"},
        {"id": "two", "title": "Two", "run": f"echo two >> {tmp_path}/log", "verify": "none"},
    ]
    journal = tmp_path / "j.jsonl"
    argv = [*RUNBOOK_TUI, "exec", str(write_runbook(tmp_path, "deleted", steps)), "--solo", "t", "--journal", str(journal)]
    with open(tmp_path / "err", "w") as err:
        proc = subprocess.Popen(argv, cwd=tmp_path, env=env_for(tmp_path), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        try:
            wait_until(lambda: journal.exists() and b"tick 1" in journal.read_bytes(), "step one's first output in the journal", alive=proc)
            journal.unlink()
            assert proc.wait(60) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
    said = (tmp_path / "err").read_text()
    assert journal.is_file(), f"no journal at {journal} after the run; stderr: {said}"
    assert f"the journal {journal} was deleted while the run went on; it is written there again" in said, said
    events = raw_events(journal)
    assert events[0]["type"] == "session_started" and of_type(events, "step_finished", step="two") and events[-1]["type"] == "session_finished"
    assert [e["text"] for e in of_type(events, "output", step="one")] == [f"tick {i}\n" for i in range(1, 5)]
    assert journal.stat().st_mode & 0o777 == 0o600
    assert run(tmp_path, "journal", "verify", str(journal)).returncode == 0
    assert (tmp_path / "log").read_text().split() == ["one", "two"]


def test_a_journal_emptied_mid_run_by_another_program_stops_the_run_in_words(tmp_path: Path) -> None:
    """`: > j.jsonl` (logrotate's copytruncate does it) while step one prints. Before: the run went on, its next lines
    written from the file's new start (a chain beginning at seq 9), printed `resume j.jsonl --rollback`, which then
    refused the journal as not verifying: the record was lost and nothing said so while it could still be acted on."""
    steps = [
        {"id": "one", "title": "One", "run": f"echo one >> {tmp_path}/log; for i in 1 2 3 4; do echo tick $i; sleep 0.5; done", "verify": "none"},
        {"id": "two", "title": "Two", "run": f"echo two >> {tmp_path}/log", "verify": "none"},
    ]
    journal = tmp_path / "j.jsonl"
    argv = [*RUNBOOK_TUI, "exec", str(write_runbook(tmp_path, "emptied", steps)), "--solo", "t", "--journal", str(journal)]
    with open(tmp_path / "err", "w") as err:
        proc = subprocess.Popen(argv, cwd=tmp_path, env=env_for(tmp_path), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        try:
            wait_until(lambda: journal.exists() and b"tick 1" in journal.read_bytes(), "step one's first output in the journal", alive=proc)
            journal.write_bytes(b"")
            assert proc.wait(60) == 1
        finally:
            if proc.poll() is None:
                proc.kill()
    said = (tmp_path / "err").read_text()
    assert f"cannot write the journal {journal}: another program changed it while the run held it (it held " in said, said
    assert "the run stops before the next step" in said, said
    assert journal.read_bytes() == b"", "nothing was written after the cut (a chain beginning mid-way)"
    assert (tmp_path / "log").read_text().split() == ["one"], "step two did not start"
