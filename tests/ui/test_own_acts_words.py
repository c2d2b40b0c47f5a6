"""The verifier's own acts read "you" on their own screen: in the log and in the detail pane, as the status rows do.

Walked in tmux at 80x24: bob pressed n, then x. His status row read `'one' REJECTED by you 13:36:19: output wrong`, and
under it, on the same screen, the detail pane read `✗ rejected by bob 13:36:19` and the log `note by bob: looks fine`,
`one rejected by bob: output wrong`, `bob joined as verifier`. One truth: the same events, rendered once by the same
formatter (`event_words.said`, `widgets.step_outcome`), with who reads them as a parameter: bob reads `you`, carol (a
second verifier) and alice read bob's name.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import FakeClient, painted, prepare_workdir, screen_is, settled, until

from runbook_tui.engine import events as ev
from runbook_tui.engine.event_words import said
from runbook_tui.engine.state import apply
from runbook_tui.ui.output_pane import OutputLog
from runbook_tui.ui.verifier_app import VerifierApp
from runbook_tui.ui.widgets import StepDetail


@pytest.fixture(autouse=True)
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    prepare_workdir(tmp_path, monkeypatch)
    yield tmp_path


def _event(kind: str, actor: str, **fields: Any) -> dict[str, Any]:
    return {"seq": 5, "ts": "2026-03-14T02:00:00.000Z", "type": kind, "actor": actor, **fields}


def _words(event: dict[str, Any], reader: str | None = None) -> str:
    words = said(event, reader)
    assert words is not None
    return words.lines[0]


def test_each_reader_of_bobs_acts() -> None:
    note = _event(ev.NOTE, "bob", step="one", text="looks fine")
    assert _words(note, "bob") == "[one] note by you: looks fine"
    assert _words(note, "carol") == _words(note) == "[one] note by bob: looks fine"
    rejected = _event(ev.STEP_REJECTED, "bob", step="one", phase="after", attempt=1, reason="output wrong")
    assert _words(rejected, "bob") == "one rejected by you: output wrong"
    assert _words(rejected, "alice") == "one rejected by bob: output wrong"
    # a hold without words: its journaled reason (`bob asks to hold`) is not said after it, for bob as for the others
    hold = _event(ev.HOLD_REQUESTED, "bob", reason="bob asks to hold")
    assert (_words(hold, "bob"), _words(hold)) == ("hold asked by you", "hold asked by bob")
    request = _event(ev.ROLLBACK_REQUESTED, "bob", reason="bob requests a rollback")
    assert _words(request, "bob") == "rollback requested by you"
    joined = _event(ev.PARTICIPANT_JOINED, ev.SYSTEM, name="bob", role="verifier")
    assert (_words(joined, "bob"), _words(joined, "carol")) == ("you joined as verifier", "bob joined as verifier")
    handover = _event(ev.VERIFIER_HANDOVER, ev.SYSTEM, **{"from": "carol", "to": "bob"})
    assert _words(handover, "bob") == "verifier carol hands over to you"
    # walked: bob's screen read `verifier you hands over to carol` when carol confirmed a step (bob did nothing)
    assert _words(handover, "carol") == "verifier bob takes over from you"
    assert _words(handover) == "verifier carol hands over to bob"
    # the assignee's acts stay theirs on bob's screen; bob's own name inside what someone wrote is left as written
    declined = _event(ev.ROLLBACK_DECLINED, "alice", reason="bob is wrong", request="bob: p99")
    assert _words(declined, "bob") == "rollback declined by alice: bob is wrong (asked: bob: p99)"


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_bobs_note_and_rejection_on_his_screen(workdir: Path, size: tuple[int, int]) -> None:
    from run_screen_helpers import shared_session_events

    client = FakeClient(shared_session_events(workdir))
    app = VerifierApp(client)
    step = str(client.state.current)

    def arrive(kind: str, **fields: object) -> None:
        event = {"seq": client.state.seq + 1, "ts": "2026-03-14T02:00:00.000Z", "type": kind, **fields}
        client.state = apply(client.state, event)
        for listener in client._listeners:
            listener(event, client.state)

    async with app.run_test(size=size) as pilot:
        await screen_is(pilot, "VerifierScreen")
        arrive(ev.PARTICIPANT_JOINED, actor=ev.SYSTEM, name="bob", role="verifier")
        arrive(ev.STEP_STARTED, actor="alice", step=step, attempt=1, hosts=["local"], phase="run")
        arrive(ev.STEP_FINISHED, actor=ev.SYSTEM, step=step, attempt=1, status="awaiting_verification", hosts={})
        arrive(ev.NOTE, actor="bob", step=step, text="looks fine so far")
        arrive(ev.STEP_REJECTED, actor="bob", step=step, phase="after", attempt=1, reason="output wrong")
        log = app.screen.query_one(OutputLog)
        await until(pilot, lambda: "rejected by you" in painted(log), "bob's rejection in his log as his")
        await settled(pilot)
        shown = painted(log)
        assert "you joined as verifier" in shown and "note by you: looks fine so far" in shown, shown
        assert "by bob" not in shown and "bob joined" not in shown, shown
        detail = painted(app.screen.query_one(StepDetail))
        assert "✗ rejected by you 02:00:00" in detail and "by bob" not in detail, detail
