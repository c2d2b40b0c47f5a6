"""`s` says what a skip does before it is done: for a step that ran and failed, that what it changed stays and whether
a rollback still undoes it; for one that never ran, that nothing runs; and which step is next. Before, the prompt
asked only why (`Why is it skipped?`), and a tired assignee skipping a failed step was not told its change stays."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import make_app, of_kind, painted, prepare_workdir, run_step, screen_is, started, until

RUNBOOK = """\
runbook: 1
id: skips
title: Skips
sections:
  - id: impl
    kind: implement
    steps:
      - {id: first, title: First, run: 'true', undo: 'true'}
      - {id: change, title: Change, run: 'exit 3', undo: 'echo undo'}
      - {id: bare, title: Bare, run: 'exit 4'}
      - {id: last, title: Last, run: 'true', undo: 'true'}
"""


async def _skip_body(pilot: Any) -> str:
    await pilot.press("s")
    prompt = await screen_is(pilot, "TextPrompt")
    return " ".join(painted(prompt.query_one("#dialog-body")).split())


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_the_skip_prompt_says_what_becomes_of_the_step_and_what_is_next(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    prepare_workdir(tmp_path, monkeypatch, RUNBOOK)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        controller = await started(pilot)
        body = await _skip_body(pilot)
        assert "Nothing runs for it; then 'change' is next." in body, body
        await pilot.press("escape")
        await until(pilot, lambda: type(app.screen).__name__ == "RunScreen", "the prompt to close")
        await run_step(pilot, "first")
        await run_step(pilot, "change", "failed")
        body = await _skip_body(pilot)
        assert "It ran: what it changed stays, and its undo stays in the rollback list (u); then 'bare' is next." in body, body
        await pilot.press(*"checked", "enter")
        await until(pilot, lambda: controller.state.steps["change"].status == "skipped", "the skip")
        await run_step(pilot, "bare", "failed")
        body = await _skip_body(pilot)
        assert "It ran: what it changed stays, and it has no undo; then 'last' is next." in body, body
        await pilot.press(*"ok", "enter")
        await until(pilot, lambda: controller.state.steps["bare"].status == "skipped", "the skip")
        body = await _skip_body(pilot)
        assert "Nothing runs for it; no step follows it." in body, body
        await pilot.press("escape")
        # what it said of 'change' holds: its undo is in the rollback's plan
        await until(pilot, lambda: type(app.screen).__name__ == "RunScreen", "the prompt to close")
        plan = controller.plan_rollback("checkpoint")
        assert [e.step_id for e in plan.entries if e.command is not None] == ["change", "first"], plan.entries
        assert [e["step"] for e in of_kind(tmp_path / "j.jsonl", "step_skipped")] == ["change", "bare"]


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then let go): a connection there is refused at once."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_skipping_a_step_that_never_started_anywhere_says_nothing_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    """A step on two hosts whose SSH connections were refused: its command began nowhere. Before, `s` said `It ran:
    what it changed stays, and its undo stays in the rollback list (u)`, while the rollback list said `nothing to undo
    on far1 and far2: the command never started there`."""
    port = closed_port()
    hosts = f"hosts:\n  far:\n    - {{name: far1, address: 127.0.0.1, port: {port}}}\n    - {{name: far2, address: 127.0.0.1, port: {port}}}\n"
    prepare_workdir(
        tmp_path,
        monkeypatch,
        RUNBOOK.replace("sections:\n", hosts + "sections:\n").replace("{id: change, title: Change,", "{id: change, title: Change, on: far,"),
    )
    app = make_app()
    async with app.run_test(size=size) as pilot:
        controller = await started(pilot)
        await run_step(pilot, "first")
        await run_step(pilot, "change", "failed")
        body = await _skip_body(pilot)
        assert "Its command never started on any of its 2 hosts: nothing changed there, nothing to undo; then 'bare' is next." in body, body
        assert "It ran" not in body, body
        await pilot.press("escape")
        await until(pilot, lambda: type(app.screen).__name__ == "RunScreen", "the prompt to close")
        # what it says holds: the rollback's plan has no undo of 'change'
        plan = controller.plan_rollback("checkpoint")
        assert [e.step_id for e in plan.entries] == ["first"], plan.entries


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_the_end_of_the_run_names_the_steps_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    """Two changing steps failed and were skipped, the last one ran: the session ends `done`. Before, the pane said only
    `Session finished: done.` (at 80x24 the step list, with its ↷, is hidden): nothing on the screen said that two
    changes never went through. It now names them, by whom and why, under the outcome."""
    from runbook_tui.ui.widgets import StepDetail

    prepare_workdir(tmp_path, monkeypatch, RUNBOOK)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        controller = await started(pilot)
        await run_step(pilot, "first")
        await run_step(pilot, "change", "failed")
        await _skip_body(pilot)
        await pilot.press(*"no window left", "enter")
        await until(pilot, lambda: controller.state.steps["change"].status == "skipped", "the skip")
        await run_step(pilot, "bare", "failed")
        await _skip_body(pilot)
        await pilot.press(*"ok", "enter")
        await until(pilot, lambda: controller.state.steps["bare"].status == "skipped", "the skip")
        await run_step(pilot, "last")
        await until(pilot, lambda: controller.state.finished, "the run to finish")
        await screen_is(pilot, "ReviewScreen")  # the post-change review first
        await pilot.press("escape")
        await screen_is(pilot, "RunScreen")
        pane = app.screen.query_one(StepDetail)
        await until(pilot, lambda: "Skipped" in painted(pane), "the skipped steps named")
        said = " ".join(painted(pane).split())
        # who ended it, as the report's Outcome says: the program, once 'last' was done (it said `done.` alone)
        assert (
            said == "Session finished: done (ended by the program with no step left to run). Skipped: 'change' by alice (no window left), 'bare' by alice (ok)."
        ), said
