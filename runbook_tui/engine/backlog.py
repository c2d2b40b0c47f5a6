"""The end of a run's story, read from its journal: what the output pane showed before the process stopped.

`resume` folds the whole journal into a state, which keeps each step's output
tail but not the story around it (who started what, the confirmations, the
rollback). The pane of the resumed run starts from the journal's last events,
turned into lines the way the live pane and replay turn every event
(`ui.log_lines`), so it reads as it did before: one truth, from the same
events. They are read backwards from the end of the file, so a journal of any
length costs the same few milliseconds (folding them as they pass cost 0.3 s
on 200,000 events: `bench/long_run.py`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import orjson

from runbook_tui.engine import events as ev
from runbook_tui.engine.events import Event

#: Lines of output a run's pane keeps (the journal has all of it); the backlog holds events enough for as many.
PANE_LINES = 5000
#: ... and never more text than this, however long the lines (a step printing 256 KiB chunks without a newline).
PANE_CHARACTERS = 4 * 1024 * 1024
#: Bytes read from the end at a time.
BLOCK = 256 * 1024


def last_events(path: str | Path, lines: int = PANE_LINES, characters: int = PANE_CHARACTERS, until: int | None = None) -> list[Event]:
    """The journal's last events that make up the pane's last `lines` lines (at most `characters` of output text, and
    the last event whatever its size), oldest first; metric readings are not on the pane and are passed over.

    The journal was read and verified whole before (`resume`): a line that is not an event ends the search. `until`:
    the bytes from there on are left out (a torn last line, dropped only once the resume opens the journal)."""
    found: list[Event] = []
    shown = text = 0
    for raw in _lines_backwards(path, until):
        try:
            event = orjson.loads(raw)
        except orjson.JSONDecodeError:
            break
        if not isinstance(event, dict) or event.get("type") == ev.METRIC_SAMPLE:
            continue
        output = event.get("text") if event.get("type") == ev.OUTPUT else None
        if isinstance(output, str):
            if found and text + len(output) > characters:
                break
            shown, text = shown + output.count("\n") + 1, text + len(output)
        else:
            shown += 1
        found.append(event)
        if shown >= lines:
            break
    found.reverse()
    return found


def _lines_backwards(path: str | Path, until: int | None = None) -> Iterator[bytes]:
    """The complete lines of a file (of its first `until` bytes), last first, read in blocks from its end."""
    with open(path, "rb") as handle:
        end = handle.seek(0, os.SEEK_END) if until is None else until
        rest = b""  # the start of the line the last block read began inside: the next block completes it
        while end > 0:
            start = max(0, end - BLOCK)
            handle.seek(start)
            parts = (handle.read(end - start) + rest).split(b"\n")
            end = start
            rest = parts.pop(0) if start > 0 else b""
            yield from (line for line in reversed(parts) if line)
