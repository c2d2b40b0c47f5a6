"""The session closes while its many silences are still being asked for: each is said, none left unsaid.

The silences are asked for CREATE_AT_ONCE at a time; an Alertmanager that accepts and never answers holds the first
ones, and the rest wait their turn. Each held request is journaled `not confirmed` when the session closes (as one
was before); each never asked for is journaled too: before, it was neither made nor failed, so the header and the
report never counted it missing."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from hostile_peer import hostile_peer
from waiting import until

from runbook_tui.engine.state import RunState
from runbook_tui.notify import silences
from runbook_tui.notify.silences import SilenceKeeper
from runbook_tui.runbook.loader import load_runbook

pytestmark = pytest.mark.peers
MANY = silences.CREATE_AT_ONCE + 2


def test_every_silence_of_a_closed_session_is_said(tmp_path: Path) -> None:
    recorded: list[tuple[str, dict[str, Any]]] = []
    with hostile_peer() as peer:
        entries = "\n".join(f"    - {{matchers: ['alertname=\"A{n}\"'], comment: c{n}}}" for n in range(MANY))
        path = tmp_path / "runbook.yaml"
        path.write_text(f"""
runbook: 1
id: many
title: Many
alerts:
  alertmanager: {peer.url}/silent
  silence:
{entries}
sections:
  - {{id: change, kind: implement, steps: [{{id: one, run: "true", verify: none}}]}}
""")
        alerts = load_runbook(path).runbook.alerts
        assert alerts is not None

        async def scenario() -> None:
            keeper = SilenceKeeper(alerts, lambda kind, payload: recorded.append((kind, payload)), timeout=60)
            keeper({"type": "session_started", "actor": "alice", "ts": time.time()}, RunState(session={"actor": "alice"}))
            await until(lambda: len(peer.seen) >= silences.CREATE_AT_ONCE, "the first silences to be asked for", timeout=30)
            await keeper.stop(drain=0.1)

        asyncio.run(scenario())
    failed = [payload for kind, payload in recorded if kind == "silence_failed"]
    assert sorted(str(p["matchers"]) for p in failed) == sorted(str([f'alertname="A{n}"']) for n in range(MANY)), recorded
    unasked = [p for p in failed if "not asked" in p["error"]]
    assert len(unasked) == MANY - silences.CREATE_AT_ONCE, failed
    assert all(p["error"] == "not asked: the session closed before it was asked for; its alerts page" for p in unasked), unasked


def test_a_silence_looked_for_when_the_session_closes_is_said_not_confirmed(tmp_path: Path) -> None:
    """The POST got no answer in time (Alertmanager may have made the silence), and the session closed while its list
    was being read to find it. Before: nothing journaled for that silence (the cancellation went through unsaid)."""
    recorded: list[tuple[str, dict[str, Any]]] = []
    with hostile_peer() as peer:
        path = tmp_path / "runbook.yaml"
        path.write_text(f"""
runbook: 1
id: looked-for
title: Looked for
alerts: {{alertmanager: "{peer.url}/silent", silence: [{{matchers: ['service="api"'], comment: c}}]}}
sections:
  - {{id: change, kind: implement, steps: [{{id: one, run: "true", verify: none}}]}}
""")
        alerts = load_runbook(path).runbook.alerts
        assert alerts is not None

        async def scenario() -> None:
            keeper = SilenceKeeper(alerts, lambda kind, payload: recorded.append((kind, payload)), timeout=1.0)
            keeper({"type": "session_started", "actor": "alice", "ts": time.time()}, RunState(session={"actor": "alice"}))
            await until(lambda: [target for target, _h in peer.seen][-1:] == ["/silent/api/v2/silences"] and len(peer.seen) == 2, "the list to be read")
            await keeper.stop(drain=0.05)

        asyncio.run(scenario())
    [failed] = [payload for kind, payload in recorded if kind == "silence_failed"]
    assert failed["matchers"] == ['service="api"'] and failed["error"].startswith("not confirmed: did not answer within 1s"), failed
    assert "the session closed while looking for it in Alertmanager's list; a silence may be active until" in failed["error"], failed
