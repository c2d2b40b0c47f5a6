"""What a failed step on a group says per host, through `runbook-tui exec` against aliases of the real sshd: some
hosts exit non-zero (each its own code, from `host.name`), one alias points at a closed port, one times out, and
a rolling step is stopped by `max_fail`. The status row (what the assignee reads first) is folded from the journal
the run wrote, as the TUI folds it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from integration_cli import Cli, events, of_type
from peers import _free_port

from runbook_tui.engine.state import replay
from runbook_tui.ui.status_stack import statuses

pytestmark = pytest.mark.peers

#: Each alias's exit code (`host.name` picks it); peer05 sleeps past the step's timeout.
CASE = "case {{ host.name }} in peer02) exit 3;; peer03) exit 42;; peer04) exit 10;; peer05) sleep 30;; esac; echo ok"


def write(cli: Cli, name: str, step: dict[str, Any], hosts: list[dict[str, Any]]) -> Path:
    doc = {"runbook": 1, "id": name, "title": name, "hosts": {"fleet": hosts}, "sections": [{"id": "impl", "kind": "implement", "steps": [step]}]}
    path = cli.dir / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, width=1000), encoding="utf-8")
    return path


def failed_row(journal: Path) -> str:
    """The row while the run stands at the failed step, as `run` leaves it (exec then ends the session)."""
    state = replay([e for e in events(journal) if e["type"] != "session_finished"])
    return next(s.text for s in statuses(state, dt.datetime.now(dt.UTC)) if " FAILED" in s.text)


def test_the_status_row_counts_the_failed_hosts_and_says_why_each_kind_failed(cli: Cli) -> None:
    """Before: `'push' FAILED (exit 10, 3, 42)`: the codes sorted as text, and nothing said 5 of 7 hosts failed, nor
    that one was never reached and one timed out."""
    down = {**cli.hosts(1)[0], "name": "peer07-down", "port": _free_port()}
    step = {"id": "push", "on": "fleet", "run": CASE, "timeout": "2s", "undo": "case {{ host.name }} in peer02) exit 5;; esac"}
    path = write(cli, "words", step, [*cli.hosts(6), down])
    result = cli.run("exec", str(path), "--solo", "probe", "--journal", "j.jsonl")
    assert result.returncode == 1, result.stdout + result.stderr

    row = failed_row(cli.dir / "j.jsonl")
    assert row == "'push' FAILED on 5 of 7 hosts (exit 3, 10, 42; 1 never started; 1 timed out)", row
    # exec's line (and the pane's, and the report's timeline) counts the same, before its line per host
    assert "step_finished      push FAILED on 5 of 7 hosts (exit 3, 10, 42; 1 never started; 1 timed out)\n   ✗ peer02" in result.stdout, result.stdout

    # The rollback stops at peer02's undo: the hosts undone no longer count as failed, and the row says they were undone.
    undo = cli.run("resume", "j.jsonl", "--rollback", "--solo", "probe")
    assert "rollback STOPPED" in undo.stdout, undo.stdout + undo.stderr
    row = failed_row(cli.dir / "j.jsonl")
    assert row == "'push' FAILED on 2 of 7 hosts (exit 3; 1 never started); 5 undone", row


def test_the_line_of_a_timeout_on_a_host_names_the_host_once(cli: Cli) -> None:
    """Before: `[push] peer05: peer05: timed out after 2 s: ...` in exec, the pane and the report's errors (the event
    names the host, and the SSH executor's words began with it again)."""
    step = {"id": "push", "on": "fleet", "run": CASE, "timeout": "2s"}
    path = write(cli, "timeout", step, cli.hosts(5))
    result = cli.run("exec", str(path), "--solo", "probe", "--journal", "j.jsonl")
    assert result.returncode == 1, result.stdout + result.stderr
    [error] = [e for e in of_type(events(cli.dir / "j.jsonl"), "error", step="push") if "timed out" in e["message"]]
    assert error["host"] == "peer05" and error["message"] == "timed out after 2s: stopping its process group", error
    assert "[push] peer05: timed out after 2s: stopping its process group" in result.stdout, result.stdout
    assert "peer05: peer05" not in result.stdout
    report = cli.run("report", "j.jsonl")
    assert "| push | peer05 | timed out after 2s: stopping its process group |" in report.stdout, report.stdout  # it failed the step there


