"""The verifier leaves mid-run (quits, or their link drops and they never come back) while a step waits for them.

`verifier_missing` pages when no verifier joined `notify_timing.verifier_missing` after the start. A verifier who
was there and left is the same want at 2 AM: the run stands at a step only they can confirm, and nobody is told (a
receiver listening for `verifier_missing` alone, as the README's example, heard nothing). Now the last verifier's
leave arms the same page, named: who left, where the run stands, and the join command.

Real `runbook-tui exec --share`, a real verifier over SSH (ShareClient), a real HTTP receiver on loopback.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from receivers import ManualClockLoop, Receiver

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "share"))

import share_peers
from share_peers import TWO_STEPS, Lab, awaiting, confirm_next, until

from runbook_tui.engine.state import replay
from runbook_tui.notify.messages import Notice
from runbook_tui.notify.triggers import Announcer
from runbook_tui.runbook.reach import NotifyTiming

lab = share_peers.lab  # the fixture: a folder of keys, runbooks and state; stops what it started

pytestmark = pytest.mark.peers


def _left_page(hook: Receiver) -> list[dict[str, object]]:
    return [r.body for r in hook.requests if r.body.get("event") == "verifier_missing" and r.body["details"].get("left")]


@pytest.mark.asyncio
async def test_a_verifier_who_leaves_while_a_step_waits_for_them_is_paged(lab: Lab, receiver: Callable[[str], Receiver]) -> None:
    hook = receiver("ok")
    runbook = lab.runbook(TWO_STEPS.replace("sections:", f'notify:\n  - {{url: "{hook.url}", events: [verifier_missing]}}\nsections:'))
    settings = lab.root / "xdg-config" / "runbook-tui" / "settings.yaml"
    settings.parent.mkdir(parents=True)
    settings.write_text("notify_timing: {verifier_missing: 3s}\n", encoding="utf-8")
    bob = lab.key("bob")
    shared = await lab.share(runbook, "--verifier-key", f"{bob}.pub")
    await lab.trust(shared.fingerprint, shared.port)
    verifier = lab.client(bob, shared.port)
    await verifier.connect()
    following = asyncio.create_task(verifier.run())
    try:
        await confirm_next(verifier, "one", timeout=30)
        await until(lambda: awaiting(verifier) == "two", 30, "'two' waiting for bob's confirmation")
    finally:
        await verifier.close()  # bob leaves; 'two' waits for him
        following.cancel()
    await asyncio.to_thread(hook.wait_for, lambda r: _left_page(r), 30.0, "a verifier_missing naming bob, who left")
    [page] = _left_page(hook)
    join = f"runbook-tui join 127.0.0.1:{shared.port}"
    assert page["summary"] == f"the verifier bob left NO TICKET at 'two' 3s ago and no verifier has joined since; join with: {join}", page
    assert page["details"]["step"] == "two" and page["details"]["join_command"] == join, page
    back = lab.client(bob, shared.port)
    await back.connect()
    following = asyncio.create_task(back.run())
    try:
        await confirm_next(back, "two", timeout=30)
        assert await shared.exit_code(30) == 0, shared.stderr()
    finally:
        await back.close()
        following.cancel()
    assert len(_left_page(hook)) == 1, "one page for one absence"


def test_a_leave_journaled_as_the_session_closes_pages_nobody() -> None:
    """The session stops its notices, then closes the share: whoever was still connected leaves on the record then
    (`participant_left`, not finished: the assignee quit with `q`). That leave must not arm a page of a process that has
    stopped telling anyone: the announcer stopped, nothing is sent, however long the loop runs on."""
    sent: list[Notice] = []
    events: list[dict[str, object]] = [{"seq": 0, "ts": "2026-12-01T23:00:00.000Z", "type": "session_started", "actor": "alice", "session": "s1",
        "runbook": "rb", "title": "Upgrade", "ticket": {"id": "CHG-3"}, "mode": "live", "plan": {"sections": []}}]  # fmt: skip
    loop = ManualClockLoop()
    announcer = Announcer(sent.append, NotifyTiming(verifier_missing=5, confirmation_waiting=10, window_closing=60), shared=True)

    def feed(kind: str, **fields: object) -> None:
        events.append({"seq": len(events), "ts": "2026-12-01T23:00:01.000Z", "type": kind, "actor": "system", **fields})
        announcer(events[-1], replay(events))  # type: ignore[arg-type]

    async def scenario() -> None:
        feed("share_started", address="10.0.0.5:2222", fingerprint="SHA256:abc")
        feed("participant_joined", name="bob", role="verifier")
        announcer.stop()  # the session closes: the notices first, then the share
        feed("participant_left", name="bob", role="verifier")
        loop.now = 100.0
        reached = loop.create_future()
        loop.call_at(100.0, reached.set_result, None)
        await reached
        assert [n.event for n in sent] == ["session_started"], [n.summary for n in sent]

    try:
        loop.run_until_complete(scenario())
    finally:
        loop.close()
