"""The verifier's (and an observer's) screen driven with its keys: intents sent, refusals said, the replica followed,
the link lost and back, a rejoin refused, leaving while a step waits for their word."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import SIZE, FakeClient, burst, painted, screen_is, settled, shared_session_events, until, with_plan

from runbook_tui.engine import events as ev
from runbook_tui.engine.state import apply
from runbook_tui.ui.footer import KeyFooter
from runbook_tui.ui.status_stack import StatusStack
from runbook_tui.ui.verifier_app import VerifierApp
from runbook_tui.ui.widgets import RunHeader, StepDetail

JOURNAL = "j.jsonl"


@pytest.mark.asyncio
async def test_verifier_keys_send_their_intents(workdir: Path) -> None:
    client = FakeClient(shared_session_events(workdir))
    app = VerifierApp(client)
    async with app.run_test(size=SIZE) as pilot:
        await screen_is(pilot, "VerifierScreen")
        await settled(pilot)
        assert "verifier bob" in painted(app.screen.query_one(RunHeader))
        await pilot.press("enter")  # the step's details
        details = await screen_is(pilot, "InfoScreen")
        assert "Step 'check'" in painted(details.query_one("#dialog-title"))
        assert "echo check >> marks" in painted(details.query_one("#dialog-body"))
        await pilot.press("escape")
        await screen_is(pilot, "VerifierScreen")

        # Nothing to confirm yet ('check' verifies after it ran): the footer does not offer c.
        assert not app.screen.check_action("confirm", ())
        check = client.state.steps["check"]
        client.state = dataclasses.replace(client.state, steps={**client.state.steps, "check": dataclasses.replace(check, status="awaiting_verification")})
        assert app.screen.check_action("confirm", ())
        await pilot.press("c")
        await until(pilot, lambda: client.sent == [("confirm", "")], "confirm")
        await pilot.press("x")
        await screen_is(pilot, "TextPrompt")
        await pilot.press("escape")  # no reason, no rejection
        await screen_is(pilot, "VerifierScreen")
        await pilot.press("u")  # the dialog says its reason is optional (it did not say so)
        asked = await screen_is(pilot, "TextPrompt")
        said = " ".join(painted(asked.query_one("#dialog-body")).split())
        assert said.startswith("Why, in a few words: optional, enter alone sends the request."), said
        await pilot.press("escape")
        await screen_is(pilot, "VerifierScreen")
        # Each key asks for words first (a rollback request's reason is optional), then sends its intent with them. Typed
        # in one burst (before: the words went to the screen's own keys, `n` of 'wrong' opened a note, `u` a rollback).
        for key, words, intent in (("x", "wrong host", "reject"), ("u", "", "request_rollback"), ("n", "looks fine", "note")):
            burst(app, key, words, "enter")
            await until(pilot, lambda wanted=(intent, words): client.sent[-1:] == [wanted], intent)
            await screen_is(pilot, "VerifierScreen")
        await pilot.press("p")
        await until(pilot, lambda: client.sent[-1][0] == "hold", "hold")
        await pilot.press("question_mark")
        await screen_is(pilot, "HelpScreen")
        await pilot.press("escape")
        await screen_is(pilot, "VerifierScreen")
        await pilot.press("s", "d")  # the assignee's keys do nothing here
        await pilot.pause()
        await pilot.press("q")
        await screen_is(pilot, "ConfirmPrompt")  # 'check' still waits for bob's word (this client never folds a reply)
        await pilot.press("y")
        await until(pilot, lambda: not app.is_running, "the verifier to leave")
    assert [action for action, _ in client.sent] == ["confirm", "reject", "request_rollback", "note", "hold"]
    assert client.sent[-1] == ("hold", ""), "a hold carries no words of its own: the row names who asks (`bob asks to hold`)"
    assert app.return_value == 0


@pytest.mark.asyncio
async def test_c_with_nothing_to_confirm_says_why_and_sends_nothing(workdir: Path) -> None:
    """A verifier's `c` before the step ran used to do nothing at all: a lost key and a refusal looked the same."""
    client = FakeClient(shared_session_events(workdir))
    app = VerifierApp(client)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await screen_is(pilot, "VerifierScreen")
        await settled(pilot)
        await pilot.press("c")
        await until(pilot, lambda: bool(app.screen.query("Toast")), "a notification saying why c did nothing")
        said = " ".join(painted(toast) for toast in app.screen.query("Toast"))
        assert "'check' is pending: nothing waits for your confirmation" in said, said
        assert client.sent == [], "nothing was sent to the assignee"


