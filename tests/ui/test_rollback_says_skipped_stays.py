"""The undo list says which steps it goes back past that stay skipped, with the reason they were skipped.

Walked at 80x24: 'drop' skipped (`queue not empty tonight`), 'reload' failed, `u`: the list ended `When it finishes, the
run stays open: 'bump' is next again.` After the rollback 'bump' ran and the run went on to 'reload': 'drop' stayed
skipped (its reason still stands), and nothing had said so before `y` or after.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import make_app, painted, prepare_workdir, run_step, screen_is, settled, started, type_text, until

RUNBOOK = """\
runbook: 1
id: stays-skipped
title: A skip the rollback goes back past
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - {id: save, title: Save, run: 'true', checkpoint: true, verify: none}
      - {id: bump, title: Bump, run: 'true', undo: 'true', verify: none}
      - {id: drop, title: Drop the old queue, run: 'true', undo: 'true', verify: none}
      - {id: reload, title: Reload, run: 'exit 3', undo: 'true', verify: none}
"""


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_the_undo_list_says_a_skipped_step_stays_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    prepare_workdir(tmp_path, monkeypatch, RUNBOOK)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        controller = await started(pilot)
        await run_step(pilot, "save")
        await run_step(pilot, "bump")
        await pilot.press("s")
        await screen_is(pilot, "TextPrompt")
        await type_text(pilot, "queue not empty tonight")
        await pilot.press("enter")
        await until(pilot, lambda: controller.state.steps["drop"].status == "skipped" and not controller.busy, "drop to be skipped")
        await run_step(pilot, "reload", "failed")
        await settled(pilot)
        await pilot.press("u")
        modal = await screen_is(pilot, "RollbackModal")
        keys = " ".join(painted(modal.query_one("#dialog-keys")).split())
        assert "'bump' is next again. 'drop' stays skipped (queue not empty tonight)." in keys, keys
