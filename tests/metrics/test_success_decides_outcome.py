"""Unmet `metrics.success` criteria decide the outcome, measured on a real Prometheus on loopback.

exec exits 1 with `done_criteria_failed` unless `--accept-failed-criteria REASON`;
in the engine the session stays open until the assignee rolls back or accepts (and
in a shared run the verifier confirms the acceptance); the report says it first.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from metrics_helpers import API, journal, of_type, one_step_runbook, until
from peers import Exporter, Prometheus

from runbook_tui.app.session import load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine.controller import Actor
from runbook_tui.engine.state import replay
from runbook_tui.report import build_report, render, text
from runbook_tui.ui.status_stack import statuses
from tests.ui.run_screen_helpers import until as until_shown

pytestmark = pytest.mark.peers


def runbook(prom: Prometheus) -> str:
    return one_step_runbook(prom.url, "- {panel: err, below: 3, within: 1s}")


@pytest.fixture
def unmet(prometheus: Prometheus, exporter: Exporter, write_runbook: Callable[[str], Path]) -> Path:
    exporter.set(4)
    prometheus.wait_for(API, lambda v: v == 4)
    return write_runbook(runbook(prometheus))


def exec_cli(path: Path, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "runbook_tui", "exec", str(path), "--solo", "criteria test", "--journal", str(tmp_path / "j.jsonl"), *extra],
        cwd=tmp_path, env=dict(os.environ), capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_exec_with_an_unmet_criterion_exits_1_done_criteria_failed(unmet: Path, tmp_path: Path) -> None:
    result = exec_cli(unmet, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    events = journal(tmp_path / "j.jsonl")
    assert [c["met"] for c in of_type(events, "success_checked")] == [False]
    assert events[-1]["type"] == "session_finished" and events[-1]["outcome"] == "done_criteria_failed"
    # Before: "(exec --accept-failed-criteria REASON accepts them)", as if a new exec, which runs every step again, accepted these.
    [note] = [e["text"] for e in of_type(events, "note") if "NOT met" in e["text"]]
    assert note == "success criteria NOT met: err below 3% within 1s; not accepted: this run was not given --accept-failed-criteria REASON", note
    outcome = next(line for line in render(build_report(str(tmp_path / "j.jsonl")), "md").splitlines() if line.startswith("| **Outcome**"))
    # Said once (it read `SUCCESS CRITERIA NOT MET (err below 3% within 1s); DONE, SUCCESS CRITERIA NOT MET`).
    assert outcome.startswith("| **Outcome** | **SUCCESS CRITERIA NOT MET (err below 3% within 1s); DONE**"), outcome
    assert outcome.count("NOT MET") == 1, outcome


def test_exec_accepts_unmet_criteria_only_with_a_reason_journaled(unmet: Path, tmp_path: Path) -> None:
    result = exec_cli(unmet, tmp_path, "--accept-failed-criteria", "staging has no traffic; errors are synthetic")
    assert result.returncode == 0, result.stdout + result.stderr
    events = journal(tmp_path / "j.jsonl")
    [accepted] = of_type(events, "criteria_accepted")
    assert accepted["reason"] == "staging has no traffic; errors are synthetic" and accepted["needs_verifier"] is False
    assert events[-1]["outcome"] == "done"
    outcome = next(line for line in render(build_report(str(tmp_path / "j.jsonl")), "md").splitlines() if line.startswith("| **Outcome**"))
    assert "SUCCESS CRITERIA NOT MET" in outcome and "accepted by" in outcome and "errors are synthetic" in outcome
    # The run screen's, the verifier's and replay's last status say the same (before: `Session finished: done.`).
    state = replay(events)
    said = text.outcome_line(build_report(str(tmp_path / "j.jsonl")))
    assert said.startswith("SUCCESS CRITERIA NOT MET (err below 3% within 1s), accepted by ") and said.endswith("; then done"), said
    # and who ended it, in the report's words (it said the outcome alone)
    said += text.finished_words(build_report(str(tmp_path / "j.jsonl")))
    assert said.endswith("; then done (ended by the program once the unmet success criteria were accepted)"), said
    assert statuses(state, dt.datetime.now(dt.UTC))[0].text == f"Session finished: {said}. The journal has everything"


def test_the_session_stays_open_until_the_verifier_confirms_the_acceptance(unmet: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")

    async def scenario() -> None:
        session = open_session(load(str(unmet), {}), journal=str(tmp_path / "s.jsonl"), settings=Settings(), verifier_in_process=True)
        controller, alice, bob = session.controller, session.actor, Actor("bob", "verifier")
        try:
            assert controller.run_current(alice).ok
            await controller.wait_idle()
            await until(lambda: bool(controller.state.criteria_unmet), what="the final check to find the criterion unmet")
            assert not controller.state.finished, "an unmet criterion does not end the session done"
            assert not controller.accept_criteria(alice, "  ").ok
            assert controller.accept_criteria(alice, "known noise, CHG-7 comment").ok
            assert not controller.state.finished, "the verifier confirms the acceptance first"
            assert not controller.confirm(Actor("alice", "verifier")).ok, "not the assignee (two-person rule)"
            assert controller.confirm(bob).ok
            assert controller.state.outcome == "done"
        finally:
            await session.close()

    asyncio.run(scenario())
    events = journal(tmp_path / "s.jsonl")
    assert [e["type"] for e in events[-3:]] == ["criteria_accepted", "criteria_acceptance_confirmed", "session_finished"]
    assert events[-2]["actor"] == "bob"


@pytest.mark.asyncio
async def test_in_the_tui_unmet_criteria_keep_the_run_open_until_a_accepts_with_a_reason(unmet: Path, tmp_path: Path) -> None:
    from textual.widgets import Input

    from runbook_tui.ui.app import RunbookApp
    from runbook_tui.ui.status_stack import StatusStack

    loaded = load(str(unmet), {})
    app = RunbookApp(lambda _override: open_session(loaded, solo="tui test", journal=str(tmp_path / "t.jsonl"), settings=Settings()))
    async with app.run_test(size=(140, 45)) as pilot:
        await until_shown(pilot, lambda: app.handle is not None and type(app.screen).__name__ == "RunScreen", "the run screen")
        assert app.handle is not None
        controller = app.handle.controller
        await pilot.press("enter")
        await until_shown(pilot, lambda: bool(controller.state.criteria_unmet), "the final check")
        await until_shown(pilot, lambda: "Success criteria NOT met" in str(app.screen.query_one(StatusStack).render()), "the status line")
        assert not controller.state.finished
        await pilot.press("a")
        await until_shown(pilot, lambda: type(app.screen).__name__ == "TextPrompt", "the reason prompt")
        app.screen.query_one(Input).value = "load test traffic; owner agreed"
        await pilot.press("enter")
        await until_shown(pilot, lambda: controller.state.finished, "the session to end")
        assert controller.state.outcome == "done"
    [accepted] = of_type(journal(tmp_path / "t.jsonl"), "criteria_accepted")
    assert accepted["reason"] == "load test traffic; owner agreed"


def test_an_unmet_criterion_no_reading_decided_says_why_where_the_assignee_decides(unmet: Path, tmp_path: Path, write_runbook: Callable[[str], Path]) -> None:
    """A metrics source that did not answer is not a value out of line: roll back or accept, the person must tell them apart.

    Before: `Success criteria NOT met: err below 3% within 1s` either way, on the status line and in `a`'s prompt.
    """
    from peers import _free_port

    from runbook_tui.ui.run_prompts import accept_criteria_prompt

    def open_state(path: Path, name: str) -> Any:
        exec_cli(path, tmp_path, "--journal", str(tmp_path / name))
        events = journal(tmp_path / name)
        last = max(i for i, e in enumerate(events) if e["type"] == "success_checked")
        return replay(events[: last + 1])  # as the session stands when the check ends: open, the person to decide

    dead = f"http://127.0.0.1:{_free_port()}"
    down = open_state(write_runbook(one_step_runbook(dead, "- {panel: err, below: 3, within: 1s}"), "down.yaml"), "down.jsonl")
    said = f"Success criteria NOT met: err below 3% within 1s (no value to check: Prometheus unreachable at {dead}: connection refused)"
    assert said in [s.text for s in statuses(down, dt.datetime.now(dt.UTC))], statuses(down, dt.datetime.now(dt.UTC))
    assert "  ✗ err below 3% within 1s (no value to check: Prometheus unreachable at" in accept_criteria_prompt(down).explanation  # type: ignore[attr-defined]

    measured = open_state(unmet, "measured.jsonl")
    assert "Success criteria NOT met: err below 3% within 1s" in [s.text for s in statuses(measured, dt.datetime.now(dt.UTC))]
