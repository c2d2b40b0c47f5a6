"""The record of a run that was not a live change: the Window row of a run the change window does not bind (practice,
dry run, rehearsal: the program lets them start at any time) says so, not `NO: started outside the window` as of a live
change made out of hours; a practice's recorded verifier is the night's, played back."""

from __future__ import annotations

from pathlib import Path

import pytest

from runbook_tui.engine.journal import read_events
from runbook_tui.report import build_report, render
from runbook_tui.report.markdown import esc
from tests.engine.test_event_shapes import rechained

DATA = Path(__file__).parent / "data"


def _moved(tmp_path: Path, mode: str) -> Path:
    """The solo fixture as a run of `mode` made a week after its ticket's window closed."""
    events = [dict(e) for e in read_events(DATA / "solo.jsonl").events]
    started = dict(events[0])
    started["mode"] = mode
    started["ticket"] = {**started["ticket"], "window": {"start": "2026-11-16T01:00:00+00:00", "end": "2026-11-16T03:00:00+00:00"}}
    return rechained([started, *events[1:]], tmp_path / f"{mode}.jsonl")


@pytest.mark.parametrize(("mode", "said"), [("practice", "a practice run"), ("dry-run", "a dry run"), ("rehearsal", "a rehearsal")])
def test_a_run_the_window_does_not_bind_is_not_flagged_outside_it(tmp_path: Path, mode: str, said: str) -> None:
    report = build_report(_moved(tmp_path, mode))
    md, html = render(report, "md"), render(report, "html")
    row = next(line for line in md.splitlines() if line.startswith("| **Window** |"))
    words = f"outside the window, as {said} may be (the window binds live runs)"
    assert esc(words) in row and "NO:" not in row, row  # before: NO: started and ended outside the window
    assert '<td class="muted">planned' in html and words in html


def test_a_live_run_outside_its_window_is_still_flagged(tmp_path: Path) -> None:
    report = build_report(_moved(tmp_path, "live"))
    row = next(line for line in render(report, "md").splitlines() if line.startswith("| **Window** |"))
    assert "NO: started and ended outside the window" in row, row


def _practised(tmp_path: Path, night_verifier: str) -> Path:
    """The shared fixture as a practice's journal: every word of the verifier (`night_verifier` on the night) given by
    the recorded verifier, as practice journals it (`bob (recorded)`)."""
    events = [dict(e) for e in read_events(DATA / "change.jsonl").events]
    events[0]["mode"] = "practice"
    for event in events:
        if event.get("actor") == "bob":
            event["actor"] = f"{night_verifier} (recorded)"
    return rechained(events, tmp_path / "practised.jsonl")


def test_the_recorded_verifier_of_a_practice_is_the_tickets_verifier_played_back(tmp_path: Path) -> None:
    """Before: `bob (recorded) (4 steps); bob (recorded) is NOT the ticket's verifier (bob)`; then `bob (recorded) (4
    steps)`, two parentheses in a row where one says both (session 38)."""
    row = next(line for line in render(build_report(_practised(tmp_path, "bob")), "md").splitlines() if line.startswith("| **Verifier** |"))
    assert row == "| **Verifier** | bob (4 steps, the night's words played back) |", row
    # a night whose verifier was another is still said so
    other = next(line for line in render(build_report(_practised(tmp_path, "carol")), "md").splitlines() if line.startswith("| **Verifier** |"))
    assert other == "| **Verifier** | carol (4 steps, the night's words played back); carol is NOT the ticket's verifier (bob) |", other
