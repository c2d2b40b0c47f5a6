"""Failures within `max_fail` over real SSH: every wave runs, the step is no stopped rollout, and the run goes on.

Before: `max_fail: "10%"` (or a number) let the rollout go on to its next wave, and then the step ended FAILED all
the same, so the run stopped there as if the budget had been spent. Ten aliases of the session's loopback sshd stand
for ten hosts; the journal is the truth every screen shows.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from peers import Sshd

from runbook_tui.app.session import load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine.event_words import said
from runbook_tui.engine.practice_results import compare
from runbook_tui.report import build_report, render

pytestmark = pytest.mark.peers

ALIASES = [f"peer{i:02d}" for i in range(1, 11)]
FAILING = ("peer03", "peer04")
COMMAND = 'case "{{ host.name }}" in ' + "|".join(FAILING) + ") echo failing on purpose >&2; exit 1;; esac; echo ok"


def write_runbook(tmp_path: Path, sshd: Sshd, max_fail: int | str, *, checkpoint: bool = False) -> Path:
    hosts = [{"name": name, "address": sshd.address, "port": sshd.port, "user": sshd.user, "identity": str(sshd.client_key)} for name in ALIASES]
    roll = {"id": "roll", "run": COMMAND, "on": "fleet", "serial": 2, "max_fail": max_fail, "verify": "none", "undo": "true", "checkpoint": checkpoint}
    after = {"id": "after", "run": "echo after", "verify": "none"}
    doc = {"runbook": 1, "id": "budget", "title": "Budget", "hosts": {"fleet": hosts}, "sections": [{"id": "impl", "steps": [roll, after]}]}
    path = tmp_path / "budget.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def run_all(path: Path, journal: Path, sshd: Sshd) -> list[str]:
    """Run the runbook's steps in turn until one does not end done; the undo list's lines of the last checkpoint rollback."""

    async def main() -> list[str]:
        settings = Settings(known_hosts=str(sshd.known_hosts), ssh_config=None)
        session = open_session(load(str(path), {}), journal=str(journal), settings=settings, verifier_in_process=True)
        controller = session.controller
        try:
            for _ in range(2):
                current = controller.state.current
                controller.run_current(session.actor)
                await controller.wait_idle()
                if current is None or controller.state.steps[current].status != "done":
                    break
            plan = controller.plan_rollback("checkpoint")
            return [f"{e.step_id} {e.host} {e.note}" for e in plan.entries]
        finally:
            await session.close()

    return asyncio.run(main())


def events_of(journal: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("max_fail", ["20%", 2])
def test_failures_within_max_fail_run_every_wave_and_the_run_goes_on(tmp_path: Path, sshd: Sshd, monkeypatch: pytest.MonkeyPatch, max_fail: int | str) -> None:
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    journal = tmp_path / "j.jsonl"
    undo_list = run_all(write_runbook(tmp_path, sshd, max_fail), journal, sshd)
    events = events_of(journal)

    waves = [(e["wave"], e["failed"], e["stopped"]) for e in events if e["type"] == "wave_finished"]
    assert waves == [(1, [], False), (2, list(FAILING), False), (3, [], False), (4, [], False), (5, [], False)]
    [finished] = [e for e in events if e["type"] == "step_finished" and e["step"] == "roll"]
    assert finished["status"] == "done", finished
    assert {h: r["status"] for h, r in finished["hosts"].items()} == {h: "failed" if h in FAILING else "done" for h in ALIASES}
    assert finished["tolerated"]["max_fail"] == max_fail and finished["tolerated"]["allowed"] == 2
    assert finished["tolerated"]["problems"] == [f"{h}: exit code 1, expected 0" for h in FAILING]
    assert not finished.get("problems")
    # exec's line and the pane: done, and the failed hosts in sight, never a clean "done" nor a stopped rollout
    lines = said(finished).lines  # type: ignore[union-attr]
    assert lines[0] == f"roll done; 2 of 10 hosts failed, within max_fail {max_fail}", lines
    assert lines[1:] == [f"   ✗ 2 hosts: exit code 1, expected 0 ({', '.join(FAILING)})"], "the problem both share, said once"
    assert not any("STOPPED" in said(e).lines[0] for e in events if e["type"] == "wave_finished")  # type: ignore[union-attr]
    # the wave's own line says its failures were within the budget (before: only the step's final line said it)
    wave_lines = [said(e).lines[0] for e in events if e["type"] == "wave_finished"]  # type: ignore[union-attr]
    assert wave_lines[1] == f"roll wave 2/5 finished, failed: peer03, peer04 - 2 of 10 hosts failed so far, within max_fail {max_fail}", wave_lines
    assert wave_lines[2] == "roll wave 3/5 finished", wave_lines  # a wave of its own without failures says nothing of the budget
    # the run went on to the next step
    assert [e["status"] for e in events if e["type"] == "step_finished" and e["step"] == "after"] == ["done"]
    # the failed hosts are in the undo list, said as failed
    assert [line for line in undo_list if line.startswith("roll ") and "failed" in line] == [
        f"roll {h} step failed on this host, within max_fail" for h in reversed(FAILING)
    ]
    assert len([line for line in undo_list if line.startswith("roll ")]) == len(ALIASES)


def test_one_failure_more_than_max_fail_still_stops_the_rollout_and_fails_the_step(tmp_path: Path, sshd: Sshd, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    journal = tmp_path / "j.jsonl"
    run_all(write_runbook(tmp_path, sshd, "10%"), journal, sshd)
    events = events_of(journal)
    [finished] = [e for e in events if e["type"] == "step_finished"]
    assert finished["status"] == "failed" and "tolerated" not in finished
    assert finished["problems"] == [f"{h}: exit code 1, expected 0" for h in FAILING]
    assert [e["wave"] for e in events if e["type"] == "wave_finished" and e["stopped"]] == [2]
    [stopped] = [e for e in events if e["type"] == "wave_finished"][1:]
    assert "within" not in stopped and "within max_fail" not in said(stopped).lines[0], stopped  # type: ignore[union-attr]


def test_a_checkpoint_with_hosts_failed_within_max_fail_is_no_safe_point(tmp_path: Path, sshd: Sshd, monkeypatch: pytest.MonkeyPatch) -> None:
    """The journal would say `checkpoint_reached` while the rollback planner went back past it (it counts a checkpoint
    done on every host only): the two must agree."""
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    journal = tmp_path / "j.jsonl"
    undo_list = run_all(write_runbook(tmp_path, sshd, "20%", checkpoint=True), journal, sshd)
    events = events_of(journal)
    assert [e["status"] for e in events if e["type"] == "step_finished" and e["step"] == "roll"] == ["done"]
    assert not [e for e in events if e["type"] == "checkpoint_reached"]
    assert any(line.startswith("roll ") for line in undo_list)


def test_the_report_gives_each_group_steps_wave_plan_and_the_hosts_failed_within_max_fail(tmp_path: Path, sshd: Sshd, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: the report said nothing of `serial` or `max_fail` (the change board could not see the wave plan), and a
    step that went on with hosts failed within its budget could only read FAILED."""
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    journal = tmp_path / "j.jsonl"
    run_all(write_runbook(tmp_path, sshd, "20%"), journal, sshd)
    report = build_report(journal)
    plan = "5 waves of 2 hosts each (serial 2); max_fail 20% (2 hosts): one more failed host stops the rollout before its next wave"
    [roll] = [s for s in report.steps if s.id == "roll"]
    assert (roll.serial, roll.max_fail, roll.wave_plan) == ([2], "20%", plan)
    outcome = "done; 2 of 10 hosts failed, within max_fail 20%"
    md, html = render(report, "md"), render(report, "html")
    escaped = lambda words: words.replace("_", "\\_")  # noqa: E731  (Markdown's escape of `max_fail`)
    assert f"waves: {escaped(plan)}." in md and f"waves: {plan}</p>" in html
    assert f"| {escaped(outcome)} |" in md and f">{outcome}</td>" in html
    for host in FAILING:
        assert f"  - failed within max_fail: {host}: exit code 1, expected 0" in md
        assert f"failed within max_fail:</span> {host}: exit code 1, expected 0" in html
    data = json.loads(render(report, "json"))
    [step] = [s for s in data["steps"] if s["id"] == "roll"]
    assert (step["serial"], step["max_fail"], step["wave_plan"]) == ([2], "20%", plan)
    assert step["attempts"][-1]["tolerated"] == [f"{h}: exit code 1, expected 0" for h in FAILING]
    [after] = [s for s in report.steps if s.id == "after"]
    assert after.wave_plan == ""  # one host: no waves to speak of


def test_practice_says_the_night_went_on_with_hosts_failed_within_max_fail(tmp_path: Path, sshd: Sshd, monkeypatch: pytest.MonkeyPatch) -> None:
    """Practice's "why it matters" read `on the night it failed on peer03 (exit 1), peer04 (exit 1)` for a step that went on."""
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    journal = tmp_path / "j.jsonl"
    run_all(write_runbook(tmp_path, sshd, 2), journal, sshd)
    why = {p.step: p.why for p in compare(events_of(journal), []).points if p.night and p.night.kind == "run"}
    assert why["roll"] == "on the night it went on, failed on peer03 (exit 1), peer04 (exit 1) within max_fail", why
