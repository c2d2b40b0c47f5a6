"""A receiver that answers with the token it got transformed: reversed, or cut across two lines of its error page.

The notifier keeps an answer's first line, masked: a token the page wrapped (`…hook-tok` / `en-5566…`) kept its first
half there, and a reversed one all of it. Against tests/hostile_peer.py on loopback, the real sender.
"""

from __future__ import annotations

import asyncio

import pytest
from hostile_peer import hostile_peer

from runbook_tui.engine.redact import Redactor
from runbook_tui.notify.messages import Notice
from runbook_tui.notify.sender import Destination, Notifier

pytestmark = pytest.mark.peers

TOKEN = "hook-token-5566-abcdef"

ANSWERS = {
    "reversed": f"invalid token {TOKEN[::-1]}",
    "cut across lines": f"invalid token {TOKEN[:9]}\n{TOKEN[9:]} (see the docs)",
    "cut across CRLF lines": f"invalid token {TOKEN[:12]}\r\n{TOKEN[12:]}",
}


@pytest.mark.parametrize("answer", sorted(ANSWERS))
def test_a_token_echoed_transformed_is_not_in_the_journaled_error(answer: str) -> None:
    problems: list[str] = []

    def record(kind: str, payload: dict[str, object]) -> None:
        problems.append(str(payload["error"]))

    async def notify(url: str) -> None:
        notifier = Notifier([], record, Redactor([TOKEN]), retries=0)
        notice = Notice("test", "r", "R", None, "system", "2026-01-01T00:00:00Z", "", "a test")
        await notifier.deliver(Destination(url, "the hook", headers={"X-Token": TOKEN}), notice)
        await notifier.stop(drain=0)

    with hostile_peer() as peer:
        peer.answers["mangled"] = (400, ANSWERS[answer].encode())
        asyncio.run(notify(f"{peer.url}/mangled"))
    said = problems[-1]
    assert said.startswith("the receiver answered HTTP 400: invalid token ***"), said
    pieces = [form[at : at + 6] for form in (TOKEN, TOKEN[::-1]) for at in range(len(form) - 5)]
    assert not [piece for piece in pieces if piece in said], said
