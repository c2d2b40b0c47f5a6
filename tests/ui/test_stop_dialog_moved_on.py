"""`k`'s dialog names the step it stops (`Stop the rollback at 'b' now?`); its `y` stops that one, or nothing. Before,
the rollback went on to 'a''s undo while the dialog was open, and y stopped 'a', a step the dialog never named."""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import make_app, painted, prepare_workdir, read_to_end, run_step, screen_is, started, until

from runbook_tui.engine.step_stop import running_now

WAIT = "for i in $(seq 600); do [ -f {0} ] && exit 0; sleep 0.1; done; exit 9"
RUNBOOK = f"""\
runbook: 1
id: stops
title: Stops
sections:
  - id: impl
    kind: implement
    steps:
      - {{id: a, title: A, run: 'true', undo: '{WAIT.format("go_a")}'}}
      - {{id: b, title: B, run: 'true', undo: '{WAIT.format("go_b")}'}}
      - {{id: c, title: C, run: 'true'}}
"""


@pytest.mark.asyncio
async def test_y_on_stop_stops_the_step_it_named_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prepare_workdir(tmp_path, monkeypatch, RUNBOOK)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        controller = await started(pilot)
        await run_step(pilot, "a")
        await run_step(pilot, "b")
        await pilot.press("u")
        await screen_is(pilot, "RollbackModal")
        await read_to_end(pilot)
        await pilot.press("y")
        await until(pilot, lambda: running_now(controller.state) == ("b", "undo"), "'b''s undo to run")
        await pilot.press("k")
        prompt = await screen_is(pilot, "ConfirmPrompt")
        assert "'b'" in painted(prompt.query_one("#dialog-title"))
        (tmp_path / "go_b").write_text("")
        await until(pilot, lambda: running_now(controller.state) == ("a", "undo"), "the rollback to go on to 'a''s undo")
        await pilot.press("y")
        await until(pilot, lambda: any("'b'" in str(n.message) and "nothing was stopped" in str(n.message) for n in app._notifications), "the refusal")
        (tmp_path / "go_a").write_text("")
        await until(pilot, lambda: controller.state.rollback is not None and controller.state.rollback.finished, "the rollback to end", seconds=60)
        assert controller.state.steps["a"].status == "undone", controller.state.steps["a"]
