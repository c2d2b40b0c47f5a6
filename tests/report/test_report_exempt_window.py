"""The Window row of a run the change window does not bind (practice, dry run, rehearsal: the program lets them start
at any time) says so, not `NO: started outside the window` as of a live change made out of hours."""

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
