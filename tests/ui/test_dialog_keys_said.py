"""Each dialog's key line names every key that acts in it (its BINDINGS), as the run screen's users press them.

Walked at 80x24 and 140x45: `v` (the step whole), `e` (every status) and `?` (help) said `escape close`, while `q`,
`enter` and `?` close them too: the assignee who pressed `?` to open the help read that only escape would close it.
The line is compared with the bindings themselves, so a key added to a dialog and not said fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import ORDER, make_app, painted, prepare_workdir, run_step, screen_is, started
from textual.binding import Binding
from textual.pilot import Pilot
from textual.screen import Screen

#: How a binding's key is written on a key line (Textual's name for `?` is `question_mark`).
SAID = {"question_mark": "?"}


def unsaid_keys(screen: Screen[object]) -> set[str]:
    """The keys bound on `screen` (its class's BINDINGS) that its key line does not name."""
    line = painted(screen.query_one("#dialog-keys"))
    said = set(line.replace("/", " ").replace("·", " ").split())
    bound = {SAID.get(key, key) for binding in type(screen).BINDINGS if isinstance(binding, Binding) for key in binding.key.split(",")}
    return bound - said


async def opened(pilot: Pilot[object], key: str, name: str) -> Screen[object]:
    await pilot.press(key)
    return await screen_is(pilot, name)


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_every_dialog_of_the_run_screen_names_each_key_that_closes_or_answers_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    prepare_workdir(tmp_path, monkeypatch)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await started(pilot)
        for key, name, closing in (("v", "InfoScreen", "q"), ("e", "InfoScreen", "enter"), ("question_mark", "HelpScreen", "question_mark")):
            screen = await opened(pilot, key, name)
            assert not unsaid_keys(screen), f"{name} after {key}: its key line {painted(screen.query_one('#dialog-keys'))!r} leaves out {unsaid_keys(screen)}"
            await pilot.press(closing)  # a key the line names closes it
            await screen_is(pilot, "RunScreen")
        for step in ORDER[:4]:  # steps with an undo ran: the rollback dialog offers y
            await run_step(pilot, step)
        for key, name in (("n", "TextPrompt"), ("u", "RollbackModal"), ("q", "ConfirmPrompt")):
            screen = await opened(pilot, key, name)
            assert not unsaid_keys(screen), f"{name} after {key}: its key line {painted(screen.query_one('#dialog-keys'))!r} leaves out {unsaid_keys(screen)}"
            await pilot.press("escape")
            await screen_is(pilot, "RunScreen")
