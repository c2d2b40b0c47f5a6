"""The report of a group step run by `runbook-tui exec` over two aliases of the real sshd, one failing within
max_fail: what a change board reads first must not say the change went everywhere."""

from __future__ import annotations

import json

import pytest
import yaml

from tests.integration.integration_cli import Cli

pytestmark = pytest.mark.peers


def test_the_summary_says_which_done_steps_did_not_reach_every_host(cli: Cli) -> None:
    """peer02 fails 'push' within max_fail 1, so the run goes on and 'after' leaves peer02 out. Before: the Summary read
    `2 done` and the outcome `done`: only each step's row said a host had failed or was left out."""
    push = {"id": "push", "title": "Push", "on": "fleet", "max_fail": 1, "undo": "echo undo",
            "run": "case {{ host.name }} in peer02) echo bad >&2; exit 3;; esac; echo ok"}  # fmt: skip
    after = {"id": "after", "title": "After", "on": "fleet", "run": "echo after", "undo": "echo u"}
    doc = {
        "runbook": 1,
        "id": "fan",
        "title": "fan",
        "hosts": {"fleet": cli.hosts(2)},
        "sections": [{"id": "impl", "kind": "implement", "steps": [push, after]}],
    }
    (cli.dir / "fan.yaml").write_text(yaml.safe_dump(doc, sort_keys=False, width=1000), encoding="utf-8")
    ran = cli.run("exec", "fan.yaml", "--solo", "probe", "--journal", "j.jsonl")
    assert ran.returncode == 0 and "outcome done" in ran.stdout, ran.stdout + ran.stderr
    said = "2 done; not on every host: push (1 of 2 hosts failed, within max_fail 1), after (left out: peer02 (failed at step push)); 2 UNVERIFIED"
    md = cli.run("report", "j.jsonl").stdout
    escaped = said.replace("_", "\\_")
    assert f"| **Steps** | {escaped} |" in md, md
    assert f"<th>Steps</th><td>{said}</td>" in cli.run("report", "j.jsonl", "--format", "html").stdout
    data = json.loads(cli.run("report", "j.jsonl", "--format", "json").stdout)
    assert data["counts"] == {"done": 2}  # the JSON counts by outcome; each step's last attempt says which hosts
    [push_try], [after_try] = (s["attempts"] for s in data["steps"])
    assert (push_try["tolerated"], after_try["left_out"]) == (["peer02: exit code 3, expected 0"], {"peer02": "failed at step push"})


def test_a_rollback_that_undid_a_step_on_some_hosts_says_which_in_the_outcome(cli: Cli) -> None:
    """a's undo fails on peer02 only; the rollback stops there. Before: the Outcome read `... STOPPED at a: undone boom;
    not undone a`, though a was undone on peer01 (the Rollbacks table said so, the Summary did not)."""
    a = {"id": "a", "title": "A", "on": "fleet", "run": "echo a", "undo": "case {{ host.name }} in peer02) exit 4;; esac; echo undone"}
    doc = {
        "runbook": 1,
        "id": "partly",
        "title": "partly",
        "hosts": {"fleet": cli.hosts(2)},
        "sections": [
            {"id": "b", "kind": "backup", "steps": [{"id": "cp", "title": "CP", "run": "echo cp", "checkpoint": True}]},
            {"id": "impl", "kind": "implement", "steps": [a, {"id": "boom", "title": "Boom", "run": "exit 1", "undo": "echo u"}]},
        ],
    }
    (cli.dir / "partly.yaml").write_text(yaml.safe_dump(doc, sort_keys=False, width=1000), encoding="utf-8")
    ran = cli.run("exec", "partly.yaml", "--solo", "probe", "--journal", "j.jsonl", "--on-failure", "rollback")
    assert ran.returncode == 1 and "rollback STOPPED at a" in ran.stdout, ran.stdout + ran.stderr
    said = "FAILED; the rollback to the last checkpoint STOPPED at a: undone boom; partly undone a (on peer01, not on peer02)"
    md = cli.run("report", "j.jsonl").stdout
    assert f"| **Outcome** | **{said}** (by exec, run by tester) |" in md, [line for line in md.splitlines() if "Outcome" in line]
    assert f'<strong class="bad">{said}</strong>' in cli.run("report", "j.jsonl", "--format", "html").stdout
    # a stays `done` (its undo did not end ok everywhere), but its change no longer stands on peer01: the Steps table and
    # the Summary read `done` alone (before), as if it was applied on every host
    row = next(line for line in md.splitlines() if line.startswith("| 2 | a: A |"))
    assert row.split(" | ")[4] == "done; undone on peer01 only", row
    steps = "2 done, 1 undone (1 FAILED before the rollback); not on every host: a (undone on peer01 only); 2 UNVERIFIED"
    assert f"| **Steps** | {steps} |" in md, md
    data = json.loads(cli.run("report", "j.jsonl", "--format", "json").stdout)
    assert (data["steps"][1]["outcome"], data["steps"][1]["undone_hosts"]) == ("done", ["peer01"])


