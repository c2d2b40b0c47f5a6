"""Who was joined when the assignee's process died: the record does not say they left then.

The fixture's shared run (make_fixture.py) lost its process at 17:05:53 with bob joined; nobody journaled his leave,
and `resume` went on at 17:08:53, where bob joined again. The Participants row read `bob (verifier) 17:01:00–17:05:53`,
as if he had left at the last event the dead process wrote (walked: a verifier who joined a resumed process killed
with `kill -9` twelve seconds later read `00:22:45–00:22:45`, joined and gone at once). He was there until the program
stopped, when no record says; the row says so, and the JSON has `gone_with_process`.
"""

from __future__ import annotations

import json
from pathlib import Path

from runbook_tui.report import build_report, render

FIXTURE = Path(__file__).parent / "data" / "change.jsonl"


def test_a_participant_of_a_process_that_died_is_not_said_to_have_left() -> None:
    report = build_report(FIXTURE)
    row = "bob (verifier) 17:01:00 until the program stopped (after 17:05:53), bob (verifier) 17:08:53–17:16:17"
    assert f"| Participants | {row} |" in render(report, "md")
    assert f"<dt>Participants</dt><dd>{row}</dd>" in render(report, "html")
    spans = [(p["joined_at"], p["left_at"], p["gone_with_process"]) for p in json.loads(render(report, "json"))["session"]["participants"]]
    assert spans == [
        ("2026-11-23T17:01:00.400Z", "2026-11-23T17:05:53.700Z", True),
        ("2026-11-23T17:08:53.900Z", "2026-11-23T17:16:17.500Z", False),
    ]
