"""A host that restarts while a step's command runs there: sshd goes away, the command's processes die with the host,
and the numbers they had are free for other processes once it is back.

The run's `.run` file (`pid P G`) outlives the restart in the user's home. Before, the re-attach after the reconnect
followed whatever process held pid P now (a daemon's: forever; the step never ended), and a timeout's stop signalled
that process's group. The `pid` line now carries the host's boot id; a `.run` of another boot is a command the
restart stopped, and the step says so.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import uuid
from collections.abc import Callable

import pytest
from integration_cli import REMOTE_RUNS, Cli, events, of_type
from test_cli_ssh_failures import one_step

from runbook_tui.engine.journal import verify

pytestmark = pytest.mark.peers


#: What the step says of a run its host's restart stopped (the run's files named after it).
SAID = (
    "the host restarted while the command ran (its boot id changed): the restart stopped the command before it"
    f" recorded an exit status, so how far it got is not known; see {REMOTE_RUNS}/"
)


def restart_host(cli: Cli, session: str, stranger: subprocess.Popen[bytes]) -> None:
    """sshd goes and every process of the command with it; `stranger` gets the command's pid and group numbers, and
    the `.run` file's boot id (when it has one) is the host's boot before this one."""
    [run] = REMOTE_RUNS.glob(f"{session}_*.run")
    cli.sshd.stop()
    pid_line = next(line for line in run.read_text().splitlines() if line.startswith("pid "))
    os.killpg(int(pid_line.split()[2]), signal.SIGKILL)
    words = pid_line.split()
    words[1:3] = [str(stranger.pid)] * 2
    if len(words) > 3:
        words[3] = str(uuid.uuid4())
    run.write_text(run.read_text().replace(pid_line, " ".join(words)))
    cli.sshd.start()


def ended(proc: subprocess.Popen[str], stranger: subprocess.Popen[bytes], text: Callable[[], str]) -> int:
    """`proc`'s exit status, failing when it still follows `stranger` as its command after 30 s."""
    try:
        code = proc.wait(30)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"the step never ended: it follows pid {stranger.pid} as its command\n{text()}") from None
    assert stranger.poll() is None, "the process that took the command's number was signalled"
    return code


def test_a_step_whose_host_restarted_ends_saying_so_and_follows_no_process_that_took_its_number(cli: Cli) -> None:
    path = one_step(cli, "for i in $(seq 1 600); do echo $i; sleep 0.1; done")
    proc, stdout = cli.start("exec", str(path), "--solo", "integration", "--journal", "j.jsonl")
    stdout.wait_for(lambda line: line == "  peer01 | 3")
    stranger = subprocess.Popen(["sleep", "600"], start_new_session=True)  # a process that got the number after the restart
    try:
        restart_host(cli, events(cli.dir / "j.jsonl")[0]["session"], stranger)
        code = ended(proc, stranger, lambda: stdout.text(1))
    finally:
        stranger.kill()
        stranger.wait()
    assert code == 1, stdout.text() + cli.stderr()
    assert f"   ✗ peer01: {SAID}" in stdout.text(), stdout.text()
    [finished] = of_type(events(cli.dir / "j.jsonl"), "step_finished", step="remote")
    assert finished["status"] == "failed" and finished["hosts"]["peer01"]["exit_code"] is None
    assert finished["hosts"]["peer01"]["error"].startswith(SAID), finished
    assert not verify(cli.dir / "j.jsonl").problems
    looked = cli.run("resume", "j.jsonl")  # the step failed, so the question is the rollback
    assert "resume --rollback" in looked.stderr and "Traceback" not in looked.stdout + looked.stderr, looked.stdout + looked.stderr


def test_a_rerun_after_our_process_and_the_host_both_died_says_the_restart_stopped_it(cli: Cli) -> None:
    """kill -9 of exec, then the host restarts: the look says the outcome is unknown; `--rerun` follows the run left
    there, as it does for a run still going, and finds the restart ended it (before: it followed the stranger)."""
    path = one_step(cli, "for i in $(seq 1 600); do echo $i; sleep 0.1; done")
    proc, stdout = cli.start("exec", str(path), "--solo", "integration", "--journal", "j.jsonl")
    stdout.wait_for(lambda line: line == "  peer01 | 3")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    stranger = subprocess.Popen(["sleep", "600"], start_new_session=True)
    try:
        restart_host(cli, events(cli.dir / "j.jsonl")[0]["session"], stranger)
        looked = cli.run("resume", "j.jsonl", "--headless")
        assert re.search(r"^\s+UNKNOWN\s+remote$", looked.stdout, re.M) and "Decide: --rerun" in looked.stdout, looked.stdout
        rerun = cli.start("resume", "j.jsonl", "--headless", "--rerun", "--continue")
        code = ended(rerun[0], stranger, lambda: rerun[1].text(1))
    finally:
        stranger.kill()
        stranger.wait()
    assert code == 1, rerun[1].text() + cli.stderr()
    assert f"   ✗ peer01: {SAID}" in rerun[1].text(), rerun[1].text()
    [finished] = of_type(events(cli.dir / "j.jsonl"), "step_finished", step="remote")
    assert finished["hosts"]["peer01"]["error"].startswith(SAID), finished
    assert not verify(cli.dir / "j.jsonl").problems


def test_a_step_whose_run_files_the_restart_cleared_says_they_went_after_it_started(cli: Cli) -> None:
    """A home on a disk the restart clears (or a cleaner that removed the runs folder): the re-attach finds no run.
    Before: `could not start the command on peer01 in …: the run's files … are gone`, of a command whose output had
    been streaming for seconds."""
    path = one_step(cli, "for i in $(seq 1 600); do echo $i; sleep 0.1; done")
    proc, stdout = cli.start("exec", str(path), "--solo", "integration", "--journal", "j.jsonl")
    stdout.wait_for(lambda line: line == "  peer01 | 3")
    session = events(cli.dir / "j.jsonl")[0]["session"]
    [run] = REMOTE_RUNS.glob(f"{session}_*.run")
    cli.sshd.stop()
    pid_line = next(line for line in run.read_text().splitlines() if line.startswith("pid "))
    os.killpg(int(pid_line.split()[2]), signal.SIGKILL)
    for left in REMOTE_RUNS.glob(f"{session}_*"):
        left.unlink()
    cli.sshd.start()
    assert proc.wait(30) == 1, stdout.text() + cli.stderr()
    gone = f"the run's files {run.with_suffix('')}.* are gone since the command started (removed, or on a disk the host's restart cleared): how it ended is not known"
    assert f"   ✗ peer01: {gone}" in stdout.text().splitlines(), stdout.text()
    assert "could not start" not in stdout.text()
    [finished] = of_type(events(cli.dir / "j.jsonl"), "step_finished", step="remote")
    assert finished["status"] == "failed" and finished["hosts"]["peer01"] == {"status": "failed", "exit_code": None, "error": gone}
