"""Where enter re-runs a step on a group: the status row and the acknowledgement say it before enter does it.

Found in a walk: after the verifier rejected a step on 6 hosts the row offered `enter re-run`, and enter ran it again
on all 6 at once; nothing on screen said where. Now the row says `enter re-run on all 6 hosts`, and the dialog of a
step to acknowledge says `y I understand, re-run it on all 6 hosts`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import make_app, of_kind, painted, screen_is, settled, started, until, write_runbook

from runbook_tui.engine.controller import Actor
from runbook_tui.engine.host_tally import rerun_where
from runbook_tui.engine.state_model import HostState, StepState
from runbook_tui.ui.status_stack import StatusStack

FLEET = "\n".join(f"    - {{name: web{i}, address: 192.0.2.{i}}}" for i in range(1, 7))
RUNBOOK = f"""\
runbook: 1
id: rerun
title: Re-run on a fleet
ticket: {{id: CHG-9, subject: rerun, assignee: alice, verifier: bob}}
hosts:
  fleet:
{FLEET}
sections:
  - id: change
    title: Change
    kind: implement
    steps:
      - {{id: push, title: Push the config, on: fleet, run: echo pushed, undo: echo unpushed, verify: after, confirm: "Pushes to every web host"}}
      - {{id: reload, title: Reload, run: echo reloaded, verify: none}}
"""


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_a_rejected_group_step_says_where_enter_re_runs_it(workdir: Path, size: tuple[int, int]) -> None:
    write_runbook(workdir, RUNBOOK, "rerun.yaml")
    app = make_app("rerun.yaml", mode="dry-run", solo=None, verifier_in_process=True)
    bob = Actor("bob", "verifier")
    async with app.run_test(size=size, notifications=True) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        await pilot.press("enter")
        prompt = await screen_is(pilot, "ConfirmPrompt")
        assert "y I understand, run it ·" in painted(prompt.query_one("#dialog-keys")) + " ·"  # the first run: nothing ran before
        await pilot.press("y")
        await until(pilot, lambda: controller.state.steps["push"].status == "awaiting_verification", "push to wait for bob")
        assert controller.reject(bob, "wrong config").ok
        await settled(pilot)
        stack = " ".join(painted(app.screen.query_one(StatusStack)).split())
        assert "'push' REJECTED by bob" in stack and "enter re-run on all 6 hosts · u roll back" in stack, stack
        await pilot.press("enter")
        prompt = await screen_is(pilot, "ConfirmPrompt")
        said = " ".join(painted(prompt.query_one("#dialog-keys")).split())
        assert "y I understand, re-run it on all 6 hosts · n / escape cancel" in said, said
        await pilot.press("y")
        await until(pilot, lambda: len(of_kind(workdir / "j.jsonl", "step_started")) == 2, "the re-run to start")
        assert of_kind(workdir / "j.jsonl", "step_started")[-1]["hosts"] == [f"web{i}" for i in range(1, 7)], "where it said"


def test_an_unknown_outcome_re_runs_where_it_is_not_known_done() -> None:
    """As `waves.rollout` runs it: a step left unknown goes on on the hosts not done; one host: the pane says which."""
    plan = {"kind": "run", "hosts": [{"name": f"web{i}"} for i in range(1, 7)], "serial": []}
    hosts = {f"web{i}": HostState(status="done" if i <= 4 else "unknown") for i in range(1, 7)}
    assert rerun_where(plan, StepState(id="push", status="unknown", hosts=hosts)) == " on web5, web6 (not done)"
    assert rerun_where(plan, StepState(id="push", status="failed", hosts=hosts)) == " on all 6 hosts"
    assert rerun_where({**plan, "serial": [2]}, StepState(id="push", status="rejected", hosts=hosts)) == " on all 6 hosts in waves"
    few = {f"web{i}": HostState(status="done" if i == 1 else "unknown") for i in range(1, 7)}
    assert rerun_where(plan, StepState(id="push", status="unknown", hosts=few)) == " on the 5 of 6 hosts not done"
    assert rerun_where({"kind": "run", "hosts": [{"name": "local"}]}, StepState(id="push", status="failed")) == ""


def test_two_hosts_read_both() -> None:
    """Walked in tmux: a step on two hosts, killed with kill -9 while it ran and resumed, offered `enter re-run on all 2
    hosts` and its dialog `y I understand, re-run it on all 2 hosts`: `both hosts` is what a person says."""
    plan = {"kind": "run", "hosts": [{"name": "web01"}, {"name": "web02"}], "serial": []}
    hosts = {name: HostState(status="unknown") for name in ("web01", "web02")}
    assert rerun_where(plan, StepState(id="slow", status="unknown", hosts=hosts)) == " on both hosts"
    assert rerun_where({**plan, "serial": [1]}, StepState(id="slow", status="failed", hosts=hosts)) == " on both hosts in waves"
