"""kill -9 of `exec` after a host's result came in over the real sshd, before its end was journaled.

Before: the SSH executor told the host to remove the run's files (`.out`, `.err`, `.run`) as soon as the result came
in, a few milliseconds before the runner's durable write of the host's end (`host_finished`, `undo_host_finished`,
or the step's `step_finished` on a single host). A kill in between left the host `unknown` with nothing left to
follow, so `resume --rerun` (or a resumed rollback) started the command a second time: a production command run
twice. Now the files stay until that end is on disk (engine/ends_journaled.py, `Command.journaled`), and the re-run
follows the run found there and reads its recorded end instead of starting it again.

The point is reached deterministically: a `sitecustomize` the child imports stops it (SIGSTOP) as it is about to
journal that event, the test looks at the host's run files, then SIGKILLs it.
"""

from __future__ import annotations

import json
import os
import signal
from collections import Counter
from pathlib import Path

import pytest
from integration_cli import REMOTE_RUNS, Cli, events, of_type
from waiting import wait_until

pytestmark = pytest.mark.peers

#: Imported by the child at start-up (PYTHONPATH): stops the process (SIGSTOP) where a crash loses the end of a host.
#: An event journaled on the event loop (`emit_durably`: a host's end) stops once queued and the loop has turned (what it
#: wrote meanwhile goes out, as during a real write and fsync), its line never written; one journaled at once (`append`:
#: a step's end) stops before it is queued. What was about to be journaled goes to RBT_TEST_STOPPED.
HOOK = """\
import asyncio, json, os, signal, threading
from runbook_tui.engine import journal
AT, MARK, HELD = os.environ["RBT_TEST_STOP_AT"], b'"type":"%s"' % os.environ["RBT_TEST_STOP_AT"].encode(), {}
write_all, queue, append, durable = journal.write_all, journal.JournalWriter.queue, journal.JournalWriter.append, journal.JournalWriter.durable

def stop(data):
    with open(os.environ["RBT_TEST_STOPPED"], "w") as f:
        json.dump(data, f)
    os.kill(os.getpid(), signal.SIGSTOP)

def held_write_all(fd, lines):
    if any(MARK in line for line in lines):
        threading.Event().wait()  # never on disk: the process is stopped, then killed
    write_all(fd, lines)

def held_queue(self, type, actor, data=None, **how):
    event = queue(self, type, actor, data, **how)
    if type == AT and not HELD:
        HELD.update(seq=event["seq"], data=data)
    return event

def held_append(self, type, actor, data=None):
    if type == AT and not HELD:
        stop(data)
    return append(self, type, actor, data)

async def held_durable(self, seq):
    if HELD.get("seq") == seq:
        for _ in range(3):
            await asyncio.sleep(0)
        stop(HELD["data"])
    await durable(self, seq)

journal.write_all = held_write_all
journal.JournalWriter.queue, journal.JournalWriter.append, journal.JournalWriter.durable = held_queue, held_append, held_durable
"""


def ledger(cli: Cli) -> Counter[str]:
    path = cli.dir / "ledger"
    return Counter(path.read_text().split()) if path.exists() else Counter()


def stopped(pid: int) -> bool:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "T"


def run_files(session: str, step: str) -> dict[str, list[str]]:
    """Per host, the suffixes of the run files of `step` left on the host (the one sshd: its REMOTE_RUNS)."""
    found: dict[str, list[str]] = {}
    for path in REMOTE_RUNS.glob(f"{session}_{step}_*"):
        host = path.name.removeprefix(f"{session}_{step}_").split("_", 1)[0]
        found.setdefault(host, []).append(path.suffix)
    return {host: sorted(suffixes) for host, suffixes in found.items()}


def killed_at(cli: Cli, event: str, *args: str) -> tuple[str, str]:
    """Start `exec ARGS`, stopped by the hook as it is about to journal `event`; SIGKILL it there. Returns the session id
    and the host whose end was about to be journaled (`local` for a step's end)."""
    hook = cli.dir / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(HOOK)
    path = os.pathsep.join(p for p in (str(hook), cli.env.get("PYTHONPATH", "")) if p)
    proc, _lines = cli.start("exec", *args, env={"RBT_TEST_STOP_AT": event, "RBT_TEST_STOPPED": str(hook / "stopped.json"), "PYTHONPATH": path})
    try:
        wait_until(lambda: stopped(proc.pid), lambda: f"stopped before journaling {event}: {cli.stderr()}", alive=proc)
        about = json.loads((hook / "stopped.json").read_text())
        return str(events(cli.dir / "j.jsonl")[0]["session"]), str(about.get("host") or next(iter(about["hosts"])))
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)


