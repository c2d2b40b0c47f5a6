"""What the share port says to the assignee as a notification, beside its line in the log.

A flood of output would scroll the log line away; someone knocking with a key that is not a participant's, or
connections refused before authentication (a verifier may be kept out), are said where the assignee looks.
"""

from __future__ import annotations

from runbook_tui.engine import events as ev
from runbook_tui.engine.events import Event


def share_toast(event: Event) -> tuple[str, str] | None:
    """(title, message) of the notification for a share-port event, None for any other event."""
    if event["type"] == ev.SHARE_REFUSING:
        refused = event.get("refused")
        many = "s" if refused != 1 else ""
        return "Share port", f"{refused} connection{many} refused: a verifier may not get in while this lasts (the log says why)"
    if event["type"] == ev.JOIN_REFUSED:
        return "Join refused", f"{event.get('address')} offered a key that is not a participant's (the log says which)"
    return None
