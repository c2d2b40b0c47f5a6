"""The assignee presses the verifier's `c` (confirm) or `x` (reject) on a step that waits for the verifier.

Issue 6: "the assignee's own confirm is refused"; issue 3: refused intents come back as clear messages. Before: on the
assignee's screen `c` and `x` did nothing at all (no binding), so an assignee at 2 AM could not tell a refused
confirmation from a lost key press. Now each says why, in the two-person rule's words, and nothing is journaled.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import make_app, of_kind, settled, started, until, write_runbook

RUNBOOK = """\
runbook: 1
id: own
title: The assignee's own confirmation
ticket: {id: CHG-7, subject: own, assignee: alice, verifier: bob}
sections:
  - id: change
    title: Change
    kind: implement
    steps:
      - {id: edit, title: Edit, run: echo edited, undo: echo unedit}
"""


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_c_and_x_on_the_assignees_screen_say_the_two_person_rule_and_journal_nothing(workdir: Path, size: tuple[int, int]) -> None:
    write_runbook(workdir, RUNBOOK, "own.yaml")
    app = make_app("own.yaml", solo=None, verifier_in_process=True)
    async with app.run_test(size=size, notifications=True) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: controller.state.steps["edit"].status == "awaiting_verification", "'edit' to wait for the verifier")
        await settled(pilot)
        app.clear_notifications()
        await pilot.press("c")
        said = ["the assignee cannot confirm their own step (two-person rule)"]
        await until(pilot, lambda: [n.message for n in app._notifications] == said, f"c to say {said[0]!r}")
        await pilot.press("x")
        said.append("the assignee cannot reject their own step (two-person rule)")
        await until(pilot, lambda: [n.message for n in app._notifications] == said, f"x to say {said[1]!r}")
        assert app.screen.__class__.__name__ == "RunScreen", "x opened no prompt (it asks the verifier for a reason, not her)"
        assert controller.state.steps["edit"].status == "awaiting_verification"
    assert not of_kind(workdir / "j.jsonl", "step_confirmed") + of_kind(workdir / "j.jsonl", "step_rejected")
