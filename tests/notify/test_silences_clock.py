"""Our clock ahead of Alertmanager's: the change's silence must be active at once, not pending.

A silence is asked to start at our clock's now. With our clock 10 minutes ahead of the Alertmanager's (a laptop
whose NTP stopped, a VM after a pause), Alertmanager held it `pending` for those 10 minutes: the run went on,
`silence_created` journaled and the header counting it, while the change's alerts paged the on-call. Now a silence
is asked to start a margin before our now; Alertmanager starts one asked for in its past at its own now.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import types
import uuid
from pathlib import Path
from typing import Any

import pytest
from peers_alertmanager import Alertmanager
from written_lines import written_events

from runbook_tui.app.session import load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine.autopilot import drive
from runbook_tui.notify import silences

pytestmark = pytest.mark.peers
AHEAD = dt.timedelta(minutes=10)


class _Ahead(dt.datetime):
    @classmethod
    def now(cls, tz: Any = None) -> Any:  # type: ignore[override]
        return dt.datetime.now(tz) + AHEAD


def test_a_silence_made_by_a_clock_ahead_of_alertmanagers_is_active_at_once(
    alertmanager: Alertmanager, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(silences, "dt", types.SimpleNamespace(datetime=_Ahead, timedelta=dt.timedelta, UTC=dt.UTC))
    service = f"svc-{uuid.uuid4().hex[:8]}"
    end = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).replace(microsecond=0).isoformat()
    start = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)).replace(microsecond=0).isoformat()
    runbook = tmp_path / "rb.yaml"
    runbook.write_text(f"""
runbook: 1
id: silence-clock
title: Clock ahead
ticket: {{id: CHG-7, window: {{start: "{start}", end: "{end}"}}}}
alerts:
  alertmanager: {alertmanager.url}
  silence:
    - {{matchers: ['alertname="HighErrorRate"', 'service="{service}"'], comment: restart}}
sections:
  - id: change
    kind: implement
    steps:
      - {{id: one, run: "true", verify: none}}
""")
    journal = tmp_path / "j.jsonl"
    states: list[str] = []

    async def scenario() -> None:
        session = open_session(load(str(runbook), {}), solo="clock test", journal=str(journal), settings=Settings())
        try:
            await session.start()  # the silences are settled before a step may run
            [silence_id] = session.controller.state.silences
            states.extend(str(s["status"]["state"]) for s in alertmanager.silences() if s["id"] == silence_id)  # type: ignore[index]
            assert await drive(session.controller, session.actor) == "done"
        finally:
            await session.close()

    asyncio.run(scenario())
    assert states == ["active"], f"the silence is {states} in Alertmanager while the change runs"
    [created] = [e for e in written_events(journal) if e["type"] == "silence_created"]
    assert created["ends_at"] == dt.datetime.fromisoformat(end).astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