def test_why_c_confirms_nothing_follows_the_run(workdir: Path) -> None:
    from runbook_tui.ui.verifier_screen import nothing_to_confirm

    state = FakeClient(shared_session_events(workdir)).state

    def at(status: str, **changes: Any) -> str:
        check = dataclasses.replace(state.steps["check"], status=status)
        return nothing_to_confirm(dataclasses.replace(state, steps={**state.steps, "check": check}, **changes), observe=False)

    assert at("running") == "'check' is running: confirm it when it has ended and asks for your word"
    assert at("failed") == "'check' is FAILED: nothing waits for your confirmation (c confirms when a step asks for your word)"
    assert at("pending", paused=True).startswith("the run is paused; 'check' is pending: nothing waits")
    assert nothing_to_confirm(state, observe=True) == "you joined as an observer: you watch, you do not confirm"


@pytest.mark.asyncio
@pytest.mark.parametrize("flag", [True, False], ids=["--observe", "an observer's key without --observe"])
async def test_an_observer_cannot_confirm_reject_or_note(workdir: Path, flag: bool) -> None:
    """Nothing is sent, and each key says why (before, they did nothing at all). An observer's key joining without
    --observe is an observer too (before: the screen said "joined as verifier" and opened the reject prompt)."""
    client = FakeClient(shared_session_events(workdir))
    client.role = "observer"
    check = client.state.steps["check"]
    client.state = dataclasses.replace(client.state, steps={**client.state.steps, "check": dataclasses.replace(check, status="awaiting_verification")})
    app = VerifierApp(client, observe=flag)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await screen_is(pilot, "VerifierScreen")
        await settled(pilot)
        row = painted(app.screen.query_one(StatusStack)).strip()
        assert row == "Waiting for bob to confirm 'check'", "an observer's row names no key it cannot use (it said `c confirm · x reject`)"
        assert "joined as observer (read-only)" in painted(app.screen.query_one("#journal-path"))
        await pilot.press("c", "x", "u", "n", "p")
        said = ["you joined as an observer: you watch, you do not confirm"]
        said += ["you joined as an observer: you watch; confirming, rejecting, notes and holds are the verifier's"] * 4
        await until(pilot, lambda: [n.message for n in app._notifications] == said, "each key to say why it does nothing")
        assert type(app.screen).__name__ == "VerifierScreen"
        await pilot.press("q")
        await until(pilot, lambda: not app.is_running, "the observer to leave")
    assert client.sent == []


@pytest.mark.asyncio
async def test_the_verifier_screen_follows_the_replica(workdir: Path) -> None:
    """An event the client folds shows on the verifier's screen (the repaint timer picks it up)."""
    client = FakeClient(shared_session_events(workdir))
    app = VerifierApp(client)
    async with app.run_test(size=SIZE) as pilot:
        screen = await screen_is(pilot, "VerifierScreen")
        event = {"seq": client.state.seq + 1, "ts": "2026-01-01T00:00:00.000Z", "type": "step_started", "actor": "alice",
                 "step": "check", "attempt": 1, "hosts": ["local"], "phase": "run", "title": "Config parses", "commands": {"local": "echo check"}}  # fmt: skip
        client.state = apply(client.state, event)
        for listener in client._listeners:
            listener(event, client.state)
        await until(pilot, lambda: "running" in painted(screen.query_one(StepDetail)), "the running step on the verifier's screen")


