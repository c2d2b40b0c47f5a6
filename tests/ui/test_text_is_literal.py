"""Runbook and participant text on screen is shown as written: never Textual markup, never a terminal control.

Each test opens the real run screen over a runbook whose own text attacks it:
markup that crashed the TUI (`[/]`), markup that made text vanish (`[CHG-1]`,
`grep '[a-z]+'`), an action link (`[@click=app.quit]`), and escape sequences
in a captured value (`ESC]0;` retitles the window, `ESC]52;` writes the
clipboard) and in a note. What a person must see is the literal text; what
the terminal must never receive is a raw ESC from any of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from run_screen_helpers import (
    make_app,
    painted,
    prepare_workdir,
    run_step,
    screen_is,
    settled,
    started,
    type_text,
    until,
)

from runbook_tui.ui.widgets import StepDetail

HOSTILE = """\
runbook: 1
id: hostile-text
title: "Restart [/] the [bold]api[/bold] pods"
sections:
  - id: change
    title: Change
    kind: implement
    steps:
      - id: grab
        title: "Read [CHG-1] with grep '[a-z]+'"
        run: printf 'x\\033]0;pwned\\007y\\033]52;c;cHduZWQ=\\007z'
        capture: token
      - id: use
        title: "[@click=app.quit]quit[/] and [link=https://evil.example]here[/link]"
        run: "echo {{ captured.token | raw }}"
"""


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    prepare_workdir(tmp_path, monkeypatch, HOSTILE)
    yield tmp_path


def _screen_text(app: object) -> str:
    """Everything the current screen paints, as the terminal would get it (styles dropped)."""
    screen = app.screen  # type: ignore[attr-defined]
    return "\n".join(painted(widget) for widget in screen.walk_children() if widget.display and widget.size.area)


@pytest.mark.asyncio
async def test_a_markup_title_shows_literally_and_does_not_crash(workdir: Path) -> None:
    """`Restart [/] the [bold]api[/bold] pods` raised MarkupError; now the header shows it as written."""
    app = make_app("runbook.yaml")
    async with app.run_test(size=(140, 45)) as pilot:
        await started(pilot)
        await settled(pilot)
        text = _screen_text(app)
        assert "Restart [/] the [bold]api[/bold] pods" in text
        assert "Read [CHG-1] with grep '[a-z]+'" in painted(app.screen.query_one(StepDetail))


@pytest.mark.asyncio
async def test_brackets_survive_in_dialogs(workdir: Path) -> None:
    """The skip prompt names the step's title; `[CHG-1]` and `[a-z]+` vanished from it as markup."""
    app = make_app("runbook.yaml")
    async with app.run_test(size=(140, 45)) as pilot:
        await started(pilot)
        await pilot.press("s")
        prompt = await screen_is(pilot, "TextPrompt")
        assert "Read [CHG-1] with grep '[a-z]+'" in painted(prompt.query_one("#dialog-body"))
        await type_text(pilot, "see [CHG-1] [b]now[/b]")
        await pilot.press("enter")
        await screen_is(pilot, "RunScreen")
        await settled(pilot)
        # The next step's title, with a link and an action in markup, is literal too.
        assert "[@click=app.quit]quit[/] and [link=https://evil.example]here[/link]" in painted(app.screen.query_one(StepDetail))


@pytest.mark.asyncio
async def test_an_action_link_in_a_title_is_not_clickable(workdir: Path) -> None:
    """`[@click=app.quit]` in a title is text: clicking it does not quit, the app keeps running."""
    app = make_app("runbook.yaml")
    async with app.run_test(size=(140, 45)) as pilot:
        await started(pilot)
        await pilot.press("s")
        await screen_is(pilot, "TextPrompt")
        await type_text(pilot, "skip it")
        await pilot.press("enter")
        await screen_is(pilot, "RunScreen")
        await settled(pilot)
        detail = app.screen.query_one(StepDetail)
        assert "[@click=app.quit]" in painted(detail)
        await pilot.click(StepDetail, offset=(3, 1))
        await pilot.click(StepDetail, offset=(1, 0))
        await settled(pilot)  # every message the clicks posted handled, the screen redrawn
        assert app.is_running and app.return_code is None


@pytest.mark.asyncio
async def test_escape_sequences_in_a_captured_value_are_shown_not_obeyed(workdir: Path) -> None:
    """A captured `ESC]0;…BEL` (window title) and `ESC]52;…` (clipboard) reach the screen as visible `␛`, never raw."""
    app = make_app("runbook.yaml")
    async with app.run_test(size=(140, 45)) as pilot:
        await started(pilot)
        await run_step(pilot, "grab")
        await settled(pilot)
        text = _screen_text(app)
        assert "\x1b" not in text and "\x07" not in text
        assert "␛]0;pwned␇" in painted(app.screen.query_one(StepDetail))  # the next step's command, captured value filled in
        assert "␛]52;" in text


@pytest.mark.asyncio
async def test_a_command_holding_escapes_is_not_copied_to_be_pasted(workdir: Path) -> None:
    """`y` copied the next step's command with the captured `ESC]0;…BEL ESC]52;…` in it, raw: pasted into a terminal,
    an escape there is obeyed, and one ending a bracketed paste (`ESC[201~`) makes the rest of the text typed keys.
    Such a command is not copied; the toast says why. A command of plain text is copied as before."""
    app = make_app("runbook.yaml")
    async with app.run_test(size=(140, 45)) as pilot:
        await started(pilot)
        await pilot.press("y")
        await until(pilot, lambda: app.clipboard != "", "the first step's command copied")
        assert app.clipboard == "printf 'x\\033]0;pwned\\007y\\033]52;c;cHduZWQ=\\007z'"
        await run_step(pilot, "grab")
        await settled(pilot)
        await pilot.press("y")
        said = "not copied: the command of 'use' holds control characters (shown as ␛, ⟨U+…⟩), which a terminal obeys when they are pasted"
        await until(pilot, lambda: any(said in str(n.message) for n in app._notifications), "the toast saying the command was not copied")
        assert app.clipboard == "printf 'x\\033]0;pwned\\007y\\033]52;c;cHduZWQ=\\007z'"
