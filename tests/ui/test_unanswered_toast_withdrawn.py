"""The verifier's "no answer from the session" toasts go once the answer comes.

Over a slow link, `c` said after 2 s `Your word (c) was sent; no answer from the session after 2 s … it is not sent
again` (10 s), and `c` again `… has no answer yet: not sent again` (6 s). Before: when the answer came a second later,
`confirmed 'check'` showed under both, still saying no answer had come. Now they go as the answer is said.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import screen_is, settled, shared_session_events, until
from test_verifier_link_words import SilentLink, _pressed, _rows, _with_check

from runbook_tui.ui.verifier_app import VerifierApp


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_the_no_answer_toasts_go_when_the_answer_comes(workdir: Path, size: tuple[int, int]) -> None:
    client = SilentLink(shared_session_events(workdir))
    client.state = _with_check(client.state, status="awaiting_verification", attempts=1)
    app = VerifierApp(client)

    def toasts() -> list[str]:
        return [str(n.message) for n in app._notifications]

    async with app.run_test(size=size, notifications=True) as pilot:
        try:
            await screen_is(pilot, "VerifierScreen")
            await until(pilot, lambda: "c confirm" in _rows(app), "c offered")
            app.notify("a toast of its own", timeout=60)
            await _pressed(pilot, "c")
            await until(pilot, lambda: client.sent == [("confirm", "")], "c to be sent")
            await _pressed(pilot, "c")
            await until(pilot, lambda: any("has no answer yet: not sent again" in t for t in toasts()), "c again to say why it sends nothing")
            await until(pilot, lambda: any("no answer from the session after 2 s" in t for t in toasts()), "the silence to be said")
            client.answer.set()
            await until(pilot, lambda: "confirmed 'check'" in toasts(), "the answer, once it comes")
            await settled(pilot)
            assert toasts() == ["a toast of its own", "confirmed 'check'"], toasts()
        finally:
            client.answer.set()
