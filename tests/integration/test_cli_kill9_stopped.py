"""kill -9 of `exec` after a remote command was stopped at its timeout over the real sshd, before that end was journaled.

Before: the kill script removed the run's files (`.out`, `.err`, `.run`) from the host as soon as the command's
process group was gone, a moment before the runner's durable write of the step's end. A kill in between left the
step `unknown` with nothing on the host: the look said a re-run would follow the run left there, and `resume --rerun`
started the command a second time instead. Now the files stay until that end is on disk, as after a normal end
(engine/ends_journaled.py), so the re-run follows the stopped run and reads that it recorded no exit status; the
command ran once. The point is reached as in test_cli_kill9_end_journaled.py (SIGSTOP, then SIGKILL).
"""

from __future__ import annotations

from collections import Counter

import pytest
from integration_cli import Cli, events, of_type
from test_cli_kill9_end_journaled import killed_at, ledger, run_files

pytestmark = pytest.mark.peers


def test_a_kill_after_a_timeout_stopped_the_command_leaves_its_run_to_follow_not_to_start_again(cli: Cli) -> None:
    led = cli.dir / "ledger"
    run = f"echo start-{{{{ host.name }}}} >> {led}; echo before; sleep 30; echo end-{{{{ host.name }}}} >> {led}"
    step = {"id": "roll", "title": "Roll out", "on": "g", "timeout": "1s", "run": run}
    after = {"id": "after", "title": "After", "run": f"echo after >> {led}"}
    rb = cli.runbook("kill9-stopped", [{"id": "impl", "title": "Implement", "kind": "implement", "steps": [step, after]}], hosts=1)
    journal = cli.dir / "j.jsonl"
    session, host = killed_at(cli, "step_finished", str(rb), "--solo", "kill -9 after a timeout", "--journal", str(journal))
    assert (host, ledger(cli)) == ("peer01", Counter(["start-peer01"]))
    assert run_files(session, "roll") == {"peer01": [".err", ".out", ".run"]}  # stopped, its end not on disk: kept (before: {})

    looked = cli.run("resume", str(journal), "--headless")
    assert looked.returncode == 1 and "its outcome is unknown. Nothing was re-run." in looked.stdout, looked.stdout + looked.stderr
    assert ledger(cli) == Counter(["start-peer01"])

    rerun = cli.run("resume", str(journal), "--rerun", "--continue")
    assert rerun.returncode == 1, rerun.stdout + rerun.stderr
    assert ledger(cli) == Counter(["start-peer01"]), ledger(cli)  # followed, not started again (before: start-peer01 twice)
    written = events(journal)
    [again] = of_type(written, "step_started", step="roll", attempt=2)
    after_again = written[written.index(again) :]
    assert "".join(e["text"] for e in of_type(after_again, "output", step="roll", host="peer01")) == "before\n"
    [finished] = of_type(written, "step_finished", step="roll")
    ended = finished["hosts"]["peer01"]
    assert (finished["status"], ended["exit_code"]) == ("failed", None), finished  # no exit status claimed
    assert ended["error"].startswith(  # (before: `… exit status (killed?)`, not saying the program had been stopping it)
        "the command ended without recording an exit status: the program was stopping it (its timeout, or a person's stop) when that process died; see "
    ), ended
    assert cli.run("journal", "verify", str(journal)).returncode == 0
