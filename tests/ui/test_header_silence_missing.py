"""The header says when the change's alert silence could not be made: the change runs with its alerts paging.

Before, a silence Alertmanager refused at the start was an error line in the log, soon scrolled off by output, and
the header said nothing (it counts `🔕 N alert silences` made): at a glance the run looked like one whose alerts were
silenced, or one that had none to silence.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import FakeClient, painted, prepare_workdir, shared_session_events, until

from runbook_tui.engine import events as ev
from runbook_tui.engine.state import RunState, apply
from runbook_tui.ui.verifier_app import VerifierApp
from runbook_tui.ui.widgets import RunHeader

AM = "http://127.0.0.1:9093"


@pytest.fixture(autouse=True)
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    prepare_workdir(tmp_path, monkeypatch)
    yield tmp_path


def _then(state: RunState, kind: str, **fields: Any) -> RunState:
    return apply(state, {"type": kind, "seq": state.seq + 1, "ts": "2026-03-14T02:00:00Z", "actor": "system", **fields})


async def _header(client: FakeClient, size: tuple[int, int], shows: str) -> str:
    app = VerifierApp(client)
    async with app.run_test(size=size) as pilot:
        header = app.screen.query_one(RunHeader)
        await until(pilot, lambda: shows in painted(header), f"the header to show {shows!r}: {painted(header)!r}")
        return painted(header)


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_a_silence_not_made_is_in_the_header_until_it_is_made(size: tuple[int, int]) -> None:
    client = FakeClient(shared_session_events(Path.cwd()))
    failed = {"alertmanager": AM, "action": "create", "error": "connection refused (asked 3 times)", "matchers": ['service="api"']}
    client.state = _then(client.state, ev.SILENCE_FAILED, **failed)
    shown = await _header(client, size, "1 alert silence NOT made")
    assert "🔕" not in shown, shown
    made = {"id": "abc-1", "alertmanager": AM, "matchers": ['service="api"'], "starts_at": "2026-03-14T02:00:10Z"}
    client.state = _then(client.state, ev.SILENCE_CREATED, **made, ends_at="2026-03-14T04:00:00Z", comment="c", created_by="alice")
    shown = await _header(client, size, "🔕 1 alert silence")
    assert "NOT made" not in shown, shown


def test_an_expiry_that_failed_is_no_silence_not_made() -> None:
    state = _then(FakeClient(shared_session_events(Path.cwd())).state, ev.SILENCE_FAILED, alertmanager=AM, action="expire", id="abc-1", error="x")
    assert state.silences_missing == ()


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_a_silence_someone_else_expired_is_in_the_header_until_made_again(size: tuple[int, int]) -> None:
    """Before: the header dropped it from `🔕 N alert silences` (with one, the mark went away): the run looked like one
    with nothing to silence while its alerts paged again; only a log line, soon scrolled off, said why."""
    client = FakeClient(shared_session_events(Path.cwd()))
    made = {"id": "abc-1", "alertmanager": AM, "matchers": ['service="api"'], "starts_at": "2026-03-14T02:00:10Z"}
    client.state = _then(client.state, ev.SILENCE_CREATED, **made, ends_at="2026-03-14T04:00:00Z", comment="c", created_by="alice")
    gone = "expired in Alertmanager at 02:30:00, before its end, not by this run (someone expired or replaced it)"
    client.state = _then(client.state, ev.SILENCE_EXPIRED, id="abc-1", alertmanager=AM, gone=gone)
    shown = await _header(client, size, "1 alert silence expired early")
    assert "🔕" not in shown, shown
    client.state = _then(client.state, ev.SILENCE_CREATED, **made | {"id": "abc-2"}, ends_at="2026-03-14T04:00:00Z", comment="c", created_by="bob")
    shown = await _header(client, size, "🔕 1 alert silence")
    assert "early" not in shown, shown


def test_a_silence_expired_by_the_run_s_end_is_not_marked_gone() -> None:
    state = FakeClient(shared_session_events(Path.cwd())).state
    state = _then(state, ev.SILENCE_CREATED, id="abc-1", alertmanager=AM, matchers=['service="api"'], starts_at="t", ends_at="t", comment="c", created_by="a")
    state = _then(state, ev.SESSION_FINISHED, outcome="done")
    state = _then(state, ev.SILENCE_EXPIRED, id="abc-1", alertmanager=AM, gone="not in Alertmanager when the run ended")
    assert state.silences_gone == ()
