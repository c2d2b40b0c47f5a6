"""What the header says about the verifier, on the verifier's screen (the assignee's and a replay's draw the same
`RunHeader` from the same state).

Walked in tmux at 80x24 and 140x45, a ticket naming no verifier, `--verifier-key bob.pub`: before anyone gave a word
both screens read `verifier ? not connected`. And bob joining after the run finished (nothing but a leave is journaled
after `session_finished`): both read `verifier bob not connected` while bob sat at his keys.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import FakeClient, painted, prepare_workdir, shared_session_events, until

from runbook_tui.engine import events as ev
from runbook_tui.engine.state import RunState, apply
from runbook_tui.ui.verifier_app import VerifierApp
from runbook_tui.ui.widgets import RunHeader

pytestmark = pytest.mark.asyncio


@pytest.fixture(autouse=True)
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    prepare_workdir(tmp_path, monkeypatch)
    yield tmp_path


def _then(state: RunState, kind: str, **fields: Any) -> RunState:
    return apply(state, {"type": kind, "seq": state.seq + 1, "ts": "2026-03-14T02:00:00Z", "actor": "alice", **fields})


def _unplanned() -> FakeClient:
    """A shared run whose ticket names no verifier; bob's key let in as verifier (`share_started` names him)."""
    client = FakeClient(shared_session_events(Path.cwd()))
    state = client.state
    state = dataclasses.replace(state, session={k: v for k, v in state.session.items() if k != "verifier"})
    client.state = _then(state, ev.SHARE_STARTED, address="127.0.0.1:2222", fingerprint="SHA256:x", verifiers=["bob"])
    return client


async def _header(client: FakeClient, size: tuple[int, int]) -> str:
    app = VerifierApp(client)
    async with app.run_test(size=size) as pilot:
        header = app.screen.query_one(RunHeader)
        await until(pilot, lambda: "verifier" in painted(header), "the header to name the verifier")
        return painted(header)


@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_the_header_names_the_verifier_the_session_lets_in_before_any_word(size: tuple[int, int]) -> None:
    client = _unplanned()
    assert "verifier bob not connected" in await _header(client, size), "before: `verifier ? not connected`"
    client.state = _then(client.state, ev.PARTICIPANT_JOINED, actor="system", name="bob", role="verifier")
    assert "verifier bob connected" in await _header(client, size)


@pytest.mark.parametrize("joined", [True, False])
async def test_after_the_end_the_header_says_nothing_of_who_is_connected(joined: bool) -> None:
    """Joined before the end or after it (not journaled), the screens agree: `verifier bob`, the run over."""
    client = _unplanned()
    if joined:
        client.state = _then(client.state, ev.PARTICIPANT_JOINED, actor="system", name="bob", role="verifier")
    client.state = _then(client.state, ev.SESSION_FINISHED, outcome="done")
    header = await _header(client, (80, 24))
    assert "verifier bob" in header and "connected" not in header, header
