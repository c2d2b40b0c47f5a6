"""kill -9 of `exec` while a step whose stdout is captured for a later step runs, then `resume --mark-done`.

The captured value lives in the step's `step_finished`, which the kill cut
off: a person's "it is done" cannot stand for it. Before, the mark-done was
taken and `--continue` started the next step, which failed to render
(`'dict object' has no attribute 'x'`) and ended the run `failed`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

from fault_helpers import RUNBOOK_TUI, env_for, of_type, raw_events, run, write_runbook
from test_fault_kill9 import settle_orphans


def test_a_capturing_step_killed_mid_run_cannot_be_marked_done_and_a_rerun_hands_its_value_on(tmp_path: Path) -> None:
    token = f"kill9cap-{uuid.uuid4().hex}"
    led = tmp_path / "ledger"
    rb = write_runbook(tmp_path, "capture", [
        {"id": "a", "title": "Read the version", "run": f": {token}; echo v1; while [ ! -e {tmp_path}/release ]; do sleep 0.05; done", "capture": "x"},
        {"id": "b", "title": "Use it", "run": f"echo got-{{{{ captured.x }}}} >> {led}"},
    ])  # fmt: skip
    journal = tmp_path / "j.jsonl"
    with open(tmp_path / "exec.out", "wb") as out:
        proc = subprocess.Popen([*RUNBOOK_TUI, "exec", str(rb), "--solo", "kill -9 mid capture", "--journal", str(journal)], cwd=tmp_path,
                                env=env_for(tmp_path), stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
        try:
            deadline = time.monotonic() + 30
            while not (journal.exists() and of_type(raw_events(journal), "output", step="a")):
                assert proc.poll() is None, (tmp_path / "exec.out").read_text()
                assert time.monotonic() < deadline, "no output of step a in the journal within 30 s"
                time.sleep(0.01)  # the polling's pace; the condition is the output in the journal
        finally:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
    settle_orphans(token, kill=True)
    (tmp_path / "release").touch()

    marked = run(tmp_path, "resume", str(journal), "--mark-done", "I saw v1 in the output", "--continue")
    assert marked.returncode == 1, marked.stdout + marked.stderr
    assert "'a' captures its output as captured.x for later steps, and that was lost with the process" in marked.stderr, marked.stderr
    assert not of_type(raw_events(journal), "step_marked_done") and not of_type(raw_events(journal), "step_started", step="b")
    assert not led.exists()

    again = run(tmp_path, "resume", str(journal), "--rerun", "--continue")
    assert again.returncode == 0, again.stdout + again.stderr
    assert led.read_text() == "got-v1\n"
    assert run(tmp_path, "journal", "verify", str(journal)).returncode == 0
