"""A run that goes on past its silence's end, with `until: session_end`: the silence is extended while the session is
open, not left to end (real Alertmanager on loopback, real `exec` process). The ticket's window ends seconds after the
start, so the silence made to end with it comes near its end at once; `until: window_end` is not extended past the
window (test_silences_lapsed.py)."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from peers_alertmanager import Alertmanager
from test_silences_lapsed import CLI, gated_runbook, wait
from waiting import until, wait_until
from written_lines import written_events

from runbook_tui.engine import events as ev
from runbook_tui.engine.journal import verify
from runbook_tui.engine.state import RunState, apply, initial
from runbook_tui.notify.http import Answer, request
from runbook_tui.notify.silences import SilenceKeeper
from runbook_tui.runbook.loader import load_runbook
from runbook_tui.runbook.reach import Alerts

pytestmark = pytest.mark.peers


def test_a_session_end_silence_near_its_end_is_extended_while_the_run_goes_on(alertmanager: Alertmanager, tmp_path: Path) -> None:
    """Before: the silence ended with the window (or 4 hours after the start) while the session was still open, and the
    on-call was paged for the planned change although `until: session_end` promised it to the session's end."""
    runbook, go, service = gated_runbook(tmp_path, alertmanager, name="silence-extended", until="session_end")
    journal = tmp_path / "j.jsonl"

    def journaled(kind: str) -> list[dict[str, object]]:
        return [e for e in written_events(journal) if e["type"] == kind] if journal.exists() else []

    def in_alertmanager(silence_id: object) -> dict[str, object]:
        return next((s for s in alertmanager.silences() if s["id"] == silence_id), {})

    run = subprocess.Popen([*CLI, "exec", str(runbook), "--solo", "t", "--journal", str(journal)], cwd=tmp_path,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)  # fmt: skip
    try:
        wait(lambda: bool(journaled("silence_extended")), "the silence extended while the step runs", run)
        [made] = journaled("silence_created")
        [extended] = journaled("silence_extended")
        first_end = dt.datetime.fromisoformat(str(made["ends_at"]).replace("Z", "+00:00"))
        assert dt.datetime.fromisoformat(str(extended["ends_at"]).replace("Z", "+00:00")) > first_end + dt.timedelta(hours=1)
        wait_until(lambda: dt.datetime.now(dt.UTC) > first_end + dt.timedelta(seconds=2), "the silence's first end to pass", 60)
        kept = in_alertmanager(extended["id"])
        assert kept.get("status") == {"state": "active"}, f"the run's silence is active past its first end: {alertmanager.silences()}"
        assert extended["id"] == made["id"] and "replaces" not in extended, "Alertmanager 0.25 updates it in place, keeping its id"
        assert kept["endsAt"] == extended["ends_at"], kept
        assert not journaled("silence_expired") and not journaled("silence_failed"), "nothing ended while the run goes on"
    finally:
        go.touch()
    out, err = run.communicate(timeout=60)
    assert run.returncode == 0, (out + err).decode()
    [expired] = journaled("silence_expired")
    assert expired["id"] == extended["id"] and in_alertmanager(extended["id"]).get("status") == {"state": "expired"}, "expired at the end"
    assert not [s for s in alertmanager.silences() if service in str(s["matchers"]) and s["status"] == {"state": "active"}]
    assert not verify(journal).problems


def test_an_extension_that_got_a_new_id_moves_the_silence_to_it() -> None:
    """An Alertmanager that answers an extension with a new id (it expired the old one): the run counts the new one,
    with its new end, so the end expires it (not the old, already ended)."""
    state = initial()
    made = {"id": "old", "alertmanager": "am", "matchers": ['service="a"'], "starts_at": "t", "ends_at": "2026-01-01T00:00:00Z", "comment": "c"}
    for kind, payload in (
        (ev.SILENCE_CREATED, made),
        (ev.SILENCE_EXTENDED, {"id": "new", "alertmanager": "am", "ends_at": "2026-01-01T04:00:00Z", "replaces": "old"}),
    ):
        state = apply(state, {"seq": 0, "ts": "t", "type": kind, "actor": "a", **payload})
    assert list(state.silences) == ["new"]
    assert state.silences["new"]["ends_at"] == "2026-01-01T04:00:00Z" and state.silences["new"]["matchers"] == ['service="a"']


