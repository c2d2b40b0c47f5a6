"""A host that failed a step within `max_fail` is left out of the later steps, through `runbook-tui exec` against
aliases of the real sshd (as Ansible drops a failed host from later tasks).

Before: `drain` failed on peer03, `max_fail: 1` let the step go on, and `upgrade` then ran on peer03 too; at 2 AM
that is an upgrade on a host that was never drained. Now the journal's `step_started` says who is left out and why,
the command never reaches that host, a step on it alone is skipped with the reason, the rollback still undoes every
step on each host it ran on, and the report and a resume (the same events folded) say the same.
"""

from __future__ import annotations

import shlex

import pytest
from integration_cli import Cli, events, of_type

from runbook_tui.engine.left_out import left_out
from runbook_tui.engine.state import replay

pytestmark = pytest.mark.peers


def test_a_host_failed_within_max_fail_does_not_run_the_later_steps_and_the_journal_says_so(cli: Cli) -> None:
    ran, undone = cli.dir / "ran.log", cli.dir / "undo.log"
    log = f" >> {shlex.quote(str(ran))}"
    undo = f" >> {shlex.quote(str(undone))}"
    drain = {
        "id": "drain", "on": "g", "max_fail": 1, "verify": "none",
        "run": "echo drain {{ host.name }}" + log + "; case {{ host.name }} in peer03) exit 1;; esac",
        "undo": "echo undo-drain {{ host.name }}" + undo,
    }  # fmt: skip
    upgrade = {"id": "upgrade", "on": "g", "verify": "none", "run": "echo upgrade {{ host.name }}" + log, "undo": "echo undo-upgrade {{ host.name }}" + undo}
    alone = {"id": "peer03-only", "on": "peer03", "verify": "none", "run": "echo alone {{ host.name }}" + log}
    last = {"id": "last", "verify": "none", "run": "exit 7"}  # fails the run, for the rollback after it
    path = cli.runbook("leftout", [{"id": "impl", "kind": "implement", "steps": [drain, upgrade, alone, last]}], hosts=4)

    result = cli.run("exec", str(path), "--solo", "probe", "--journal", "j.jsonl")
    assert result.returncode == 1, result.stdout + result.stderr  # `last` failed, as meant
    lines = ran.read_text(encoding="utf-8").split("\n")
    assert sorted(line for line in lines if line.startswith("drain")) == [f"drain peer0{i}" for i in range(1, 5)]
    assert sorted(line for line in lines if not line.startswith("drain") and line) == ["upgrade peer01", "upgrade peer02", "upgrade peer04"], lines

    journal = events(cli.dir / "j.jsonl")
    [finished_drain] = of_type(journal, "step_finished", step="drain")
    assert finished_drain["status"] == "done" and finished_drain["hosts"]["peer03"]["status"] == "failed"  # within max_fail
    [started] = of_type(journal, "step_started", step="upgrade")
    assert started["hosts"] == ["peer01", "peer02", "peer04"], started
    assert started["left_out"] == {"peer03": "failed at step drain"}, started
    assert sorted(started["commands"]) == ["peer01", "peer02", "peer04"]  # the commands as run: none for peer03
    [ready] = of_type(journal, "step_ready", step="upgrade")  # what the verifier is asked to approve says it first
    assert ready["left_out"] == {"peer03": "failed at step drain"} and "peer03" not in ready["commands"], ready
    [finished] = of_type(journal, "step_finished", step="upgrade")
    assert finished["status"] == "done" and sorted(finished["hosts"]) == ["peer01", "peer02", "peer04"], finished
    # a step on the failed host alone: skipped by the program, with why (not done, and nothing ran)
    assert of_type(journal, "step_started", step="peer03-only") == []
    [skipped] = of_type(journal, "step_skipped", step="peer03-only")
    assert skipped["actor"] == "system" and skipped["reason"] == "every host was left out: peer03 (failed at step drain)", skipped
    assert skipped["left_out"] == {"peer03": "failed at step drain"}
    # exec's lines say it as it happens
    assert "upgrade started (attempt 1) on peer01, peer02, peer04; left out: peer03 (failed at step drain)" in result.stdout, result.stdout
    assert "peer03-only skipped by system: every host was left out: peer03 (failed at step drain)" in result.stdout, result.stdout

    # resume folds the same events: it reckons the same hosts left out
    before_upgrade = [e for e in journal if e["seq"] < started["seq"]]
    assert left_out(replay(before_upgrade), "upgrade") == started["left_out"]
    assert left_out(replay(journal), "peer03-only") == skipped["left_out"]

    report = cli.run("report", "j.jsonl")
    assert report.returncode == 0, report.stderr
    assert "left out: peer03 (failed at step drain)" in report.stdout, report.stdout

    # the rollback undoes each step on every host it ran on: drain on peer03 too, upgrade nowhere it never ran
    back = cli.run("resume", "j.jsonl", "--rollback", "--solo", "probe")
    assert back.returncode in (0, 1), back.stdout + back.stderr
    undo_lines = undone.read_text(encoding="utf-8").split()
    said = sorted(" ".join(pair) for pair in zip(undo_lines[::2], undo_lines[1::2]))
    assert said == sorted([f"undo-drain peer0{i}" for i in range(1, 5)] + ["undo-upgrade peer01", "undo-upgrade peer02", "undo-upgrade peer04"]), said
