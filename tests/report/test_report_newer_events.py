"""A journal a newer version wrote: events of a kind this version does not know are flagged where a change board
starts reading, not only passed through the timeline as if they were understood."""

from __future__ import annotations

import json
from pathlib import Path

from runbook_tui.engine.journal import read_events
from runbook_tui.report import build_report, render
from runbook_tui.report.markdown import esc
from tests.engine.test_event_shapes import rechained

DATA = Path(__file__).parent / "data"


def _with_a_newer_event(tmp_path: Path) -> Path:
    """The solo fixture with `step_quarantined` (a kind this version never wrote) after its first step finished, and its
    hash chain recomputed: `journal verify` passes it, as it passes any event of a newer version."""
    events = [dict(e) for e in read_events(DATA / "solo.jsonl").events]
    after = next(i for i, e in enumerate(events) if e["type"] == "step_finished")
    newer = {"type": "step_quarantined", "ts": events[after]["ts"], "actor": "alice", "step": events[after]["step"], "reason": "[b]bad[/b] disk"}
    return rechained([*events[: after + 1], newer, *events[after + 1 :]], tmp_path / "newer.jsonl")


def test_events_this_version_does_not_know_are_flagged_in_every_format(tmp_path: Path) -> None:
    """Before: the Summary read as for any journal, and the event was one more line in the Timeline at the foot, with
    nothing saying the report had not understood it (a quarantined step counted `done`)."""
    path = _with_a_newer_event(tmp_path)
    report = build_report(path)
    md, html, data = render(report, "md"), render(report, "html"), json.loads(render(report, "json"))
    banner = "1 event of a kind this version does not know (step_quarantined by alice at "
    head = md.split("## Summary")[0]
    assert f"> **Warning:** {esc(banner)}" in head and "the Summary and the Steps leave out what it records" in head, head
    assert banner in html.split("<h2>Summary</h2>")[0]
    [entry] = data["unknown_events"]
    assert (entry["type"], entry["actor"]) == ("step_quarantined", "alice") and entry["seq"] > 0, entry


def test_a_journal_of_known_events_has_no_such_flag() -> None:
    report = build_report(DATA / "solo.jsonl")
    assert "does not know" not in render(report, "md") and "unknown_events" not in json.loads(render(report, "json"))


def test_the_timeline_names_who_wrote_an_event_this_version_does_not_know(tmp_path: Path) -> None:
    """The Timeline, where the banner sends the board, read `17:02:14 step_quarantined   reason=[b]bad[/b] disk,
    step=…`: not who did it, nor that this version cannot read it (replay's log said both, in words of its own)."""
    report = build_report(_with_a_newer_event(tmp_path))
    line = next(line for line in render(report, "md").split("## Timeline")[1].splitlines() if "step_quarantined" in line)
    assert line.split("step_quarantined", 1)[1].lstrip().startswith("by alice, not known to this version: reason=[b]bad[/b] disk, step="), line
