"""What a reader checks of each event after its hash: its fields as events.py declares them, and what the fold needs.

A journal whose chain holds can still hold events this program never writes (an editor that recomputed
the hashes, another tool's bug): `step_finished.hosts` a list, a `step_started` of a step not in the plan,
a `ts` that is not a time. The fold, the report and the replay take the events as the program writes them,
so the journal's reader (`journal.JournalScan`) checks every event here once, as it reads it, and refuses
the journal at the first that does not fit: "line N: TYPE: FIELD is ..., expected ...".

Fields may be absent when the fold does without them (older writers left some out); a field present must
have the declared kind. Unknown event types and unknown fields pass (newer writers may add them).
The `output` events the runner writes canonically are checked by `journal_lines` already (each field text);
of them only `ts` is checked here (`ts_problem`).

Numbers: the journal is strict JSON, so NaN and Infinity (which Python's `json` reads and writes) are refused
wherever they stand, and so is an integer no float can hold (past about 1.8e308) outside `session_started`
(whose params keep a runbook's integers as given): the readers draw and compare readings, thresholds and
intervals as floats.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any, get_args, get_origin

from runbook_tui.engine import events as ev
from runbook_tui.engine.event_table import fields, fits, shown
from runbook_tui.engine.events import Event

#: Fields the fold, the report or the replay read without a default: an event without one cannot be shown.
_NEEDED: Mapping[str, tuple[str, ...]] = {
    ev.SESSION_FINISHED: ("outcome",),
    ev.STEP_FINISHED: ("status",),
    ev.ROLLBACK_STARTED: ("scope",),
    ev.METRIC_SAMPLE: ("panel",),
    ev.METRIC_BASELINE: ("panel",),
    ev.PARTICIPANT_JOINED: ("name",),
    ev.PARTICIPANT_LEFT: ("name",),
    ev.SILENCE_CREATED: ("id",),
    ev.SILENCE_EXTENDED: ("id",),
}

#: Events about one step of the plan: their `step` must be one (the fold keeps a state per planned step).
_OF_A_STEP = frozenset(
    {
        ev.STEP_STARTED, ev.STEP_FINISHED, ev.STEP_CONFIRMED, ev.STEP_REJECTED, ev.STEP_SKIPPED, ev.STEP_MARKED_DONE,
        ev.CHECKPOINT_REACHED, ev.WAVE_STARTED, ev.WAVE_FINISHED, ev.WAVE_CONFIRMED, ev.WAVE_REJECTED,
        ev.HOST_FINISHED, ev.UNDO_STARTED, ev.UNDO_HOST_FINISHED, ev.UNDO_FINISHED,
    }
)  # fmt: skip


def ts_problem(ts: str) -> str | None:
    """What is wrong with an event's `ts` (text, checked by the chain's reader), or None: an ISO 8601 time in UTC.

    UTC, as the journal's contract says: screens and reports show a time's clock as written (`09:00:00`), so a
    `+02:00` time would read two hours off beside the others (the program writes `Z`)."""
    try:
        moment = dt.datetime.fromisoformat(ts)
    except ValueError:
        return f"ts is {_kind(ts)}, expected an ISO 8601 time (such as 2026-01-31T09:00:00.000Z)"
    if moment.tzinfo is None:
        return f"ts {ts!r} has no time zone, expected a UTC time (ending in Z)"
    return None if moment.utcoffset() == dt.timedelta(0) else f"ts {ts!r} is not in UTC, expected a UTC time (ending in Z)"


class EventShapes:
    """Checks a journal's events in order; remembers the plan's steps from its `session_started`."""

    def __init__(self) -> None:
        self.steps: frozenset[str] = frozenset()

    def problem(self, event: Event) -> str | None:
        """What is wrong with `event` (an event the chain holds), as "TYPE: what", or None."""
        kind = event["type"]
        found = ts_problem(event["ts"]) or next(_field_problems(event, kind), None) or _number_problem(event, kind) or self._meaning_problem(event, kind)
        return None if found is None else f"{kind}: {found}"

    def _meaning_problem(self, event: Event, kind: str) -> str | None:
        if kind == ev.SESSION_STARTED:
            plan = event.get("plan", {})  # none: a plan of no steps (the fold's default), so any step event is refused
            problem = _plan_problem(plan) or _ticket_problem(event.get("ticket"))
            if problem is None:
                self.steps = frozenset(step["id"] for section in plan.get("sections", ()) for step in section["steps"])
            return problem
        if kind in _OF_A_STEP and event.get("step") not in self.steps:
            return f"step {event.get('step')!r} is not a step of the plan in session_started"
        if kind == ev.METRIC_SAMPLE and isinstance(event.get("ts_sample"), str) and ts_problem(event["ts_sample"]):
            return f"ts_sample is {_kind(event['ts_sample'])}, expected an ISO 8601 time in UTC (ending in Z)"
        return None


def _field_problems(event: Event, kind: str) -> Iterator[str]:
    declared = _declared(kind)
    for name in _NEEDED.get(kind, ()) + (("step",) if kind in _OF_A_STEP else ()):
        if name not in event:
            yield f"no {name} (expected {shown(declared[name])})"
    for name, hint in declared.items():
        if name in event and not fits(event[name], hint):
            yield _misfit(name, event[name], hint)


def _number_problem(event: Event, kind: str) -> str | None:
    """The first number in `event` no reader can take: NaN, ±Infinity, or (outside session_started) an integer past float's range."""
    whole_integers = kind == ev.SESSION_STARTED
    stack: list[tuple[str, Any]] = [(name, value) for name, value in event.items()]
    while stack:
        where, value = stack.pop()
        if type(value) is dict:
            stack += ((f"{where}[{key!r}]", inner) for key, inner in value.items())
        elif type(value) is list:
            stack += ((f"{where}[{index}]", inner) for index, inner in enumerate(value))
        elif type(value) is float and not math.isfinite(value):
            return f"{where} is {json.dumps(value)}, expected a finite number (a journal is strict JSON: no NaN or Infinity)"
        elif type(value) is int and not whole_integers and not -_FLOAT_MAX <= value <= _FLOAT_MAX:
            return f"{where} is a number of {len(str(abs(value)))} digits, expected one a float can hold (at most about 1.8e308)"
    return None


