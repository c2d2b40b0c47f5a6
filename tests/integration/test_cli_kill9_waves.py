"""kill -9 of `exec` in the middle of a rolling step (`serial: 1` over the real sshd), then `resume`.

Each host appends to a ledger when its command runs; the second wave's host
blocks until the test releases it (after the kill). The journal says which
waves started and which finished: resume must keep a finished wave's hosts
as done, the running wave's as unknown, and the hosts of waves that never
started as not run, so a rollback undoes only where the change may have been
made, and nothing runs on its own.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from integration_cli import Cli, events, ledger, of_type, peer_names
from waiting import wait_until

from runbook_tui.engine.event_words import host_status_words
from runbook_tui.engine.journal import read_events
from runbook_tui.engine.state import replay
from runbook_tui.report import build_report, markdown
from tests.report.test_views_agree import detail_text

pytestmark = pytest.mark.peers

HOSTS = peer_names(4)


def rolling(cli: Cli) -> Path:
    led = cli.dir / "ledger"
    step: dict[str, Any] = {
        "id": "roll",
        "title": "Roll out",
        "on": "g",
        "serial": 1,
        "run": (
            f"echo roll-{{{{ host.name }}}} >> {led}\nif [ {{{{ host.name }}}} = peer02 ]; then while [ ! -e {cli.dir}/release ]; do sleep 0.05; done; fi\n"
        ),
        "undo": f"echo undo-{{{{ host.name }}}} >> {led}",
    }
    first = {"id": "cp", "title": "Checkpoint", "run": "true", "checkpoint": True}
    return cli.runbook("kill9-waves", [{"id": "impl", "title": "Implement", "kind": "implement", "steps": [first, step]}], hosts=len(HOSTS))


def test_a_rolling_step_killed_in_its_second_wave_resumes_with_each_host_as_the_journal_says(cli: Cli) -> None:
    rb = rolling(cli)
    journal = cli.dir / "j.jsonl"
    proc, _lines = cli.start("exec", str(rb), "--solo", "kill -9 in a wave", "--journal", str(journal))
    wait_until(
        lambda: journal.exists() and of_type(events(journal), "wave_started", step="roll", wave=2) and ledger(cli)["roll-peer02"],
        lambda: f"the second wave to start on peer02: {cli.stderr()}", 30, alive=proc,
    )  # fmt: skip
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    (cli.dir / "release").touch()
    before = ledger(cli)
    assert before == Counter(["roll-peer01", "roll-peer02"]), before

    looked = cli.run("resume", str(journal), "--headless")
    assert looked.returncode == 1, looked.stdout + looked.stderr
    assert "  UNKNOWN                roll" in looked.stdout, looked.stdout  # as the step list says it (it read `unknown`)
    assert "  done (exit 0) on peer01; UNKNOWN on peer02; not started on peer03, peer04\n" in looked.stdout, looked.stdout
    assert "Decide: --rerun (on peer02, peer03, peer04; not again on peer01), or --rollback.\n" in looked.stdout, looked.stdout
    state = replay(read_events(journal).events)
    hosts = {h: s.status for h, s in state.steps["roll"].hosts.items()}
    assert hosts == {"peer01": "done", "peer02": "unknown", "peer03": "pending", "peer04": "pending"}, hosts
    # The report's attempt table and the detail pane (run screen, verifier, replay) say each host as resume does.
    # Before: `pending` for the hosts whose wave never began, and the run screen's counts of hidden hosts said `timed_out`.
    report = build_report(journal)
    [attempt] = next(s for s in report.steps if s.id == "roll").attempts
    said = {h.host: host_status_words(h.status) for h in attempt.hosts}
    assert said == {"peer01": "done", "peer02": "UNKNOWN", "peer03": "not started", "peer04": "not started"}, said
    assert "| peer03 | not started |" in markdown.render(report)
    shown = asyncio.run(detail_text(state, "roll"))
    assert "peer02 ? UNKNOWN" in shown and "peer03 · not started" in shown, shown

    # Before: every host came back unknown, so a mark-done passed peer03/peer04 silently and a rollback undid them too.
    marked = cli.run("resume", str(journal), "--mark-done", "checked peer01 and peer02 by hand")
    assert marked.returncode == 1, marked.stdout + marked.stderr
    assert "'roll' never started on peer03, peer04 (their wave had not begun)" in marked.stderr, marked.stderr
    assert not of_type(events(journal), "step_marked_done")
    assert ledger(cli) == before

    # A re-run (on a copy of the journal) goes on where the rollout stopped. Before: it ran on every host, peer01 again.
    copy = cli.dir / "rerun.jsonl"
    copy.write_bytes(journal.read_bytes())
    rerun = cli.run("resume", str(copy), "--rerun", "--continue")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    # peer02's run, ended after the kill with its result never collected, is followed, not run again (engine/reattach.py)
    assert ledger(cli) - before == Counter(["roll-peer03", "roll-peer04"])
    assert [e["hosts"] for e in of_type(events(copy), "step_started", step="roll")] == [HOSTS, HOSTS[1:]]
    assert [(e["wave"], e["of"], e["hosts"]) for e in of_type(events(copy), "wave_started")][2:] == [(2, 4, ["peer02"]), (3, 4, ["peer03"]), (4, 4, ["peer04"])]
    [finished] = of_type(events(copy), "step_finished", step="roll")
    assert {h: r["status"] for h, r in finished["hosts"].items()} == dict.fromkeys(HOSTS, "done")
    assert cli.run("journal", "verify", str(copy)).returncode == 0
    before = ledger(cli)

    back = cli.run("resume", str(journal), "--rollback")
    assert back.returncode == 1, back.stdout + back.stderr  # rolled back: 1, as `run` exits
    [started] = of_type(events(journal), "rollback_started")
    assert [(e["step_id"], e["host"]) for e in started["plan"]["entries"]] == [("roll", "peer02"), ("roll", "peer01")]
    assert ledger(cli) - before == Counter(["undo-peer02", "undo-peer01"])
