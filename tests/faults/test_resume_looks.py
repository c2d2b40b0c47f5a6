"""`resume --headless` told nothing to decide or change only reads the journal and says where the run stands.

Before, each such look journaled a `session_resumed`: reading the summary twice left two resumes in the record (the
report listed "Resumed … by alice, … by alice" at the same second, replay showed two resume lines).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from fault_helpers import RUNBOOK_TUI, env_for, of_type, raw_events, run, write_runbook


def test_a_look_only_resume_writes_nothing_and_a_decision_journals_the_resume_once(tmp_path: Path) -> None:
    release = tmp_path / "release"
    steps = [{"id": "a", "title": "A", "run": "true"}, {"id": "b", "title": "B", "run": f"until [ -e {release} ]; do sleep 0.02; done"}]
    rb = write_runbook(tmp_path, "looks", steps)
    journal = tmp_path / "j.jsonl"
    proc = subprocess.Popen([*RUNBOOK_TUI, "exec", str(rb), "--solo", "kill -9", "--journal", str(journal)], cwd=tmp_path,
                            env=env_for(tmp_path), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not (journal.exists() and of_type(raw_events(journal), "step_started", step="b")):
            assert proc.poll() is None, "exec ended before step b started"
            assert time.monotonic() < deadline, "step b did not start within 30 s"
            time.sleep(0.01)  # the polling's pace; the condition is b's step_started in the journal
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        release.touch()  # b's shell, orphaned, ends on its own
    before = journal.read_bytes()

    for _ in range(2):  # read the summary twice, as a person would
        looked = run(tmp_path, "resume", str(journal), "--headless")
        assert looked.returncode == 1, looked.stdout + looked.stderr
        assert "  done                   a\n" in looked.stdout and "  UNKNOWN                b\n" in looked.stdout, looked.stdout
        assert "Decide: --rerun" in looked.stdout, looked.stdout
        assert journal.read_bytes() == before, "a resume that decided nothing wrote to the journal"

    marked = run(tmp_path, "resume", str(journal), "--mark-done", "b's effect checked by hand", "--continue")
    assert marked.returncode == 0, marked.stdout + marked.stderr
    assert len(of_type(raw_events(journal), "session_resumed")) == 1
    assert run(tmp_path, "journal", "verify", str(journal)).returncode == 0
