"""A verifier who joins a session that has already ended reads that on their screen.

Before: joins after `session_finished` are not journaled (nothing but a leave may follow the end), so bob, who had
joined and left during the run and came back after its end, read `you (verifier) left` as the log's last line, as if
the screen in front of him had already closed. A verifier who was there as the run ended reads no such line.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from run_screen_helpers import FakeClient, events, screen_is, settled, until

from runbook_tui.app.session import load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine.state import replay
from runbook_tui.ui.output_pane import OutputLog
from runbook_tui.ui.run_view import RunView
from runbook_tui.ui.verifier_app import VerifierApp

LATE = "you joined after the session ended (ABORTED): your joining is not in its journal; nothing more to confirm"


def _ended_session(workdir: Path) -> list[dict[str, object]]:
    """A shared run bob joined and left, then aborted."""
    session = open_session(load(str(workdir / "runbook.yaml"), {}), solo=None, journal=str(workdir / "s.jsonl"), settings=Settings())
    session.controller.join("bob", "verifier")
    session.controller.leave("bob", "verifier")
    assert session.controller.finish(session.actor, "aborted").ok
    session.controller.journal.close()
    return events(workdir / "s.jsonl")


def _log(app: VerifierApp) -> str:
    return "\n".join(app.screen.query_one(OutputLog).lines).replace("\n  ↪ ", " ")  # a wrapped line whole


@pytest.mark.asyncio
@pytest.mark.parametrize("late", [True, False])
async def test_a_verifier_who_joins_after_the_end_reads_so(workdir: Path, monkeypatch: pytest.MonkeyPatch, late: bool) -> None:
    journaled = _ended_session(workdir)
    if not late:  # bob's screen opened before the run ended (the session's clock)
        monkeypatch.setattr(RunView, "clock", staticmethod(lambda: dt.datetime(2000, 1, 1, tzinfo=dt.UTC)))
    client = FakeClient([])  # as the real client: the events arrive once the screen is up (the catch-up)
    app = VerifierApp(client)
    async with app.run_test(size=(80, 24)) as pilot:
        await screen_is(pilot, "VerifierScreen")
        for n, event in enumerate(journaled, start=1):
            client.state = replay(journaled[:n])
            for listener in client._listeners:
                listener(event, client.state)
        await until(pilot, lambda: "you (verifier) left" in _log(app), "the earlier visit's leave in the log")
        await settled(pilot)
        if late:
            await until(pilot, lambda: LATE in _log(app), f"{LATE!r} in the log")
            assert _log(app).rstrip().endswith(LATE), _log(app)  # after `you (verifier) left`, the earlier visit's
        else:
            assert "joined after" not in _log(app), _log(app)
