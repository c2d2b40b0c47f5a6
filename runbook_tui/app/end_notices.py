"""A finished run's notices that its process never settled: the end's, when a kill -9 came in the 3 s it waits for it.

`resume` of a finished run resumes nothing, but the journal may owe what no later process would say: the notice of
the end (or one just before it) was queued, and the process was killed before its delivery was journaled. Such a
notice is journaled as `notify_failed`, not known to be sent (it may have arrived), as a resume of an unfinished run
journals the ones its dead process left, and never sent again; one owed to a receiver the run could not prepare (its
secret missing: the run journaled that it gets nothing) is journaled as not sent, and why. The receivers are read from the settings and the
run's runbook as written (a receiver named by a secret is named by its source): no secret is read for this.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from runbook_tui.app.outreach import NOT_KNOWN, REACHING_MODES
from runbook_tui.app.runbook_place import reload_runbook
from runbook_tui.engine import events as ev
from runbook_tui.engine.http_bounded import without_password
from runbook_tui.engine.journal import JournalError, JournalWriter
from runbook_tui.engine.state import RunState
from runbook_tui.runbook.diagnostics import RunbookInvalid

if TYPE_CHECKING:
    from runbook_tui.app.settings import Settings
    from runbook_tui.notify.ledger import NoticeLedger

#: As `Outreach.resumed` journals the notices an unfinished run's dead process left.
#: A notice owed to a receiver its process could not prepare (its secret missing, say): known never sent, and why.
NOT_SENT = "not sent: its receiver got nothing in the run"


def settle_lost_notices(path: Path, state: RunState, ledger: NoticeLedger, settings: Settings) -> str:
    """Journal each notice of the finished run at `path` that has no outcome; the words that say so ("" when none)."""
    from runbook_tui.notify.sender import Destination

    if state.mode not in REACHING_MODES:
        return ""
    targets = settings.notify
    try:
        targets += reload_runbook(path, state.session)[0].runbook.notify
    except (RunbookInvalid, OSError, KeyError):
        pass  # neither the file nor the journal's copy loads: the settings' receivers are still counted
    receivers = [Destination("", without_password(target.shown_url), target.format, target.events) for target in targets]
    lost = ledger.unaccounted(receivers)
    # A receiver its process could not prepare was sent nothing: that is known, and said (it read "not known to be sent").
    unsent = [(event, target, f"{NOT_SENT}: {why}") for event, target, why in ledger.unsent(receivers)]
    if not lost and not unsent:
        return ""
    try:
        writer = JournalWriter(path)
        try:
            for event, target, error in [(event, target, NOT_KNOWN) for event, target in lost] + unsent:
                writer.append(ev.NOTIFY_FAILED, ev.SYSTEM, {"event": event, "target": target, "error": error, "attempts": 0})
        finally:
            writer.close()
    except (JournalError, OSError) as exc:
        return f"; its notices left unsettled could not be journaled ({exc})"
    said = [f"{_named(event, target)} was never known to be sent (the program stopped before its delivery was journaled)" for event, target in lost]
    said += [f"{_named(event, target)} was not sent ({error.removeprefix('not sent: ')})" for event, target, error in unsent]
    return f"; {'; '.join(said)}: journaled as such"


def _named(event: str, target: str) -> str:
    return f"the notice of {'its end' if event == ev.SESSION_FINISHED else event} to {target}"
