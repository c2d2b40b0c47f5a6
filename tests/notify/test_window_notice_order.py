"""A run started (or shared) inside its window's last minutes: the start's notice goes first, then the window's.

Before, the window's timer was armed before the start's notice was said: `window closes in 10m` reached the
receivers before `alice started CHG-3`, in a solo run, and before the share's notice with the join command."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from runbook_tui.engine.state import replay
from runbook_tui.notify.messages import Notice
from runbook_tui.notify.triggers import Announcer
from runbook_tui.runbook.reach import NotifyTiming


async def due_now() -> None:
    """Every timer due by now has run (a marker due now runs in the same pass or after them)."""
    loop = asyncio.get_running_loop()
    reached = loop.create_future()
    loop.call_at(loop.time(), reached.set_result, None)
    await reached


@pytest.mark.parametrize("shared", [False, True])
def test_the_start_is_told_before_the_window_closing(shared: bool) -> None:
    end = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)).isoformat()
    sent: list[Notice] = []
    started = {"seq": 0, "ts": "2026-12-01T23:00:00.000Z", "type": "session_started", "actor": "alice", "session": "s1", "runbook": "rb",
               "title": "Upgrade", "ticket": {"id": "CHG-3", "window": {"start": "2026-12-01T22:00:00+00:00", "end": end}}, "mode": "live",
               "solo": None if shared else "night shift", "plan": {"sections": []}}  # fmt: skip
    share = {"seq": 1, "ts": "2026-12-01T23:00:01.000Z", "type": "share_started", "actor": "alice", "address": "10.0.0.5:2222", "fingerprint": "SHA256:abc"}

    async def scenario() -> None:
        announcer = Announcer(sent.append, NotifyTiming(window_closing=15 * 60, verifier_missing=3600), shared=shared)
        announcer(started, replay([started]))
        for _ in range(3):
            await due_now()
        if shared:
            assert not sent, "nothing before the share's notice, which says where to join"
            announcer(share, replay([started, share]))
            for _ in range(3):
                await due_now()
        announcer.stop()

    asyncio.run(scenario())
    assert [n.event for n in sent] == ["session_started", "window_closing"]
    assert "closes in" in sent[1].summary
