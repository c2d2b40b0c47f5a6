"""The assignee declines a rollback request on the record (real `sh` steps in tmp_path).

Before: a verifier's (or a guard's) rollback request could only be followed
(`u`) or left standing; nothing in the journal said the assignee had read it
and why the change went on, and a later rollback for another reason was
reported as the answer to it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rules_helpers import ALICE, BOB, TWO_STEPS, run_first_step, types_of

from runbook_tui.app.session import Session
from runbook_tui.engine.describe import describe
from runbook_tui.engine.history import History
from runbook_tui.engine.state import replay
from runbook_tui.trust import statements


async def _declined_once(s: Session) -> None:
    """Bob asks to roll back after the first step, alice declines with her reason, bob confirms the step."""
    c = s.controller
    await run_first_step(c)
    assert c.request_rollback(BOB, "p99 doubled").ok
    assert c.decline_rollback(ALICE, "p99 is the nightly batch, not this change").ok
    assert c.confirm(BOB).ok
    await c.wait_idle()


def test_the_assignee_declines_a_rollback_request_with_a_reason_the_verifier_reads(
    session_for: Callable[..., Any], tmp_path: Path, journal_events: Callable[..., Any]
) -> None:
    async def body(s: Session) -> None:
        c = s.controller
        await run_first_step(c)
        refused = c.decline_rollback(ALICE, "nothing asked")
        assert not refused.ok and "no rollback request" in refused.message
        assert "decline_rollback" not in c.allowed_intents()
        assert c.request_rollback(BOB, "p99 doubled").ok
        assert "decline_rollback" in c.allowed_intents() and "rollback" in c.allowed_intents()
        assert not c.decline_rollback(BOB, "my own request").ok, "only the assignee answers it"
        blank = c.decline_rollback(ALICE, "   ")
        assert not blank.ok and "needs a reason" in blank.message
        assert c.decline_rollback(ALICE, "  p99 is the nightly batch, not this change  ").ok
        assert c.state.rollback_requested is None and "decline_rollback" not in c.allowed_intents()
        assert c.confirm(BOB).ok  # the run goes on: nothing was rolled back
        assert c.rollback(ALICE, "checkpoint", acknowledged=True, reason="found a typo in the config").ok
        await c.wait_idle()

    session_for(TWO_STEPS)(body)
    [declined] = types_of(journal_events, tmp_path, type="rollback_declined")
    assert declined["actor"] == "alice" and declined["reason"] == "p99 is the nightly batch, not this change"
    assert "p99 doubled" in declined["request"]
    said = "\n".join(describe(declined))
    assert "rollback declined by alice: p99 is the nightly batch, not this change" in said and "p99 doubled" in said, said
    assert statements.ASSIGNEE_DECISIONS["rollback_declined"] == "decline_rollback", "a decision the assignee's key signs"
    events = journal_events(tmp_path / "journal.jsonl")
    assert replay(events).rollback_requested is None, "resume rebuilds it answered"
    [rollback] = History.of(events).rollbacks
    assert rollback.requested_by is None and rollback.reason == "found a typo in the config", "the later rollback did not answer bob's request"


def test_the_change_reports_summary_names_a_declined_rollback_request(
    session_for: Callable[..., Any], tmp_path: Path, journal_events: Callable[..., Any]
) -> None:
    """Before: a declined request was only in the timeline at the report's foot (and a row of the signatures table): the
    board read the Summary without learning that the verifier had asked to roll back and the change went on."""
    from runbook_tui.report import build_report, render

    session_for(TWO_STEPS)(_declined_once)
    report = build_report(tmp_path / "journal.jsonl")
    summary = render(report, "md").split("## Record")[0]
    [row] = [line for line in summary.splitlines() if line.startswith("| **Rollback requests declined** |")]
    assert "1: " in row and "rollback declined by alice: p99 is the nightly batch, not this change (asked: bob: p99 doubled)" in row, row
    html = render(report, "html").split("<h2>Record</h2>")[0]
    assert "<th>Rollback requests declined</th>" in html and "rollback declined by alice: p99 is the nightly batch" in html


def test_the_json_report_says_the_declined_request_in_the_same_words(
    session_for: Callable[..., Any], tmp_path: Path, journal_events: Callable[..., Any]
) -> None:
    """Before: `report --format json` had the decline only as a timeline line (no who asked, no step, no reason apart);
    now `rollbacks_declined` holds each, and its words are the ones exec, the log and the Markdown summary say."""
    import json

    from runbook_tui.report import build_report, render

    session_for(TWO_STEPS)(_declined_once)
    report = build_report(tmp_path / "journal.jsonl")
    [declined] = json.loads(render(report, "json"))["rollbacks_declined"]
    words = "rollback declined by alice: p99 is the nightly batch, not this change (asked: bob: p99 doubled)"
    assert declined | {"at": None} == {
        "at": None, "by": "alice", "reason": "p99 is the nightly batch, not this change", "request": "bob: p99 doubled", "asked_by": "bob",
        "step": "a", "words": words,
    }, declined  # fmt: skip
    [event] = types_of(journal_events, tmp_path, type="rollback_declined")
    assert declined["at"] == event["ts"] and words in "\n".join(describe(event)), describe(event)  # exec's and the log's line
    assert f"| **Rollback requests declined** | 1: {event['ts'][11:19]} {words} |" in render(report, "md"), "the Markdown's summary row"