def test_a_rollback_that_undid_its_only_step_on_some_hosts_does_not_say_nothing_was_undone(cli: Cli) -> None:
    """push fails on peer02, and so does its undo there. Before: `STOPPED at push: nothing undone; partly undone push (on
    peer01, not on peer02)`: the Outcome said first that nothing was undone, then that push was, on peer01."""
    push = {"id": "push", "on": "fleet", "run": "case {{ host.name }} in peer02) exit 3;; esac", "undo": "case {{ host.name }} in peer02) exit 9;; esac"}
    doc = {
        "runbook": 1, "id": "only", "title": "only", "hosts": {"fleet": cli.hosts(2)},
        "sections": [
            {"id": "b", "kind": "backup", "steps": [{"id": "cp", "run": "echo cp", "checkpoint": True}]},
            {"id": "impl", "kind": "implement", "steps": [push]},
        ],
    }  # fmt: skip
    (cli.dir / "only.yaml").write_text(yaml.safe_dump(doc, sort_keys=False, width=1000), encoding="utf-8")
    ran = cli.run("exec", "only.yaml", "--solo", "probe", "--journal", "j.jsonl", "--on-failure", "rollback")
    assert ran.returncode == 1 and "rollback STOPPED at push" in ran.stdout, ran.stdout + ran.stderr
    said = "FAILED; the rollback to the last checkpoint STOPPED at push: partly undone push (on peer01, not on peer02)"
    md = cli.run("report", "j.jsonl").stdout
    assert f"| **Outcome** | **{said}** (by exec, run by tester) |" in md, [line for line in md.splitlines() if "Outcome" in line]


def test_the_outcome_names_a_partly_undone_steps_hosts_in_the_order_its_row_does(cli: Cli) -> None:
    """a ran in serial batches on four hosts; its undo runs newest host first and fails on peer01 (the last undone).
    Before: the Outcome named them in the undo's order, `partly undone a (on peer04, peer03, peer02, not on peer01)`,
    where its Steps row (and every view) says hosts by name: `undone on peer02, peer03, peer04 only`."""
    a = {"id": "a", "title": "A", "on": "fleet", "serial": 1, "run": "echo a", "undo": "case {{ host.name }} in peer01) exit 4;; esac; echo undone"}
    doc = {
        "runbook": 1, "id": "order", "title": "order", "hosts": {"fleet": cli.hosts(4)},
        "sections": [
            {"id": "b", "kind": "backup", "steps": [{"id": "cp", "title": "CP", "run": "echo cp", "checkpoint": True}]},
            {"id": "impl", "kind": "implement", "steps": [a, {"id": "boom", "title": "Boom", "run": "exit 1", "undo": "echo u"}]},
        ],
    }  # fmt: skip
    (cli.dir / "order.yaml").write_text(yaml.safe_dump(doc, sort_keys=False, width=1000), encoding="utf-8")
    ran = cli.run("exec", "order.yaml", "--solo", "probe", "--journal", "j.jsonl", "--on-failure", "rollback")
    assert ran.returncode == 1 and "rollback STOPPED at a" in ran.stdout, ran.stdout + ran.stderr
    said = "partly undone a (on peer02, peer03, peer04, not on peer01)"
    md = cli.run("report", "j.jsonl").stdout
    [outcome] = [line for line in md.splitlines() if line.startswith("| **Outcome** |")]
    assert said in outcome, outcome
    row = next(line for line in md.splitlines() if line.startswith("| 2 | a: A |"))
    assert row.split(" | ")[4] == "done; undone on peer02, peer03, peer04 only", row
    assert said in cli.run("report", "j.jsonl", "--format", "html").stdout
    # the step's own history says its undo's ends by host too, as exec's undo_finished line (it read peer04 first)
    undo = "undo on peer01: failed (exit 4); peer02: ok (exit 0); peer03: ok (exit 0); peer04: ok (exit 0)"
    assert f"- {undo} at " in md, [line for line in md.splitlines() if "undo on" in line]
    assert any(line.endswith("undo a: peer01: failed exit 4; peer02: ok exit 0; peer03: ok exit 0; peer04: ok exit 0") for line in ran.stdout.splitlines())
    data = json.loads(cli.run("report", "j.jsonl", "--format", "json").stdout)
    assert [h["words"] for h in data["steps"][1]["history"] if h["kind"] == "undo"] == [undo], data["steps"][1]["history"]
