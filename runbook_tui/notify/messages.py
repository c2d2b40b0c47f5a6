"""What a notification says: one `Notice` per thing that happened, as our JSON body or a Slack message.

Pure: no I/O. Every JSON body names the event, the runbook, the ticket, the
actor and the time, and carries a one-line `summary` a person reads on a
phone at 2 AM plus `details` for machines. Runbook text is hostile: in a
Slack message `<`, `>` and `&` are escaped, so a title cannot ping
`<!channel>` or hide a link.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from runbook_tui.runbook.lean_dataclass import dataclass, field
from runbook_tui.runbook.safe_text import visible


@dataclass(frozen=True, slots=True)
class Notice:
    """One thing worth telling people about, independent of where it goes."""

    event: str  # one of field_table.NOTIFY_EVENTS, or "test"
    runbook: str
    title: str
    ticket: str | None
    actor: str
    time: str  # ISO 8601 UTC, as the journal writes times
    session: str
    summary: str
    details: Mapping[str, Any] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "runbook": self.runbook,
            "title": self.title,
            "ticket": self.ticket,
            "actor": self.actor,
            "time": self.time,
            "session": self.session,
            "summary": self.summary,
            "details": dict(self.details),
        }


def slack_escape(text: str) -> str:
    """Slack's own escaping for message text: no mentions, links or formatting smuggled in by a runbook."""
    return visible(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_body(notice: Notice) -> dict[str, Any]:
    ticket = notice.ticket or "NO TICKET"
    return {"text": slack_escape(f"[{ticket}] {notice.runbook}: {notice.summary}")}


def encode(notice: Notice, fmt: str) -> bytes:
    """The request body for a target's `format` (json or slack)."""
    body = slack_body(notice) if fmt == "slack" else notice.body()
    return json.dumps(body, ensure_ascii=False).encode("utf-8")
