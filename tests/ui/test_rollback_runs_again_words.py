"""The undo list says, before `y`, which step is next once the rollback has ended and which run again with nothing
to undo: the waits, questions and read-only checks after the checkpoint (they run again since session 27).

Walked in tmux at 80x24: checkpoint 'pre', a wait 'hold', a look 'look' (no undo, so listed and acknowledged) and
'clean' (undone). The dialog said `When it finishes, the run stays open: 'clean' is next again.`; the rollback then
stood the run at 'hold', and nothing had said the wait would be waited again. Now the dialog names 'soak' here as
next and says the wait and the verify section's check run again too; after `y` the run stands where it said.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import make_app, painted, prepare_workdir, run_step, screen_is, settled, started, until

RUNBOOK = """\
runbook: 1
id: again
title: Runs again
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - {id: backup, title: Backup, run: echo backup, checkpoint: true, verify: none}
      - {id: soak, title: Soak, wait: 0.1s, verify: none}
      - {id: edit, title: Edit, run: echo edit, undo: echo undo-edit, verify: none}
  - id: check
    title: Check
    kind: verify
    steps:
      - {id: health, title: Health, run: echo healthy, verify: none}
  - id: more
    title: More
    kind: implement
    steps:
      - {id: tweak, title: Tweak (no undo), run: echo tweak, verify: none}
      - {id: last, title: Last, run: echo last, verify: none}
"""


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)], ids=["80x24", "140x45"])
async def test_the_undo_list_says_what_runs_again_and_where_the_run_stands(workdir: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    prepare_workdir(workdir, monkeypatch, RUNBOOK)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        for step in ("backup", "soak", "edit", "health", "tweak"):
            await run_step(pilot, step)
        await pilot.press("u")
        modal = await screen_is(pilot, "RollbackModal")
        said = " ".join(painted(modal.query_one("#dialog-keys")).split())
        # each step said once: 'soak' named as next was listed again among the steps that run again
        assert "When it finishes, the run stays open: 'soak' (the wait: nothing to undo) is next again." in said, said
        assert "With nothing to undo, not in the list, this runs again too: the check 'health'." in said, said
        assert said.count("'soak'") == 1, said
        assert "'tweak'" not in said, "tweak has no undo: it stays done, as the list says"
        await pilot.press("y")
        await until(pilot, lambda: controller.state.rollback is not None and controller.state.rollback.finished, "the rollback to end")
        state = controller.state
        assert state.current == "soak", state.current
        assert [state.steps[s].status for s in ("soak", "edit", "health", "tweak")] == ["undone", "undone", "undone", "done"]


PRECHECK_NEXT = """\
runbook: 1
id: again-start
title: Back to the start
sections:
  - id: pre
    title: Prechecks
    kind: precheck
    steps:
      - {id: look, title: Look around, run: echo fine, verify: none}
  - id: impl
    title: Change
    kind: implement
    steps:
      - {id: edit, title: Edit, run: echo edit, undo: echo undo-edit, verify: none}
      - {id: boom, title: Boom, run: "false", undo: echo undo-boom, verify: none}
"""


@pytest.mark.asyncio
async def test_the_next_step_is_said_once_when_it_is_the_only_one_with_nothing_to_undo(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Walked at 140x45: a rollback to the start after 'boom' failed said "'look' is next again. With nothing to undo,
    not in the list, these run again too: the check 'look'." (the one step, twice)."""
    prepare_workdir(workdir, monkeypatch, PRECHECK_NEXT)
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await started(pilot)
        await settled(pilot)
        await run_step(pilot, "look")
        await run_step(pilot, "edit")
        await run_step(pilot, "boom", "failed")
        await pilot.press("u")
        modal = await screen_is(pilot, "RollbackModal")
        said = " ".join(painted(modal.query_one("#dialog-keys")).split())
        assert "When it finishes, the run stays open: 'look' (the check: nothing to undo) is next again." in said, said
        assert "these run again" not in said and "this runs again" not in said and said.count("'look'") == 1, said