#: Floats' largest value as an integer: larger integers cannot be read as floats.
_FLOAT_MAX = int(sys.float_info.max)


def _misfit(name: str, value: Any, hint: Any) -> str:
    """Where in `value` (which does not fit `hint`) it goes wrong: the innermost member that does not fit, named from `name`."""
    origin = get_origin(hint)
    if origin is dict and type(value) is dict:
        key, item = get_args(hint)
        for member, inner in value.items():
            if not fits(member, key):
                return f"{name} has the key {_kind(member)}, expected {shown(key)}"
            if not fits(inner, item):
                return _misfit(f"{name}[{member!r}]", inner, item)
    if origin is list and type(value) is list:
        (item,) = get_args(hint)
        return next(_misfit(f"{name}[{index}]", inner, item) for index, inner in enumerate(value) if not fits(inner, item))
    return f"{name} is {_kind(value)}, expected {shown(hint)}"


@cache
def _declared(kind: str) -> dict[str, Any]:
    """A type's fields and their annotations (an unknown type: none)."""
    return {name: hint for name, (hint, _required) in fields(kind).items()} if kind in ev.VOCABULARY else {}


def _plan_problem(plan: Mapping[str, Any]) -> str | None:
    sections = plan.get("sections", [])
    if not isinstance(sections, list):
        return f"plan.sections is {_kind(sections)}, expected a list"
    for number, section in enumerate(sections):
        where = f"plan.sections[{number}]"
        if type(section) is not dict or type(section.get("kind")) is not str or type(section.get("steps")) is not list:
            return f"{where} is not as this program writes it, expected an object with text kind and a list of steps"
        for index, step in enumerate(section["steps"]):
            if type(step) is not dict or type(step.get("id")) is not str:
                return f"{where}.steps[{index}] is not as this program writes it, expected an object with a text id"
    return None


def _ticket_problem(ticket: Mapping[str, Any] | None) -> str | None:
    window = (ticket or {}).get("window")
    if window is None:
        return None
    if type(window) is not dict:
        return f"ticket.window is {_kind(window)}, expected an object"
    return next(
        (f"ticket.window.{end} is {_kind(window[end])}, expected text or null" for end in ("start", "end") if not fits(window.get(end), str | None)), None
    )


def _kind(value: Any) -> str:
    """A value in a few words (the value itself may be long, or hold escapes)."""
    if isinstance(value, str):
        return f"{value[:40]!r}" if len(value) <= 40 else f"a text of {len(value)} characters"
    if value is None:
        return "null"
    return {bool: "a bool", int: "a number", float: "a number", list: "a list", dict: "an object"}.get(type(value), type(value).__name__)
