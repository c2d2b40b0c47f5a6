"""An event in words, as `event_words.said` gives it (and the share's words, `share_words`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TypeVar

from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.lean_dataclass import dataclass

V = TypeVar("V")
_NUMBERS = lazy_re.compile(r"(\d+)")


@dataclass(frozen=True)
class Said:
    """An event in words: `lines[0]` the event, the rest its details (indented)."""

    mark: str
    lines: list[str]
    decision: bool = False  # a person decided (or joined, or left): the log, which has no time column, adds the time


def by_host(per_host: Mapping[str, V]) -> list[tuple[str, V]]:
    """A `{host: …}` of an event in the one order every view says hosts in: by name, its numbers as numbers (web2 before
    web10). The journal's lines hold their keys sorted and the live event as the run built it, so exec's line and the
    live log said `peer04: ok; peer03: ok; …` (the undo order) where replay and the report's timeline said `peer01: …`."""
    return sorted(per_host.items(), key=lambda item: _name_key(str(item[0])))


def in_host_order(names: Iterable[str]) -> list[str]:
    """Host names in the one order every view says hosts in (as `by_host`): a rollback's undo list runs them newest
    first, and the report's Outcome said `partly undone a (on peer04, peer03, peer02, …)` beside its row's `peer02, peer03, peer04`."""
    return sorted(names, key=_name_key)


def _name_key(name: str) -> list[tuple[int, int, str]]:
    """Runs of digits compared as numbers, by their length without leading zeros, then their digits (no int(): a forged
    journal's 5,000-digit name would be past Python's limit on converting text to int)."""
    return [(0, len(part.lstrip("0")), part.lstrip("0")) if part.isdecimal() else (1, 0, part) for part in _NUMBERS.split(name)]


def clock_words(value: object, beside: object) -> str:
    """A time the journal holds as ISO text, as exec's lines say times: `19:53:52` (UTC), with its date before it when
    it is another day than `beside` (the event's own `ts`); anything else as given. A silence's end read
    `until 2026-12-05T19:53:52.123Z` in exec's line, the log and the report's timeline, among times said `19:53:52`."""
    moment, near = _utc(value), _utc(beside)
    if moment is None:
        return "?" if value is None else str(value)
    return f"{moment:%H:%M:%S}" if near is not None and near.date() == moment.date() else f"{moment:%Y-%m-%d %H:%M:%S}"


def said_now(moment: object) -> str:
    """A time the journal holds, said now to a person (engine/said.clock_words, UTC), dated when it is another day than
    today: `ended at 04:00:00`, `active until 2026-12-06 00:10:00` (not the raw `2026-12-05T04:00:00.123Z`)."""
    return clock_words(moment, dt.datetime.now(dt.UTC).isoformat())


def _utc(value: object) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return None if moment is None else (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)


def said_above(hosts: Iterable[str], problems: Iterable[str]) -> set[str]:
    """The hosts a problem line names (`web2: timed out after 3s`): the run screen's and the report's host rows under
    it say their status alone, not its words again (`web2  TIMED OUT  timed out`)."""
    lines = list(problems)
    return {host for host in hosts if any(line.startswith(f"{host}: ") for line in lines)}
