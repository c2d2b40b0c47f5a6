"""`report --format cast`: the run as an asciicast v2 recording an auditor can play back.

The file is what `exec` would have printed, at the moment the journal says
it happened: a header line (`version` 2, size, the session's start as
`timestamp`, its title), then `[seconds, "o", text]` for each event in words
and each line of recorded output, and `[seconds, "m", label]` markers where a
step attempt or a rollback starts (the asciinema player jumps between them).
Metric samples are left out; the report's Metrics section has them.

Every line goes through `visible_line`: recorded output is hostile and must
not drive the player's terminal (no escape sequence survives, one event per
line). `asciinema play FILE` and the asciinema web player accept it;
`idle_time_limit` keeps playback short without changing the recorded times.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from runbook_tui.engine import events as ev
from runbook_tui.engine.describe import describe
from runbook_tui.engine.events import Event
from runbook_tui.engine.history_moments import parse_ts
from runbook_tui.engine.state import RunState, apply, initial
from runbook_tui.report.assemble import read_verified
from runbook_tui.report.rollback_words import rollback_heading
from runbook_tui.runbook.safe_text import visible_line

#: Terminal rows of the recording; the width follows the longest line, within these bounds.
HEIGHT = 30
MIN_WIDTH, MAX_WIDTH = 80, 200
#: Pauses longer than this play as this long (the file keeps the real times).
IDLE_TIME_LIMIT = 2.0
#: The last line of a recording whose journal has no `session_finished`.
OPEN_END = "-- the journal ends here: the session has not finished (no session_finished) --"
#: The same for a run that ended, was reopened (`resume --rollback` of a failed run) and has not ended again.
OPEN_END_REOPENED = "-- the journal ends here: the session was reopened and has not finished again (no session_finished since) --"


def render_cast(path: str | Path) -> str:
    """The asciicast v2 text of one journal; ReportError when it is unreadable or was tampered with."""
    recorder = _Recorder()
    integrity = read_verified(path, recorder.feed)
    records = recorder.records
    if not integrity.verified:
        end = records[-1][0] if records else 0.0
        records.append([end, "o", visible_line(f"journal verify fails: {'; '.join(integrity.problems)}") + "\r\n"])
    if not recorder.finished:  # the process died, or the run goes on: the recording stopped mid-output and said nothing
        records.append([records[-1][0] if records else 0.0, "o", f"{OPEN_END_REOPENED if recorder.reopened else OPEN_END}\r\n"])
    longest = max((len(line) for _, code, text in records if code == "o" for line in text.split("\r\n")), default=0)
    session = recorder.session
    ticket = (session.get("ticket") or {}).get("id") or "no ticket"
    start = recorder.start
    header: dict[str, Any] = {
        "version": 2,
        "width": max(MIN_WIDTH, min(MAX_WIDTH, longest)),
        "height": HEIGHT,
        "timestamp": int(start.timestamp()) if start else 0,
        "idle_time_limit": IDLE_TIME_LIMIT,
        "title": visible_line(f"{session.get('title', '')} ({ticket}), journal {Path(path).name}"),
        "env": {"TERM": "xterm-256color"},
    }
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in [header, *records])


class _Recorder:
    """`[seconds, "o" | "m", text]` in journal order, times never going back, as the events stream in."""

    def __init__(self) -> None:
        self.records: list[list[Any]] = []
        self.session: Event = {}
        self.start: dt.datetime | None = None
        self.last = 0.0
        self.finished = False  # the last session_finished is not followed by a session_reopened
        self.reopened = False
        self.state: RunState = initial()  # the run so far: a rollback's end names its checkpoint, as exec's line does
        self.rollbacks = 0  # started so far: the report numbers them so

    def feed(self, event: Event) -> None:
        self.state = apply(self.state, event)
        if not self.session:
            self.session, self.start = event, parse_ts(str(event["ts"]))
        moment = parse_ts(str(event.get("ts")))
        if self.start is not None and moment is not None:
            self.last = max(self.last, round((moment - self.start).total_seconds(), 3))
        if event["type"] in (ev.SESSION_FINISHED, ev.SESSION_REOPENED):  # a reopened run ended when it ends again (the
            self.finished = event["type"] == ev.SESSION_FINISHED  # recording of one cut short said nothing, as if done)
            self.reopened = self.reopened or not self.finished
        self.rollbacks += event["type"] == ev.ROLLBACK_STARTED
        marker = _marker(event, self.rollbacks)
        if marker:
            self.records.append([self.last, "m", visible_line(marker)])
        if event["type"] == ev.METRIC_SAMPLE:
            return
        lines = describe(event, self.state)
        if lines:
            self.records.append([self.last, "o", "".join(visible_line(line) + "\r\n" for line in "\n".join(lines).split("\n"))])


def _marker(event: Event, rollbacks: int) -> str | None:
    """The label of a chapter mark: a step attempt or a rollback starting (the `rollbacks`th, as the report heads it)."""
    if event["type"] == ev.STEP_STARTED:
        title = f": {event['title']}" if event.get("title") else ""
        return f"{event['step']} (attempt {event.get('attempt')}){title}"
    if event["type"] == ev.ROLLBACK_STARTED:
        plan = event.get("plan")
        back_to = plan.get("checkpoint_step") if isinstance(plan, dict) else None
        return rollback_heading(rollbacks, str(event.get("scope")), str(back_to) if back_to else None)
    return None
