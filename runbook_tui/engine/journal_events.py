"""A verified journal's events as a sequence read from the file when asked (`replay`, `replay --practice`).

Replay moves back and forth through a run, so it wants indexing; holding every event would
make its memory the journal's size. This keeps one file offset per STRIDE events (8 bytes)
and reads events as they are asked for; reading on from the last one is one `readline`.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO, overload

from runbook_tui.engine.after_end import may_follow_end
from runbook_tui.engine.event_order import FirstImpossible
from runbook_tui.engine.events import SESSION_FINISHED, Event
from runbook_tui.engine.journal import JournalScan

STRIDE = 64


class JournalEvents(Sequence[Event]):
    def __init__(self, path: Path, count: int, marks: array[int], impossible: str | None = None) -> None:
        self.path = path
        self._count = count
        self._marks = marks  # offset of event i * STRIDE
        self.impossible = impossible  # the first event no run writes where it stood (`journal verify`'s sequence check)
        self._handle: BinaryIO | None = None
        self._next = -1  # the index the handle is positioned at (-1: unknown)

    @classmethod
    def read(cls, path: str | Path) -> tuple[JournalEvents, JournalScan]:
        """One checking pass (as `journal verify`: the chain and the event sequence); the scan says whether and where
        the chain broke, `impossible` the first event no run writes where it stood (a chain rewritten, its hashes recomputed)."""
        scan = JournalScan(path, finished_rule=True)
        marks = array("q")
        impossible = FirstImpossible()
        for index, event in enumerate(scan):
            if index % STRIDE == 0:
                marks.append(scan.offset)
            impossible(event)
        return cls(Path(path), scan.count, marks, impossible.found), scan

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> Event: ...
    @overload
    def __getitem__(self, index: slice) -> list[Event]: ...
    def __getitem__(self, index: int | slice) -> Event | list[Event]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(index)
        handle = self._open()
        if index != self._next:
            handle.seek(self._marks[index // STRIDE])
            for _ in range(index % STRIDE):
                handle.readline()
        event: dict[str, Any] = json.loads(handle.readline())
        self._next = index + 1
        return event

    def __iter__(self) -> Iterator[Event]:
        for index in range(self._count):
            yield self[index]

    def _open(self) -> BinaryIO:
        if self._handle is None:
            self._handle = self.path.open("rb")
        return self._handle

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def ends_finished(events: Sequence[Event]) -> bool:
    """Does the journal hold the run's end (`session_finished`)? Read from its end: only events that may follow the end
    (a review, a seal, a silence expired...) come after it, so a 200,000-event journal is not read whole (a replay
    scanned it twice, 1.8 s each, before its first frame)."""
    for index in range(len(events) - 1, -1, -1):
        event = events[index]  # read once: an index may cost a line's parse (a journal read lazily)
        if event["type"] == SESSION_FINISHED:
            return True
        if not may_follow_end(event):
            return False
    return False
