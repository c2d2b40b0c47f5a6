"""The verifier whose link is down still reads the rows as themselves: only the keys that send go with the link.

Walked in tmux (alice's `run --share` at 80x24, bob's `join` through a relay that stops carrying bytes): once bob's
link dropped, his screen read `Waiting for bob to confirm 'pre'` under `NOT CONNECTED`, the words an observer or the
assignee reads, about himself (one role chose both the words and the keys, and a link down made it a watcher's).
Now the words stay bob's (`Your word on 'pre'`), the keys an observer's (none that send);
an observer reads the assignee's words, linked or not.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import FakeClient, painted, screen_is, shared_session_events, until

from runbook_tui.engine.actors import Reply
from runbook_tui.engine.state import RunState
from runbook_tui.ui.modals import InfoScreen
from runbook_tui.ui.status_stack import StatusStack
from runbook_tui.ui.verifier_app import VerifierApp

LOST = dt.datetime(2026, 3, 20, 2, 13, 5, tzinfo=dt.UTC).timestamp()


def _with_check(state: RunState, **fields: object) -> RunState:
    return dataclasses.replace(state, steps={**state.steps, "check": dataclasses.replace(state.steps["check"], **fields)})


def _rows(app: VerifierApp) -> str:
    return " ".join(painted(app.screen.query_one(StatusStack)).split())


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_a_verifier_whose_link_is_down_reads_their_own_word_awaited_not_their_name(workdir: Path, size: tuple[int, int]) -> None:
    """'check' ran and waits for bob's word; bob's link drops. His rows say `Your word on 'check': it has run` with no
    key (c x come back with the link), never `Waiting for bob to confirm 'check'`; `e`'s list says the same."""
    client = FakeClient(shared_session_events(workdir))
    client.state = _with_check(client.state, status="awaiting_verification", attempts=1)
    app = VerifierApp(client)
    async with app.run_test(size=size) as pilot:
        await screen_is(pilot, "VerifierScreen")
        await until(pilot, lambda: "Your word on 'check': it has run — c confirm · x reject" in _rows(app), "bob's own row, with c and x")
        client.lost_at = LOST
        # Until both rows are laid out (the second comes a frame after the first); then what they say.
        await until(pilot, lambda: "NOT CONNECTED" in _rows(app) and "'check'" in _rows(app), "the link's row and the step's")
        rows = _rows(app)
        assert "Your word on 'check': it has run" in rows, rows
        assert "Waiting for bob" not in rows and "c confirm" not in rows, rows
        await pilot.press("e")
        info = await screen_is(pilot, "InfoScreen")
        assert isinstance(info, InfoScreen)
        listed = str(info.body_text)
        assert "Your word on 'check': it has run" in listed and "Waiting for bob" not in listed, listed
        assert "c confirm" not in listed, listed


