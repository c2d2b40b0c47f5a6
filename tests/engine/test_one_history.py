"""The report and practice read one history fold (engine/history.py): on the same journal they agree.

The report's steps (attempts, decisions), rollbacks, pauses and finish are what
practice judges a trainee against (the night's moves, the points they came at,
what followed them), and the verifier practice plays back answers as the
report says the verifier did. Both fixtures of the report's goldens are used:
a shared run with a rejection, a skip, a failure, two rollbacks, a process
that died and a step marked done by hand, and a clean solo run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from runbook_tui.engine.journal import read_events
from runbook_tui.engine.practice_results import compare
from runbook_tui.engine.recording import record
from runbook_tui.report import Report, build_report

DATA = Path(__file__).parents[1] / "report" / "data"
NAMES = ["change", "solo"]
_MOVE_OF_DECISION = {"skipped": "skip", "marked done": "mark done"}
_ANSWER = {"go-ahead": "confirmed", "confirmed": "confirmed", "go-ahead refused": "rejected", "rejected": "rejected"}


def moves_in_the_report(report: Report) -> list[tuple[str, str, str | None]]:
    """(when, what, step) of every assignee decision, read from the report alone (a rollback's step: None)."""
    assignee = report.session.assignee
    found: list[tuple[str, str, str | None]] = []
    for step in report.steps:
        found += [(a.started_at, "run" if a.number == 1 else "re-run", step.id) for a in step.attempts if not a.during_rollback]
        found += [(d.at, _MOVE_OF_DECISION[d.kind], step.id) for d in step.decisions if d.kind in _MOVE_OF_DECISION]
    found += [(r.started_at, "roll back", None) for r in report.rollbacks]
    found += [(p.at, "pause", None) for p in report.pauses if p.by == assignee]
    found += [(str(p.resumed_at), "resume", None) for p in report.pauses if p.ended_by == "resumed" and p.resumed_by == assignee]
    if report.session.finished_by == assignee and report.session.finished_at:
        found.append((report.session.finished_at, "finish", None))
    return sorted(found)


@pytest.mark.parametrize("name", NAMES)
def test_practice_judges_the_moves_the_report_records(name: str) -> None:
    journal = DATA / f"{name}.jsonl"
    night = read_events(journal).events
    report = build_report(journal)
    results = compare(night, night)
    moves = [p.night for p in results.points if p.night is not None]
    listed = [(m.at, m.kind, None if m.kind in ("roll back", "pause", "resume", "finish") else m.step) for m in moves]
    assert listed == moves_in_the_report(report)
    assert len(listed) == (12 if name == "change" else 8)
    # the night against itself: every decision point met, the same decision each time
    assert results.score == (len(moves), len(moves))
    assert all(p.trainee is not None and p.trainee.point == p.night.point for p in results.points if p.night is not None)


@pytest.mark.parametrize("name", NAMES)
def test_the_points_count_the_verdicts_the_report_lists(name: str) -> None:
    """A move's point (where the run stood) counts the confirmations and rejections the report lists before it."""
    journal = DATA / f"{name}.jsonl"
    report = build_report(journal)
    steps = {s.id: s for s in report.steps}
    results = compare(read_events(journal).events, [])
    for point in results.points:
        move = point.night
        assert move is not None and move.point.step is not None
        step = steps[move.point.step]
        verdicts = [d for d in step.decisions if d.kind in ("confirmed", "rejected") and d.at < move.at]
        attempts = [a for a in step.attempts if a.started_at < move.at]
        assert (move.point.verdicts, move.point.attempts) == (len(verdicts), len(attempts)), f"{move.kind} at {move.at}"


def test_why_it_matters_tells_what_the_report_records() -> None:
    """Each run's "why it matters" says how the report's attempt ended and the verdicts the report lists on it."""
    journal = DATA / "change.jsonl"
    report = build_report(journal)
    steps = {s.id: s for s in report.steps}
    results = compare(read_events(journal).events, [])
    runs = [p for p in results.points if p.night is not None and p.night.kind in ("run", "re-run")]
    assert len(runs) == 7
    for number, point in enumerate(runs):
        move = point.night
        assert move is not None and move.step is not None
        step = steps[move.step]
        attempt = next(a for a in step.attempts if a.started_at == move.at)
        failed = [f"{h.host} (exit {h.exit_code})" for h in attempt.hosts if h.status not in ("done", "ok")]
        if attempt.finished_at is None:
            assert "never recorded" in point.why
        elif failed:
            assert point.why.startswith(f"on the night it failed on {', '.join(failed)}")
        else:
            assert point.why.startswith("on the night it ran cleanly")
        following = [r.night.at for r in results.points[results.points.index(point) + 1 :] if r.night is not None]
        until = following[0] if following else "~"
        for decision in step.decisions:
            if decision.kind in ("confirmed", "rejected") and move.at < decision.at < until:
                assert f"{decision.by} {decision.kind} it" in point.why, (number, point.why)
    rejected = next(p for p in runs if p.step == "health")
    assert rejected.why == "on the night it ran cleanly; bob rejected it 40s later: web2 answered in 4.1 s; run it again before we touch anything"


@pytest.mark.parametrize("name", NAMES)
def test_the_recorded_verifier_answers_as_the_report_says_he_did(name: str) -> None:
    journal = DATA / f"{name}.jsonl"
    report = build_report(journal)
    recording = record(read_events(journal).events)

    def answers(go_ahead: bool) -> dict[str, list[tuple[str, str, str]]]:
        given = {
            s.id: [(_ANSWER[d.kind], d.reason or "", d.by) for d in s.decisions if d.kind in _ANSWER and d.kind.startswith("go-ahead") == go_ahead]
            for s in report.steps
        }
        return {step: them for step, them in given.items() if them}

    expected = answers(False)
    assert recording.verdicts == expected
    assert recording.go_aheads == answers(True)
    assert recording.verifier == (report.session.verifier if name == "change" else None)
    if name == "change":
        assert expected["health"][0] == ("rejected", "web2 answered in 4.1 s; run it again before we touch anything", "bob")
        assert expected["backup-config"] == [("confirmed", "", "bob")]  # the confirmation; the go-ahead before it apart:
        assert recording.go_aheads["backup-config"] == [("confirmed", "", "bob")]
