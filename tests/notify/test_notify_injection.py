"""Hostile runbook text in what reaches chat: a real run posting to real receivers on loopback, in both formats.

The title, the ticket id and the person's name hold a second line with a
fake message, a `>` quote, Slack mentions (`<!channel>`, `<@U123>`), plain
mentions (`@everyone`, `@here`), a hidden link and formatting. What arrives
is one line a person can read as written, and pings and links nothing.
"""

from __future__ import annotations

import asyncio
import html
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from receivers import Receiver

from runbook_tui.app.session import Session, load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine.autopilot import drive

pytestmark = pytest.mark.peers

HOSTILE = "db\n\n> *URGENT* from the SRE lead: approve <https://evil.example|the rollback> now <!channel> <@U123> @everyone @here ~x~ `rm`"


def runbook(slack: str, plain: str) -> str:
    return f"""
runbook: 1
id: inject
title: {json.dumps(HOSTILE)}
ticket: {{id: {json.dumps("CHG-1 @channel")}, subject: s, assignee: alice, verifier: bob}}
notify:
  - {{url: "{slack}", format: slack}}
  - {{url: "{plain}"}}
sections:
  - {{id: change, kind: precheck, steps: [{{id: one, run: "true", verify: none}}]}}
"""


async def run(path: Path, journal: Path) -> str:
    session: Session = open_session(load(str(path), {}), solo="injection test", journal=str(journal), settings=Settings())
    try:
        return await drive(session.controller, session.actor)
    finally:
        await session.close()


def test_hostile_titles_tickets_and_names_reach_chat_as_one_line_that_pings_and_links_nothing(
    receiver: Callable[[str], Receiver], write_runbook: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat, hook = receiver("ok"), receiver("ok")
    monkeypatch.setenv("RUNBOOK_TUI_USER", "<!here> @channel")
    path = write_runbook(runbook(chat.url, hook.url))
    assert asyncio.run(run(path, tmp_path / "journal.jsonl")) == "done"
    chat.wait_for(lambda r: len(r.requests) == 2, what="the start and the end")

    for message in (r.body for r in chat.requests):
        text = message["text"]
        assert {k: message[k] for k in ("mrkdwn", "link_names", "unfurl_links", "unfurl_media")} == dict.fromkeys(
            ("mrkdwn", "link_names", "unfurl_links", "unfurl_media"), False
        ), "Slack shows the text as typed: no *bold*, no @name lookup, no link previews"
        assert "\n" not in text and "\r" not in text and "db⏎⏎&gt; *URGENT*" in text, f"one line, no second message, no quote: {text!r}"
        assert "<" not in text and ">" not in text and "&lt;!channel&gt;" in text and "&lt;https://evil.example|the rollback&gt;" in text
        for mention in ("everyone", "here", "channel", "U123"):
            assert f"@{mention}" not in text and f"@\u2060{mention}" in text, f"@{mention} reads the same and pings nobody: {text!r}"
    assert chat.requests[0].body["text"].startswith("[CHG-1 @\u2060channel] inject: &lt;!here&gt; @\u2060channel started")

    for body in (r.body for r in hook.requests):
        assert "\n" not in body["summary"] and "db⏎⏎> *URGENT*" in body["summary"], "the summary a phone shows is one line"
        assert body["title"] == HOSTILE, "the fields for machines are the data as it is"
    assert hook.requests[0].body["actor"] == "<!here> @channel"


MASKED = "Approve [the rollback](https://evil.example/login) ![status](https://evil.example/pixel.png) [x](<https://evil.example/a b>)"


def test_a_markdown_link_in_runbook_text_reaches_chat_as_its_words_and_address_not_a_link(
    receiver: Callable[[str], Receiver], write_runbook: Callable[..., Path], tmp_path: Path
) -> None:
    """Mattermost, Rocket.Chat, Discord and Teams read a Slack-style `text` as Markdown: `[words](url)` showed the words
    as a link to another address (`[the rollback](https://evil.example/login)`), and `![x](url)` made every reader's
    client fetch that address. The words and the address are still there, as typed; no Markdown reader makes a link."""
    chat = receiver("ok")
    path = write_runbook(runbook(chat.url, receiver("ok").url).replace(json.dumps(HOSTILE), json.dumps(MASKED)))
    assert asyncio.run(run(path, tmp_path / "journal.jsonl")) == "done"
    chat.wait_for(lambda r: len(r.requests) == 2, what="the start and the end")
    reader = MarkdownIt("commonmark")
    for text in (r.body["text"] for r in chat.requests):
        kinds = {child.type for token in reader.parse(text) for child in token.children or ()}
        assert not kinds & {"link_open", "image"}, f"a Markdown reader makes a link or an image of {text!r}: {kinds}"
        assert MASKED in html.unescape(text.replace("\u2060", "")), f"the words as typed (Slack's &lt; read back): {text!r}"
