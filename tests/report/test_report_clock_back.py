"""The journal's times are the wall clock's (`ts`, ISO 8601 UTC): an NTP step or a resumed VM can set it back in the
middle of a run. The record then has an end before its start; the report says so instead of inventing hours."""

from __future__ import annotations

import json
from pathlib import Path

from runbook_tui.engine import events as ev
from runbook_tui.engine.journal import JournalWriter
from runbook_tui.report import build_report, render

PLAN = {"sections": [{"id": "impl", "kind": "implement", "steps": [{"id": "s", "title": "S", "hosts": [{"name": "local"}], "run": {"local": "true"}}]}]}


def journal_with_the_clock_set_back(path: Path) -> Path:
    """A solo run of one step whose end the clock stamped 2 s before its start (the chain is whole: `journal verify`
    passes it)."""
    times = iter(["2026-11-23T02:00:00.000Z", "2026-11-23T02:00:05.000Z", "2026-11-23T02:00:03.000Z", "2026-11-23T02:00:04.000Z"])
    writer = JournalWriter(path, clock=lambda: next(times))
    writer.append(ev.SESSION_STARTED, "alice", {"session": "s1", "runbook": "rb", "title": "T", "mode": "live", "plan": PLAN, "solo": "night shift"})
    writer.append(ev.STEP_STARTED, "alice", {"step": "s", "attempt": 1, "hosts": ["local"]})
    done = {"local": {"status": "done", "exit_code": 0, "error": None}}
    writer.append(ev.STEP_FINISHED, "system", {"step": "s", "status": "done", "hosts": done, "problems": [], "verified": False})
    writer.append(ev.SESSION_FINISHED, "alice", {"outcome": "done"})
    writer.close()
    return path


def test_a_duration_the_clock_made_negative_is_said_so_not_read_as_hours(tmp_path: Path) -> None:
    """Before: the attempt read `02:00:05 → 02:00:03 (-1h59m58s)` and the Steps table `-1h59m58s`: two hours to a board
    for a step whose end was stamped two seconds before its start."""
    report = build_report(journal_with_the_clock_set_back(tmp_path / "j.jsonl"))
    md, html = render(report, "md"), render(report, "html")
    said = "-2s, the clock went back"
    assert "- attempt 1: 02:00:05 → 02:00:03 (-2s, the clock went back) by alice: done" in md, md
    row = next(line for line in md.splitlines() if line.startswith("| 1 | s: S |"))
    assert row.endswith(f"| {said} |"), row
    assert f'<td class="num">{said}</td>' in html and "h59m" not in md + html
    assert json.loads(render(report, "json"))["steps"][0]["duration_seconds"] == -2.0  # the times as journaled
