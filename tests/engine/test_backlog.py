"""The backlog a resumed run's pane starts from: the journal's last events, enough for the pane's lines, bounded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from runbook_tui.engine import backlog
from runbook_tui.engine.backlog import last_events


def _output(text: str) -> dict[str, Any]:
    return {"type": "output", "step": "s", "host": "h", "stream": "stdout", "text": text}


def _journal(tmp_path: Path, events: list[dict[str, Any]]) -> Path:
    path = tmp_path / "j.jsonl"
    path.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in events))
    return path


def test_it_reads_the_last_events_that_make_up_the_panes_lines_across_blocks(tmp_path: Path, monkeypatch: Any) -> None:
    """Read from the end in blocks smaller than a line: lines split between blocks come back whole, in order."""
    monkeypatch.setattr(backlog, "BLOCK", 7)
    journal = [{"type": "step_started", "step": "s"}] + [_output(f"{i}a\n{i}b\n") for i in range(100)] + [{"type": "metric_sample", "value": 1}]
    kept = last_events(_journal(tmp_path, journal), lines=10)
    assert kept == journal[-5:-1], "the last output events with at least 10 lines (3 each counted), not the reading"
    assert last_events(_journal(tmp_path, journal[:3]), lines=1000) == journal[:3], "a short journal whole, its first line too"


def test_lines_without_a_newline_cannot_hold_the_memory_of_a_long_journal(tmp_path: Path) -> None:
    """A step printing 256 KiB chunks without a newline: one line each, but the text kept stays under the bound."""
    journal = [_output("x" * 256 * 1024) for _ in range(100)]
    kept = last_events(_journal(tmp_path, journal), lines=5000, characters=1024 * 1024)
    assert len(kept) == 4 and sum(len(e["text"]) for e in kept) <= 1024 * 1024


def test_the_last_event_is_kept_however_large(tmp_path: Path) -> None:
    assert len(last_events(_journal(tmp_path, [_output("a" * 100)]), lines=1, characters=10)) == 1
