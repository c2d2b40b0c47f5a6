"""Each role reads what is expected of it: the verifier their own word, the assignee whose word they wait for.

Walked in tmux at 80x24 and 140x45 (a run shared with bob, bob joined as verifier, then again as observer): bob's
screen read `Waiting for bob to confirm 'pre'` and `'backup' waits for bob's go-ahead` about himself; his rollback
request and his hold read as on the assignee's screen without its keys, and nothing said whose move it was; the step
line read `verifier confirms both`; and bob's observer window made every screen say `verifier bob not connected`
(the assignee's adding `no verifier is connected … q and resume --solo`) while bob sat at his verifier's keys.
The words of every role come from one place (`statuses`, `now_status`): the same facts, in the same order.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import FakeClient, prepare_workdir, settled, shared_session_events, until, with_plan
from textual.geometry import Region

from runbook_tui.engine import events as ev
from runbook_tui.engine.state import RunState, apply
from runbook_tui.engine.state_model import with_step
from runbook_tui.ui.status_stack import StatusStack, now_status, statuses
from runbook_tui.ui.verifier_app import VerifierApp
from runbook_tui.ui.verify_words import verify_words

FROZEN = dt.datetime(2026, 3, 14, 2, 0, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    prepare_workdir(tmp_path, monkeypatch)
    yield tmp_path


def _shared() -> RunState:
    return FakeClient(shared_session_events(Path.cwd())).state


def _event(state: RunState, kind: str, actor: str, **fields: Any) -> RunState:
    return apply(state, {"type": kind, "seq": 9, "ts": "2026-03-14T02:00:00Z", "actor": actor, **fields})


def _rows(widget: Any) -> list[str]:
    width, height = widget.outer_size
    return [strip.text.strip() for strip in widget.render_lines(Region(0, 0, width, height))]


def test_the_verifier_reads_their_own_word_awaited_and_the_others_whom_it_waits_for() -> None:
    """A step that ran and waits for the verifier: the assignee (and an observer, and a replay) read `Waiting for bob
    to confirm 'check'`; bob reads `Your word on 'check': it has run`, with c and x. One status, one place, both words."""
    state = with_step(_shared(), "check", status="awaiting_verification")
    (status,) = statuses(state, FROZEN)
    assert status.words("assignee") == "Waiting for bob to confirm 'check'"
    assert status.words("watching") == status.words("replay") == status.words("assignee"), "an observer reads the assignee's words"
    assert status.words("verifier") == "Your word on 'check': it has run"
    assert status.keys == {"verifier": "c confirm · x reject"}, "the keys stay the verifier's alone"
    # A question or a note ran nothing: `it has run` read wrong over an answer.
    (asked,) = statuses(with_plan(state, "check", kind="ask"), FROZEN)
    assert asked.words("verifier") == "Your word on 'check': it is answered"
    (noted,) = statuses(with_plan(state, "check", kind="note"), FROZEN)
    assert noted.words("verifier") == "Your word on 'check': it is marked done"


def test_the_verifier_reads_the_go_ahead_as_theirs() -> None:
    """`verify: before`: the assignee reads whose go-ahead the step waits for; bob read the same about himself."""
    state = with_plan(_shared(), "check", verify="before")
    calm = now_status(state, FROZEN)
    assert calm.words("assignee") == "'check' waits for bob's go-ahead · Config parses"
    assert calm.words("verifier") == "Your go-ahead for 'check' before it runs · Config parses"
    asked = now_status(with_step(state, "check", go_ahead_asked_at="2026-03-14T01:59:10Z"), FROZEN)
    assert asked.words("assignee") == "'check' waits for bob's go-ahead (asked 01:59:10) · Config parses"
    assignee = str(state.session.get("assignee"))
    assert asked.words("verifier") == f"Your go-ahead for 'check' before it runs ({assignee} asked 01:59:10) · Config parses"
    assert asked.keys == {"assignee": "enter ask go-ahead again", "verifier": "c go-ahead"}


def test_the_verifier_reads_whose_move_the_next_step_is_and_whether_theirs_follows() -> None:
    """Nothing needs attention: the assignee reads `Next: 'check' on local — enter run it`; the verifier read the same
    words with no key, and could not tell whether anything was expected of them."""
    state = _shared()
    calm = now_status(state, FROZEN)
    assert calm.words("assignee") == calm.words("watching") == "Next: 'check' on local · Config parses"
    assert calm.words("verifier") == "Next: 'check' on local: alice runs it, then your word · Config parses"
    unchecked = now_status(with_plan(state, "check", verify="none"), FROZEN)
    assert unchecked.words("verifier") == "Next: 'check' on local: alice runs it (no word of yours) · Config parses"
    assert calm.keys == {"assignee": "enter run it"}
    noted = now_status(with_plan(state, "check", kind="note", verify="none"), FROZEN)
    assert noted.words("verifier") == "Next: 'check': alice does it by hand (no word of yours) · Config parses", "a note runs nothing"
    asked = now_status(with_plan(state, "check", kind="ask"), FROZEN)
    assert asked.words("verifier") == "Next: 'check': alice answers it, then your word · Config parses"


def test_a_request_of_the_verifiers_says_to_them_whose_move_it_is() -> None:
    """bob's rollback request and hold: the assignee reads them with the keys that answer them; bob (and an observer)
    read that alice has the next move (before: the same words, no keys, and nothing said anyone had to act)."""
    base = _shared()
    assignee = str(base.session.get("assignee"))
    requested = _event(base, ev.ROLLBACK_REQUESTED, "bob", reason="reload broke it")
    (status,) = statuses(requested, FROZEN)
    assert status.words("assignee") == "ROLLBACK REQUESTED: bob: reload broke it"
    assert status.keys == {"assignee": "u roll back · x decline"}
    assert status.words("verifier") == status.words("watching") == f"ROLLBACK REQUESTED: bob: reload broke it; waiting for {assignee} to start it or decline it"
    held = _event(base, ev.HOLD_REQUESTED, "bob", reason="")
    (status,) = statuses(held, FROZEN)
    assert status.words("assignee") == "HOLD asked: bob asks to hold"
    assert status.words("verifier") == f"HOLD asked: bob asks to hold; waiting for {assignee} to pause"


def test_a_failed_step_offers_the_verifier_no_second_rollback_request() -> None:
    """Walked at 80x24: under bob's own `ROLLBACK REQUESTED …; waiting for alice`, the failure's row still offered him
    `u request rollback`, as if nothing had been asked."""
    failed = with_step(_shared(), "check", status="failed")
    (row,) = statuses(failed, FROZEN)
    assert row.keys["verifier"] == "u request rollback · n note"
    asked = _event(failed, ev.ROLLBACK_REQUESTED, "bob", reason="reload broke it")
    request, row = statuses(asked, FROZEN)
    assert request.words("verifier").startswith("ROLLBACK REQUESTED: bob: reload broke it; waiting for ")
    assert row.keys["verifier"] == "n note" and "u roll back" in row.keys["assignee"]


def test_the_step_line_says_what_verify_both_and_before_ask() -> None:
    """`verifier confirms both` and `verifier confirms before` said neither that a go-ahead comes before the step runs
    nor, for `both`, that a confirmation follows it."""
    state = _shared()
    assert verify_words(state, "both") == "verifier's go-ahead, then confirmation"
    assert verify_words(state, "before") == "verifier's go-ahead first"
    assert verify_words(state, "after") == "verifier confirms after"
    assert verify_words(state, "both", whole=True) == "verifier gives a go-ahead before it runs, then confirms the result"
    solo = dataclasses.replace(state, session={**state.session, "solo": "no second engineer"})
    assert verify_words(solo, "both") == "unverified (solo)"


def test_the_verifiers_observer_window_leaves_them_the_verifier() -> None:
    """bob joined as verifier, then opened `join --observe` with the same key: the observer's join replaced his role,
    and its leaving took his name off; every screen then read `verifier bob not connected`, and the assignee was told
    to wait for one or go solo. The share counts each name and role apart; the state now keeps the verifier."""
    base = _shared()
    state = _event(base, ev.PARTICIPANT_JOINED, "system", name="bob", role="verifier")
    both = _event(state, ev.PARTICIPANT_JOINED, "system", name="bob", role="observer")
    assert dict(both.participants) == {"bob": "verifier"}
    watched = with_step(both, "check", status="awaiting_verification")
    assert [s.words("assignee") for s in statuses(watched, FROZEN)] == ["Waiting for bob to confirm 'check'"], "no `no verifier is connected`"
    observer_left = _event(both, ev.PARTICIPANT_LEFT, "system", name="bob", role="observer")
    assert dict(observer_left.participants) == {"bob": "verifier"}, "the observer's window closed, the verifier's is open"
    verifier_left = _event(observer_left, ev.PARTICIPANT_LEFT, "system", name="bob", role="verifier")
    assert dict(verifier_left.participants) == {}
    older = _event(both, ev.PARTICIPANT_LEFT, "system", name="bob")  # a journal from before `role` was written
    assert dict(older.participants) == {}
    first_watching = _event(
        _event(base, ev.PARTICIPANT_JOINED, "system", name="bob", role="observer"), ev.PARTICIPANT_JOINED, "system", name="bob", role="verifier"
    )
    assert dict(first_watching.participants) == {"bob": "verifier"}


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_the_verifiers_screen_shows_their_word_with_its_keys(size: tuple[int, int]) -> None:
    """On bob's own screen, at both sizes: his word awaited, and the keys that give it, on the status row."""
    client = FakeClient(shared_session_events(Path.cwd()))
    client.state = with_step(client.state, "check", status="awaiting_verification")
    app = VerifierApp(client)
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: type(app.screen).__name__ == "VerifierScreen", "the verifier's screen")
        await settled(pilot)
        stack = app.screen.query_one(StatusStack)
        await until(pilot, lambda: _rows(stack)[0] == "Your word on 'check': it has run — c confirm · x reject", f"bob's own word on the row: {_rows(stack)}")
        assert "Waiting for bob" not in "\n".join(_rows(stack))


