"""Practice on a real night where the assignee declined the verifier's rollback request (`x`, with a reason).

Before: the recorded verifier confirmed the step 0.8 s after it waited, which withdrew his own rollback request (the
last word stands): the trainee never met the request they were there to answer, `x` was refused, and the night's
decline was no decision point at all (the results read `run, run` and nothing about the request).
"""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest
from replay_helpers import text_of, until

from runbook_tui.app import practice
from runbook_tui.app.session import load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine.controller import Actor
from runbook_tui.engine.journal import read_events
from runbook_tui.engine.practice_results import compare
from runbook_tui.report.practice_md import trainee_words, verdict
from runbook_tui.ui.modals import TextPrompt
from runbook_tui.ui.practice_screens import PracticeApp, PracticeResultsScreen
from runbook_tui.ui.run_screen import RunScreen
from runbook_tui.ui.status_stack import StatusStack

RUNBOOK = """\
runbook: 1
id: decline-demo
title: Decline demo
ticket:
  id: CHG-7
  subject: Decline
  assignee: alice
  verifier: bob
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - id: a
        title: Step a
        run: echo a >> log
        undo: echo undo-a >> log
        checkpoint: true
        verify: after
      - id: b
        title: Step b
        run: echo b >> log
        verify: after
"""


async def the_night(tmp_path: Path, follow: bool = False) -> Path:
    """alice runs `a`, bob asks for a rollback, alice declines it with a reason, bob confirms, and the change goes on
    (`follow`: alice rolls back instead)."""
    runbook = tmp_path / "runbook.yaml"
    runbook.write_text(textwrap.dedent(RUNBOOK), encoding="utf-8")
    journal = tmp_path / ("followed.jsonl" if follow else "night.jsonl")
    alice, bob = Actor("alice", "assignee"), Actor("bob", "verifier")
    session = open_session(load(str(runbook), {}), journal=str(journal), settings=Settings(), verifier_in_process=True)
    c = session.controller
    try:
        assert c.run_current(alice).ok
        await c.wait_idle()
        assert c.request_rollback(bob, "p99 doubled").ok
        if follow:
            assert c.rollback(alice, "checkpoint", acknowledged=True).ok
            await c.wait_idle()
            return journal
        assert c.decline_rollback(alice, "p99 is the nightly batch").ok
        assert c.confirm(bob).ok
        await c.wait_idle()
        assert c.run_current(alice).ok
        await c.wait_idle()
        assert c.confirm(bob).ok
        await c.wait_idle()
    finally:
        await session.close()
    return journal


