"""What a notification says: one `Notice` per thing that happened, as our JSON body or a Slack message.

Pure: no I/O. Every JSON body names the event, the runbook, the ticket, the
actor and the time, and carries a one-line `summary` a person reads on a
phone at 2 AM plus `details` for machines. Runbook text is hostile: the
summary is one line (a newline shows as `⏎`, so a title cannot fake a second
message or start a `>` quote), and in a Slack message `<`, `>` and `&` are
escaped (no `<!channel>`, `<@U123>` or hidden link), an `@` before a word
carries a word joiner (no `@everyone` / `@here` / `@channel` in the
Slack-style receivers that read plain mentions: Mattermost, Rocket.Chat,
Discord), so does `](` (no Markdown link `[words](url)` or image in those that
read Markdown, Teams too), and `mrkdwn: false` shows `*bold*`, `_x_`, `~x~` and backticks as
typed. A bare URL in runbook text stays as written, visible where it points
(Slack links it; the text shown is the address it goes to, never other
words), and `unfurl_links` / `unfurl_media: false` keep Slack from fetching it
for a preview. Every string is cut at `TEXT_LIMIT` characters (a 10 MB title
or reason posted 10 MB to every receiver, each retry again, and Slack refuses
a message that long), and the JSON is written with DEL, C1 controls and
invisible format characters as `\\uXXXX` escapes: the same data to a JSON
reader, inert on a terminal that prints the body.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.lean_dataclass import dataclass, field
from runbook_tui.runbook.safe_text import json_inert, visible_line

#: Characters of one string a notice carries (a summary, a title, a detail); the rest is said as cut.
TEXT_LIMIT = 2000


def capped(value: Any, limit: int = TEXT_LIMIT) -> Any:
    """`value` with every string in it (in lists and mappings too) cut at `limit` characters, saying how many were cut."""
    if isinstance(value, str):
        return value if len(value) <= limit else f"{value[:limit]}… ({len(value) - limit:,} more characters not sent)"
    if isinstance(value, Mapping):
        return {capped(str(k), 200): capped(v, limit) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [capped(v, limit) for v in value]
    return value


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
        }  # cut by `encode`


#: An `@` that starts a word: a plain-text mention where a Slack-style receiver reads them.
_MENTION = lazy_re.compile(r"@(?=\w)")
#: Slack's switches for a message that is only text: no formatting, no `@name` lookup, no previews of links.
_PLAIN = {"mrkdwn": False, "link_names": False, "unfurl_links": False, "unfurl_media": False}


def slack_escape(text: str) -> str:
    """One line of message text that pings nobody and links nothing a runbook wrote (Slack's own escaping, and a word
    joiner after each `@` that starts a word and between `]` and `(`: it reads the same and matches no mention, and no
    Markdown link or image: Mattermost, Rocket.Chat, Discord and Teams read the text as Markdown, where `[words](url)`
    showed the words as a link to another address and `![x](url)` had every reader's client fetch it)."""
    escaped = visible_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("](", "]\u2060(")
    return _MENTION.sub("@\u2060", escaped)


def slack_body(notice: Notice) -> dict[str, Any]:
    ticket = notice.ticket or "NO TICKET"
    return {"text": slack_escape(capped(f"[{ticket}] {notice.runbook}: {notice.summary}")), **_PLAIN}


def encode(notice: Notice, fmt: str) -> bytes:
    """The request body for a target's `format` (json or slack)."""
    body = slack_body(notice) if fmt == "slack" else capped(notice.body())
    return json_inert(json.dumps(body, ensure_ascii=False)).encode("utf-8")
