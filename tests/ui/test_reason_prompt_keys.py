"""The dialogs whose enter acts on the run say what enter does, as the window question does (`enter start anyway`).

Walked at 80x24: `s` on 'drop' opened "Skip 'drop'" with `enter submit · escape cancel`: enter skips the step (it is
journaled, the run moves on), and the key line said only that it submits. So the mark-done question (enter marks an
unknown step done, never to run again), the declined rollback request and the accepted unmet criteria.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import make_app, painted, prepare_workdir, screen_is, started

from runbook_tui.ui.run_prompts import accept_criteria_prompt, decline_rollback_prompt, mark_done_prompt


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_the_skip_dialog_says_enter_skips_the_step(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    prepare_workdir(tmp_path, monkeypatch)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        controller = await started(pilot)
        current = controller.state.current
        await pilot.press("s")
        prompt = await screen_is(pilot, "TextPrompt")
        keys = " ".join(painted(prompt.query_one("#dialog-keys")).split())
        assert keys == f"enter skip '{current}' · escape cancel", keys
        await pilot.press("escape")
        step = next(s for s in controller.runbook.steps if s.id == current)
        state = controller.state
    assert mark_done_prompt(step, state).keys_text == f"enter mark '{current}' done · escape cancel"  # type: ignore[attr-defined]
    assert decline_rollback_prompt(state).keys_text == "enter decline the rollback · escape cancel"  # type: ignore[attr-defined]
    assert accept_criteria_prompt(state).keys_text == "enter accept them · escape cancel"  # type: ignore[attr-defined]


@pytest.mark.asyncio
async def test_the_note_dialog_says_enter_adds_the_note_as_the_verifiers_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`n` read `enter submit · escape cancel` on the assignee's screen, and `enter add the note` on the verifier's: one
    dialog, one action, said two ways."""
    prepare_workdir(tmp_path, monkeypatch)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("n")
        prompt = await screen_is(pilot, "TextPrompt")
        assert " ".join(painted(prompt.query_one("#dialog-keys")).split()) == "enter add the note · escape cancel"


ASK = """\
runbook: 1
id: ask
title: Ask first
ticket: {id: CHG-8, subject: ask, assignee: alice, verifier: bob, risk: {level: low, summary: none}}
sections:
  - id: main
    title: Main
    kind: implement
    steps:
      - {id: version, title: Which version, ask: "Which version is live now?", verify: none}
      - {id: after, title: After, run: echo after, verify: none}
"""


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_the_ask_dialog_says_enter_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    """enter on an `ask` step: the dialog read `enter submit · escape cancel`, where the status row offers `enter answer
    it`; enter journals the answer and the step is done. Now the dialog says it in the row's words."""
    prepare_workdir(tmp_path, monkeypatch, ASK)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await started(pilot)
        await pilot.press("enter")
        prompt = await screen_is(pilot, "TextPrompt")
        assert " ".join(painted(prompt.query_one("#dialog-keys")).split()) == "enter answer it · escape cancel"
