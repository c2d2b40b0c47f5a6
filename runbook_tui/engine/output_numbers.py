"""Each `output` event's `chunk`: its number among the output of its command, written by the journal, checked by `journal verify`.

A command's output is journaled as it comes, a chunk an event, and two chunks can be the same text in the same
millisecond (a command printing one short line at a time): without a number, a line copied into the journal (its
hashes recomputed) could not be told from one the command printed twice. The journal's writer numbers them, 0, 1, 2 ...
per step, host, stream and phase ("run" or "undo"), since that step (or its undo) started or the process
(`session_started`, `session_resumed`) began writing: `journal verify` counts the same way, so a chunk repeated or cut
from a journal is an impossible event. Journals written before session 37 have no `chunk`: their output is not counted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runbook_tui.engine import events as ev

#: The events after which a process numbers output from 0 again: all of it, or one step's.
_ALL = frozenset({ev.SESSION_STARTED, ev.SESSION_RESUMED})


class OutputNumbers:
    """The next `chunk` of every command's output, as the events so far leave it."""

    def __init__(self) -> None:
        self._next: dict[str, dict[tuple[str, str, str], int]] = {}  # step -> (host, stream, phase) -> next chunk

    def seen(self, event: Mapping[str, Any]) -> None:
        """An event other than `output`: a start numbers its step's output (the run's, or all of it for an undo, which may
        follow the run a lost link left before its own command) from 0 again."""
        kind = event.get("type")
        if kind in _ALL:
            self._next.clear()
        elif kind == ev.STEP_STARTED and (of := self._next.get(str(event.get("step")))) is not None:
            for key in [key for key in of if key[2] == "run"]:
                del of[key]
        elif kind == ev.UNDO_STARTED:
            self._next.pop(str(event.get("step")), None)

    def take(self, event: Mapping[str, Any]) -> int:
        """The number of this `output` event (counted: the next one of its command gets the next number)."""
        of, key = self._slot(event)
        number = of.get(key, 0)
        of[key] = number + 1
        return number

    def problem(self, event: Mapping[str, Any]) -> str | None:
        """What is wrong with an `output` event's `chunk` where the events before it leave the count (None: right, or a
        journal from before chunks were numbered); counted on from the number it holds."""
        if "chunk" not in event:
            return None
        of, key = self._slot(event)
        expected, chunk = of.get(key, 0), event["chunk"]
        if type(chunk) is not int:
            of[key] = expected + 1
            return f"has chunk {chunk!r}, not a number (the program numbers each command's output 0, 1, 2 ...)"
        of[key] = chunk + 1
        if chunk == expected:
            return None
        how = "repeats an earlier chunk" if chunk < expected else "comes after chunks that are not in the journal"
        return (
            f"of '{event.get('step')}' on {event.get('host')} ({event.get('stream')}) is chunk {chunk} where chunk {expected} was next: it {how}"
            " (the program numbers each command's output 0, 1, 2 ...: a line copied or cut, its hashes recomputed)"
        )

    def _slot(self, event: Mapping[str, Any]) -> tuple[dict[tuple[str, str, str], int], tuple[str, str, str]]:
        """The counts of the event's step, and the event's command's key among them."""
        of = self._next.setdefault(str(event.get("step")), {})
        return of, (str(event.get("host")), str(event.get("stream")), str(event.get("phase") or "run"))
