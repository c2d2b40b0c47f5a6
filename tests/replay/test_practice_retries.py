"""A step the night retried (`retries:`) plays in practice as the night ran it: each try with its own output, the
failed ones failing and retried, as the night's journal tells it.

Before, practice held all of an attempt's output as one try ending as the last did: the night's failed try passed at
once with both tries' output (no retry), and a host whose tries all failed played all of its output on each try.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from runbook_tui.app import practice
from runbook_tui.engine.journal import read_events
from tests.engine.rules_helpers import until
from tests.report.test_retries import exec_retried


def said(events: list[dict]) -> list[tuple[str, str, str]]:
    """Per step, in order: each output and note, as (step, type, text)."""
    return [(e["step"], e["type"], e["text"]) for e in events if e["type"] in ("output", "note") and e.get("step") in ("flaky", "picky")]


def test_practice_plays_each_try_the_night_retried_as_a_try_of_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    night = exec_retried(tmp_path)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (tmp_path / "no-settings.yaml").touch()
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(tmp_path / "no-settings.yaml"))
    monkeypatch.setenv("RUNBOOK_TUI_USER", "carol")
    monkeypatch.chdir(tmp_path)

    async def the_practice() -> None:
        run = practice.open_practice(str(tmp_path / "j.jsonl"), out_journal=str(tmp_path / "practice.jsonl"))
        controller, carol = run.session.controller, run.session.actor
        try:
            for step in ("flaky", "picky"):
                assert controller.run_current(carol).ok
                await until(lambda s=step: controller.state.steps[s].status not in ("pending", "running") and not controller.busy, f"{step} to end", 20)
                assert controller.state.steps[step].status == "done", controller.state.steps[step]
        finally:
            await run.session.close()

    asyncio.run(the_practice())
    played = said(list(read_events(tmp_path / "practice.jsonl").events))
    assert played == said(night), played
    assert played[:3] == [
        ("flaky", "output", "try 1\n"),
        ("flaky", "note", "local: exit code 3, expected 0; retry 1/2 in 0.1s"),
        ("flaky", "output", "try 2\n"),
    ], played