@pytest.mark.asyncio
async def test_the_verifier_losing_the_session_is_said_until_it_is_back_and_a_refused_rejoin_ends_the_join(workdir: Path) -> None:
    """At 80x24: the link down is a row of the stack, whole, until it is back (before: one toast that faded, and the
    screen went on looking joined). A rejoin refused for good ends the app with the reason for `join` to print (before:
    the follower died unseen and `c` said it would reach the assignee once reconnected). The header agrees with the row:
    `you not connected since` the drop while it shows (before: `verifier bob connected` under `NOT CONNECTED`)."""
    import asyncssh

    from runbook_tui.share.client import JoinError

    client = FakeClient(shared_session_events(workdir))
    client.state = apply(
        client.state,
        {"seq": client.state.seq + 1, "ts": "2026-03-20T02:13:00.000Z", "type": ev.PARTICIPANT_JOINED, "actor": "bob", "name": "bob", "role": "verifier"},
    )
    refusal = asyncio.Event()

    async def run() -> None:
        await refusal.wait()
        raise JoinError("Host key is not trusted") from asyncssh.HostKeyNotVerifiable("Host key is not trusted")

    client.run = run  # type: ignore[method-assign]
    app = VerifierApp(client)
    async with app.run_test(size=(80, 24)) as pilot:
        await screen_is(pilot, "VerifierScreen")
        header = app.screen.query_one(RunHeader)
        await until(pilot, lambda: "verifier bob connected" in painted(header), "the header to say bob is connected")
        client.lost_at = dt.datetime(2026, 3, 20, 2, 13, 5, tzinfo=dt.UTC).timestamp()
        stack = app.screen.query_one(StatusStack)
        await until(pilot, lambda: "q leave" in " ".join(painted(stack).split()), "the stack to say the link is down, whole")
        assert "verifier you not connected since 02:13:05" in painted(header), painted(header)
        shown = " ".join(line.strip() for line in painted(stack).splitlines())
        assert shown.startswith("NOT CONNECTED since 02:13:05 (the assignee's program stopped, or the network)"), shown
        assert shown.endswith("if it stopped) — enter details · q leave"), shown
        client.lost_at = None
        await until(pilot, lambda: "NOT CONNECTED" not in painted(stack), "the row to go once the link is back")
        assert "verifier bob connected" in painted(header), painted(header)
        client.diverged = "event 7 differs from the one received before: the assignee's history was rewritten; what you saw is kept in [b]c.jsonl"
        # Until the whole row is painted: the stack grows to several rows on the next layout, and a paint before it
        # shows the first row only (seen once in CI).
        await until(pilot, lambda: "p asks them to hold" in " ".join(painted(stack).split()), "the stack to say the history changed, whole")
        shown = " ".join(line.strip() for line in painted(stack).splitlines())  # for good: a toast faded, the screen froze
        assert shown.startswith("THE ASSIGNEE'S JOURNAL CHANGED what you had already seen (event 7 differs"), shown
        assert "kept in [b]c.jsonl): nothing after it is shown. p asks them to hold" in shown, shown
        refusal.set()
        await until(pilot, lambda: app.return_code == 2, "the app to end on the refused rejoin")
    assert isinstance(app.refused, JoinError) and isinstance(app.refused.__cause__, asyncssh.HostKeyNotVerifiable)


@pytest.mark.asyncio
async def test_the_verifier_leaving_while_a_step_waits_for_their_word_is_asked_first(workdir: Path) -> None:
    """One q left the run waiting with nobody to confirm; now q asks while the step waits for the verifier (and leaves
    at once otherwise, as before); ctrl+c does what q does."""
    client = FakeClient(shared_session_events(workdir))
    check = client.state.steps["check"]
    client.state = dataclasses.replace(client.state, steps={**client.state.steps, "check": dataclasses.replace(check, status="awaiting_verification")})
    app = VerifierApp(client)
    async with app.run_test(size=(80, 24)) as pilot:
        await screen_is(pilot, "VerifierScreen")
        await pilot.press("q")
        prompt = await screen_is(pilot, "ConfirmPrompt")
        body = " ".join(painted(prompt.query_one("#dialog-body")).split())
        assert "'check' waits for your word: the assignee cannot go past it until a verifier gives it" in body, body
        await pilot.press("n")
        await screen_is(pilot, "VerifierScreen")
        await pilot.press("ctrl+c")  # pressed out of habit: as q (Textual's own ctrl+c said nothing)
        await screen_is(pilot, "ConfirmPrompt")
        await pilot.press("n")
        await screen_is(pilot, "VerifierScreen")
        client.state = dataclasses.replace(client.state, steps={**client.state.steps, "check": check})  # nothing waits for bob
        await pilot.press("q")
        await until(pilot, lambda: not app.is_running, "the verifier to leave at once")


