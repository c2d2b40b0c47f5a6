"""The report's times read one way, and their zone is said before the first of them. Before: the Summary's guard
trips and the Record's Participants (and handovers) gave bare `17:01:00` above the first `Times are UTC` line (in
Steps), and a silence's end read `2026-11-23T20:00:00Z` beside `expired at 18:07:07`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from runbook_tui.engine import events as ev
from runbook_tui.engine.journal import JournalWriter
from runbook_tui.report import build_report, render
from tests.report.test_report_outreach import AM, with_outreach

DATA = Path(__file__).parent / "data"
BARE = re.compile(r"(?<![\d:T-])\d\d:\d\d:\d\d(?! UTC)")  # a time of day with no zone after it


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_zone_is_said_before_the_first_bare_time(fmt: str) -> None:
    out = render(build_report(DATA / "change.jsonl"), fmt)
    said = out.index("Times are UTC, on 2026-11-23 unless dated.")
    first = BARE.search(out)
    assert first is not None and said < first.start(), out[: first.start() + 40] if first else out


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_silence_ends_read_as_the_other_times(tmp_path: Path, fmt: str) -> None:
    path = with_outreach(tmp_path)
    out = render(build_report(path), fmt)
    assert "still silencing until 20:00:00)" in out  # the session's day: the time alone, as the others
    writer = JournalWriter(path, clock=lambda: "2026-11-23T18:08:00.000Z")
    writer.append(ev.SILENCE_KEPT, "system", {"id": "sil-2", "alertmanager": AM, "until": "2026-11-24T02:00:00Z"})
    writer.close()
    out = render(build_report(path), fmt)
    assert "kept after the rollback until 2026-11-24 02:00:00" in out  # another day: dated, as the others
    own = out[: out.index("Timeline</h2>" if fmt == "html" else "## Timeline")]  # the Timeline is as exec prints events
    assert not re.search(r"\d\dT\d\d:\d\d:\d\dZ", own), re.findall(r".{40}\d\dT\d\d:\d\d:\d\dZ", own)


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_approved_window_reads_in_utc_as_the_summary_does(fmt: str) -> None:
    """Before: the Record's `Approved window` read `2026-11-24T02:00:00+09:00 → ...` under the Summary's `planned
    2026-11-23 17:00:00 UTC → ...`: one window, two days on a board's page. The ticket's own words stay beside it."""
    out = render(build_report(DATA / "change.jsonl"), fmt)
    utc = "2026-11-23 17:00:00 UTC → 2026-11-23 18:00:00 UTC"
    written = "(as the ticket writes it: 2026-11-24T02:00:00+09:00 → 2026-11-24T03:00:00+09:00)"
    assert f"Approved window | {utc} {written} |" in out if fmt == "md" else f"<dd>{utc} {written}</dd>" in out
