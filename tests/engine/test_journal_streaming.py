"""`journal verify` and `report` read a journal one line at a time: peak memory does not grow with its size.

The 1 GB measurement is `bench/journal_rss.py --check` (about 3 minutes); here the same
script compares a small and a five times larger journal, each command a whole process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from runbook_tui.engine.journal import (
    MAX_LINE_BYTES,
    JournalScan,
    JournalWriter,
    read_events,
)
from runbook_tui.engine.journal_events import JournalEvents

BENCH = Path(__file__).resolve().parents[2] / "bench" / "journal_rss.py"


def measure(size_mb: int) -> dict[str, list]:
    done = subprocess.run([sys.executable, str(BENCH), "--size-mb", str(size_mb), "--json"], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_peak_memory_of_verify_and_report_does_not_grow_with_the_journal() -> None:
    small, large = measure(8), measure(40)
    assert large["size_mb"] > 4 * small["size_mb"]
    for command in ("verify", "report"):
        assert large[command][0] < 100, large
        grown = large[command][0] - small[command][0]
        assert grown < 8, f"{command}: peak RSS grew {grown:.1f} MB for {large['size_mb'] - small['size_mb']:.0f} MB more journal"
    assert "intact" in large["verify"][2]


def test_a_journal_that_never_ends_a_line_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    """A huge damaged line stops at MAX_LINE_BYTES instead of exhausting memory (`/dev/zero` is not read at all)."""
    scan = JournalScan("/dev/zero")
    assert list(scan) == []
    assert scan.unreadable == "cannot read /dev/zero: expected a regular file, got a character device"
    damaged = tmp_path / "j.jsonl"
    writer = JournalWriter(damaged, new=True)
    writer.append("session_started", "alice")
    writer.close()
    with damaged.open("ab") as handle:
        handle.write(b"x" * (MAX_LINE_BYTES + 10) + b"\n")
    scan = JournalScan(damaged)
    assert len(list(scan)) == 1 and scan.unreadable is None
    assert scan.problems == [f"line 2: longer than {MAX_LINE_BYTES} bytes (not an event)"]


def test_replay_reads_events_from_the_file_as_asked_in_any_order(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    writer = JournalWriter(path, new=True)
    writer.append("session_started", "alice")
    for n in range(300):
        writer.append("note", "alice", {"text": f"note {n}"})
    writer.close()
    expected = read_events(path).events
    events, scan = JournalEvents.read(path)
    assert scan.intact and len(events) == len(expected) == 301
    assert list(events) == expected
    for index in (300, 0, 64, 63, 65, 200, 201, 202, 5, -1):  # back, forth, across index marks
        assert events[index] == expected[index]
    assert events[130:135] == expected[130:135]
    events.close()


@pytest.mark.parametrize("command", [["journal", "verify"], ["report"], ["replay"]])
def test_a_journal_that_is_a_fifo_is_refused_at_once(tmp_path: Path, command: list[str]) -> None:
    """`open()` of a FIFO with no writer used to block the reader for ever."""
    fifo = tmp_path / "f.jsonl"
    os.mkfifo(fifo)
    done = subprocess.run([sys.executable, "-m", "runbook_tui", *command, str(fifo)], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 2 and done.stderr.endswith(f"cannot read {fifo}: expected a regular file, got a FIFO\n"), done
