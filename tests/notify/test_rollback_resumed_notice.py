"""A rollback the process died in, gone on with by `resume --rollback`: its start was told once, by the process that
started it; the resumed run tells its end. Before, the receivers were told a second `rollback_started` ("root started a
full rollback … (rollback (full) chosen on resume)") for the same rollback, and a later resume would have counted that
second notice as owed."""

from __future__ import annotations

import asyncio

from runbook_tui.engine.state import replay
from runbook_tui.notify.ledger import NoticeLedger
from runbook_tui.notify.messages import Notice
from runbook_tui.notify.sender import Destination
from runbook_tui.notify.triggers import Announcer
from runbook_tui.runbook.reach import NotifyTiming

PLAN = {"sections": [{"id": "s", "kind": "implement", "steps": [{"id": "one", "undo": "true"}, {"id": "two", "undo": "true"}]}]}
ROLLBACK = {"scope": "full", "plan": {"entries": [{"step": "one", "host": "local", "command": "true"}], "rollback_steps": []}}


def journal() -> list[dict[str, object]]:
    """Started, one done, two failed, a full rollback started; the process died; resumed, the rollback gone on with."""
    kinds: list[dict[str, object]] = [
        {"type": "session_started", "session": "s1", "runbook": "rb", "title": "Upgrade", "ticket": {"id": "CHG-5"}, "mode": "live", "solo": "p", "plan": PLAN},
        {"type": "notified", "event": "session_started", "target": "A", "status": 200, "attempts": 1},
        {"type": "step_started", "step": "one", "attempt": 1, "hosts": ["local"]},
        {"type": "step_finished", "step": "one", "attempt": 1, "status": "done", "hosts": {"local": {"exit": 0}}},
        {"type": "rollback_started", "reason": "exec --on-failure abort: 'two' failed", **ROLLBACK},
        {"type": "notified", "event": "rollback_started", "target": "A", "status": 200, "attempts": 1},
        {"type": "session_resumed", "pid": 2},
        {"type": "rollback_started", "reason": "rollback (full) chosen on resume", **ROLLBACK},
        {"type": "rollback_finished", "scope": "full", "ok": True},
    ]
    return [{"seq": i, "ts": f"2026-12-01T23:00:{i:02d}.000Z", "actor": "alice", **e} for i, e in enumerate(kinds)]


def test_a_rollback_gone_on_with_after_a_resume_is_told_started_once() -> None:
    events = journal()
    sent: list[Notice] = []

    async def scenario() -> None:
        announcer = Announcer(sent.append, NotifyTiming(), shared=False)
        for i in range(events.index(next(e for e in events if e["type"] == "session_resumed")), len(events)):
            announcer(events[i], replay(events[: i + 1]))  # type: ignore[arg-type]  # as the resumed process hears them
        announcer.stop()

    asyncio.run(scenario())
    assert [n.event for n in sent] == ["rollback_finished"], [n.summary for n in sent]


def test_the_ledger_does_not_owe_a_notice_for_the_rollback_gone_on_with() -> None:
    ledger = NoticeLedger()
    for event in journal():
        ledger.note(event)  # type: ignore[arg-type]
    assert ledger.unaccounted([Destination("http://a", "A")]) == [("rollback_finished", "A")], "the start was told; its end not yet"
