"""SIGTERM and SIGHUP to `exec` in the middle of a rolling step over the real sshd, then `resume`.

The journal's note says what stopped the run and where; the words on stderr are the ones of a clean stop (nothing
says the journal failed: it did not); resume finds each host as the journal says, and its re-run follows the run left
on the host it was running on and never runs the finished host's command again.
"""

from __future__ import annotations

import os
import signal
from collections import Counter
from pathlib import Path

import pytest
from integration_cli import Cli, events, of_type
from waiting import wait_until

pytestmark = pytest.mark.peers


def ledger(cli: Cli) -> Counter[str]:
    path = cli.dir / "ledger"
    return Counter(path.read_text().split()) if path.exists() else Counter()


def rolling(cli: Cli) -> Path:
    led, release = cli.dir / "ledger", cli.dir / "release"
    hold = f"if [ {{{{ host.name }}}} = peer02 ]; then while [ ! -e {release} ]; do sleep 0.05; done; fi"
    step = {
        "id": "roll", "title": "Roll out", "on": "g", "serial": 1,
        "run": f"echo roll-{{{{ host.name }}}} >> {led}\n{hold}\necho end-{{{{ host.name }}}} >> {led}\n",
        "undo": f"echo undo-{{{{ host.name }}}} >> {led}",
    }  # fmt: skip
    first = {"id": "cp", "title": "Checkpoint", "run": "true", "checkpoint": True}
    return cli.runbook("signal-waves", [{"id": "impl", "title": "Implement", "kind": "implement", "steps": [first, step]}], hosts=4)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_signal_in_the_second_wave_is_said_as_a_stop_and_resume_runs_no_host_twice(cli: Cli, sig: signal.Signals) -> None:
    rb, journal = rolling(cli), cli.dir / "j.jsonl"
    try:
        proc, _lines = cli.start("exec", str(rb), "--solo", "signal in a wave", "--journal", str(journal))
        wait_until(
            lambda: journal.exists() and of_type(events(journal), "wave_started", step="roll", wave=2) and ledger(cli)["roll-peer02"],
            lambda: f"the second wave to start on peer02: {cli.stderr()}", 30, alive=proc,
        )  # fmt: skip
        os.kill(proc.pid, sig)
        assert proc.wait(30) == 1
        # Before: also `journal write failed; run stopped`, logged when the step's task journaled the hosts' ends after
        # the program had closed its journal on the way out (nothing was lost: the journal verifies).
        said = cli.stderr().splitlines()
        assert said[0].startswith("interrupted; the journal is kept: runbook-tui resume "), said
        assert not any("journal write failed" in line or "cannot write" in line for line in said), said
        [note] = of_type(events(journal), "note", request="exit")
        assert note["text"] == f"exec was stopped by {sig.name} while 'roll' ran (its outcome is unknown: resume decides); the journal is kept"
        assert cli.run("journal", "verify", str(journal)).returncode == 0

        looked = cli.run("resume", str(journal), "--headless")
        assert looked.returncode == 1, looked.stdout + looked.stderr
        assert f"  exec was stopped by {sig.name} at " in looked.stdout, looked.stdout
        assert "  done (exit 0) on peer01; UNKNOWN on peer02; not started on peer03, peer04\n" in looked.stdout, looked.stdout

        (cli.dir / "release").touch()  # the run left on peer02 goes on to its end; the re-run follows it, not starts it again
        resumed = cli.run("resume", str(journal), "--headless", "--rerun", "--continue")
        assert resumed.returncode == 0, resumed.stdout + resumed.stderr
        assert ledger(cli) == Counter({f"{what}-{host}": 1 for what in ("roll", "end") for host in ("peer01", "peer02", "peer03", "peer04")}), ledger(cli)
        assert cli.run("journal", "verify", str(journal)).returncode == 0
    finally:
        (cli.dir / "release").touch()  # a failed look leaves no host's command waiting for ever
