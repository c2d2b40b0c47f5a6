"""The words for the silences a run's end could not expire, and the notices that failed after its end, wherever they
are said: the finished run's status rows, and the terminal once `exec` or the run screen is left (the row is cut to the
screen's width, and the screen closes).

Light on imports: the run screen's status rows import it for the first frame.
"""

from __future__ import annotations

import shlex

from runbook_tui.engine.said import said_now
from runbook_tui.engine.state import RunState
from runbook_tui.runbook.safe_text import visible_line


def not_expired(state: RunState) -> str | None:
    """`1 alert silence could NOT be expired (why): alerts stay silenced until T; expire it at URL (its Silences page, or:
    amtool --alertmanager.url=URL silence expire 'ID')`; None when every silence of the run was expired (or kept)."""
    left = [(sid, s) for sid, s in state.silences.items() if s.get("expire_failed") is not None]
    if not left:
        return None
    until = said_now(max(str(s.get("ends_at") or "?") for _sid, s in left))
    ids = ", ".join(visible_line(sid) for sid, _s in left)
    count = f"{len(left)} alert silence{'s' if len(left) > 1 else ''}"
    why = visible_line(str(left[0][1].get("expire_failed")))
    where = visible_line(str(left[0][1].get("alertmanager") or ""))  # what to do names where: before, "in Alertmanager" alone
    them = "them" if len(left) > 1 else "it"
    # Quoted as shell words: the ids are Alertmanager's, and this line is made to be copied into a shell.
    command = shlex.join(["amtool", f"--alertmanager.url={where}", "silence", "expire", *(visible_line(sid) for sid, _s in left)])
    how = f"at {where} (its Silences page, or: {command})" if where else f"in Alertmanager: {ids}"
    return f"{count} could NOT be expired ({why}): alerts stay silenced until {until}; expire {them} {how}"


def not_delivered(state: RunState) -> list[str]:
    """`NOT delivered after the end: EVENT to TARGET: WHY` for each notice that failed after the run's end. A receiver
    that never answers is settled only as the session closes, once the finished screen is gone: the terminal says it then
    (before: exec printed it, the run screen's `q` printed `journal: …` alone)."""
    return [f"NOT delivered after the end: {visible_line(notice)}" for notice in state.undelivered]


def left_active(state: RunState) -> str | None:
    """Words for the silences this session made that nothing expired, when the run stops before its end (a signal):
    they keep alerts quiet to their end time, and only a resume of the run expires them. Before, exec
    said only "interrupted; the journal is kept" and whoever stopped it could not know alerts stayed silenced."""
    if not state.silences:
        return None
    count = len(state.silences)
    until = said_now(max(str(s.get("ends_at") or "?") for s in state.silences.values()))
    which = "; ".join(f"{visible_line(sid)}: {', '.join(map(str, s.get('matchers') or ()))}" for sid, s in state.silences.items())
    where = str(next(iter(state.silences.values())).get("alertmanager") or "Alertmanager")
    them = "them" if count > 1 else "it"
    return visible_line(
        f"{count} alert silence{'s' if count > 1 else ''} of this run stay{'' if count > 1 else 's'} active until {until} at {where} "
        f"({which}): resuming the run expires {them} at its end; or expire {them} in Alertmanager now"
    )
