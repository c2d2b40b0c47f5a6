"""`window_closing` is told once per change, also when the process went away after telling it and the run is resumed
inside the window's last minutes: the resumed run does not tell the same receivers the same thing again.

Real wiring (session.open_session / resume_session), a real HTTP receiver on loopback.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from receivers import Receiver
from test_notify_live import events_of, of_type, runbook_text, start
from waiting import until

from runbook_tui.app.session import resume_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine.autopilot import drive
from runbook_tui.engine.journal import verify
from runbook_tui.runbook.reach import NotifyTiming

pytestmark = pytest.mark.peers


def test_a_window_notice_told_before_the_process_went_away_is_not_told_again_on_resume(
    receiver: Callable[[str], Receiver], write_runbook: Callable[..., Path], tmp_path: Path
) -> None:
    hook = receiver("ok")
    path = write_runbook(runbook_text(f'- {{url: "{hook.url}"}}', verify="none"))
    journal = tmp_path / "journal.jsonl"
    # the window ends in an hour (runbook_text): "closing" from 1 s after the start on, for the rest of the test
    window_end = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    timing = NotifyTiming(window_closing=window_end.timestamp() - time.time() - 1.0)

    async def first_night() -> None:
        session = start(path, journal, Settings(notify_timing=timing))
        try:
            await asyncio.to_thread(hook.wait_for, lambda r: "window_closing" in r.events(), 30.0, "the window notice 1 s after the start")
            await until(lambda: of_type(events_of(journal), "notified", event="window_closing"), "the window notice's delivery journaled", 30)
        finally:
            await session.close()  # the process goes away inside the window's last minutes; the run is not finished

    async def resumed() -> str:
        session = resume_session(str(journal), settings=Settings(notify_timing=timing))
        try:
            await session.start()
            outcome = await drive(session.controller, session.actor)
            await asyncio.to_thread(hook.wait_for, lambda r: "session_finished" in r.events(), 30.0, "the end's notice after the resume")
            return outcome
        finally:
            await session.close()

    asyncio.run(first_night())
    assert hook.events() == ["session_started", "window_closing"]
    assert asyncio.run(resumed()) == "done"
    assert hook.events() == ["session_started", "window_closing", "session_finished"], "the window's notice is told once"
    assert len(of_type(events_of(journal), "notified", event="window_closing")) == 1
    assert not verify(journal).problems
