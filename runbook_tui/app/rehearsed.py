"""The rollback time a rehearsal measured, for the run screen's "rollback must start by" (issue 4).

`rehearse` journals its run like any other (mode `rehearsal`), rollback included. A later `run` of the same runbook
(same digest: a rehearsal of another version measured another rollback) looks for the newest such journal in the
usual journals folder whose rollback finished well; the session's start journals what it found (`session_started`'s
`rehearsed`), so the assignee's and the verifier's screens and a replay read the same figure from the record.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from runbook_tui.app.settings import JOURNAL_ID_CHARS
from runbook_tui.engine import events as ev
from runbook_tui.engine.journal import read_events

#: Journals looked at, newest first: a folder of years of runs costs no more than this.
LOOKED_AT = 20


def rehearsed_rollback(journals: Path, runbook_id: str, digest: str) -> dict[str, Any] | None:
    """{"seconds", "scope", "journal", "at"} of the newest intact rehearsal of this runbook whose rollback finished
    well; None when there is none."""
    # The journals' names (`default_journal_path`: `{id}-{when}Z.jsonl`, the id cut to JOURNAL_ID_CHARS: the whole of a
    # longer one was looked for, and never found), told by their two ends: a `glob` compiled a pattern (~0.3 ms) at
    # every run's start, before the first frame.
    start = f"{runbook_id[:JOURNAL_ID_CHARS]}-"
    try:
        with os.scandir(journals) as entries:
            named = [Path(entry.path) for entry in entries if entry.name.startswith(start) and entry.name.endswith(".jsonl")]
        found = sorted(named, key=lambda p: p.stat().st_mtime, reverse=True)[:LOOKED_AT]
    except OSError:
        return None
    for path in found:
        measured = _measured(path, digest)
        if measured is not None:
            return measured
    return None


def _measured(path: Path, digest: str) -> dict[str, Any] | None:
    try:
        with path.open("rb") as handle:
            first = json.loads(handle.readline())  # a run's first line says whether to read the rest
        if not isinstance(first, dict) or first.get("mode") != "rehearsal" or first.get("digest") != digest:
            return None
        read = read_events(path)
    except (OSError, ValueError):
        return None
    events = read.events
    if not read.intact or not events or events[0].get("mode") != "rehearsal" or events[0].get("digest") != digest:
        return None
    started = next((e for e in events if e["type"] == ev.ROLLBACK_STARTED), None)
    finished = next((e for e in events if e["type"] == ev.ROLLBACK_FINISHED), None)
    if started is None or finished is None or finished.get("failed_step"):
        return None
    seconds = (_when(finished["ts"]) - _when(started["ts"])).total_seconds()
    return {"seconds": round(seconds, 3), "scope": started.get("scope"), "journal": str(path), "at": finished["ts"]}


def _when(ts: str) -> dt.datetime:
    return dt.datetime.fromisoformat(ts.replace("Z", "+00:00"))
