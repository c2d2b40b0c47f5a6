"""Practice says where a command reads otherwise than the night's, before the night's output plays for it.

Seen in a walk: on the night the assignee answered `1.2` to an `ask`, and a later step ran `echo '1.2'`. In practice
the trainee answered `other answer`; the step showed `echo 'other answer'` and printed the night's `1.2`, and nothing
said that the output was another command's.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml
from test_practice_waves import run_each, until

from runbook_tui.app import practice
from runbook_tui.app.session import load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine import events as ev
from runbook_tui.engine.journal import read_events

DOC = {
    "runbook": 1,
    "id": "answers",
    "title": "Answers",
    "sections": [
        {
            "id": "impl",
            "steps": [
                {"id": "which", "title": "Which version", "ask": "Which version?", "capture": "version", "verify": "none"},
                {"id": "use", "title": "Use it", "run": "echo {{ captured.version }}", "undo": "echo undo {{ captured.version }}", "verify": "none"},
                {"id": "same", "title": "Same every night", "run": "echo same", "verify": "none"},
            ],
        }
    ],
}


@pytest.fixture()
def night(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (tmp_path / "no-settings.yaml").touch()
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(tmp_path / "no-settings.yaml"))
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    monkeypatch.chdir(tmp_path)
    Path("night.yaml").write_text(yaml.safe_dump(DOC, sort_keys=False), encoding="utf-8")
    journal = tmp_path / "night.jsonl"

    async def the_night() -> None:
        session = open_session(load("night.yaml", {}), solo="night of the test", journal=str(journal), settings=Settings())
        controller, alice = session.controller, session.actor
        try:
            assert controller.run_current(alice, answer="1.2").ok
            for step in ("use", "same"):
                await until(f"{step} to be current", lambda step=step: controller.state.current == step and not controller.busy)
                assert controller.run_current(alice).ok
            await until("the run to end", lambda: controller.state.finished)
        finally:
            await session.close()

    asyncio.run(the_night())
    return journal


def _notes(journal: Path) -> list[dict[str, object]]:
    return [e for e in read_events(journal).events if e["type"] == ev.NOTE]


def test_a_command_made_otherwise_by_the_trainees_answer_names_the_nights_and_the_same_one_says_nothing(night: Path, tmp_path: Path) -> None:
    out = tmp_path / "practice.jsonl"

    async def the_practice() -> None:
        run = practice.open_practice(str(night), out_journal=str(out))
        controller, trainee = run.session.controller, run.session.actor
        try:
            assert controller.run_current(trainee, answer="other answer").ok
            await run_each(controller, trainee, ("use", "same"))
        finally:
            await run.session.close()

    asyncio.run(the_practice())
    notes = [n for n in _notes(out) if "on the night" in str(n.get("text"))]
    assert len(notes) == 1, notes
    assert notes[0]["step"] == "use"
    text = str(notes[0]["text"])
    assert "`echo 'other answer'` here" in text and "ran `echo 1.2`" in text, text
    events = read_events(out).events
    said = next(i for i, e in enumerate(events) if e["type"] == ev.NOTE and e.get("step") == "use")
    played = next(i for i, e in enumerate(events) if e["type"] == ev.OUTPUT and e.get("step") == "use")
    assert said < played, "said before the night's output plays"
