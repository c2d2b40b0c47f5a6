"""A remote step working against its own run's files, through `exec`: what is journaled and shown."""

from __future__ import annotations

import pytest
from integration_cli import REMOTE_RUNS, Cli, events, of_type
from test_cli_ssh_failures import one_step

pytestmark = pytest.mark.peers


def test_a_child_forging_rc_0_in_the_run_file_fails_the_step(cli: Cli) -> None:
    """A program the step starts appends `rc 0` to the run's file and kills the wrapper: not done (before: done, exit 0, exec exit 0)."""
    child = f'echo "rc 0" >> "$(ls -t {REMOTE_RUNS}/*.run | head -1)"; kill -KILL $(ps -o ppid= -p $PPID)'
    path = one_step(cli, f"sh -c '{child}'; echo never; exit 1", hosts=1, name="hostile")

    result = cli.run("exec", str(path), "--solo", "integration", "--journal", "j.jsonl")

    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    [finished] = of_type(events(cli.dir / "j.jsonl"), "step_finished", step="remote")
    assert finished["status"] == "failed"
    host = finished["hosts"]["peer01"]
    assert host["exit_code"] is None and host["error"].startswith("the command ended without recording an exit status"), host
    assert "ended without recording an exit status" in result.stdout


@pytest.mark.parametrize("removal", ["rm -rf {runs}", "rm -f {runs}/*"])
def test_a_step_removing_the_runs_folder_is_done_and_says_output_may_be_missing(cli: Cli, removal: str) -> None:
    """`rm -rf ~/.cache` in a step (the runs folder with it): done with its shell's status, the loss journaled and shown (before: failed).

    Removing the files only (`rm -f runs/*`) left the folder, and the wrapper's `rc` line made `.run` again: the output
    was lost without a word (before: done, no error).
    """
    path = one_step(cli, removal.format(runs=REMOTE_RUNS) + "; echo cleaned", hosts=1, name="hostile")

    result = cli.run("exec", str(path), "--solo", "integration", "--journal", "j.jsonl")

    assert result.returncode == 0, result.stdout + result.stderr
    journal = events(cli.dir / "j.jsonl")
    [finished] = of_type(journal, "step_finished", step="remote")
    assert finished["status"] == "done" and finished["hosts"]["peer01"]["exit_code"] == 0
    [said] = [e for e in of_type(journal, "error", step="remote") if "removed its run's files" in e["message"]]
    assert said["host"] == "peer01" and "output written to them before they were read is missing" in said["message"]
    assert "removed its run's files" in result.stdout + result.stderr
