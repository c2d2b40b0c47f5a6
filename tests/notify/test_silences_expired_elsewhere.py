"""A silence of the change that someone else expired in Alertmanager while the run goes on (its UI, amtool, another
tool): the run notices and says so, its alerts page again; at the end it does not claim to have expired it.

Real Alertmanager on loopback (peers_alertmanager.py); the silence expired straight through its API, as amtool does.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from peers_alertmanager import Alertmanager
from test_silences_live import events_of, mine, runbook_text, wait_for

from runbook_tui.app.session import load, open_session, resume_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine.autopilot import drive
from runbook_tui.engine.journal import verify
from runbook_tui.notify import silence_watch

pytestmark = pytest.mark.peers


def test_a_silence_expired_by_someone_else_mid_run_is_said_and_not_claimed_at_the_end(
    alertmanager: Alertmanager, write_runbook: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(silence_watch, "WATCH_EVERY", 0.2)  # the run looks at its silences this often (30 s as built)
    release = tmp_path / "release"
    steps = f'- {{id: one, title: One, run: "while [ ! -e {release} ]; do sleep 0.05; done", verify: none}}'
    path = write_runbook(runbook_text(alertmanager.url, "search", steps=steps))
    journal = tmp_path / "journal.jsonl"

    async def scenario() -> str:
        session = open_session(load(str(path), {}), solo="silence test", journal=str(journal), settings=Settings())
        try:
            await wait_for(lambda: bool(session.controller.state.silences), "the silence to be created", 30.0)
            [silence_id] = session.controller.state.silences
            driving = asyncio.ensure_future(drive(session.controller, session.actor))
            await wait_for(lambda: session.controller.state.current == "one", "step 'one' to run", 30.0)
            response = await asyncio.to_thread(requests.delete, f"{alertmanager.url}/api/v2/silence/{silence_id}", timeout=5)
            assert response.ok, response.text
            await wait_for(lambda: not session.controller.state.silences, "the run to notice the silence is gone", 30.0)
            assert session.controller.state.current == "one", "noticed while the step still runs"
            release.touch()
            return await driving
        finally:
            await session.close()

    assert asyncio.run(scenario()) == "done"
    events = events_of(journal)
    [created] = [e for e in events if e["type"] == "silence_created"]
    [expired] = [e for e in events if e["type"] == "silence_expired"]
    assert expired["id"] == created["id"]
    assert "not by this run" in expired["gone"] and "page again" in expired["gone"], expired
    finished = next(i for i, e in enumerate(events) if e["type"] == "session_finished")
    assert events.index(expired) < finished, "said while the run went on, not at its end"
    assert mine(alertmanager, created["id"])["status"]["state"] == "expired"
    assert not verify(journal).problems
    report = subprocess.run([sys.executable, "-m", "runbook_tui", "report", str(journal), "--format", "md"], capture_output=True, text=True, timeout=60)
    assert report.returncode == 0, report.stderr
    [row] = [line for line in report.stdout.splitlines() if line.startswith("| ") and created["id"] in line]
    assert "not by this run" in row and f"expired at {expired['ts'][11:19]}" not in row, "the silences table does not say the run expired it"


def test_a_silence_someone_else_expired_is_not_made_again_on_resume(
    alertmanager: Alertmanager, write_runbook: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A colleague expired the change's silence while the run went on (they want its alerts); the run said so and went
    on without it. Then the process went away and the run was resumed. Before, the resume made the silence again,
    silently overriding the colleague's decision. Now it is not made again, and a note says so and how to get it back."""
    monkeypatch.setattr(silence_watch, "WATCH_EVERY", 0.2)
    service = f"search-{uuid.uuid4().hex[:8]}"
    path = write_runbook(runbook_text(alertmanager.url, service))
    journal = tmp_path / "journal.jsonl"

    async def first() -> str:
        session = open_session(load(str(path), {}), solo="silence test", journal=str(journal), settings=Settings())
        try:
            await wait_for(lambda: bool(session.controller.state.silences), "the silence to be created", 30.0)
            [silence_id] = session.controller.state.silences
            response = await asyncio.to_thread(requests.delete, f"{alertmanager.url}/api/v2/silence/{silence_id}", timeout=5)
            assert response.ok, response.text
            await wait_for(lambda: bool(session.controller.state.silences_gone), "the run to notice the silence is gone", 30.0)
            return silence_id
        finally:
            await session.close()  # the process goes away, the run unfinished

    async def resumed() -> str:
        session = resume_session(str(journal), settings=Settings(), forward=True)
        try:
            await session.start()
            return await drive(session.controller, session.actor)
        finally:
            await session.close()

    gone = asyncio.run(first())
    assert asyncio.run(resumed()) == "done"
    events = events_of(journal)
    assert [e["id"] for e in events if e["type"] == "silence_created"] == [gone], "made once, at the start; not again on resume"
    ours = [s for s in alertmanager.silences() if service in str(s["matchers"])]
    assert [(s["id"], s["status"]["state"]) for s in ours] == [(gone, "expired")], ours  # type: ignore[index]
    [note] = [e["text"] for e in events if e["type"] == "note" and "not made again" in str(e.get("text"))]
    assert f'service="{service}"' in note and "someone else expired" in note, note
    assert not verify(journal).problems
