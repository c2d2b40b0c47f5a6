"""A step's record as a change board reads it: who asked for each rollback and when; who (or what) did a manual step."""

from __future__ import annotations

import json
from pathlib import Path

from runbook_tui.report import build_report, render
from tests.engine.test_event_shapes import rechained
from tests.report.test_report import journal, lines_of


def test_each_rollback_request_says_when_the_verifier_asked() -> None:
    """bob asked for a rollback at 04:02:15 and alice started it at 04:02:22; the Rollbacks section said `Requested by
    bob: REASON` with no time, and the JSON had no `requested_at`, so a change board could not tell how long the
    request waited. Now md, html and json give the time of each request, from its `rollback_requested` event."""
    asked = [e["ts"] for e in lines_of(journal("change")) if e["type"] == "rollback_requested"]
    report = build_report(journal("change"))
    assert [r.requested_at for r in report.rollbacks] == asked and len(asked) == 2, asked
    md, page, data = render(report, "md"), render(report, "html"), json.loads(render(report, "json"))
    for rollback in report.rollbacks:
        said = f"Requested by bob at {rollback.requested_at[11:19]}: {rollback.requested_reason}"
        assert f"- {said}" in md and f"<li>{said}</li>" in page, said
    assert [r["requested_at"] for r in data["rollbacks"]] == asked


def test_a_manual_step_acknowledged_by_exec_says_so_in_its_own_history() -> None:
    """`exec --ack-manual` marked the note step `announce` done with no person. The step's section said only
    `attempt 1: ... by alice: done`, as if alice had done it; the acknowledgement was in the Notes table alone. Now the
    step's history says it first, in md, html and json."""
    report = build_report(journal("solo"))
    step = next(s for s in report.steps if s.id == "announce")
    [ack] = [e for e in lines_of(journal("solo")) if e["type"] == "note" and e.get("request") == "ack_manual"]
    kinds = [entry.kind for entry in step.history]
    assert kinds[:2] == ["ack-manual", "attempt"], kinds
    said = f"{ack['text']} (exec run by alice at {ack['ts'][11:19]})"
    md, page, data = render(report, "md"), render(report, "html"), json.loads(render(report, "json"))
    assert f"- {said}\n- attempt 1:" in md and f"<li>{said}</li>" in page, said
    [announce] = [s for s in data["steps"] if s["id"] == "announce"]
    assert announce["history"][0]["kind"] == "ack-manual" and announce["history"][0]["words"] == ack["text"]


def test_a_pause_that_answers_the_verifiers_hold_says_so(tmp_path: Path) -> None:
    """In a real shared run bob pressed p (`bob asks to hold`) and alice paused. The Pauses table read `alice | — |`:
    the verifier's hold was in the Timeline alone, so the board saw the assignee pause for no reason. Now the pause
    says the hold it answered (md, html, json)."""
    events = lines_of(journal("solo"))
    at = next(n for n, e in enumerate(events) if e["type"] == "step_started" and e["step"] == "flip-flag")
    ts = events[at]["ts"]
    events[at:at] = [
        {"ts": ts, "type": "hold_requested", "actor": "bob", "reason": "bob: <b>5xx</b> climbing"},
        {"ts": ts, "type": "paused", "actor": "alice", "reason": "paused by alice"},
        {"ts": ts, "type": "resumed", "actor": "alice", "reason": "resumed"},
    ]
    report = build_report(rechained(events, tmp_path / "held.jsonl"))
    [pause] = report.pauses
    assert pause.asked == "bob: <b>5xx</b> climbing", pause
    md, page, data = render(report, "md"), render(report, "html"), json.loads(render(report, "json"))
    assert "| alice | a hold asked (bob: \\<b\\>5xx\\</b\\> climbing) |" in md, [line for line in md.splitlines() if "alice |" in line]
    assert "<td>a hold asked (bob: &lt;b&gt;5xx&lt;/b&gt; climbing)</td>" in page
    assert data["pauses"][0]["asked"] == "bob: <b>5xx</b> climbing"
