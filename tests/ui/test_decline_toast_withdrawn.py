"""The verifier's "Rollback request declined … the run goes on" toast goes when a rollback starts after all.

Walked in tmux (alice 80x24 running `run --share`, bob 140x45 in `join`): bob asked for a rollback, alice declined it
("the run goes on"), then pressed u herself and rolled back. Before: bob's status row said `Rolled back to the start;
'one' is next again` while the toast beside it still said `rollback declined by alice …; the run goes on`, for the rest of
its 20 s.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import FakeClient, screen_is, settled, shared_session_events, until

from runbook_tui.engine import events as ev
from runbook_tui.engine.state import apply
from runbook_tui.ui.verifier_app import VerifierApp

TITLE = "Rollback request declined"


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_the_decline_toast_goes_when_a_rollback_starts(workdir: Path, size: tuple[int, int]) -> None:
    client = FakeClient(shared_session_events(workdir))
    client.role = "verifier"
    app = VerifierApp(client)

    def arrive(kind: str, ts: str, **fields: object) -> None:
        event = {"seq": client.state.seq + 1, "ts": ts, "type": kind, "actor": fields.pop("actor"), **fields}
        client.state = apply(client.state, event)
        for listener in client._listeners:
            listener(event, client.state)

    def toasts() -> list[str]:
        return [str(n.title) for n in app._notifications]

    async with app.run_test(size=size, notifications=True) as pilot:
        await screen_is(pilot, "VerifierScreen")
        app.notify("a toast of its own", title="Other", timeout=60)
        arrive(ev.ROLLBACK_REQUESTED, "2026-03-20T02:10:00.000Z", actor="bob", reason="output looks wrong")
        arrive(ev.ROLLBACK_DECLINED, "2026-03-20T02:10:05.000Z", actor="alice", reason="flood is expected", request="bob: output looks wrong")
        await until(pilot, lambda: TITLE in toasts(), "the decline said")
        arrive(ev.ROLLBACK_STARTED, "2026-03-20T02:10:09.000Z", actor="alice", scope="checkpoint", plan={"entries": []})
        await settled(pilot)  # at once, not when its 20 s are up
        assert toasts() == ["Other"], "the toast the rollback made untrue goes, and only it"