def test_the_rows_name_the_verifiers_joined_not_the_ticket_one_who_left() -> None:
    """Walked in tmux: bob (the ticket's verifier) and carol joined, carol confirmed 'one', bob's laptop slept and he
    was dropped; alice's row read `Waiting for bob to confirm 'two'` while bob was gone and carol was the one who could
    confirm it (the quit prompt and the go-ahead row said the same). Now the rows name who is joined as verifier, the
    one who gave the last word first; with nobody joined, the ticket's verifier, and that none is connected."""
    from runbook_tui.ui.quit_prompt import stands_at

    shared = _shared()
    state = with_step(shared, "check", status="awaiting_verification")
    assert state.session.get("verifier") == "bob"
    carol_alone = dataclasses.replace(state, participants={"carol": "verifier", "olive": "observer"})
    assert [s.words("assignee") for s in statuses(carol_alone, FROZEN)] == ["Waiting for carol to confirm 'check'"]
    assert stands_at(carol_alone) == "The run stands at 'check', which waits for carol to confirm it"
    both = dataclasses.replace(state, participants={"bob": "verifier", "carol": "verifier"})
    assert [s.words("assignee") for s in statuses(both, FROZEN)] == ["Waiting for bob or carol to confirm 'check'"]
    carol_last = dataclasses.replace(both, active_verifier="carol")  # carol gave the last word: named first
    assert [s.words("assignee") for s in statuses(carol_last, FROZEN)] == ["Waiting for carol or bob to confirm 'check'"]
    before = with_plan(dataclasses.replace(shared, participants={"carol": "verifier"}), "check", verify="before")
    assert now_status(before, FROZEN).words("assignee") == "'check' waits for carol's go-ahead · Config parses"
    # Two joined: each name owns the go-ahead (walked in tmux, it read `waits for carol or bob's go-ahead`).
    before_both = with_plan(dataclasses.replace(shared, participants={"bob": "verifier", "carol": "verifier"}), "check", verify="before")
    assert now_status(before_both, FROZEN).words("assignee") == "'check' waits for bob's or carol's go-ahead · Config parses"
    assert stands_at(before_both) == "The run stands at 'check', which waits for bob's or carol's go-ahead"
    nobody = dataclasses.replace(state, participants={}, share={"address": "127.0.0.1:2222", "fingerprint": "SHA256:x"}, active_verifier="carol")
    assert [s.words("assignee") for s in statuses(nobody, FROZEN)] == ["Waiting for bob to confirm 'check': no verifier is connected"]


@pytest.mark.asyncio
async def test_the_header_names_every_verifier_joined() -> None:
    """bob (the ticket's verifier) and carol joined as verifiers: the header read `verifier bob connected`, while the
    rows said `Waiting for bob or carol` and carol confirmed steps. Now it names both, the ticket's first."""
    from run_screen_helpers import painted

    from runbook_tui.ui.widgets import RunHeader

    client = FakeClient(shared_session_events(Path.cwd()))
    for seq, name in enumerate(("carol", "olive", "bob"), start=client.state.seq + 1):
        role = "observer" if name == "olive" else "verifier"
        client.state = apply(
            client.state, {"type": ev.PARTICIPANT_JOINED, "seq": seq, "ts": "2026-03-14T02:00:00Z", "actor": "system", "name": name, "role": role}
        )
    app = VerifierApp(client)
    async with app.run_test(size=(80, 24)) as pilot:
        header = app.screen.query_one(RunHeader)
        await until(pilot, lambda: "connected" in painted(header), "the header to name who is connected")
        assert "verifier bob, carol connected" in painted(header), painted(header)