def test_the_extension_comes_near_the_end_and_again_while_the_session_goes_on(alertmanager: Alertmanager, tmp_path: Path) -> None:
    """The keeper's periods in seconds (hours and minutes as built): a silence lasting 6 s, extended 3 s before its end,
    is extended then (not at once) and again, keeps its id, and is expired at the end."""
    alerts = _renewed(alertmanager, tmp_path)
    kept = Kept()
    events = kept.events

    async def scenario() -> None:
        keeper = kept.keeper = SilenceKeeper(alerts, kept.record, renew_before=dt.timedelta(seconds=3), lasting=dt.timedelta(seconds=6))
        await keeper.create(kept.state, "t")
        await until(lambda: len([e for e in events if e["type"] == ev.SILENCE_EXTENDED]) >= 2, "two extensions while the session goes on", 60)
        kept.record(ev.SESSION_FINISHED, {"outcome": "done"})  # the end expires it (in a task the stop waits for)
        await keeper.stop()

    asyncio.run(scenario())
    [made] = [e for e in events if e["type"] == ev.SILENCE_CREATED]
    first, second = [e for e in events if e["type"] == ev.SILENCE_EXTENDED][:2]
    assert first["at"] - made["at"] >= 2.0, "extended near its end, not at once"
    assert first["id"] == second["id"] == made["id"] and second["ends_at"] > first["ends_at"] > made["ends_at"]
    assert not [e for e in events if e["type"] in (ev.SILENCE_FAILED, ev.NOTE)], events
    assert [e["id"] for e in events if e["type"] == ev.SILENCE_EXPIRED] == [made["id"]]
    [held] = [s for s in alertmanager.silences() if s["id"] == made["id"]]
    assert held["status"] == {"state": "expired"}, held


def test_an_extension_that_failed_is_tried_again_while_the_silence_holds(alertmanager: Alertmanager, tmp_path: Path) -> None:
    """The first extension finds Alertmanager unreachable (a refused connection, asked of a port nobody listens on); the
    keeper tries again `retry_after` later and the silence is extended, same id, before its end. Before, one failure in
    its last minutes left it to lapse while the session went on: alerts paged mid-change."""
    alerts = _renewed(alertmanager, tmp_path)
    with socket.socket() as sock:  # a port nobody listens on: the connection is refused
        sock.bind(("127.0.0.1", 0))
        nobody = f"http://127.0.0.1:{sock.getsockname()[1]}"
    kept = Kept()
    events = kept.events

    async def scenario() -> None:
        keeper = kept.keeper = SilenceKeeper(alerts, kept.record, renew_before=dt.timedelta(seconds=4), lasting=dt.timedelta(seconds=8))
        keeper.retry_after = 0.5
        asked = keeper.call
        refused: list[str] = []

        async def first_read_refused(method: str, where: str, body: Any = None) -> Answer:
            if method == "GET" and where.startswith("/api/v2/silence/") and not refused:
                refused.append(where)
                return await asyncio.to_thread(request, "GET", f"{nobody}{where}", timeout=2)
            return await asked(method, where, body)

        keeper.call = first_read_refused  # type: ignore[method-assign]
        await keeper.create(kept.state, "t")
        await until(lambda: [e for e in events if e["type"] == ev.SILENCE_EXTENDED], "the extension tried again after its failure", 60)
        kept.record(ev.SESSION_FINISHED, {"outcome": "done"})
        await keeper.stop()

    asyncio.run(scenario())
    [made] = [e for e in events if e["type"] == ev.SILENCE_CREATED]
    [failed] = [e for e in events if e["type"] == ev.SILENCE_FAILED]
    assert failed["action"] == "extend", failed
    extended = next(e for e in events if e["type"] == ev.SILENCE_EXTENDED)
    assert extended["seq"] > failed["seq"] and extended["id"] == made["id"], events
    assert extended["ends_at"] > made["ends_at"], "the silence outlasts its first end"
    expired = [e for e in events if e["type"] == ev.SILENCE_EXPIRED]
    assert [e["id"] for e in expired] == [made["id"]] and expired[0]["seq"] > extended["seq"], "expired at the session's end only"


def _renewed(alertmanager: Alertmanager, tmp_path: Path) -> Alerts:
    """The `alerts:` of a runbook silencing a service of its own until the session's end."""
    service = f"svc-{uuid.uuid4().hex[:8]}"
    path = tmp_path / "rb.yaml"
    path.write_text(f"""
runbook: 1
id: renewed
title: Renewed
alerts: {{alertmanager: "{alertmanager.url}", silence: [{{matchers: ['service="{service}"'], comment: renewed}}], until: session_end}}
sections:
  - {{id: change, kind: implement, steps: [{{id: one, run: "true", verify: none}}]}}
""")
    alerts = load_runbook(path).runbook.alerts
    assert alerts is not None
    return alerts


class Kept:
    """The keeper's events journaled and folded into the state it is told of, as the controller does."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.state = RunState(session={"started_at": dt.datetime.now(dt.UTC).isoformat()})
        self.keeper: SilenceKeeper | None = None

    def record(self, kind: str, payload: dict[str, Any]) -> None:
        event = {"seq": len(self.events), "ts": dt.datetime.now(dt.UTC).isoformat(), "type": kind, "actor": "t", "at": time.monotonic(), **payload}
        self.events.append(event)
        self.state = apply(self.state, event)
        assert self.keeper is not None
        self.keeper(event, self.state)
