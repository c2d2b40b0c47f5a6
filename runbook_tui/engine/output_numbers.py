"""Each `output` event's `chunk` and each `metric_sample`'s `reading`: its number among its command's output (its
panel's readings), written by the journal, checked by `journal verify`.

A command's output is journaled as it comes, a chunk an event, and two chunks can be the same text in the same
millisecond (a command printing one short line at a time): without a number, a line copied into the journal (its
hashes recomputed) could not be told from one the command printed twice. The journal's writer numbers them, 0, 1, 2 ...
per step, host, stream and phase ("run" or "undo"), since that step (or its undo) started or the process
(`session_started`, `session_resumed`) began writing: `journal verify` counts the same way, so a chunk repeated or cut
from a journal is an impossible event. Journals written before session 37 have no `chunk`: their output is not counted.

A metric reading is numbered the same way, 0, 1, 2 ... per panel since the process began writing (since session 38):
a reading copied (a spike made to last, a guard's trip given more evidence) or cut (a spike hidden) is impossible too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runbook_tui.engine import events as ev

#: The events after which a process numbers output from 0 again: all of it, or one step's.
_ALL = frozenset({ev.SESSION_STARTED, ev.SESSION_RESUMED})
#: The field each numbered event's number is in.
NUMBERED = {ev.OUTPUT: "chunk", ev.METRIC_SAMPLE: "reading"}

Counts = dict[tuple[str, str, str], int]


class OutputNumbers:
    """The next `chunk` of every command's output and the next `reading` of every panel, as the events so far leave them."""

    def __init__(self) -> None:
        self._next: dict[str, Counts] = {}  # step -> (host, stream, phase) -> next chunk
        self._readings: Counts = {}  # (panel, "", "") -> next reading

    def seen(self, event: Mapping[str, Any]) -> None:
        """An event numbered nothing: a start numbers its step's output (the run's, or all of it for an undo, which may
        follow the run a lost link left before its own command) from 0 again."""
        kind = event.get("type")
        if kind in _ALL:
            self._next.clear()
            self._readings.clear()
        elif kind == ev.STEP_STARTED and (of := self._next.get(str(event.get("step")))) is not None:
            for key in [key for key in of if key[2] == "run"]:
                del of[key]
        elif kind == ev.UNDO_STARTED:
            self._next.pop(str(event.get("step")), None)

    def take(self, event: Mapping[str, Any]) -> int:
        """The number of this `output` (or `metric_sample`) event (counted: the next one of its command gets the next number)."""
        of, key = self._slot(event)
        number = of.get(key, 0)
        of[key] = number + 1
        return number

    def problem(self, event: Mapping[str, Any]) -> str | None:
        """What is wrong with a numbered event's number where the events before it leave the count (None: right, or a
        journal from before they were numbered); counted on from the number it holds."""
        field = NUMBERED[str(event.get("type"))]
        if field not in event:
            return None
        of, key = self._slot(event)
        expected, number = of.get(key, 0), event[field]
        whose = "each command's output" if field == "chunk" else "each panel's readings"
        if type(number) is not int:
            of[key] = expected + 1
            return f"has {field} {number!r}, not a number (the program numbers {whose} 0, 1, 2 ...)"
        of[key] = number + 1
        if number == expected:
            return None
        how = f"repeats an earlier {field}" if number < expected else f"comes after {field}s that are not in the journal"
        of_what = f"of panel '{event.get('panel')}'" if field == "reading" else f"of '{event.get('step')}' on {event.get('host')} ({event.get('stream')})"
        return f"{of_what} is {field} {number} where {field} {expected} was next: it {how} (the program numbers {whose} 0, 1, 2 ...: a line copied or cut, its hashes recomputed)"

    def _slot(self, event: Mapping[str, Any]) -> tuple[Counts, tuple[str, str, str]]:
        """The counts of the event's step (or the readings), and the event's command's (panel's) key among them."""
        if event.get("type") == ev.METRIC_SAMPLE:
            return self._readings, (str(event.get("panel")), "", "")
        of = self._next.setdefault(str(event.get("step")), {})
        return of, (str(event.get("host")), str(event.get("stream")), str(event.get("phase") or "run"))
