"""Accepting unmet success criteria is the assignee's decision, and practice counts it as one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from runbook_tui.engine.practice_results import compare
from runbook_tui.report.practice_md import decision_words, trainee_words

SOLO = Path(__file__).parents[1] / "report" / "data" / "solo.jsonl"


def _unmet(accept: str | None) -> list[dict[str, Any]]:
    """The solo fixture's night up to its success check, made unmet; then `accept` (a reason) by alice, or nothing."""
    events = [json.loads(line) for line in SOLO.read_text(encoding="utf-8").splitlines()]
    events = events[: next(n for n, e in enumerate(events) if e["type"] == "session_finished")]
    checked = next(e for e in events if e["type"] == "success_checked")
    checked["met"] = False
    criteria = ["err below 1"]
    if accept is not None:
        at = checked["ts"][:17] + "40.000Z"
        events.append({**checked, "seq": checked["seq"] + 1, "ts": at, "type": "criteria_accepted", "actor": "alice", "reason": accept,
                       "criteria": criteria, "needs_verifier": False})  # fmt: skip
        events.append({"seq": checked["seq"] + 2, "ts": at, "type": "session_finished", "actor": "system", "outcome": "done"})
    return events


def test_the_nights_acceptance_of_unmet_criteria_is_a_decision_point() -> None:
    """The night's assignee accepted unmet criteria with a reason; a trainee who rolled back there, or accepted too,
    was scored against nothing: the acceptance was no decision point, and the trainee's own choice read as `not a
    decision point on the night`. Now the night's acceptance is a decision, with its reason in why it matters."""
    night = _unmet("staging has no traffic")
    same = compare(night, _unmet("the spike is the test load"))
    [point] = [p for p in same.points if p.night is not None and p.night.kind == "accept unmet criteria"]
    assert point.trainee is not None and point.same, decision_words(point.trainee, "—")
    assert "accepted (staging has no traffic)" in point.why and "done" in point.why, point.why
    assert trainee_words(point) == "accept unmet criteria: the spike is the test load", trainee_words(point)
    left = compare(night, _unmet(None))
    [point] = [p for p in left.points if p.night is not None and p.night.kind == "accept unmet criteria"]
    assert point.trainee is None and left.score[1] == same.score[1], (left.score, same.score)


def test_a_trainee_never_paused_has_their_run_beside_the_nights_run_not_its_resume() -> None:
    """On the night a guard paused the run before `flip-flag` and alice resumed, then ran it; in practice the recorded
    samples did not trip the guard, and the trainee ran `flip-flag` at once. Their run stood beside the night's resume
    (`different`) and the night's run read `did not arise`: marked down for a pause they never met. Now the run is
    beside the run (`same`) and the resume is the situation that did not arise."""
    trainee = _unmet(None)
    night = [dict(e) for e in trainee]
    at = next(n for n, e in enumerate(night) if e["type"] == "step_started" and e["step"] == "flip-flag")
    ts = night[at]["ts"]
    night[at:at] = [
        {"seq": 0, "ts": ts, "type": "paused", "actor": "system", "reason": "guard 'err' tripped"},
        {"seq": 0, "ts": ts, "type": "resumed", "actor": "alice", "reason": "looked at the panels"},
    ]
    for seq, event in enumerate(night):
        event["seq"] = seq
    results = compare(night, trainee)
    flips = [(p.night.kind if p.night else None, p.trainee.kind if p.trainee else None, p.same) for p in results.points if p.step == "flip-flag"]
    assert flips == [("resume", None, False), ("run", "run", True)], flips
    assert results.score[0] == results.score[1], results.score


def test_why_a_rollback_matters_reads_the_panel_as_the_rollback_left_it() -> None:
    """On a real night (a scrape guard, `errs`): the guard tripped at 9, the rollback brought it to 1, then the step
    was re-run and the spike came back. Why it matters said `errs went from 9 to 9`: the last reading of the whole
    night, not the one the rollback left. Here the report fixture's night gets a reading of 9.9% after its last move;
    the rollback's line still reads the 0.35% it left."""
    night = [json.loads(line) for line in (SOLO.parent / "change.jsonl").read_text(encoding="utf-8").splitlines()]
    sample = next(e for e in reversed(night) if e["type"] == "metric_sample" and e["panel"] == "errors")
    last = night[-1]["ts"]
    night.append({**sample, "seq": len(night), "ts": last[:-4] + "900Z", "ts_sample": last[:-4] + "900Z", "value": 9.9})
    [why] = [p.why for p in compare(night, night).points if p.night is not None and p.night.kind == "roll back" and "went from" in p.why]
    assert why.endswith("went from 2.7% to 0.35%"), why


def test_a_trainee_who_runs_on_through_the_verifiers_hold_is_told_it_differs() -> None:
    """bob asked to hold before `flip-flag` and alice paused; the recorded bob asks the trainee too, who ran on. That
    read `did not arise` for the night's pause, outside the score, as if no hold had been asked. Now it is `different`."""
    trainee = _unmet(None)
    at = next(n for n, e in enumerate(trainee) if e["type"] == "step_started" and e["step"] == "flip-flag")
    ts = trainee[at]["ts"]
    hold = {"seq": 0, "ts": ts, "type": "hold_requested", "actor": "bob", "reason": "bob asks to hold"}
    trainee = [dict(e) for e in trainee[:at]] + [hold] + [dict(e) for e in trainee[at:]]
    night = [dict(e) for e in trainee]
    night[at + 1 : at + 1] = [
        {"seq": 0, "ts": ts, "type": "paused", "actor": "alice", "reason": "paused by alice"},
        {"seq": 0, "ts": ts, "type": "resumed", "actor": "alice", "reason": "resumed"},
    ]
    for events in (night, trainee):
        for seq, event in enumerate(events):
            event["seq"] = seq
    results = compare(night, trainee)
    [pause] = [p for p in results.points if p.step == "flip-flag" and p.night is not None and p.night.kind == "pause"]
    assert pause.trainee is not None and pause.trainee.kind == "run" and not pause.same and not pause.passed, pause
    assert results.score[0] < results.score[1], results.score