def forward(cli: Cli, hosts: int) -> Path:
    led = cli.dir / "ledger"
    step = {"id": "roll", "title": "Roll out", "on": "g", "run": f"echo start-{{{{ host.name }}}} >> {led}; echo out-{{{{ host.name }}}}"}
    after = {"id": "after", "title": "After", "run": f"echo after >> {led}"}
    return cli.runbook("kill9-end", [{"id": "impl", "title": "Implement", "kind": "implement", "steps": [step, after]}], hosts=hosts)


@pytest.mark.parametrize(("hosts", "event"), [(2, "host_finished"), (1, "step_finished")])
def test_a_kill_before_the_hosts_end_is_journaled_leaves_its_run_to_follow_not_to_start_again(cli: Cli, hosts: int, event: str) -> None:
    rb, journal = forward(cli, hosts), cli.dir / "j.jsonl"
    session, host = killed_at(cli, event, str(rb), "--solo", "kill -9 before the end is journaled", "--journal", str(journal))
    assert ledger(cli)[f"start-{host}"] == 1, ledger(cli)
    left = run_files(session, "roll")
    assert left.get(host) == [".err", ".out", ".run"], left  # its result came in, its end not on disk: kept (before: removed)
    rerun = cli.run("resume", str(journal), "--rerun", "--continue")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    # Each command once (before: start-HOST twice); another host whose command the stop caught before it was sent starts now.
    assert ledger(cli) == Counter([*(f"start-peer{i:02d}" for i in range(1, hosts + 1)), "after"]), ledger(cli)
    written = events(journal)
    [again] = of_type(written, "step_started", step="roll", attempt=2)
    after = written[written.index(again) :]
    # the program's note on that host, not an error (engine/reattach.py FOUND_RUN): nothing went wrong
    found = {e["text"].split(": ")[0]: e["text"] for e in of_type(after, "note", step="roll", actor="system") if "request" not in e}
    assert found.get(host, "").endswith("followed from its first byte to its end, not started again"), found
    assert not of_type(after, "error", step="roll"), of_type(after, "error")
    assert "".join(e["text"] for e in of_type(after, "output", step="roll", host=host)) == f"out-{host}\n"
    [finished] = of_type(written, "step_finished", step="roll")
    assert finished["status"] == "done" and all(r["exit_code"] == 0 for r in finished["hosts"].values()), finished
    assert run_files(session, "roll") == {}  # collected and journaled this time: removed
    assert cli.run("journal", "verify", str(journal)).returncode == 0


def test_a_kill_before_an_undos_end_is_journaled_leaves_it_to_follow_not_to_start_again(cli: Cli) -> None:
    led = cli.dir / "ledger"
    roll = {"id": "roll", "title": "Roll out", "on": "g", "run": "true", "undo": f"echo undo-{{{{ host.name }}}} >> {led}"}
    boom = {"id": "boom", "title": "Boom", "run": "exit 7"}
    rb = cli.runbook("kill9-undo-end", [{"id": "impl", "title": "Implement", "kind": "implement", "steps": [roll, boom]}], hosts=2)
    journal = cli.dir / "j.jsonl"
    session, host = killed_at(
        cli, "undo_host_finished", str(rb), "--solo", "kill -9 before an undo's end", "--on-failure", "rollback", "--journal", str(journal)
    )
    assert ledger(cli)[f"undo-{host}"] == 1, ledger(cli)
    assert run_files(session, "roll").get(host) == [".err", ".out", ".run"], run_files(session, "roll")  # before: removed

    back = cli.run("resume", str(journal), "--rollback")
    assert back.returncode == 1, back.stdout + back.stderr  # rolled back: exit 1, as `run`
    assert ledger(cli) == Counter(["undo-peer01", "undo-peer02"]), ledger(cli)  # before: the undo ran twice
    written = events(journal)
    [finished] = of_type(written, "undo_finished", step="roll")
    assert finished["ok"] is True, finished
    assert written[-1]["type"] == "session_finished" and written[-1]["outcome"] == "rolled_back", written[-1]
    assert cli.run("journal", "verify", str(journal)).returncode == 0
