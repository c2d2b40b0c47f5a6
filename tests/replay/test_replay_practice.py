"""Replay and practice: a past run shown as it was, and driven again by a trainee with nothing executed."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path
from textwrap import dedent

import pytest

from runbook_tui import cli
from runbook_tui.app import practice
from runbook_tui.app.session import load, open_session
from runbook_tui.engine.controller import Actor
from runbook_tui.engine.journal import read_events
from runbook_tui.engine.state import replay
from runbook_tui.ui.app import RunbookApp
from runbook_tui.ui.modals import LoadingScreen
from runbook_tui.ui.practice_screens import PracticeApp
from runbook_tui.ui.replay_app import ReplayApp
from runbook_tui.ui.replay_screen import ReplayScreen, ReplaySource
from runbook_tui.ui.run_screen import RunScreen
from runbook_tui.ui.run_view import RunView

RUNBOOK = """
runbook: 1
id: practice-me
title: Practice me
sections:
  - id: pre
    kind: precheck
    steps:
      - {id: check, run: "echo ready", verify: none}
  - id: backup
    kind: backup
    steps:
      - {id: save, run: "echo saved", undo: "echo unsave >> {marker}", checkpoint: true}
  - id: impl
    kind: implement
    steps:
      - {id: change, run: "echo changing; echo ran change >> {marker}", undo: "echo unchange >> {marker}"}
      - {id: boom, run: "echo it broke >&2; exit 3", undo: "echo unboom >> {marker}"}
