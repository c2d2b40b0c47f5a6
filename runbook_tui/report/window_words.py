"""The change window in the record's words: planned against actual, and whether the run stayed inside it."""

from __future__ import annotations

import datetime as dt

from runbook_tui.engine.history_model import WindowOverride
from runbook_tui.report.model import Report, Window

#: Runs the program starts at any time, inside the window or not (session.EXEMPT_FROM_WINDOW), in words.
_NOT_BOUND = {"practice": "a practice run", "dry-run": "a dry run", "rehearsal": "a rehearsal"}


def window_not_binding(report: Report) -> bool:
    """The run is one the change window does not bind: outside it is no finding."""
    return report.session.mode in _NOT_BOUND


def window_utc(window: Window) -> str:
    """The approved window in UTC, to compare with the journal's times."""
    start, end = _utc(window.start), _utc(window.end)
    if start is None or end is None:
        return ""
    return f"{start:%Y-%m-%d %H:%M:%S} UTC → {end:%Y-%m-%d %H:%M:%S} UTC"


def window_record(window: Window) -> str:
    """The Record's `Approved window`: in UTC as the Summary's `planned` (it read `2026-11-24T02:00:00+09:00 → ...` under
    `planned 2026-11-23 17:00:00 UTC`), and as the ticket writes it where that is in another zone; "" without one."""
    if window.start is None:
        return ""
    written = f"{window.start} → {window.end}"
    utc = window_utc(window)
    if not utc:
        return written
    return utc if all(str(t).endswith(("Z", "+00:00")) for t in (window.start, window.end)) else f"{utc} (as the ticket writes it: {written})"


def _utc(text: str | None) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(text) if text else None
    except ValueError:
        return None
    if moment is None:
        return None
    return moment.astimezone(dt.UTC) if moment.tzinfo else moment


def window_verdict(window: Window, open_: bool = False) -> str:
    """Whether the run stayed inside the approved window, in one line. A session the journal leaves open (`open_`) has
    no end: its last event is judged, and said so (it read `started and ended inside the window` of a run that never
    ended)."""
    if window.start is None or window.end is None:
        return "no window on the ticket"
    if window.stayed_inside:
        verdict = "yes so far: started inside the window, and the last event too" if open_ else "yes: started and ended inside the window"
    elif window.started_inside is False and window.ended_inside is False:
        verdict = "NO: started outside the window, and the last event too" if open_ else "NO: started and ended outside the window"
    elif window.started_inside is False:
        verdict = "NO: started outside the window"
    else:
        verdict = "NO: the last event came after the window" if open_ else "NO: ended after the window"
    if open_:
        verdict += " (the session has not finished)"
    return verdict + "".join(f"; {_override(given, len(window.overrides) > 1)}" for given in window.overrides)


def _override(given: WindowOverride, dated: bool) -> str:
    """One override in the verdict's words; `dated` (there are several) with the time it was given."""
    from runbook_tui.report.text import at_clock

    return f"{'went on' if given.resumed else 'started'} with an override by {given.by}{at_clock(given.at) if dated else ''}: {given.reason}"


def window_summary(report: Report) -> str:
    """Planned against actual, and whether the run stayed inside, in one line."""
    from runbook_tui.report.text import duration, when  # text re-exports these words: imported at use, not at load

    s, window = report.session, report.window
    actual = f"actual {when(s.started_at)} → {when(s.finished_at or s.last_event_at)} ({duration(s.duration_seconds)})"
    if window.start is None:
        return f"no window on the ticket; {actual}"
    verdict = window_verdict(window, s.finished_at is None)
    if window_not_binding(report) and verdict.startswith("NO: "):  # it read as a live change made out of hours
        clause, sep, rest = verdict.removeprefix("NO: ").partition("; ")
        verdict = f"{clause}, as {_NOT_BOUND[s.mode]} may be (the window binds live runs){sep}{rest}"
    return f"planned {window_utc(window) or f'{window.start} → {window.end}'}; {actual}; {verdict}"
