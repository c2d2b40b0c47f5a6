"""kill -9 of `exec` after a remote step's end was journaled, before the host was told to remove the run's files.

Before: the run's `.out`, `.err` and `.run` (the command's output) stayed on the host for good: the follow session
keeps them on EOF, and nothing ever looked for them again. Now the resumed run hands their keys to its first command
on that host (engine/leftovers.py), and once that command's end is journaled the host removes them; a run still going
or a step left `unknown` is never touched.

The point is reached deterministically: a `sitecustomize` the child imports stops it (SIGSTOP) once the end is on disk,
just before the acknowledgement that removes the files goes out; the test looks at the host, then SIGKILLs it.
"""

from __future__ import annotations

import os
import signal
from collections import Counter

import pytest
from integration_cli import Cli, events, of_type
from test_cli_kill9_end_journaled import ledger, run_files, stopped
from waiting import wait_until

pytestmark = pytest.mark.peers

#: Stops the process once a command's end is journaled, before `done` goes to its host (execute/ssh_sessions.finished).
HOOK = """\
import asyncio, os, signal
from runbook_tui.execute import ssh
finished = ssh.finished

async def held(proc, journaled, host, grace, leftovers=()):
    if journaled is not None:
        await asyncio.shield(journaled)
    os.kill(os.getpid(), signal.SIGSTOP)
    await finished(proc, journaled, host, grace, leftovers)

ssh.finished = held
"""


def test_the_files_a_kill_left_after_the_end_was_journaled_are_cleared_by_the_resumed_run(cli: Cli) -> None:
    led = cli.dir / "ledger"
    roll = {"id": "roll", "title": "Roll out", "on": "g", "run": f"echo start-roll >> {led}; echo rolled"}
    after = {"id": "after", "title": "After", "on": "g", "run": f"echo after >> {led}"}
    rb = cli.runbook("kill9-leftovers", [{"id": "impl", "title": "Implement", "kind": "implement", "steps": [roll, after]}], hosts=1)
    journal = cli.dir / "j.jsonl"
    hook = cli.dir / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(HOOK)
    path = os.pathsep.join(p for p in (str(hook), cli.env.get("PYTHONPATH", "")) if p)
    proc, _lines = cli.start("exec", str(rb), "--solo", "kill -9 after the end is journaled", "--journal", str(journal), env={"PYTHONPATH": path})
    try:
        wait_until(lambda: stopped(proc.pid), lambda: f"stopped before the files were removed: {cli.stderr()}", alive=proc)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    session = str(events(journal)[0]["session"])
    assert of_type(events(journal), "step_finished", step="roll"), "the end is journaled"
    assert run_files(session, "roll") == {"peer01": [".err", ".out", ".run"]}, "left on the host by the kill"

    done = cli.run("resume", str(journal), "--continue")
    assert done.returncode == 0, done.stdout + done.stderr
    assert ledger(cli) == Counter(["start-roll", "after"]), ledger(cli)  # nothing ran twice
    assert run_files(session, "roll") == {}, "cleared once the resumed run's first command there ended (before: kept for good)"
    assert run_files(session, "after") == {}
    assert cli.run("journal", "verify", str(journal)).returncode == 0
