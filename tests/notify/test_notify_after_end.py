"""The end's own notice failing: journaled, and said on the finished screen (no `error` event may follow the end).

A real live run posting to a real receiver on loopback that answers 500.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from receivers import Receiver
from written_lines import written_events

from runbook_tui.app.session import load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine.autopilot import drive
from runbook_tui.engine.journal import verify
from runbook_tui.runbook.reach import NotifyTiming
from runbook_tui.ui.status_stack import statuses
from tests.engine.rules_helpers import until

pytestmark = pytest.mark.peers


def test_the_end_notice_that_fails_is_said_on_the_finished_screen(
    receiver: Callable[[str], Receiver], write_runbook: Callable[..., Path], tmp_path: Path
) -> None:
    broken = receiver("fail")
    path = write_runbook(f"""
runbook: 1
id: end
title: End
notify: [{{url: "{broken.url}", events: [session_finished]}}]
sections:
  - {{id: change, kind: implement, steps: [{{id: one, run: "true", verify: none}}]}}
""")
    journal = tmp_path / "journal.jsonl"
    settings = dataclasses.replace(Settings(), notify_timing=NotifyTiming(retries=0))

    async def main() -> list[str]:
        session = open_session(load(str(path), {}), solo="end test", journal=str(journal), settings=settings)
        try:
            assert await drive(session.controller, session.actor) == "done"
            # the finished screen stays up: the failure comes while it shows
            await until(lambda: bool(session.controller.state.undelivered), "the end's notice said undelivered", timeout=10)
            return [s.text for s in statuses(session.controller.state, dt.datetime.now(dt.UTC))]
        finally:
            await session.close()

    rows = asyncio.run(main())
    assert rows[1:] == [f"NOT delivered after the end: session_finished to {broken.url}: the receiver answered HTTP 500: upstream exploded"], rows
    [failed] = [e for e in written_events(journal) if e["type"] == "notify_failed"]
    assert failed["event"] == "session_finished" and failed["attempts"] == 1
    assert not verify(journal).problems, "nothing but what may follow the end was journaled after it"


def test_the_end_notice_still_unanswered_when_the_screen_closes_is_said_on_the_terminal(
    receiver: Callable[[str], Receiver], write_runbook: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A receiver that never answers: the end's notice is settled only as the session closes (`q`, after the 3 s it
    waits), once the finished screen is gone. exec printed it; the TUI printed `journal: …` alone (walked in tmux at
    80x24: nothing said that the change's end never reached its channel)."""
    from types import SimpleNamespace

    from runbook_tui.ui.launch import _said_after

    hung = receiver("hang")
    path = write_runbook(f"""
runbook: 1
id: end
title: End
notify: [{{url: "{hung.url}", events: [session_finished]}}]
sections:
  - {{id: change, kind: implement, steps: [{{id: one, run: "true", verify: none}}]}}
""")
    journal = tmp_path / "journal.jsonl"
    settings = dataclasses.replace(Settings(), notify_timing=NotifyTiming(retries=0, timeout=30.0))

    async def main() -> object:
        session = open_session(load(str(path), {}), solo="end test", journal=str(journal), settings=settings)
        try:
            assert await drive(session.controller, session.actor) == "done"
            await until(lambda: bool(hung.requests), "the end's notice sent (never answered)", timeout=10)
        finally:
            await session.close()  # as `q` on the finished screen closes it
        return session

    session = asyncio.run(main())
    _said_after(SimpleNamespace(failure=None, command="run", handle=session), 0)
    out = capsys.readouterr().out
    said = f"NOT delivered after the end: session_finished to {hung.url}: not confirmed: the session closed before the receiver answered attempt 1"
    assert said in out.splitlines(), out


def test_a_notice_still_unanswered_when_an_unfinished_run_is_left_is_said_on_the_terminal(
    receiver: Callable[[str], Receiver], write_runbook: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`q` mid-run (to resume later) with a receiver that never answers: its notices are settled as the session closes,
    after the screen is gone, journaled `not confirmed`. The terminal named the resume command alone: whoever left did
    not learn that the page of the start (or of a rollback) may never have arrived."""
    from types import SimpleNamespace

    from runbook_tui.ui.launch import _said_after

    hung = receiver("hang")
    path = write_runbook(f"""
runbook: 1
id: left
title: Left
notify: [{{url: "{hung.url}", events: [session_started]}}]
sections:
  - {{id: change, kind: implement, steps: [{{id: one, run: "true", verify: none}}]}}
""")
    settings = dataclasses.replace(Settings(), notify_timing=NotifyTiming(retries=0, timeout=30.0))

    async def main() -> object:
        session = open_session(load(str(path), {}), solo="left test", journal=str(tmp_path / "journal.jsonl"), settings=settings)
        try:
            await until(lambda: bool(hung.requests), "the start's notice sent (never answered)", timeout=10)
        finally:
            await session.close()  # as `q`, `y` on the run screen closes it, the run unfinished
        return session

    session = asyncio.run(main())
    _said_after(SimpleNamespace(failure=None, command="run", handle=session), 1)
    out = capsys.readouterr().out
    assert "the run is not finished; continue it with: runbook-tui resume" in out, out
    said = f"NOT delivered: session_started to {hung.url}: not confirmed: the session closed before the receiver answered attempt 1"
    assert said in out.splitlines(), out
