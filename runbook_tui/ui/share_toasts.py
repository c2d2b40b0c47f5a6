"""What the share port says to the assignee as a notification, beside its line in the log.

A flood of output would scroll the log line away; someone knocking with a key that is not a participant's, or
connections refused before authentication (a verifier may be kept out), are said where the assignee looks; so is a
verifier leaving a run that goes on (closing `join`, or a link the session's keepalives found dead): when, and who, if
anyone, still verifies.
"""

from __future__ import annotations

from runbook_tui.engine import events as ev
from runbook_tui.engine.events import Event
from runbook_tui.engine.state_model import RunState
from runbook_tui.runbook.safe_text import visible_line


def share_toast(event: Event, state: RunState) -> tuple[str, str] | None:
    """(title, message) of the notification for a share-port event, None for any other event; `state`: the run's, the
    event folded in."""
    if event["type"] == ev.PARTICIPANT_LEFT and event.get("role") == "verifier" and not state.finished:
        at = visible_line(str(event.get("ts", "")))[11:19]
        still = sorted(name for name, role in state.participants.items() if role == "verifier")
        then = f"{', '.join(still)} still verif{'ies' if len(still) == 1 else 'y'}" if still else (
            "no verifier is connected now; a step that needs a verifier's word waits for one"
        )  # fmt: skip
        return "Verifier left", visible_line(f"{event.get('name')} left at {at}: {then}")
    if event["type"] == ev.SHARE_REFUSING:
        refused = event.get("refused")
        many = "s" if refused != 1 else ""
        return "Share port", f"{refused} connection{many} refused: a verifier may not get in while this lasts (the log says why)"
    if event["type"] == ev.JOIN_REFUSED:
        return "Join refused", f"{event.get('address')} offered a key that is not a participant's (the log says which)"
    return None


def share_toast_ended(event: Event) -> str | None:
    """The title of the share toasts `event` makes untrue (withdrawn then), if any: a verifier joining ends `Verifier left`
    (`no verifier is connected now` stood beside `verifier bob connected` when he rejoined within its 15 s)."""
    return "Verifier left" if event["type"] == ev.PARTICIPANT_JOINED and event.get("role") == "verifier" else None
