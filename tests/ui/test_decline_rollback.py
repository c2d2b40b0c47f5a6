"""The assignee declines the verifier's rollback request with `x`: asked why, journaled, and the request answered.

Before: the run screen offered only `u` (follow it) for a rollback request; going on without rolling back left the
request standing and nothing on record said why.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import footer_keys, make_app, of_kind, painted, screen_is, settled, started, type_text, until, write_runbook

from runbook_tui.engine.controller import Actor
from runbook_tui.ui.status_stack import StatusStack

RUNBOOK = """\
runbook: 1
id: decline
title: Decline a rollback request
ticket: {id: CHG-6, subject: decline, assignee: alice, verifier: bob}
sections:
  - id: change
    title: Change
    kind: implement
    steps:
      - {id: edit, title: Edit, run: echo edited, undo: echo unedit, verify: none}
      - {id: reload, title: Reload, run: echo reloaded, verify: none}
"""


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_x_declines_the_verifiers_rollback_request_with_a_reason(workdir: Path, size: tuple[int, int]) -> None:
    write_runbook(workdir, RUNBOOK, "decline.yaml")
    app = make_app("decline.yaml", solo=None, verifier_in_process=True)
    bob = Actor("bob", "verifier")
    async with app.run_test(size=size, notifications=True) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        assert "x decline" not in footer_keys(app), "no request: x is not offered"
        assert controller.request_rollback(bob, "p99 doubled [b]now[/b]").ok
        await settled(pilot)
        stack = app.screen.query_one(StatusStack)
        assert "ROLLBACK REQUESTED" in painted(stack) and "x decline" in painted(stack), painted(stack)
        assert "x decline" in footer_keys(app)
        await pilot.press("x")
        prompt = await screen_is(pilot, "TextPrompt")
        body = painted(prompt.query_one("#dialog-body"))
        # before: `Asked: bob: p99 doubled …`; now it reads as a sentence, who asked first; as written, never as markup
        assert body.startswith("bob asked: p99 doubled [b]now[/b]\n") and "Asked:" not in body, body
        await type_text(pilot, "the batch job, not us")
        await pilot.press("enter")
        await until(pilot, lambda: controller.state.rollback_requested is None, "the request answered")
        await settled(pilot)
        assert "ROLLBACK REQUESTED" not in painted(app.screen.query_one(StatusStack))
        assert "x decline" not in footer_keys(app)
    [declined] = of_kind(workdir / "j.jsonl", "rollback_declined")
    assert declined["actor"] == "alice" and declined["reason"] == "the batch job, not us" and "p99 doubled" in declined["request"]
    assert not of_kind(workdir / "j.jsonl", "rollback_started")


@pytest.mark.asyncio
@pytest.mark.parametrize("observe", [False, True])
async def test_the_verifier_and_an_observer_are_told_when_the_request_is_declined(workdir: Path, observe: bool) -> None:
    """Before: on the verifier's (and an observer's) screen the ROLLBACK REQUESTED row just went away; the only word of
    the decline was a log line that the step's output soon scrolled off. Now it is a notification as on the assignee's
    screen, with who declined, why and what was asked; a decline long past (a first join's catch-up) is not."""
    from run_screen_helpers import FakeClient, shared_session_events

    from runbook_tui.engine.state import apply
    from runbook_tui.ui.verifier_app import VerifierApp

    client = FakeClient(shared_session_events(workdir))
    client.role = "observer" if observe else "verifier"
    app = VerifierApp(client, observe=observe) if observe else VerifierApp(client)

    def arrive(kind: str, ts: str, **fields: object) -> None:
        event = {"seq": client.state.seq + 1, "ts": ts, "type": kind, "actor": fields.pop("actor"), **fields}
        client.state = apply(client.state, event)
        for listener in client._listeners:
            listener(event, client.state)

    def declined() -> list[str]:
        return [str(n.message) for n in app._notifications if n.title == "Rollback request declined"]

    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await screen_is(pilot, "VerifierScreen")
        arrive("rollback_requested", "2026-03-20T02:10:00.000Z", actor="bob", reason="p99 doubled [b]now[/b]")
        arrive("rollback_declined", "2026-03-20T02:10:20.000Z", actor="alice", reason="the batch job, not us", request="bob: p99 doubled [b]now[/b]")
        await until(pilot, lambda: bool(declined()), "the decline said")
        # in the words of the log, exec and the report (event_words.declined_words)
        assert declined() == ["rollback declined by alice: the batch job, not us (asked: bob: p99 doubled [b]now[/b]); the run goes on"]
        # a decline from long before the newest event: a first join going through the record, not news
        app.clear_notifications()
        arrive("rollback_requested", "2026-03-20T02:11:00.000Z", actor="bob", reason="again")
        old = {
            "seq": client.state.seq + 1,
            "ts": "2026-03-20T02:11:05.000Z",
            "type": "rollback_declined",
            "actor": "alice",
            "reason": "no",
            "request": "bob: again",
        }
        later = {"seq": client.state.seq + 2, "ts": "2026-03-20T02:20:00.000Z", "type": "note", "actor": "alice", "text": "later"}
        client.state = apply(apply(client.state, old), later)
        for event in (old, later):
            for listener in client._listeners:
                listener(event, client.state)
        await settled(pilot)
        assert declined() == []


@pytest.mark.asyncio
@pytest.mark.parametrize("then", ["rollback_started", "rollback_requested"])
async def test_the_decline_toast_leaves_once_a_rollback_starts_or_is_asked_again(workdir: Path, then: str) -> None:
    """Before: the verifier declined to, then alice rolled back after all (u): the toast `… declined …; the run goes
    on` stood for its 20 s over the log of the rollback running, the opposite of what happened. It leaves as soon as the
    rollback starts, or a new request is made (its own row says that one); a toast of another title stays."""
    from run_screen_helpers import FakeClient, shared_session_events

    from runbook_tui.engine.state import apply
    from runbook_tui.ui.verifier_app import VerifierApp

    client = FakeClient(shared_session_events(workdir))
    app = VerifierApp(client)

    def arrive(kind: str, ts: str, **fields: object) -> None:
        event = {"seq": client.state.seq + 1, "ts": ts, "type": kind, "actor": fields.pop("actor"), **fields}
        client.state = apply(client.state, event)
        for listener in client._listeners:
            listener(event, client.state)

    def titles() -> list[str]:
        return [n.title for n in app._notifications]

    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await screen_is(pilot, "VerifierScreen")
        arrive("rollback_requested", "2026-03-20T02:10:00.000Z", actor="bob", reason="p99 doubled")
        arrive("rollback_declined", "2026-03-20T02:10:20.000Z", actor="alice", reason="the batch job, not us", request="bob: p99 doubled")
        await until(pilot, lambda: "Rollback request declined" in titles(), "the decline said")
        app.notify("another word", title="Other", timeout=120)
        await until(pilot, lambda: "Other" in titles(), "the other toast")
        if then == "rollback_started":
            plan = {"scope": "checkpoint", "checkpoint_step": None, "entries": [], "rollback_steps": [], "needs_acknowledgement": False}
            arrive(then, "2026-03-20T02:10:30.000Z", actor="alice", scope="checkpoint", plan=plan, reason="after all", acknowledged=False)
        else:
            arrive(then, "2026-03-20T02:10:30.000Z", actor="bob", reason="it got worse")
        # well before its own 20 s are up (it stood them all out before)
        await until(pilot, lambda: "Rollback request declined" not in titles(), "the decline toast to leave", seconds=8)
        assert "Other" in titles(), "only the decline's toast was taken away"