"""


def _until(predicate, pilot, limit: float = 20.0, what: str = "the run"):
    async def wait() -> None:
        waited = 0.0
        while not predicate():
            assert waited < limit, f"timed out after {limit:g}s waiting for {what}"
            await pilot.pause(0.1)
            waited += 0.1

    return wait()


@pytest.fixture()
def night(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A real run that failed at 'boom' and was rolled back to the checkpoint: (journal, marker file)."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (tmp_path / "no-settings.yaml").touch()  # an empty settings file: the defaults (a named file that is missing is an error)
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(tmp_path / "no-settings.yaml"))
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    monkeypatch.chdir(tmp_path)  # relative paths in commands: the screens (and snapshots) show no temp folder
    marker = tmp_path / "marker.txt"
    path = tmp_path / "practice.yaml"
    path.write_text(dedent(RUNBOOK).replace("{marker}", "marker.txt"), encoding="utf-8")
    journal = tmp_path / "night.jsonl"

    async def run_the_night() -> None:
        session = open_session(load(str(path), {}), solo="the night", journal=str(journal))
        controller, actor = session.controller, session.actor
        for _ in range(4):
            assert controller.run_current(actor).ok
            await controller.wait_idle()
        assert controller.state.steps["boom"].status == "failed"
        assert controller.rollback(actor, "checkpoint", reason="boom failed").ok
        await controller.wait_idle()
        controller.finish(actor, "rolled_back")
        await session.close()

    asyncio.run(run_the_night())
    return journal, marker


# -- replay ---------------------------------------------------------------------------


def test_replay_source_is_the_same_fold_at_every_position(night: tuple[Path, Path]) -> None:
    events = read_events(night[0]).events
    source = ReplaySource(events)
    for position in (len(events), 3, len(events) // 2, 1):
        source.seek(position)
        assert source.state == replay(events[:position])


def test_stepping_stops_at_the_moments_that_matter(night: tuple[Path, Path]) -> None:
    events = read_events(night[0]).events
    source = ReplaySource(events)
    seen = []
    while source.position < len(events):
        source.seek(source.next_moment(source.position))
        seen.append(events[source.position - 1]["type"])
    assert "step_started" in seen and "rollback_started" in seen
    assert "output" not in seen  # output streams by; stepping lands on decisions and results


@pytest.mark.asyncio
async def test_replay_screen_moves_forward_back_and_jumps(night: tuple[Path, Path]) -> None:
    events = read_events(night[0]).events
    app = ReplayApp(events)
    async with app.run_test(size=(140, 45)) as pilot:
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        for _ in range(6):
            await pilot.press("right")
        forward = screen.replay.position
        assert screen.replay.state.steps["check"].status == "done"
        await pilot.press("left")
        assert screen.replay.position < forward
        await pilot.press("g")
        await pilot.press(*"boom", "enter")
        await pilot.pause()
        assert screen.replay.state.steps["boom"].status == "running"  # the moment it started
        await pilot.press("end")
        assert screen.replay.state.outcome == "rolled_back"


def test_replay_refuses_a_tampered_journal(night: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    journal = night[0]
    lines = journal.read_text(encoding="utf-8").splitlines()
    edited = json.loads(lines[3])
    edited["text"] = "nothing to see"
    lines[3] = json.dumps(edited)
    journal.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for argv in (["replay", str(journal)], ["replay", str(journal), "--practice"]):
        assert cli.main(argv) == 2
        err = capsys.readouterr().err
        assert "line 4" in err and "does not verify" in err


def test_replay_snapshot_after_the_failure(night: tuple[Path, Path], snap_compare) -> None:
    """Replay at the moment 'boom' failed: the status line says `'boom' FAILED (exit 3)` without keys (nothing
    runs in a replay), the step 4/4 pane shows `✗ local: exit code 3, expected 0` under its title, then its command and
    undo, the output shows what the live run showed
    (`── boom started`, `local ! it broke`, `── boom FAILED`, `✗ local: exit code 3, expected 0`),
    and the bottom line says `REPLAY, nothing runs: night.jsonl 2026-11-23 22:00:17 UTC event 18/26 paused at 1x`
    (that nothing runs first, so a narrow terminal never cuts it off; the night's events get fixed times, one
    second apart, so the replayed time is stable)."""
    events = [{**e, "ts": f"2026-11-23T22:{i // 60:02d}:{i % 60:02d}.000Z"} for i, e in enumerate(read_events(night[0]).events)]
    position = next(i for i, e in enumerate(events) if e["type"] == "step_finished" and e["step"] == "boom") + 1

    async def to_the_failure(pilot) -> None:
        pilot.app.screen.replay.seek(position)
        screen = pilot.app.screen
        screen._moved(True)
        await _until(lambda: not screen._dirty and not screen._pending_lines, pilot, what="the replay screen to repaint")
        await pilot.pause()

    assert snap_compare(ReplayApp(events, label="night.jsonl"), run_before=to_the_failure, terminal_size=(140, 45))


# -- practice --------------------------------------------------------------------------


def _forbid_processes_and_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("practice must start no process and open no connection")

    monkeypatch.setattr(asyncio, "create_subprocess_exec", refuse)
    monkeypatch.setattr(asyncio, "create_subprocess_shell", refuse)
    monkeypatch.setattr(subprocess, "Popen", refuse)
    monkeypatch.setattr(os, "posix_spawn", refuse)
    monkeypatch.setattr(os, "fork", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.asyncio
async def test_practice_replays_the_failure_and_the_trainee_must_decide(night: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    journal, marker = night
    before = marker.read_text(encoding="utf-8")
    run = practice.open_practice(str(journal), out_journal=str(journal.parent / "practice.jsonl"))
    session = run.session
    _forbid_processes_and_connections(monkeypatch)
    controller = session.controller
    app = PracticeApp(run)
    async with app.run_test(size=(140, 45)) as pilot:
        await _until(lambda: type(app.screen).__name__ == "PracticeRunScreen", pilot)  # keys before it are refused (loading)
        for _ in range(4):
            await _until(lambda: not controller.busy and controller.state.current is not None, pilot)
            step = controller.state.current
            await pilot.press("enter")
            await _until(lambda step=step: controller.state.steps[step].status != "pending" and not controller.busy, pilot, what=f"{step} to run")
        state = controller.state
        assert state.steps["boom"].status == "failed"  # the recorded exit code 3 stands in
        assert any("it broke" in line.text for line in state.steps["boom"].output)
        await pilot.pause(0.5)  # a window for the wrong thing to happen: nothing may decide for the trainee
        assert controller.state.rollback is None and not controller.state.finished  # nothing decides for the trainee
        await pilot.press("u")
        await pilot.press("y")
        await _until(lambda: controller.state.rollback is not None and controller.state.rollback.finished, pilot)
        assert controller.state.rollback.ok
        await pilot.press("q")  # the row offers `q stop here`: the night stopped here too (exec ended it rolled back)
        await _until(lambda: app.results is not None, pilot, what="the results")
    assert marker.read_text(encoding="utf-8") == before  # the recorded undos ran nowhere
    # the trainee's decisions are on record, beside the night's: stopping where the night stopped is its `finish`
    # (it read `did not get here` and counted against the trainee who had just stopped there)
    results = app.results
    assert results is not None
    assert [(p.step, p.night.kind if p.night else None, p.trainee.kind if p.trainee else None) for p in results.points] == [
        ("check", "run", "run"), ("save", "run", "run"), ("change", "run", "run"), ("boom", "run", "run"),
        ("boom", "roll back", "roll back"), ("change", "finish", "finish"),
    ]  # fmt: skip
    assert results.score == (6, 6)
    last = read_events(session.journal_path).events[-1]
    assert (last["type"], last["actor"], last["outcome"]) == ("session_finished", "alice", "rolled_back")


def test_practice_meets_the_verifiers_recorded_rejection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (tmp_path / "no-settings.yaml").touch()  # an empty settings file: the defaults (a named file that is missing is an error)
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(tmp_path / "no-settings.yaml"))
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    path = tmp_path / "r.yaml"
    path.write_text(
        dedent("""
        runbook: 1
        id: rejected-once
        title: Rejected once
        ticket: {id: CHG-1, assignee: alice, verifier: bob}
        sections:
          - id: impl
            kind: implement
            steps:
              - {id: change, run: "echo change", undo: "echo undo"}
    """),
        encoding="utf-8",
    )
    night_journal = tmp_path / "night.jsonl"

    async def the_night() -> None:
        session = open_session(load(str(path), {}), journal=str(night_journal), verifier_in_process=True)
        controller, actor = session.controller, session.actor
        controller.run_current(actor)
        await controller.wait_idle()
        assert controller.reject(Actor("bob", "verifier"), "the diff touches the wrong file").ok
        await session.close()

    async def the_practice() -> str | None:
        session = practice.open_practice(str(night_journal), out_journal=str(tmp_path / "p.jsonl")).session
        controller = session.controller
        controller.run_current(session.actor)
        await controller.wait_idle()
        for _ in range(100):
            if controller.state.steps["change"].status == "rejected":
                break
            await asyncio.sleep(0.05)
        reason = controller.state.steps["change"].reason
        await session.close()
        return reason

    asyncio.run(the_night())
    assert asyncio.run(the_practice()) == "the diff touches the wrong file"


def test_leaving_where_a_night_left_open_stopped_journals_no_end(night: tuple[Path, Path], tmp_path: Path) -> None:
    """A night left open after its rollback (`q` at the run screen journals no end) has no `finish` to compare with:
    the trainee leaving at that point must not be given one (a row 'finish: not a decision point on the night')."""
    journal, _marker = night
    kept = journal.read_text(encoding="utf-8").splitlines(keepends=True)
    assert '"session_finished"' in kept[-1]
    open_night = tmp_path / "open-night.jsonl"
    open_night.write_text("".join(kept[:-1]), encoding="utf-8")  # a prefix of the chain: the night as q left it

    async def the_practice(path: Path, out: str) -> tuple[bool, bool]:
        run = practice.open_practice(str(path), out_journal=str(tmp_path / out))
        controller, actor = run.session.controller, run.session.actor
        for _ in range(4):
            assert controller.run_current(actor).ok
            await controller.wait_idle()
        assert controller.rollback(actor, "checkpoint", acknowledged=True).ok
        await controller.wait_idle()
        run.leave()
        finished = controller.state.finished
        await run.session.close()
        return finished, any(p.night is None for p in run.results().points)

    assert asyncio.run(the_practice(open_night, "left-open.jsonl")) == (False, False)
    assert asyncio.run(the_practice(journal, "finished.jsonl")) == (True, False)  # where the night ended it, the trainee's end


# -- each screen and app mounts once ------------------------------------------------------------


@pytest.mark.asyncio
async def test_practice_and_replay_run_each_on_mount_once(night: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """Textual runs the `on_mount` of every class in the MRO by itself. A subclass that also called `super().on_mount()`
    ran its parent's twice: practice pushed its loading screen and started the session twice, replay (and practice's
    run screen) painted the first frame twice and kept two 1 s ticks. Each must run once, and practice start once."""
    ran: list[str] = []

    def counting(name: str, original: Callable[[object], None]) -> Callable[[object], None]:
        def counted(self: object) -> None:  # no event parameter: Textual calls it as it called the original
            ran.append(name)
            original(self)

        return counted

    for cls in (RunbookApp, RunView, RunScreen):
        monkeypatch.setattr(cls, "on_mount", counting(cls.__name__, cls.__dict__["on_mount"]))
    start = RunbookApp._start

    def counted_start(self: RunbookApp, override: str | None) -> None:
        ran.append("_start")
        start(self, override)

    monkeypatch.setattr(RunbookApp, "_start", counted_start)

    journal, _marker = night
    run = practice.open_practice(str(journal), out_journal=str(journal.parent / "practice.jsonl"))
    _forbid_processes_and_connections(monkeypatch)
    app = PracticeApp(run)
    async with app.run_test(size=(140, 45)) as pilot:
        await _until(lambda: isinstance(app.screen, RunScreen), pilot, what="the practice run screen")
        # Every handler has run once by the time the run screen has painted its first frame; a twin runs in the same turn.
        await _until(lambda: {"RunScreen", "RunView", "RunbookApp", "_start"} <= set(ran), pilot, what="every mount handler")
        assert sorted(ran) == ["RunScreen", "RunView", "RunbookApp", "_start"], ran
        assert sum(isinstance(screen, LoadingScreen) for screen in app.screen_stack) == 1, "the loading screen is pushed once (under the run)"

    ran.clear()
    replayed = ReplayApp(read_events(journal).events)
    async with replayed.run_test(size=(140, 45)) as pilot:
        await _until(lambda: isinstance(replayed.screen, ReplayScreen), pilot, what="the replay screen")
        await _until(lambda: "RunView" in ran, pilot, what="the replay view's mount handler")
        assert ran == ["RunView"], ran