@pytest.mark.asyncio
async def test_a_failed_step_offers_no_reject_and_x_says_why(workdir: Path) -> None:
    """At 80x24 the verifier's footer offered `x reject` on a FAILED step; pressed, it turned the failure into `GO-AHEAD
    REFUSED` and the assignee's enter re-ran it anyway. Now the footer offers what acts (u, n), and x says why, sending
    nothing."""
    client = FakeClient(shared_session_events(workdir))
    check = client.state.steps["check"]
    client.state = dataclasses.replace(client.state, steps={**client.state.steps, "check": dataclasses.replace(check, status="failed", attempts=1)})
    app = VerifierApp(client)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await screen_is(pilot, "VerifierScreen")
        await settled(pilot)
        footer = app.screen.query_one(KeyFooter)
        shown = [key.description for key in footer.keys[0]]
        assert "reject" not in shown and {"request rollback", "note"} <= set(shown), shown
        # the status row names u as the footer does (it said `u request rollback` over `u ask rollback`)
        assert painted(app.screen.query_one(StatusStack)).endswith("— u request rollback · n note"), painted(app.screen.query_one(StatusStack))
        await pilot.press("x")
        said = "'check' failed: the run has stopped at it already; u asks the assignee to roll back, n adds a note"
        await until(pilot, lambda: [n.message for n in app._notifications] == [said], "x to say why it does nothing")
        assert type(app.screen).__name__ == "VerifierScreen" and client.sent == []


@pytest.mark.asyncio
async def test_under_their_own_rollback_request_x_says_it_waits_for_the_assignee(workdir: Path) -> None:
    """Walked at 140x45: bob asked for a rollback of the failed 'check', then pressed x: `u asks the assignee to roll
    back`, as if he had not asked already. Now x (not offered) says the request stands and waits for alice."""
    client = FakeClient(shared_session_events(workdir))
    check = dataclasses.replace(client.state.steps["check"], status="failed", attempts=1)
    state = dataclasses.replace(client.state, steps={**client.state.steps, "check": check})
    event = {"seq": state.seq + 1, "ts": "2026-03-14T02:00:00.000Z", "type": ev.ROLLBACK_REQUESTED, "actor": "bob", "reason": "bob requests a rollback"}
    client.state = apply(state, event)
    assignee = str(client.state.session.get("assignee"))
    app = VerifierApp(client)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await screen_is(pilot, "VerifierScreen")
        await settled(pilot)
        shown = [key.description for key in app.screen.query_one(KeyFooter).keys[0]]
        assert "reject" not in shown and "request rollback" not in shown and "note" in shown, shown
        await pilot.press("x")
        said = (
            "'check' failed: the run has stopped at it already, and your rollback request stands: "  # bob's own
            f"it waits for {assignee} to start it or decline it; n adds a note"
        )
        await until(pilot, lambda: [n.message for n in app._notifications] == [said], "x to say the request stands")
        assert type(app.screen).__name__ == "VerifierScreen" and client.sent == []


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_a_step_rolled_back_offers_no_reject(workdir: Path, size: tuple[int, int]) -> None:
    """Walked at 140x45: after alice's checkpoint rollback ('check' undone, next again) bob's footer offered `x reject`;
    pressed, it turned the undone step GO-AHEAD REFUSED, and alice's enter re-ran it anyway. Now x is not offered and
    says why; the keys that act (a rollback request, a note, a hold) stay."""
    from runbook_tui.engine.state_model import RollbackState

    client = FakeClient(shared_session_events(workdir))
    check = dataclasses.replace(client.state.steps["check"], status="undone", attempts=1, go_ahead_void=True)
    rollback = RollbackState(scope="checkpoint", plan={"checkpoint_step": None, "entries": []}, finished=True, ok=True)
    client.state = dataclasses.replace(client.state, steps={**client.state.steps, "check": check}, rollback=rollback)
    app = VerifierApp(client)
    async with app.run_test(size=size, notifications=True) as pilot:
        await screen_is(pilot, "VerifierScreen")
        await settled(pilot)
        shown = [key.description for key in app.screen.query_one(KeyFooter).keys[0]]
        assert "reject" not in shown and "confirm" not in shown and {"request rollback", "note", "hold"} <= set(shown), shown
        row = " ".join(painted(app.screen.query_one(StatusStack)).split())
        assert row.startswith("Rolled back to the start; 'check' is next again"), row
        await pilot.press("x")
        assignee = str(client.state.session.get("assignee"))
        said = (
            f"'check' was rolled back: nothing of it stands to reject; it waits for {assignee} to run it again (then your word), p asks to hold, n adds a note"
        )
        await until(pilot, lambda: [n.message for n in app._notifications] == [said], "x to say why it does nothing")
        assert type(app.screen).__name__ == "VerifierScreen" and client.sent == []