@pytest.mark.asyncio
async def test_the_trainee_meets_the_rollback_request_the_night_declined(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (tmp_path / "no-settings.yaml").touch()
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(tmp_path / "no-settings.yaml"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    night = await the_night(tmp_path)
    assert [e["type"] for e in read_events(str(night)).events if e["type"].startswith("rollback_")] == ["rollback_requested", "rollback_declined"]
    monkeypatch.setenv("RUNBOOK_TUI_USER", "carol")
    run = practice.open_practice(str(night), out_journal=str(tmp_path / "practice.jsonl"))
    controller = run.session.controller
    out = tmp_path / "results.md"
    out.write_text("last week's results\n", encoding="utf-8")
    out.chmod(0o644)  # the trainer's own file, readable by others: the night's outputs must not land under 0644
    app = PracticeApp(run, out=str(out))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: isinstance(app.screen, RunScreen), pilot, "the run screen")
        await pilot.press("enter")
        await until(lambda: controller.state.steps["a"].status == "awaiting_verification", pilot, "a waiting for bob")
        await until(lambda: controller.state.rollback_requested is not None, pilot, "bob's recorded rollback request")
        await until(lambda: "x decline" in text_of(app.screen.query_one(StatusStack)), pilot, "the status line offering x")
        # the recorded verifier's turn to answer comes (his word held for the trainee's answer, or given)
        await until(lambda: run.verifier._held or controller.state.steps["a"].status != "awaiting_verification", pilot, "bob's turn")
        assert controller.state.rollback_requested is not None, "bob's confirmation withdrew the request before the trainee answered it"
        assert controller.state.steps["a"].status == "awaiting_verification"
        await pilot.press("x")
        await until(lambda: isinstance(app.screen, TextPrompt), pilot, "the prompt asking why")
        await pilot.press(*"the batch job")
        await pilot.press("enter")
        # the night's word follows the trainee's answer, as it followed alice's
        await until(lambda: controller.state.steps["a"].status == "done", pilot, "bob's recorded confirmation after the decline")
        await until(lambda: not controller.busy and controller.state.current == "b", pilot, "b next")
        await pilot.press("enter")
        await until(lambda: controller.state.finished, pilot, "the practice run's end")
        await until(lambda: isinstance(app.screen, PracticeResultsScreen), pilot, "the results screen")
        results = app.screen.results
        rows = [(p.step, p.night.kind if p.night else None, p.trainee.kind if p.trainee else None) for p in results.points]
        assert ("a", "decline rollback", "decline rollback") in rows, rows
        [declined] = [p for p in results.points if p.night is not None and p.night.kind == "decline rollback"]
        assert trainee_words(declined) == "decline rollback: the batch job", "the results screen's row for the trainee"
        assert declined.same and declined.why == (
            "on the night the rollback request was declined (p99 is the nightly batch) and the change went on; the run ended done"
        )
        await pilot.press("q")
        await until(lambda: not app.is_running, pilot, "q to leave")
    types = [e["type"] for e in read_events(str(tmp_path / "practice.jsonl")).events]
    assert types.index("rollback_declined") < types.index("step_confirmed"), "the recorded confirmation came after the trainee's decline"
    assert types.index("step_finished") < types.index("rollback_requested"), "bob asked once `a` waited for him, as on the night"
    # the trainee's reason, typed at x, is in the results (before: `decline rollback` alone, on the screen and in --out)
    assert "| decline rollback | decline rollback: the batch job |" in out.read_text(encoding="utf-8")
    assert out.stat().st_mode & 0o777 == 0o600, "practice results hold the night's outputs (before: the file kept 0644)"


@pytest.mark.asyncio
async def test_a_trainee_who_rolls_back_where_the_night_declined_is_told_it_differs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    declined = read_events(str(await the_night(tmp_path))).events
    followed = read_events(str(await the_night(tmp_path, follow=True))).events
    for night, trainee in ((declined, followed), (followed, declined)):
        results = compare(night, trainee)
        [point] = [p for p in results.points if p.night is not None and p.night.kind in ("decline rollback", "roll back")]
        assert point.trainee is not None and not point.same, [(p.night, p.trainee) for p in results.points]
        assert {point.night.kind, point.trainee.kind} == {"decline rollback", "roll back"}
        assert verdict(point) == "**different**"


def _later(ts: str, seconds: float) -> str:
    moment = dt.datetime.fromisoformat(ts.replace("Z", "+00:00")) + dt.timedelta(seconds=seconds)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@pytest.mark.asyncio
async def test_time_to_decide_counts_from_the_situation_not_from_a_signature_after_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A signed night: bob's key signs his confirmation of `a` (`decision_signed`) and the head is sealed at the
    checkpoint, seconds after `b` was announced; alice starts `b` 10 s after it was. Before, her time to decide counted
    from the last signature (4 s); a signature is no situation arising: it is 10 s, as on an unsigned night."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    events = [dict(e) for e in read_events(str(await the_night(tmp_path))).events]
    start = next(i for i, e in enumerate(events) if e["type"] == "step_started" and e["step"] == "b")
    ready = events[start - 1]
    assert ready["type"] == "step_ready" and ready["step"] == "b", ready
    shift = 10 - (dt.datetime.fromisoformat(events[start]["ts"]) - dt.datetime.fromisoformat(ready["ts"])).total_seconds()
    for event in events[start:]:
        event["ts"] = _later(event["ts"], shift)
    confirmed = next(e for e in events if e["type"] == "step_confirmed" and e["step"] == "a")
    signed = [
        {"type": "decision_signed", "actor": "bob", "ts": _later(ready["ts"], 3), "decision": confirmed["seq"], "statement": {}, "signature": "", "key": ""},
        {"type": "seal", "actor": "bob", "ts": _later(ready["ts"], 6), "statement": {}, "signature": "", "key": "", "role": "verifier"},
    ]
    events[start:start] = signed
    for seq, event in enumerate(events):
        event["seq"] = seq
    unsigned = [e for e in events if e["type"] not in ("decision_signed", "seal")]
    for night in (events, unsigned):
        [point] = [p for p in compare(night, unsigned).points if p.night is not None and p.night.kind == "run" and p.step == "b"]
        assert point.night is not None and point.trainee is not None
        assert (point.night.seconds, point.trainee.seconds) == (10.0, 10.0), "time to decide counted from a signature"


@pytest.mark.asyncio
async def test_replay_stops_at_the_declined_request(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """→ went from bob's rollback request straight to his confirmation: the assignee's decline, a decision of the night
    (practice's decision point, the report's summary row), was a moment replay never stopped at."""
    from runbook_tui.ui.replay_screen import ReplaySource

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    events = read_events(str(await the_night(tmp_path))).events
    source = ReplaySource(events)
    seen = []
    while source.position < len(events):
        source.seek(source.next_moment(source.position))
        seen.append(events[source.position - 1]["type"])
    assert seen[seen.index("rollback_requested") + 1] == "rollback_declined", seen
    source.seek(events.index(next(e for e in events if e["type"] == "rollback_declined")) + 1)
    assert source.state.rollback_requested is None and source.state.steps["a"].status == "awaiting_verification"
