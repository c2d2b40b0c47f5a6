"""A rollout in waves (`serial`, `verify: per_wave`): the verifier's word on each wave is a decision the
report lists on the step, and the verifier practice plays back gives it again, from the same history fold.

Before, the report left the waves' decisions out and a practice run stopped for good after the
first wave, waiting for a verifier who only answered whole steps.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml

from runbook_tui.app import practice
from runbook_tui.app.session import Session, load, open_session
from runbook_tui.engine.controller import Actor, Controller
from runbook_tui.engine.journal import read_events
from runbook_tui.engine.recording import record
from runbook_tui.report import build_report, render

BOB = Actor("bob", "verifier")


async def until(what: str, predicate: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def run_each(controller: Controller, trainee: Actor, steps: Iterable[str]) -> None:
    """Run each of `steps` once it is current (and nothing runs), then wait for the run's end."""
    for step in steps:
        await until(f"{step} to be current", lambda step=step: controller.state.current == step and not controller.busy)
        assert controller.run_current(trainee).ok
    await until("the run to end", lambda: controller.state.finished)


def play_night(open_night: Callable[[], Session], script: Callable[[Controller, Actor], Awaitable[None]]) -> None:
    """Open the night, play `script` with its controller and assignee, and close it."""

    async def the_night() -> None:
        session = open_night()
        try:
            await script(session.controller, session.actor)
        finally:
            await session.close()

    asyncio.run(the_night())


def dry_night(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, doc: dict[str, Any]) -> tuple[Path, Callable[[], Session]]:
    """The night's journal path, and what opens the night: a dry run of `doc` by alice, with bob joined as verifier."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (tmp_path / "no-settings.yaml").touch()  # an empty settings file: the defaults (a named file that is missing is an error)
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(tmp_path / "no-settings.yaml"))
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    monkeypatch.chdir(tmp_path)
    Path("night.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    journal = tmp_path / "night.jsonl"

    def open_night() -> Session:
        session = open_session(load("night.yaml", {}), mode="dry-run", journal=str(journal), verifier_in_process=True)
        session.controller.join("bob", "verifier")
        return session

    return journal, open_night


@pytest.fixture()
def night(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A dry run over three hosts, one per wave: bob confirms wave 1, then wave 2, then the step."""
    hosts = [{"name": f"web{i}", "address": f"192.0.2.{i}"} for i in (1, 2, 3)]
    step = {"id": "roll", "title": "Roll out", "run": "echo rolled", "on": "fleet", "serial": 1, "verify": "per_wave"}
    doc = {"runbook": 1, "id": "waves", "title": "Waves", "hosts": {"fleet": hosts}, "sections": [{"id": "impl", "steps": [step]}]}
    journal, open_night = dry_night(tmp_path, monkeypatch, doc)

    async def the_night(controller: Controller, alice: Actor) -> None:
        assert controller.run_current(alice).ok
        for wave in (1, 2):
            await until(f"wave {wave} to wait for bob", lambda w=wave: controller.state.steps["roll"].wave_awaiting == w)
            assert controller.confirm(BOB).ok
        await until("the step to wait for bob", lambda: controller.state.steps["roll"].status == "awaiting_verification")
        assert controller.confirm(BOB).ok
        await until("the run to finish", lambda: controller.state.finished)

    play_night(open_night, the_night)
    return journal


def test_the_report_lists_the_verifiers_word_on_each_wave(night: Path) -> None:
    report = build_report(night)
    [step] = report.steps
    assert [(d.kind, d.by) for d in step.decisions] == [("wave 1 confirmed", "bob"), ("wave 2 confirmed", "bob"), ("confirmed", "bob")]
    assert [entry.kind for entry in step.history] == ["attempt", "wave 1 confirmed", "wave 2 confirmed", "confirmed"]
    text = render(report, "md")
    assert "wave 1 confirmed by bob at" in text and "wave 2 confirmed by bob at" in text
    # the verifier practice plays back answers as the report says bob did
    assert record(read_events(night).events).verdicts == {"roll": [("confirmed", "", "bob")] * 3}


def test_practice_meets_the_recorded_verifier_between_waves(night: Path, tmp_path: Path) -> None:
    async def the_practice() -> list[tuple[str, int | None, str]]:
        run = practice.open_practice(str(night), out_journal=str(tmp_path / "practice.jsonl"))
        controller = run.session.controller
        try:
            assert controller.run_current(run.session.actor).ok
            await until("bob (recorded) to confirm both waves and the step", lambda: controller.state.steps["roll"].status == "done")
        finally:
            await run.session.close()
        events = read_events(tmp_path / "practice.jsonl").events
        return [(e["type"], e.get("wave"), e["actor"]) for e in events if e["type"] in ("wave_confirmed", "step_confirmed")]

    assert asyncio.run(the_practice()) == [
        ("wave_confirmed", 1, "bob (recorded)"),
        ("wave_confirmed", 2, "bob (recorded)"),
        ("step_confirmed", None, "bob (recorded)"),
    ]
