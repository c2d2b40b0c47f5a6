"""Notifications across a resume: the late notices follow the run as it is now, not as it was when the process died.

A shared run leaves step `one` waiting for the verifier's confirmation and
its process goes away. Resumed as it was, the step still waits, so the
verifier is still missing and the confirmation still late: both are told.
Resumed `--solo`, nobody is expected to join: no "no verifier" page.
A solo run resumed `--share` waits for a verifier from then on, and one
whose go-ahead was asked before the process died still waits for it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from receivers import ManualClockLoop, Receiver
from test_notify_live import events_of, of_type, runbook_text, start

from runbook_tui.app.session import resume_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine.journal import verify
from runbook_tui.engine.state import replay
from runbook_tui.notify.messages import Notice
from runbook_tui.notify.triggers import Announcer
from runbook_tui.runbook.reach import NotifyTiming

pytestmark = pytest.mark.peers


def test_a_resumed_run_is_told_about_as_it_now_stands(receiver: Callable[[str], Receiver], write_runbook: Callable[..., Path], tmp_path: Path) -> None:
    hook = receiver("ok")
    path = write_runbook(runbook_text(f'- {{url: "{hook.url}"}}', verify="after"))
    journal = tmp_path / "journal.jsonl"

    async def first_night() -> None:
        session = start(path, journal, Settings(), solo=None)
        controller = session.controller
        try:
            assert controller.run_current(session.actor).ok
            await controller.wait_idle()
            assert controller.state.steps["one"].status == "awaiting_verification"
        finally:
            await session.close()  # the process goes away; the run is not finished

    async def resumed(timing: NotifyTiming, solo: str | None, until: Callable[[Receiver], bool], what: str) -> None:
        session = resume_session(str(journal), settings=Settings(notify_timing=timing), solo=solo)
        try:
            await session.start()
            await asyncio.to_thread(hook.wait_for, until, 10.0, what)
        finally:
            await session.close()

    asyncio.run(first_night())
    assert hook.events() == ["session_started"]
    late = NotifyTiming(verifier_missing=0.2, confirmation_waiting=0.3)
    asyncio.run(resumed(late, None, lambda r: {"verifier_missing", "confirmation_waiting"} <= set(r.events()), "the late notices after resume"))
    waiting = [r.body for r in hook.requests if r.body["event"] == "confirmation_waiting"]
    assert [b["details"]["step"] for b in waiting] == ["one"], "the step still waits for its confirmation after the resume"

    told = len(hook.requests)
    window_end = dt.datetime.fromisoformat(str(of_type(events_of(journal), "session_started")[0]["ticket"]["window"]["end"])).timestamp()
    marker = NotifyTiming(verifier_missing=0.2, confirmation_waiting=0.2, window_closing=window_end - time.time() - 1.0)
    asyncio.run(resumed(marker, "the verifier is ill", lambda r: "window_closing" in r.events()[told:], "the window notice 1 s after resume"))
    after_solo = hook.events()[told:]
    assert "verifier_missing" not in after_solo and "confirmation_waiting" not in after_solo, f"a solo run pages nobody for a verifier: {after_solo}"


def test_a_solo_run_resumed_shared_awaits_its_verifier_and_an_asked_go_ahead_from_the_resume() -> None:
    sent: list[Notice] = []
    plan = {"sections": [{"id": "s", "kind": "implement", "steps": [{"id": "one", "verify": "before"}]}]}
    events: list[dict[str, object]] = [{"seq": 0, "ts": "2026-12-01T23:00:00.000Z", "type": "session_started", "actor": "alice", "session": "s1",
        "runbook": "rb", "title": "Upgrade", "ticket": {"id": "CHG-3"}, "mode": "live", "solo": "nobody awake", "plan": plan}]  # fmt: skip
    loop = ManualClockLoop()
    announcer = Announcer(sent.append, NotifyTiming(verifier_missing=5, confirmation_waiting=10, window_closing=60), shared=True)

    def feed(kind: str, **fields: object) -> None:
        events.append({"seq": len(events), "ts": "2026-12-01T23:00:01.000Z", "type": kind, "actor": "alice", **fields})
        announcer(events[-1], replay(events))  # type: ignore[arg-type]

    async def at(when: float) -> list[str]:
        loop.now = when
        reached = loop.create_future()
        loop.call_at(when, reached.set_result, None)
        await reached
        return [n.event for n in sent]

    async def scenario() -> None:
        feed("note", step="one", text="go-ahead requested for 'one'", request="go_ahead")  # solo: nobody to wait for
        assert await at(100.0) == [], "a solo run pages nobody"
        feed("session_resumed", pid=1)  # the process died; resumed with --share
        feed("mode_changed", solo=None, shared=True, reason="shared from now on: a verifier may join")
        feed("share_started", address="10.0.0.5:2222", fingerprint="SHA256:abc")
        assert await at(104.9) == ["session_started"]
        assert await at(105.0) == ["session_started", "verifier_missing"], "the verifier is awaited from the resume on"
        assert sent[1].details["join_command"] == "runbook-tui join 10.0.0.5:2222", "the page says where to join"
        assert await at(110.0) == ["session_started", "verifier_missing", "confirmation_waiting"], "the asked go-ahead is awaited from the resume on"
        assert sent[2].details["step"] == "one" and sent[2].details["phase"] == "before"
        announcer.stop()

    announcer(events[0], replay(events))  # type: ignore[arg-type]
    try:
        loop.run_until_complete(scenario())
    finally:
        loop.close()


def test_a_notice_the_killed_exec_never_journaled_is_named_by_resume_not_sent_again(
    receiver: Callable[[str], Receiver], write_runbook: Callable[..., Path], tmp_path: Path
) -> None:
    """kill -9 while one receiver holds the session_started request: resume journals that notice as not known to be sent
    (before: the journal never said a word of it), once, and sends nothing twice; the receiver that answered is not named."""
    slow, fast = receiver("hang"), receiver("ok")
    release = tmp_path / "release"
    steps = f'- {{id: one, title: One, run: "while [ ! -e {release} ]; do sleep 0.05; done", verify: none}}'
    path = write_runbook(runbook_text(f'- {{url: "{slow.url}"}}\n- {{url: "{fast.url}", events: [session_started, rollback_started]}}', steps=steps))
    journal = tmp_path / "journal.jsonl"
    cli = [sys.executable, "-m", "runbook_tui"]
    proc = subprocess.Popen([*cli, "exec", str(path), "--solo", "kill -9 test", "--journal", str(journal)], cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)  # fmt: skip
    try:
        slow.wait_for(lambda r: bool(r.requests), 30.0, "the session_started request")
        deadline = time.monotonic() + 30
        while not of_type(events_of(journal), "notified"):
            assert proc.poll() is None and time.monotonic() < deadline, "the fast receiver's delivery was not journaled within 30 s"
            time.sleep(0.02)  # the polling's pace; the condition is the journaled delivery
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    slow.mode = "ok"
    slow.release.set()
    release.touch()
    resumed = subprocess.run([*cli, "resume", str(journal), "--rerun", "--continue"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                             stdin=subprocess.DEVNULL)  # fmt: skip
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    events = events_of(journal)
    why = "not known to be sent: the program stopped before its delivery was journaled (it may have arrived)"
    assert [(e["event"], e["target"], e["error"]) for e in of_type(events, "notify_failed")] == [("session_started", slow.url, why)]
    assert f"notification (session_started) to {slow.url} failed: {why}" in [e.get("message") for e in of_type(events, "error")], "shown"
    assert slow.events() == ["session_started", "session_finished"] and fast.events() == ["session_started"], "nothing sent twice"
    assert not verify(journal).problems


def test_the_ledger_owes_one_start_per_process_that_told_it_and_one_notice_per_rollback_or_guard() -> None:
    """A solo first process told its start at session_started; a resumed shared one at share_started; a resumed solo one
    not at all. Each rollback and guard owes one. A target's journaled outcomes, sent or failed, settle them."""
    from runbook_tui.notify.ledger import NoticeLedger
    from runbook_tui.notify.sender import Destination

    def journal(*kinds: str, **settled: int) -> list[dict[str, object]]:
        events: list[dict[str, object]] = [{"type": kind} for kind in kinds]
        for event, count in settled.items():
            events += [{"type": "notified", "event": event, "target": "A"}] * count
        return events

    every, starts = Destination("http://a", "A"), Destination("http://b", "B", events=("session_started",))
    cases = [
        (journal("session_started"), [("session_started", "A"), ("session_started", "B")]),
        (journal("session_started", "session_resumed", "share_started", "rollback_started", session_started=2), [("rollback_started", "A"),
         ("session_started", "B"), ("session_started", "B")]),
        (journal("session_started", "share_started", "session_resumed", "guard_tripped", "rollback_finished", session_started=1, guard_tripped=1),
         [("rollback_finished", "A"), ("session_started", "B")]),
    ]  # fmt: skip
    for events, lost in cases:
        ledger = NoticeLedger()
        for event in events:
            ledger.note(event)  # type: ignore[arg-type]
        assert sorted(ledger.unaccounted([every, starts])) == sorted(lost), events


def test_two_receivers_at_one_url_each_owe_their_own_outcome() -> None:
    """Before: the two shared one name in the journal, and one's `notified` settled the other's notice too: a start the
    killed process never journaled for the second receiver went unsaid by resume."""
    from runbook_tui.notify.ledger import NoticeLedger
    from runbook_tui.notify.sender import Destination

    as_json, as_slack = Destination("http://a", "A"), Destination("http://a", "A", format="slack")
    ledger = NoticeLedger()
    for event in ({"type": "session_started"}, {"type": "notified", "event": "session_started", "target": "A"}):
        ledger.note(event)  # type: ignore[arg-type]
    assert ledger.unaccounted([as_json, as_slack]) == [("session_started", "A")]
    ledger.note({"type": "notify_failed", "event": "session_started", "target": "A"})  # type: ignore[arg-type]
    assert ledger.unaccounted([as_json, as_slack]) == []
