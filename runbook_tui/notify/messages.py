"""What a notification says: one `Notice` per thing that happened, as our JSON body or a Slack message.

Pure: no I/O. Every JSON body names the event, the runbook, the ticket, the
actor and the time, and carries a one-line `summary` a person reads on a
phone at 2 AM plus `details` for machines. Runbook text is hostile: the
summary is one line (a newline shows as `⏎`, so a title cannot fake a second
message or start a `>` quote), and in a Slack message `<`, `>` and `&` are
escaped (no `<!channel>`, `<@U123>` or hidden link), an `@` before a word
carries a word joiner (no `@everyone` / `@here` / `@channel` in the
Slack-style receivers that read plain mentions: Mattermost, Rocket.Chat,
Discord), and `mrkdwn: false` shows `*bold*`, `_x_`, `~x~` and backticks as
typed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from runbook_tui.runbook.lean_dataclass import dataclass, field
from runbook_tui.runbook.safe_text import visible_line


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
            "summary": visible_line(self.summary),
            "details": dict(self.details),
        }


#: An `@` that starts a word: a plain-text mention where a Slack-style receiver reads them.
_MENTION = re.compile(r"@(?=\w)")
#: Slack's switches for a message that is only text: no formatting, no `@name` lookup, no previews of links.
_PLAIN = {"mrkdwn": False, "link_names": False, "unfurl_links": False, "unfurl_media": False}


def slack_escape(text: str) -> str:
    """One line of message text that pings nobody and links nothing a runbook wrote (Slack's own escaping, and a word
    joiner after each `@` that starts a word: it reads the same and matches no mention)."""
    escaped = visible_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MENTION.sub("@\u2060", escaped)


def slack_body(notice: Notice) -> dict[str, Any]:
    ticket = notice.ticket or "NO TICKET"
    return {"text": slack_escape(f"[{ticket}] {notice.runbook}: {notice.summary}"), **_PLAIN}


def encode(notice: Notice, fmt: str) -> bytes:
    """The request body for a target's `format` (json or slack)."""
    body = slack_body(notice) if fmt == "slack" else notice.body()
    return json.dumps(body, ensure_ascii=False).encode("utf-8")