@pytest.mark.asyncio
async def test_a_step_of_unknown_outcome_offers_no_reject(workdir: Path) -> None:
    """The program stopped while 'check' ran (resumed: outcome UNKNOWN, the assignee re-runs it, marks it done or rolls
    back): bob's footer offered `x reject`, and x turned the unknown outcome into GO-AHEAD REFUSED, as it did over a
    failure, while enter re-ran it anyway. Now x is not offered there and says why; the controller refuses it the same."""
    from runbook_tui.engine.state import nothing_to_reject

    client = FakeClient(shared_session_events(workdir))
    check = dataclasses.replace(client.state.steps["check"], status="unknown", attempts=1)
    client.state = dataclasses.replace(client.state, steps={**client.state.steps, "check": check})
    assignee = str(client.state.session.get("assignee"))
    said = (
        f"'check' outcome is unknown (the program stopped while it ran): {assignee} re-runs it, marks it done or rolls back; "
        "u asks the assignee to roll back, n adds a note"
    )
    assert nothing_to_reject(client.state) == said
    app = VerifierApp(client)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await screen_is(pilot, "VerifierScreen")
        await settled(pilot)
        shown = [key.description for key in app.screen.query_one(KeyFooter).keys[0]]
        assert "reject" not in shown and "confirm" not in shown and {"request rollback", "note"} <= set(shown), shown
        await pilot.press("x")
        await until(pilot, lambda: [n.message for n in app._notifications] == [said], "x to say why it does nothing")
        assert client.sent == []


@pytest.mark.asyncio
async def test_a_hold_asked_already_is_not_offered_again(workdir: Path) -> None:
    """Walked at 140x45: under bob's own `HOLD asked: bob asks to hold; waiting for alice to pause` his footer still
    offered `p hold`, and each press journaled one more `hold_requested`; x's words told him `p asks to hold`. Now p is
    not offered while the hold stands, says so when pressed, and x's words leave it out."""
    client = FakeClient(shared_session_events(workdir))
    check = dataclasses.replace(client.state.steps["check"], status="undone", attempts=1, go_ahead_void=True)
    state = dataclasses.replace(client.state, steps={**client.state.steps, "check": check})
    client.state = apply(
        state, {"seq": state.seq + 1, "ts": "2026-03-14T02:00:00.000Z", "type": ev.HOLD_REQUESTED, "actor": "bob", "reason": "bob asks to hold"}
    )
    assignee = str(client.state.session.get("assignee"))
    app = VerifierApp(client)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await screen_is(pilot, "VerifierScreen")
        await settled(pilot)
        shown = [key.description for key in app.screen.query_one(KeyFooter).keys[0]]
        assert "hold" not in shown and {"request rollback", "note"} <= set(shown), shown
        await pilot.press("p")
        said = [f"your hold stands already: it waits for {assignee} to pause"]  # bob's own (test_own_request_words.py)
        await until(pilot, lambda: [n.message for n in app._notifications] == said, "p to say the hold stands")
        await pilot.press("x")
        said.append(f"'check' was rolled back: nothing of it stands to reject; it waits for {assignee} to run it again (then your word), n adds a note")
        await until(pilot, lambda: [n.message for n in app._notifications] == said, "x to say why, without offering p")
        assert client.sent == []


