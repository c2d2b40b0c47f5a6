"""A run past midnight (UTC): the report's times on the next day carry their date, and the report says its times are UTC.

Before, every time in the steps, rollbacks, guard trips and notes was a bare time of day (`00:00:12`) and only the
Summary's window said UTC and the date: a night change from 23:59 to 00:01 read `23:59:30 → 00:00:12` under one date,
the later times on the wrong day, and nothing near them said in which zone they were.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from runbook_tui.cli import main as cli_main
from runbook_tui.engine.journal import event_hash

DATA = Path(__file__).parent / "data"
#: solo.jsonl runs 18:05:00–18:06:07 on 2026-11-23: moved on, it starts at 23:59:30 and ends at 00:00:37 the next day.
SHIFT = dt.timedelta(hours=5, minutes=54, seconds=30)


def _shifted(path: Path) -> Path:
    prev, lines = "", []
    for seq, line in enumerate((DATA / "solo.jsonl").read_text(encoding="utf-8").splitlines()):
        event: dict[str, Any] = json.loads(line)
        moved = dt.datetime.fromisoformat(event["ts"].replace("Z", "+00:00")) + SHIFT
        event = {k: v for k, v in event.items() if k != "hash"} | {"seq": seq, "prev": prev, "ts": moved.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"}
        event["hash"] = prev = event_hash(event)
        lines.append(json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_times_after_midnight_carry_their_date_in_markdown_and_html(tmp_path: Path) -> None:
    journal = _shifted(tmp_path / "night.jsonl")
    for fmt in ("md", "html"):
        out = tmp_path / f"r.{fmt}"
        assert cli_main(["report", str(journal), "--format", fmt, "-o", str(out)]) == 0
        text = out.read_text(encoding="utf-8")
        assert "Times are UTC, on 2026-11-23 unless dated." in text, fmt
        late = re.findall(r"(?<!-24 )(?<![\d-])00:00:\d\d", text.split("Timeline")[0])  # the timeline is exec's lines, as printed
        dated = re.findall(r"2026-11-24 00:00:\d\d", text)
        assert dated, f"no time of 2026-11-24 carries its date in {fmt}"
        assert len(late) == 0, f"{fmt}: times of 2026-11-24 without their date: {late}"
        assert re.search(r"(?<![\d-])23:59:3\d", text), f"{fmt}: the start's day is dated where it need not be"


def test_the_timeline_names_each_new_day_before_its_first_event(tmp_path: Path) -> None:
    """The timeline keeps exec's lines (a time of day), and a line naming the day where a new one begins: before, a run
    past midnight (or resumed days later) read `23:59:54 … 00:00:12 …` with nothing saying the day had changed."""
    journal = _shifted(tmp_path / "night.jsonl")
    for fmt in ("md", "html"):
        out = tmp_path / f"r.{fmt}"
        assert cli_main(["report", str(journal), "--format", fmt, "-o", str(out)]) == 0
        timeline = out.read_text(encoding="utf-8").split("Timeline", 1)[1].splitlines()
        times = [i for i, line in enumerate(timeline) if re.match(r"\d\d:\d\d:\d\d ", line)]
        first_late = next(i for i in times if timeline[i].startswith("00:"))
        assert timeline[first_late - 1] == "── 2026-11-24 (UTC) ──", (fmt, timeline[first_late - 2 : first_late + 1])
        assert sum("── 2026-" in line for line in timeline) == 1, f"{fmt}: the start's day is named again, or another day"
        assert all(timeline[i].startswith("23:5") for i in times if i < first_late), fmt