@pytest.mark.asyncio
async def test_an_observer_reads_whom_the_run_waits_for_linked_or_not(workdir: Path) -> None:
    """An observer (olive) is not the one awaited: `Waiting for bob to confirm 'check'`, before and after the drop; the
    drop's row does not promise her `c x u n p` back (she never had them)."""
    client = FakeClient(shared_session_events(workdir))
    client.role = "observer"
    client.state = _with_check(client.state, status="awaiting_verification", attempts=1)
    app = VerifierApp(client, observe=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await screen_is(pilot, "VerifierScreen")
        await until(pilot, lambda: "Waiting for bob to confirm 'check'" in _rows(app), "the observer's row")
        assert "Your word" not in _rows(app) and "c confirm" not in _rows(app), _rows(app)
        client.lost_at = LOST
        await until(pilot, lambda: "NOT CONNECTED" in _rows(app) and "'check'" in _rows(app), "the link's row and the step's")
        assert "Waiting for bob to confirm 'check'" in _rows(app) and "Your word" not in _rows(app), _rows(app)
        # Keys an observer never had do not `come back`: what they miss is said instead.
        assert "c x u n p" not in _rows(app) and "what happens meanwhile shows once it reconnects by itself" in _rows(app), _rows(app)


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_the_sessions_farewell_is_said_whole_in_the_not_connected_row(workdir: Path, size: tuple[int, int]) -> None:
    """alice closed the session at 'check' (her `q`): bob's row says so, whole, instead of `the assignee's program
    stopped, or the network`; without a farewell (a crash, a cut) it says that as before."""
    client = FakeClient(shared_session_events(workdir))
    client.state = _with_check(client.state, status="awaiting_verification", attempts=1)
    app = VerifierApp(client)
    async with app.run_test(size=size) as pilot:
        await screen_is(pilot, "VerifierScreen")
        client.lost_at, client.farewell = LOST, "alice closed the session before the run finished (at 'check'): it goes on when they resume it"
        await until(pilot, lambda: "NOT CONNECTED" in _rows(app) and "q leave" in _rows(app), "the link's row, whole")
        rows = _rows(app)
        said = f"NOT CONNECTED since 02:13:05: {client.farewell}; nothing can be sent until this screen reconnects (by itself) — enter details · q leave"
        assert said in rows and "…" not in rows, rows
        assert "program stopped, or the network" not in rows, rows
        client.farewell = ""
        await until(pilot, lambda: "(the assignee's program stopped, or the network)" in _rows(app), "the words of a drop nobody explained")


async def _pressed(pilot: Any, key: str) -> None:
    try:
        await asyncio.wait_for(pilot.press(key), 10)
    except TimeoutError:
        raise AssertionError(f"the screen took no {key!r} within 10 s: its keys wait on the session's answer") from None


class SilentLink(FakeClient):
    """A link gone silent: what is sent reaches the session, its answer does not come until `answer` is set."""

    def __init__(self, events: list[dict[str, Any]]) -> None:
        super().__init__(events)
        self.answer = asyncio.Event()

    async def send(self, action: str, text: str = "", *, seen: object = ...) -> Reply:
        self.sent.append((action, text))
        await self.answer.wait()
        return Reply(True, "confirmed 'check'")


@pytest.mark.asyncio
async def test_c_over_a_silent_link_leaves_the_screen_answering_keys_and_is_not_sent_twice(workdir: Path) -> None:
    """Walked in tmux (bob's link silenced by a relay, c pressed): every key after it, `?` and `q` too, did nothing for
    the 15 s the keepalive took to drop the link, and a second c was a second confirmation on the wire. Now c is sent
    in the background: `?` opens the help at once; c again says it was sent and has no answer yet (nothing sent);
    after 2 s the screen says no answer has come; the answer, when it comes, is said as before."""
    client = SilentLink(shared_session_events(workdir))
    client.state = _with_check(client.state, status="awaiting_verification", attempts=1)
    app = VerifierApp(client)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        try:
            await screen_is(pilot, "VerifierScreen")
            await until(pilot, lambda: "c confirm" in _rows(app), "c offered")
            await _pressed(pilot, "c")
            await until(pilot, lambda: client.sent == [("confirm", "")], "c to be sent")
            await _pressed(pilot, "c")  # before: the screen took no key until the answer came
            await until(pilot, lambda: any("has no answer yet: not sent again" in n.message for n in app._notifications), "c again to say why it sends nothing")
            await until(pilot, lambda: any("no answer from the session after 2 s" in n.message for n in app._notifications), "the silence to be said")
            await _pressed(pilot, "question_mark")
            await screen_is(pilot, "HelpScreen")
            assert client.sent == [("confirm", "")], client.sent
            await pilot.press("escape")
            await screen_is(pilot, "VerifierScreen")
            client.answer.set()
            await until(pilot, lambda: any(n.message == "confirmed 'check'" for n in app._notifications), "the answer, once it comes")
            await pilot.press("c")
            await until(pilot, lambda: len(client.sent) == 2, "c to send again once answered")
        finally:
            client.answer.set()  # a screen still waiting on the answer would never close