@pytest.mark.asyncio
async def test_a_verify_none_step_offers_no_reject_and_x_says_why(workdir: Path) -> None:
    """At 80x24 the verifier's footer offered `x reject` on a `verify: none` step before it ran; pressed, it refused a
    go-ahead the step never needed and stopped the run. Now the footer leaves x out, the help says where, and x says why."""
    client = FakeClient(shared_session_events(workdir))
    client.state = with_plan(client.state, "check", verify="none")
    app = VerifierApp(client)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await screen_is(pilot, "VerifierScreen")
        await settled(pilot)
        shown = [key.description for key in app.screen.query_one(KeyFooter).keys[0]]
        assert "reject" not in shown and {"request rollback", "note", "hold"} <= set(shown), shown
        await pilot.press("x")
        said = "'check' needs no verifier's word (verify: none): nothing to reject; p asks to hold, u asks for a rollback"
        await until(pilot, lambda: [n.message for n in app._notifications] == [said], "x to say why it does nothing")
        assert type(app.screen).__name__ == "VerifierScreen" and client.sent == []
        await pilot.press("question_mark")
        help_screen = await screen_is(pilot, "HelpScreen")
        body = " ".join(painted(help_screen.query_one("#dialog-body")).split())
        assert "not offered on a failed step (u or n), a `verify: none` one, nor one rolled back" in body, body


@pytest.mark.asyncio
async def test_at_80_columns_the_verifiers_footer_draws_only_whole_keys(workdir: Path) -> None:
    """A step waits for bob at 80x24: the footer cropped its row mid-key, and a lone `l` or `y` (its words cut) read as
    a key to press for who knows what. Now the keys that do not fit whole are left out (the help lists them)."""
    client = FakeClient(shared_session_events(workdir))
    check = client.state.steps["check"]
    client.state = dataclasses.replace(
        client.state, steps={**client.state.steps, "check": dataclasses.replace(check, status="awaiting_verification", attempts=1)}
    )
    app = VerifierApp(client)
    async with app.run_test(size=(80, 24)) as pilot:
        await screen_is(pilot, "VerifierScreen")
        await settled(pilot)
        row = painted(app.screen.query_one(KeyFooter)).rstrip()
        assert row == "⏎ details c confirm x reject u request rollback n note p hold ? help q leave", row


