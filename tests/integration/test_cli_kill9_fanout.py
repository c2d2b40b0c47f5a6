"""kill -9 of `exec` during a parallel fan-out (no `serial`) over the real sshd, then `resume`.

Before: the journal said nothing of a host until the step's end (`step_finished` holds every host), so resume said
every host `unknown`, the ones that had ended long before (exit 0, exit 3) too, and a re-run ran the command again
on all of them. Now each host's end is journaled as it comes (`host_finished`): resume says what the journal holds,
host by host, and only the host still running when the process died is unknown.
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from integration_cli import Cli, events, of_type, peer_names
from waiting import wait_until

from runbook_tui.engine.journal import read_events
from runbook_tui.engine.state import replay

pytestmark = pytest.mark.peers

HOSTS = peer_names(3)


def fanning(cli: Cli, **more: Any) -> Path:
    """peer01 ends at once (exit 0), peer03 fails (exit 3), peer02 blocks until the test releases it."""
    led = cli.dir / "ledger"
    run = (
        f"echo roll-{{{{ host.name }}}} >> {led}\n"
        f"if [ {{{{ host.name }}}} = peer02 ]; then while [ ! -e {cli.dir}/release ]; do sleep 0.05; done; fi\n"
        f"if [ {{{{ host.name }}}} = peer03 ]; then exit 3; fi\n"
    )
    step: dict[str, Any] = {"id": "roll", "title": "Roll out", "on": "g", "run": run, "undo": f"echo undo-{{{{ host.name }}}} >> {led}", **more}
    return cli.runbook("kill9-fanout", [{"id": "impl", "title": "Implement", "kind": "implement", "steps": [step]}], hosts=len(HOSTS))


def ledger(cli: Cli) -> Counter[str]:
    path = cli.dir / "ledger"
    return Counter(path.read_text().split()) if path.exists() else Counter()


def killed_with_peer02_running(cli: Cli, rb: Path, journal: Path) -> None:
    proc, _lines = cli.start("exec", str(rb), "--solo", "kill -9 in a fan-out", "--journal", str(journal))
    deadline = time.monotonic() + 30
    while not (journal.exists() and len(of_type(events(journal), "host_finished", step="roll")) == 2 and ledger(cli)["roll-peer02"]):
        assert proc.poll() is None, cli.stderr()
        assert time.monotonic() < deadline, (
            f"peer01 and peer03 did not end within 30 s: {of_type(events(journal), 'host_finished') if journal.exists() else None}"
        )
        time.sleep(0.01)  # the polling's pace; the condition is the journal's two host ends and peer02's ledger line
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)


def test_resume_after_a_kill_during_a_parallel_fan_out_says_each_host_as_the_journal_holds_it(cli: Cli) -> None:
    rb = fanning(cli)
    journal = cli.dir / "j.jsonl"
    killed_with_peer02_running(cli, rb, journal)
    ends = {e["host"]: (e["status"], e["exit_code"]) for e in of_type(events(journal), "host_finished")}
    assert ends == {"peer01": ("done", 0), "peer03": ("failed", 3)}, ends
    (cli.dir / "release").touch()
    before = ledger(cli)
    assert before == Counter(HOSTS and ["roll-peer01", "roll-peer02", "roll-peer03"]), before

    looked = cli.run("resume", str(journal), "--headless")
    assert looked.returncode == 1, looked.stdout + looked.stderr
    assert "  UNKNOWN                roll" in looked.stdout, looked.stdout  # the step stays unknown until a person decides
    assert "'roll' was running when the program stopped; its outcome is unknown. Nothing was re-run.\n" in looked.stdout, looked.stdout
    assert "it may still be running on peer02. A re-run follows the run left on peer02" in looked.stdout, looked.stdout  # not the hosts that ended
    assert "  done (exit 0) on peer01; UNKNOWN on peer02; FAILED (exit 3) on peer03\n" in looked.stdout, looked.stdout
    assert "Decide: --rerun (on peer02, peer03; not again on peer01), --mark-done REASON" not in looked.stdout
    assert "Decide: --rerun (on peer02, peer03; not again on peer01)" in looked.stdout, looked.stdout
    state = replay(read_events(journal).events)
    assert state.steps["roll"].status == "unknown"
    hosts = {h: (s.status, s.exit_code) for h, s in state.steps["roll"].hosts.items()}
    assert hosts == {"peer01": ("done", 0), "peer02": ("unknown", None), "peer03": ("failed", 3)}, hosts
    assert cli.run("journal", "verify", str(journal)).returncode == 0

    # A person's word stands for what is unknown, not against an end the journal holds (max_fail 0: peer03 failed).
    marked = cli.run("resume", str(journal), "--mark-done", "checked by hand")
    assert marked.returncode == 1, marked.stdout + marked.stderr
    assert "'roll' failed on peer03 (exit 3), as journaled before the program stopped" in marked.stderr, marked.stderr
    assert not of_type(events(journal), "step_marked_done")

    # A re-run (on a copy) runs where the journal holds no success: peer02 and peer03, not peer01 again.
    copy = cli.dir / "rerun.jsonl"
    copy.write_bytes(journal.read_bytes())
    rerun = cli.run("resume", str(copy), "--rerun", "--continue")
    assert rerun.returncode == 1, rerun.stdout + rerun.stderr  # peer03 fails again
    # peer02's run, ended after the kill with its result never collected, is followed, not run again (engine/reattach.py)
    assert ledger(cli) - before == Counter(["roll-peer03"])
    assert [e["hosts"] for e in of_type(events(copy), "step_started", step="roll")] == [HOSTS, ["peer02", "peer03"]]
    [finished] = of_type(events(copy), "step_finished", step="roll")
    assert {h: r["status"] for h, r in finished["hosts"].items()} == {"peer01": "done", "peer02": "done", "peer03": "failed"}
    assert cli.run("journal", "verify", str(copy)).returncode == 0


def test_hosts_waiting_for_a_slot_when_the_process_died_read_not_started_and_are_not_undone(cli: Cli) -> None:
    """max_concurrency 1 over three hosts: peer01 runs (blocked), peer02 and peer03 wait for its slot. After kill -9,
    peer02 and peer03 never ran: `pending` (not started), not `unknown`; the rollback undoes peer01 only, and the re-run
    follows peer01 and starts the other two (before: all three `unknown`, and the rollback ran the undo on two hosts the
    change never reached)."""
    cli.settings.write_text(yaml.safe_dump({"ssh": {"known_hosts": str(cli.sshd.known_hosts)}, "max_concurrency": 1}), encoding="utf-8")
    led = cli.dir / "ledger"
    run = f"echo roll-{{{{ host.name }}}} >> {led}\nwhile [ ! -e {cli.dir}/release ]; do sleep 0.05; done\n"
    step = {"id": "roll", "title": "Roll out", "on": "g", "run": run, "undo": f"echo undo-{{{{ host.name }}}} >> {led}"}
    rb = cli.runbook("kill9-slots", [{"id": "impl", "title": "Implement", "kind": "implement", "steps": [step]}], hosts=3)
    journal = cli.dir / "j.jsonl"
    proc, _lines = cli.start("exec", str(rb), "--solo", "kill -9 while hosts wait for a slot", "--journal", str(journal))
    wait_until(lambda: ledger(cli)["roll-peer01"] == 1, lambda: f"peer01 started: {ledger(cli)}; {cli.stderr()}", alive=proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    [started] = of_type(events(journal), "step_started", step="roll")
    assert started["at_once"] == 1, started

    looked = cli.run("resume", str(journal), "--headless")
    assert "  UNKNOWN on peer01; not started on peer02, peer03\n" in looked.stdout, looked.stdout
    state = replay(read_events(journal).events)
    assert {h: s.status for h, s in state.steps["roll"].hosts.items()} == {"peer01": "unknown", "peer02": "pending", "peer03": "pending"}

    marked = cli.run("resume", str(journal), "--mark-done", "checked by hand")
    assert marked.returncode == 1 and "'roll' never started on peer02, peer03 (they waited for a slot: 1 at once)" in marked.stderr, marked.stderr
    copy = cli.dir / "rerun.jsonl"
    copy.write_bytes(journal.read_bytes())
    back = cli.run("resume", str(journal), "--rollback")
    assert back.returncode == 1, back.stdout + back.stderr
    [plan] = [e["plan"] for e in of_type(events(journal), "rollback_started")]
    assert [e["host"] for e in plan["entries"]] == ["peer01"], plan
    assert ledger(cli)["undo-peer01"] == 1 and not ledger(cli)["undo-peer02"] and not ledger(cli)["undo-peer03"], ledger(cli)

    (cli.dir / "release").touch()
    rerun = cli.run("resume", str(copy), "--rerun", "--continue")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert ledger(cli)["roll-peer01"] == 1 and ledger(cli)["roll-peer02"] == 1 and ledger(cli)["roll-peer03"] == 1, ledger(cli)
    for path in (journal, copy):
        assert cli.run("journal", "verify", str(path)).returncode == 0
