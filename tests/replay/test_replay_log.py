"""Replay shows exactly what the assignee saw: its output pane equals the live one, line for line."""

from __future__ import annotations

from pathlib import Path

import pytest

from runbook_tui.ui.output_pane import OutputLog
from runbook_tui.ui.replay_app import ReplayApp
from runbook_tui.ui.replay_screen import ReplayScreen
from tests.ui.run_screen_helpers import SIZE, events, make_app, run_step, settled, started, until, write_runbook

RUNBOOK = """\
runbook: 1
id: replay-log
title: Replay log
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - id: backup
        title: Back up
        run: echo backed up; echo one; echo two
        undo: echo restore
        checkpoint: true
      - id: edit
        title: Edit
        run: echo editing; echo careful >&2
        undo: echo unedit
      - id: boom
        title: Breaks
        run: echo it broke >&2; exit 3
        undo: echo unboom
"""


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (tmp_path / "no-settings.yaml").touch()  # an empty settings file: the defaults (a named file that is missing is an error)
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(tmp_path / "no-settings.yaml"))
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    monkeypatch.chdir(tmp_path)
    write_runbook(tmp_path, RUNBOOK)
    return tmp_path


@pytest.mark.asyncio
async def test_replay_shows_the_live_log_line_for_line(workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        controller = await started(pilot)
        run_screen = app.screen
        await run_step(pilot, "backup")
        await run_step(pilot, "edit")
        await run_step(pilot, "boom", "failed")
        assert app.handle is not None
        assert controller.rollback(app.handle.actor, "checkpoint", acknowledged=True, reason="boom failed").ok
        await until(pilot, lambda: controller.state.rollback is not None and controller.state.rollback.ok is not None and not controller.busy, "the rollback")
        await settled(pilot)
        live = list(run_screen.query_one(OutputLog).lines)
    journal = events(workdir / "j.jsonl")
    assert any(line.startswith("── boom started") for line in live) and any("undo local │ unedit" in line for line in live), live

    replay = ReplayApp(journal, label="j.jsonl")
    async with replay.run_test(size=SIZE) as pilot:
        screen = replay.screen
        assert isinstance(screen, ReplayScreen)
        await pilot.press("end")  # played through: each event's lines as it comes
        await settled(pilot)
        assert list(screen.query_one(OutputLog).lines) == live
        await pilot.press("home")
        screen.replay.seek(len(journal))  # a jump to the end: the pane rebuilt from the events at once
        screen._moved(True)
        await settled(pilot)
        assert list(screen.query_one(OutputLog).lines) == live


@pytest.mark.asyncio
async def test_a_skip_is_told_on_the_pane_with_its_reason_as_typed_live_and_in_replay(workdir: Path) -> None:
    """The assignee skips the failed step: the pane says so, with who, when and why (it said nothing, so the verifier
    co-watching saw the run move on without a word). The reason shows as typed, markup and all."""
    reason = "[red]flaky[/red] $(id)"
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        controller = await started(pilot)
        run_screen = app.screen
        for step in ("backup", "edit"):
            await run_step(pilot, step)
        await run_step(pilot, "boom", "failed")
        assert app.handle is not None
        assert controller.skip(app.handle.actor, reason).ok
        await until(pilot, lambda: controller.state.steps["boom"].status == "skipped", "the skip")
        await settled(pilot)
        live = list(run_screen.query_one(OutputLog).lines)
    [skipped] = [line for line in live if line.startswith("↷ ")]
    assert skipped.endswith(f" boom skipped by alice: {reason}"), live

    replay = ReplayApp(events(workdir / "j.jsonl"), label="j.jsonl")
    async with replay.run_test(size=SIZE) as pilot:
        await pilot.press("end")
        await settled(pilot)
        assert list(replay.screen.query_one(OutputLog).lines) == live


@pytest.mark.asyncio
async def test_each_undo_says_how_it_ended_on_the_pane_live_and_in_replay(workdir: Path) -> None:
    """A rollback whose second undo fails: the pane says each undo's end per host, as exec and the report say it (it
    showed which undo started and its output, then `rollback STOPPED at edit`, never that edit's undo exited 4)."""
    write_runbook(workdir, RUNBOOK.replace("undo: echo unedit", "undo: echo unedit; exit 4"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        controller = await started(pilot)
        run_screen = app.screen
        await run_step(pilot, "backup")
        await run_step(pilot, "edit")
        await run_step(pilot, "boom", "failed")
        assert app.handle is not None
        assert controller.rollback(app.handle.actor, "checkpoint", acknowledged=True, reason="boom failed").ok
        await until(pilot, lambda: controller.state.rollback is not None and controller.state.rollback.ok is not None and not controller.busy, "the rollback")
        await settled(pilot)
        live = list(run_screen.query_one(OutputLog).lines)
    ended = [line for line in live if line.startswith("── undo ") and ":" in line]
    assert ended == ["── undo boom: local: ok exit 0", "── undo edit: local: failed exit 4"], live
    assert live.index(ended[1]) < live.index("── rollback STOPPED at edit"), live

    replay = ReplayApp(events(workdir / "j.jsonl"), label="j.jsonl")
    async with replay.run_test(size=SIZE) as pilot:
        await pilot.press("end")
        await settled(pilot)
        assert list(replay.screen.query_one(OutputLog).lines) == live