@pytest.mark.asyncio
async def test_while_the_link_is_down_no_key_that_sends_is_offered_and_they_come_back_with_it(workdir: Path) -> None:
    """At 80x24, 'check' waits for bob's word, then the link drops. Before: the footer and the row still offered
    `c confirm · x reject`, and what they sent went nowhere. Now, while NOT CONNECTED: the footer offers no c x u n p
    (only what works here: details, help, leave), no row names a key that sends (the waiting row has no keys, the
    NOT CONNECTED row names `enter details · q leave` and says c x u n p come back), c says why and sends nothing.
    Once the link is back the footer and the row offer `c confirm · x reject` again."""
    client = FakeClient(shared_session_events(workdir))
    check = client.state.steps["check"]
    client.state = dataclasses.replace(
        client.state, steps={**client.state.steps, "check": dataclasses.replace(check, status="awaiting_verification", attempts=1)}
    )
    app = VerifierApp(client)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await screen_is(pilot, "VerifierScreen")
        stack, footer = app.screen.query_one(StatusStack), app.screen.query_one(KeyFooter)
        connected_row = "Your word on 'check': it has run — c confirm · x reject"  # bob's own word, with its keys
        await until(pilot, lambda: connected_row in painted(stack), "the row to offer c and x")
        client.lost_at = dt.datetime(2026, 3, 20, 2, 13, 5, tzinfo=dt.UTC).timestamp()
        gone = ("NOT CONNECTED", "Your word on 'check'")  # both rows laid out (the second a frame after the first)
        await until(pilot, lambda: all(w in painted(stack) for w in gone) and "confirm" not in painted(footer), "the keys to go with the link")
        assert painted(footer).rstrip() == "⏎ details ? help q leave l steps y copy", painted(footer)  # what still works here
        rows = " ".join(painted(stack).split())
        assert "c x u n p come back when it reconnects" in rows and "— enter details · q leave" in rows, rows
        assert "Your word on 'check': it has run" in rows and "Waiting for bob" not in rows, rows  # still bob's own words, no key
        assert "c confirm" not in rows and "x reject" not in rows, rows
        await pilot.press("c", "x", "p")
        said = "not connected to the run: nothing you press reaches the assignee; c x u n p come back once it reconnects (it retries by itself)"
        await until(pilot, lambda: [n.message for n in app._notifications][-3:] == [said] * 3, "c x p to say why they send nothing")
        assert app.screen.__class__.__name__ == "VerifierScreen" and client.sent == [], "no prompt opened, nothing sent"
        client.lost_at = None
        await until(pilot, lambda: connected_row in painted(stack) and "c confirm" in painted(footer), "c and x back with the link")
        await pilot.press("c")
        await until(pilot, lambda: client.sent == [("confirm", "")], "c to confirm again")


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_an_observers_help_lists_an_observers_keys(workdir: Path, size: tuple[int, int]) -> None:
    """carol joined with `join --observe`: `?` listed the assignee's and the verifier's keys (confirm, reject, roll
    back, note, hold), none hers to press. Her help lists what she can do (details, copy, the step list, scrolling,
    leave) and says she watches; every key her footer shows is in it."""
    from runbook_tui.ui.modals import OBSERVER_HELP_KEYS, HelpScreen
    from tests.replay.replay_helpers import text_of

    app = VerifierApp(FakeClient(shared_session_events(workdir)), observe=True)
    async with app.run_test(size=size) as pilot:
        await screen_is(pilot, "VerifierScreen")
        await settled(pilot)
        footer = " ".join(painted(app.screen.query_one(KeyFooter)).split())
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "the help")
        await settled(pilot)
        said = text_of(app.screen)
    assert "You joined as an observer: you watch." in said, said
    for theirs in ("confirm the current step", "reject the current step", "request rollback", "add a note", "assignee:"):
        assert theirs not in said, f"an observer's help offers {theirs!r}: {said}"
    helped = {key for keys, _ in OBSERVER_HELP_KEYS for key in keys.split()}
    shown = [word for word in footer.split() if len(word) == 1 or word in ("⏎", "enter")]
    assert shown and {"⏎" if key == "enter" else key for key in helped} >= {w for w in shown if w != "▏"}, (footer, helped)


@pytest.mark.asyncio
async def test_once_the_verifier_has_requested_a_rollback_the_footer_no_longer_offers_u(workdir: Path) -> None:
    """'check' failed and bob pressed u: the status row then said only `n note`, while the footer still offered
    `u request rollback` (a second u journaled the same request again). Now the footer matches the row while the request
    stands, u says why it does nothing and sends nothing, and once the assignee declines it u is offered again."""
    client = FakeClient(shared_session_events(workdir))
    check = client.state.steps["check"]
    client.state = dataclasses.replace(client.state, steps={**client.state.steps, "check": dataclasses.replace(check, status="failed", attempts=1)})
    app = VerifierApp(client)

    def arrive(kind: str, **fields: object) -> None:
        event = {"seq": client.state.seq + 1, "ts": "2026-03-20T02:10:00.000Z", "type": kind, **fields}
        client.state = apply(client.state, event)
        for listener in client._listeners:
            listener(event, client.state)

    def shown() -> list[str]:
        return [key.description for key in app.screen.query_one(KeyFooter).keys[0]]

    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await screen_is(pilot, "VerifierScreen")
        await settled(pilot)
        assert "request rollback" in shown(), shown()
        arrive(ev.ROLLBACK_REQUESTED, actor="bob", reason="p99 doubled")
        stack = app.screen.query_one(StatusStack)
        await until(pilot, lambda: "request rollback" not in shown(), "u to leave the footer while bob's request stands")
        assert painted(stack).endswith("— n note"), painted(stack)  # the row and the footer say the same
        assert "note" in shown(), shown()
        await pilot.press("u")
        assignee = client.state.session.get("assignee")  # named, as x says it there (it read `the assignee`)
        said = f"your rollback request stands (p99 doubled): it waits for {assignee} to start it or decline it"  # bob's own
        await until(pilot, lambda: [n.message for n in app._notifications] == [said], "u to say why it does nothing")
        assert type(app.screen).__name__ == "VerifierScreen" and client.sent == []
        arrive(ev.ROLLBACK_DECLINED, actor="alice", reason="the batch job", request="bob: p99 doubled")
        await until(pilot, lambda: "request rollback" in shown(), "u back once the request is answered")


