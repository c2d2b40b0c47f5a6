"""`y` starts a rollback only once the undo list has been read to its end: what it runs is exactly the list.

Walked at 80x24: twelve undos showed four, the dialog's border saying `▼ N more lines: ↓ pgdn`, and `y` started all
twelve at once, as enter ran a step whose command the pane cut (test_read_first.py). Now `y` on a list read only in part
says to read it to its end; once its last line has been in view, `y` starts it. A list shown anew (`f`, the other
scope) is read anew. At 140x45 the list fits and `y` starts it at once, as before.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import burst, make_app, painted, prepare_workdir, read_to_end, run_step, screen_is, settled, started, until

STEPS = "\n".join(f"      - {{id: s{n:02d}, title: Step {n}, run: echo {n}, undo: echo undo-{n}, verify: none}}" for n in range(1, 13))
RUNBOOK = f"""\
runbook: 1
id: many
title: Many undos
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - {{id: mark, title: Mark, run: echo mark, checkpoint: true, verify: none}}
{STEPS}
      - {{id: last, title: Last, run: echo last, verify: none}}
"""


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)], ids=["80x24", "140x45"])
async def test_y_starts_the_rollback_once_the_list_was_read_to_its_end(workdir: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    prepare_workdir(workdir, monkeypatch, RUNBOOK)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        controller = await started(pilot)
        for step in ["mark", *(f"s{n:02d}" for n in range(1, 13))]:
            await settled(pilot)
            await run_step(pilot, step)
        await settled(pilot)
        await pilot.press("u")
        modal = await screen_is(pilot, "RollbackModal")
        keys = modal.query_one("#dialog-keys")
        if size == (80, 24):
            assert "more lines" in str(modal.query_one("#dialog").border_subtitle), "the list does not fit: the border says so"
            await pilot.press("y")
            await until(pilot, lambda: "Read it to its end first" in painted(keys), "y to ask for the rest of the list first")
            await read_to_end(pilot)
            # the end in view: the line says again what y does, and what the run is after it (it kept `Read it … first`)
            await until(pilot, lambda: "Read it to its end first" not in painted(keys), "the read-first words to go at the end")
            assert "y start this rollback" in painted(keys) and "next again" in painted(keys), painted(keys)
            await pilot.press("f")  # then the full rollback's longer list: shown anew, read anew
            await until(pilot, lambda: "FULL rollback" in painted(modal.query_one("#dialog-title")), "the full list")
            await pilot.press("y")
            await until(pilot, lambda: "Read it to its end first" in painted(keys), "y to ask for the rest of the full list first")
            assert controller.state.rollback is None, "y started a list shown anew without it being read"
            await pilot.press("f")
            await read_to_end(pilot)
        await pilot.press("y")
        await until(pilot, lambda: controller.state.rollback is not None and controller.state.rollback.finished, "the rollback to end", seconds=60)
        assert [e for e in controller.state.rollback.plan["entries"]] and controller.state.current == "s01"


@pytest.mark.asyncio
async def test_u_y_typed_in_one_burst_starts_no_rollback_from_a_list_not_yet_painted(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`u y` in one burst (tmux send-keys, a lagging link): the y waited for the list u opened and, the list fitting,
    started the rollback from a list never drawn. Now it is not used, said; a y pressed once the list shows starts it."""
    prepare_workdir(workdir, monkeypatch, RUNBOOK)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        controller = await started(pilot)
        for step in ("mark", "s01"):
            await settled(pilot)
            await run_step(pilot, step)
        await settled(pilot)
        burst(app, "u", "y")
        await screen_is(pilot, "RollbackModal")
        said = "Not used, pressed before this screen showed: y."
        await until(pilot, lambda: any(said in str(n.message) for n in app._notifications), "the unused y said")
        await settled(pilot)
        assert type(app.screen).__name__ == "RollbackModal" and controller.state.rollback is None, "the y typed ahead started nothing"
        await pilot.press("y")
        await until(pilot, lambda: controller.state.rollback is not None and controller.state.rollback.finished, "the rollback to end", seconds=60)
