"""`exec` stopped (ctrl-z, SIGSTOP: a laptop lid, a paused VM) past a step's deadline while its command ends well within it.

The command goes on while the program is stopped and ends in about a second; the program wakes after the step's
timeout has passed. Before, it woke to the deadline before the command's end and journaled the step `timed out after
3s`, FAILED (over SSH after killing nothing: the run had ended), though the command had exited 0 within its time. Now
the executor looks first: locally whether the shell has exited (`waitid`, nothing reaped), over SSH the stop script
finds the run's recorded exit status (`ssh_scripts.ENDED`) and its end is followed; the step is done, its output kept.
"""

from __future__ import annotations

import os
import signal
import time

import pytest
from integration_cli import Cli, events, ledger, of_type
from waiting import wait_until

pytestmark = pytest.mark.peers

TIMEOUT = 3.0


@pytest.mark.parametrize("on", ["local", "g"])
def test_a_command_that_ended_within_its_timeout_while_exec_was_stopped_is_done_not_timed_out(cli: Cli, on: str) -> None:
    led = cli.dir / "ledger"
    step = {"id": "s", "title": "Short", "run": f"echo start >> {led}; sleep 1; echo out; echo end >> {led}", "timeout": f"{TIMEOUT:g}s"}
    if on != "local":
        step["on"] = on
    sections = [{"id": "impl", "title": "Implement", "kind": "implement", "steps": [step, {"id": "t", "title": "Next", "run": "true"}]}]
    rb, journal = cli.runbook("stopped-past-deadline", sections, hosts=1), cli.dir / "j.jsonl"
    proc, lines = cli.start("exec", str(rb), "--solo", "a laptop that sleeps", "--journal", str(journal))
    wait_until(lambda: ledger(cli)["start"] == 1, lambda: f"the command started: {cli.stderr()}", alive=proc)
    began = time.monotonic()
    os.kill(proc.pid, signal.SIGSTOP)
    try:
        wait_until(lambda: ledger(cli)["end"] == 1, "the command ended while exec was stopped", timeout=20)
        wait_until(lambda: time.monotonic() > began + TIMEOUT + 1, "the step's deadline passed while exec was stopped")
    finally:
        os.kill(proc.pid, signal.SIGCONT)
    assert proc.wait(60) == 0, lines.text() + cli.stderr()
    written = events(journal)
    [finished] = of_type(written, "step_finished", step="s")
    host = "local" if on == "local" else "peer01"
    assert finished["status"] == "done" and finished["hosts"][host]["exit_code"] == 0, finished
    assert "".join(e["text"] for e in of_type(written, "output", step="s")) == "out\n"
    assert ledger(cli) == {"start": 1, "end": 1}, ledger(cli)  # ran once, never started again
    assert of_type(written, "step_finished", step="t")[0]["status"] == "done"
    if on != "local":  # the stop found the run ended: it says so, not that it stopped anything
        said = [e["message"] for e in of_type(written, "error", step="s")]
        assert any("its command had ended by itself before that (exit 0): nothing was stopped" in m for m in said), said
    assert cli.run("journal", "verify", str(journal)).returncode == 0