@pytest.mark.parametrize(("max_fail", "said"), [(1, "max_fail 1"), ("10%", "max_fail 10% (0)")])
def test_a_rollout_stopped_by_max_fail_says_how_many_hosts_were_not_run_and_why(cli: Cli, max_fail: object, said: str) -> None:
    """Before: `'roll' FAILED (exit 3, 42)`; the 5 hosts never run and the reason were in the pane only, scrolled off
    under their `not run` lines at 80x24."""
    step = {"id": "roll", "on": "fleet", "run": CASE, "serial": [1, "25%", "100%"], "max_fail": max_fail, "undo": "true"}
    path = write(cli, "rolling", step, cli.hosts(8))
    result = cli.run("exec", str(path), "--solo", "probe", "--journal", "j.jsonl")
    assert result.returncode == 1, result.stdout + result.stderr
    [finished] = of_type(events(cli.dir / "j.jsonl"), "step_finished", step="roll")
    assert [h for h, r in finished["hosts"].items() if r["status"] == "skipped"] == [f"peer0{i}" for i in range(4, 9)]

    row = failed_row(cli.dir / "j.jsonl")
    assert row == f"'roll' FAILED on 2 of 8 hosts (exit 3, 42); 5 not run: more than {said} failed", row
    assert "roll FAILED on 2 of 8 hosts (exit 3, 42); 5 not run\n" in result.stdout, result.stdout  # the wave's line says why


def test_a_host_behind_a_dead_bastion_is_named_once_in_its_problem(cli: Cli) -> None:
    """Before: `✗ peer02: peer02: through bastion jump: cannot connect to jump (...)` in exec and the pane, and the
    report's host table read `peer02 | FAILED | peer02: through bastion jump: ...`."""
    jump = {**cli.hosts(1)[0], "name": "jump", "port": _free_port()}
    doc = {
        "runbook": 1, "id": "via", "title": "via", "hosts": {"jumps": [jump], "fleet": [cli.hosts(1)[0], {**cli.hosts(2)[1], "via": "jump"}]},
        "sections": [{"id": "impl", "kind": "implement", "steps": [{"id": "push", "on": "fleet", "run": "echo hi"}]}],
    }  # fmt: skip
    path = cli.dir / "via.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    result = cli.run("exec", str(path), "--solo", "probe", "--journal", "j.jsonl")
    assert result.returncode == 1, result.stdout + result.stderr
    said = f"through bastion jump: cannot connect to jump (127.0.0.1:{jump['port']})"
    assert f"push FAILED on 1 of 2 hosts (1 never started)\n   ✗ peer02: {said}" in result.stdout, result.stdout
    [finished] = of_type(events(cli.dir / "j.jsonl"), "step_finished", step="push")
    assert finished["hosts"]["peer02"]["error"].startswith(said), finished["hosts"]["peer02"]
    report = cli.run("report", "j.jsonl").stdout
    # the problem once, under its attempt; the host table then gives peer02's status alone (session 33: said once)
    assert f"  - problem: peer02: {said}" in report and "peer02: peer02" not in report, report
    assert "| peer02 | FAILED | — |" in report, report


@pytest.mark.parametrize("max_fail", [2, "25%"])
def test_failures_within_max_fail_let_exec_go_on_and_say_so(cli: Cli, max_fail: object) -> None:
    """Before: every wave ran, then `roll FAILED on 1 of 8 hosts (exit 3)` and exec ended 1, the run stopped there."""
    step = {
        "id": "roll",
        "on": "fleet",
        "run": "case {{ host.name }} in peer02) exit 3;; esac; echo ok",
        "serial": [1, "25%", "100%"],
        "max_fail": max_fail,
        "undo": "true",
    }
    path = write(cli, "tolerated", step, cli.hosts(8))
    result = cli.run("exec", str(path), "--solo", "probe", "--journal", "j.jsonl")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"roll done [unverified]; 1 of 8 hosts failed, within max_fail {max_fail}\n   ✗ peer02: exit code 3, expected 0\n" in result.stdout, result.stdout
    report = cli.run("report", "j.jsonl")
    assert f"done; 1 of 8 hosts failed, within max\\_fail {max_fail}" in report.stdout, report.stdout
