"""kill -9 of `exec` in a step's retry delay: its try had failed and the program waited to try again.

Before: the look said only that the step was running and its command may still run; the failed try, journaled in
the program's retry note, was not said, nor that a retry was due (nothing may have been running at all).
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from fault_helpers import RUNBOOK_TUI, env_for, of_type, raw_events, run, write_runbook
from waiting import wait_until


def test_killed_in_a_retry_delay_the_look_says_the_failed_try_and_the_retry_due(tmp_path: Path) -> None:
    steps = [{"id": "r", "title": "Retried", "run": f"echo r >> {tmp_path}/ledger; exit 4", "retries": 2, "retry_delay": "60s"}]
    journal = tmp_path / "j.jsonl"
    argv = [*RUNBOOK_TUI, "exec", str(write_runbook(tmp_path, "retry", steps)), "--solo", "t", "--journal", str(journal)]
    proc = subprocess.Popen(argv, cwd=tmp_path, env=env_for(tmp_path), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: journal.exists() and of_type(raw_events(journal), "note", step="r"), "exec's retry note", alive=proc)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    look = run(tmp_path, "resume", str(journal))
    assert look.returncode == 1, look
    assert (
        "'r' was running when the program stopped; its outcome is unknown. Nothing was re-run.\n"
        "  a try had failed, and a retry was due: local: exit code 4, expected 0; retry 1/2 in 60s (whether it had begun is not journaled)\n"
    ) in look.stdout, look.stdout
    assert (tmp_path / "ledger").read_text().split() == ["r"], "nothing was re-run"
    assert run(tmp_path, "journal", "verify", str(journal)).returncode == 0