@pytest.mark.asyncio
async def test_while_a_rollback_runs_the_footer_offers_no_u_and_u_says_it_is_under_way(workdir: Path) -> None:
    """Before: a rollback started cleared the request, so the footer offered `u request rollback` again while the undo
    ran, and u journaled another request over the rollback it asked for. Now u is not offered, says why in the words the
    controller refuses with, and comes back once the rollback has finished."""
    client = FakeClient(shared_session_events(workdir))
    app = VerifierApp(client)

    def arrive(kind: str, **fields: object) -> None:
        event = {"seq": client.state.seq + 1, "ts": "2026-03-20T02:10:00.000Z", "type": kind, **fields}
        client.state = apply(client.state, event)
        for listener in client._listeners:
            listener(event, client.state)

    def shown() -> list[str]:
        return [key.description for key in app.screen.query_one(KeyFooter).keys[0]]

    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await screen_is(pilot, "VerifierScreen")
        await settled(pilot)
        assert "request rollback" in shown(), shown()
        arrive(ev.ROLLBACK_STARTED, actor="alice", scope="checkpoint", plan={"entries": []})
        await until(pilot, lambda: "request rollback" not in shown(), "u to leave the footer while the rollback runs")
        await pilot.press("u")
        said = "a rollback is under way already (checkpoint): the log shows each undo as it runs"
        await until(pilot, lambda: [n.message for n in app._notifications] == [said], "u to say why it does nothing")
        assert client.sent == []
        arrive(ev.ROLLBACK_FINISHED, actor="system", ok=True)
        await until(pilot, lambda: "request rollback" in shown(), "u back once the rollback has finished")


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_once_the_session_closes_after_the_end_the_header_names_nobody_connected(workdir: Path, size: tuple[int, int]) -> None:
    """The run done, the assignee quit and the share closed: the verifier's client never hears `share_closed` (journaled
    once everyone is gone), and its screen said `verifier bob connected` for as long as it stayed open, a session that no
    longer existed. Now a row says it closed, and when, and the header names nobody connected: after the end it says
    nothing of who is (nobody's coming is journaled after `session_finished`: a verifier joining then read `not
    connected` on both screens), before the close and after it."""
    client = FakeClient(shared_session_events(workdir))
    seq = client.state.seq
    for event in (
        {"type": ev.PARTICIPANT_JOINED, "actor": "system", "name": "bob", "role": "verifier"},
        {"type": ev.SESSION_FINISHED, "actor": "system", "outcome": "done"},
    ):
        seq += 1
        client.state = apply(client.state, {"seq": seq, "ts": "2026-03-20T02:13:00.000Z", **event})
    app = VerifierApp(client)
    async with app.run_test(size=size) as pilot:
        await screen_is(pilot, "VerifierScreen")
        header, stack = app.screen.query_one(RunHeader), app.screen.query_one(StatusStack)
        await until(pilot, lambda: "verifier bob" in painted(header), "the header to name bob")
        assert "connected" not in painted(header), painted(header)
        client.lost_at = dt.datetime(2026, 3, 20, 2, 14, 5, tzinfo=dt.UTC).timestamp()  # the session closed the connection
        # Both rows (the second is laid out a frame after the first: asserted at once, it was missing under load).
        closed = ("The session closed at 02:14:05", "Session finished: done")
        await until(pilot, lambda: all(words in " ".join(painted(stack).split()) for words in closed), "the stack to say the session closed")
        assert "verifier bob" in painted(header) and "connected" not in painted(header), painted(header)
        shown = " ".join(painted(stack).split())
        assert "the run is over, nothing more will come — q leave" in shown, shown
        assert "Session finished: done" in shown, shown
        assert "NOT CONNECTED" not in shown, shown  # not a drop to wait out: nothing reconnects after the end
