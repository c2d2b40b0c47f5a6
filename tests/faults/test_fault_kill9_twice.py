"""kill -9 twice: `exec` while a step runs (its outcome unknown), then `resume --rollback` while an undo runs (the
rollback unfinished). The next `resume` must put the rollback first, as the controller does for a re-run and a skip.

Before: the look offered "Decide: --rerun, --mark-done REASON ..., or --rollback" for the unknown step; --rerun was
refused, but --mark-done was taken: the unknown step was marked done beside the half-done rollback, and the run
stood at the next step, ready to run it with the change half undone. The resumed run screen offered enter re-run and
d mark done on the unknown step's row under the rollback's own row.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import subprocess
import uuid
from pathlib import Path

from fault_helpers import RUNBOOK_TUI, env_for, of_type, raw_events, run, state_of, write_runbook
from test_fault_kill9 import settle_orphans
from waiting import wait_until

from runbook_tui.app.session import resume_session
from runbook_tui.app.settings import Settings
from runbook_tui.ui.status_stack import statuses


def killed_when(tmp_path: Path, args: list[str], journal: Path, kind: str, step: str, written: str, token: str) -> None:
    """`runbook-tui ARGS`, SIGKILLed (with its step's shell: the box lost it) once the journal holds `kind` of `step`
    and the ledger the line `written` (the command is in its middle)."""
    ledger = tmp_path / "ledger"
    with open(tmp_path / "out.txt", "wb") as out:
        proc = subprocess.Popen([*RUNBOOK_TUI, *args], cwd=tmp_path, env=env_for(tmp_path), stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
        try:
            wait_until(
                lambda: journal.exists() and of_type(raw_events(journal), kind, step=step) and ledger.exists() and written in ledger.read_text().split(),
                lambda: f"{kind} of {step} ({args[0]}): {(tmp_path / 'out.txt').read_text()}", alive=proc,
            )  # fmt: skip
        finally:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
    settle_orphans(token, kill=True)


def test_an_unknown_step_behind_an_unfinished_rollback_waits_for_it(tmp_path: Path) -> None:
    token = f"kill9twice-{uuid.uuid4().hex}"
    led = tmp_path / "ledger"
    hang = f": {token}; while [ ! -e {tmp_path}/release ]; do sleep 0.05; done"
    steps = [
        {"id": "a", "title": "A", "run": f"echo a >> {led}", "undo": f"echo undo-a >> {led}", "checkpoint": True},
        {"id": "c", "title": "C", "run": f"echo c >> {led}", "undo": f"echo undo-c >> {led}; {hang}"},
        {"id": "w", "title": "W", "run": f"echo w >> {led}; {hang}"},
        {"id": "d", "title": "D", "run": f"echo d >> {led}"},
    ]
    runbook, journal = write_runbook(tmp_path, "twice", steps), tmp_path / "j.jsonl"
    killed_when(tmp_path, ["exec", str(runbook), "--solo", "t", "--journal", str(journal)], journal, "step_started", "w", "w", token)
    killed_when(tmp_path, ["resume", str(journal), "--rollback", "--headless"], journal, "undo_started", "c", "undo-c", token)
    before = led.read_text().split()
    assert before == ["a", "c", "w", "undo-c"], before

    look = run(tmp_path, "resume", str(journal))
    assert look.returncode == 1, look
    assert "A rollback (checkpoint) was running when the program stopped; it did not finish." in look.stdout, look.stdout
    assert "The unfinished rollback goes first: --rollback goes on with it; --rerun and --mark-done are refused until it has finished." in look.stdout
    assert "Decide: --rerun" not in look.stdout, look.stdout
    # The run screen: the unfinished rollback's row offers u; the unknown step's no longer offers enter and d (refused)
    rows = {row.text: row.keys for row in statuses(state_of(journal), dt.datetime.now(dt.UTC))}
    assert rows["'w' outcome UNKNOWN (the program stopped while it ran)"] == {}, rows
    assert any(text.startswith("ROLLBACK DID NOT FINISH") and "u roll back again" in keys.get("assignee", "") for text, keys in rows.items()), rows

    marked = run(tmp_path, "resume", str(journal), "--mark-done", "looked at it by hand")
    assert marked.returncode == 1 and "u goes on" not in marked.stderr, marked  # (u is the run screen's key)
    assert marked.stderr == (
        f"runbook-tui: resume: the last rollback did not finish at 'c', and it goes first: `runbook-tui resume {journal} --rollback` goes on with it;"
        " no step is re-run or marked done before it has finished (nothing was done)\n"
    ), marked.stderr
    rerun = run(tmp_path, "resume", str(journal), "--rerun")
    assert rerun.returncode == 1 and rerun.stderr == marked.stderr, rerun
    assert not of_type(raw_events(journal), "step_marked_done") and led.read_text().split() == before, "nothing was marked or run"
    assert run(tmp_path, "journal", "verify", str(journal)).returncode == 0
    assert asyncio.run(keys_offered(journal)) == {"pause", "rollback"}  # the run screen's footer: no d (it asked for a reason, then refused)


async def keys_offered(journal: Path) -> set[str]:
    """The assignee's intents the resumed run screen offers keys for (`Controller.allowed_intents`)."""
    session = resume_session(str(journal), settings=Settings())
    try:
        return set(session.controller.allowed_intents())
    finally:
        await session.close()
