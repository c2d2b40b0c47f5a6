"""Keys typed faster than the screens move: a burst (a lagging SSH link, tmux send-keys) right after tab or enter.

Textual hands every key to the widget focused when the key arrives, and tab moves
focus only once the key has come back up to the app: the keys after it went to the
field before. Here the keys of one burst are posted at once, as a terminal read gives them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import test_first_minutes
from run_screen_helpers import burst, paste, screen_is, started, until
from test_first_minutes import SMALL, picker_app
from textual.css.query import NoMatches
from textual.widgets import Input

workdir = test_first_minutes.workdir  # the picker over a runbook with one required parameter


def value(app: Any, selector: str) -> str:
    """The field's value; "" while the screen on top has not mounted its fields yet (a loaded machine: it is on top first)."""
    try:
        return str(app.screen.query_one(selector, Input).value)
    except NoMatches:
        return ""


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [SMALL, (140, 45)])
async def test_keys_typed_ahead_land_in_the_field_the_keys_before_them_opened(workdir: Path, size: tuple[int, int]) -> None:
    app = picker_app()
    async with app.run_test(size=size) as pilot:
        await screen_is(pilot, "PickerScreen")
        await app.workers.wait_for_complete()
        burst(app, "enter", "demo")  # the picker checks the file again in a thread: the letters wait for the form
        await until(pilot, lambda: type(app.screen).__name__ == "ParamsScreen" and value(app, "#param-app") == "demo", "the form")
        paste(app, "-app\x1b[2J\nfail")  # one line kept whole, the escape shown: nothing cleared, nothing started
        await until(pilot, lambda: value(app, "#param-app") != "demo", "the paste")
        assert value(app, "#param-app") == "demo-app␛[2J⏎fail" and type(app.screen).__name__ == "ParamsScreen"
        app.screen.query_one("#param-app", Input).value = "demo-app"
        burst(app, "ctrl+s", "tab", "tab", "verifier unreachable")  # the mode screen opens on the verifier's key
        # Before: all of it in the verifier's key field (tab moved focus after the letters had been handed out).
        await until(pilot, lambda: type(app.screen).__name__ == "ModeScreen" and value(app, "#mode-solo") == "verifier unreachable", "the whole reason")
        assert value(app, "#mode-verifier") == ""
        paste(app, " (INC-7)\nsecond line\x1b]0;pwned\x07[b]x[/b]")
        await until(pilot, lambda: "INC-7" in value(app, "#mode-solo"), "the pasted reason")
        assert type(app.screen).__name__ == "ModeScreen", "a pasted newline submits nothing"
        reason = "verifier unreachable (INC-7)⏎second line␛]0;pwned␇[b]x[/b]"
        assert value(app, "#mode-solo") == reason
        burst(app, "enter", "enter")  # pressed twice: the second must not run the first step before the run is seen
        controller = await started(pilot)
        assert controller.state.solo == reason
        await until(pilot, lambda: any("Not used" in str(n.message) for n in app._notifications), "the unused enter said")
        assert controller.state.current == "check", "the enter typed on the mode screen ran nothing"
        burst(app, "n", "pool checked")  # the note prompt opens on `n`: the letters are the note, not run-screen keys
        await until(pilot, lambda: type(app.screen).__name__ == "TextPrompt" and value(app, "#dialog-input") == "pool checked", "the whole note")
        burst(app, "escape", "s", "not needed")
        await until(pilot, lambda: getattr(app.screen, "title_text", "") == "Skip 'check'", "the skip prompt")
        await until(pilot, lambda: value(app, "#dialog-input") == "not needed", "the skip reason")
        paste(app, "\nq\ny\x1b[2J\n")  # neither submits the reason half-typed nor quits: one line, shown as it is
        await until(pilot, lambda: value(app, "#dialog-input") != "not needed", "the pasted words")
        assert value(app, "#dialog-input") == "not needed⏎q⏎y␛[2J" and getattr(app.screen, "title_text", "") == "Skip 'check'"
        assert controller.state.current == "check", "no key of the reasons drove the run screen"
