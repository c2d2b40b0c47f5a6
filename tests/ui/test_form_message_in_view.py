"""A field's message is read whole where it is written: the form scrolls to show it under its field.

Before: at 80x24 the last field of a longer form sat at the bottom of the form's scroll; typing `a,,b` into it wrote a
three-row message under it, and only its first row was on screen (`parameter 'tags': item 2 / of 'a,,b' is empty;`,
the rest under the buttons, with no sign); after ctrl+s the same, beside `Not started: 1 field needs a fix`. The form
now scrolls the field's row, message included, into view whenever its message changes (walked in tmux with
`runbook-tui run` too).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import painted, prepare_workdir, screen_is, until
from test_form_keeps_typing import Host, message, typed
from textual.app import App
from textual.widgets import Static

from runbook_tui.runbook.loader import probe_runbook
from runbook_tui.ui.params_form import ParamsScreen

#: Eight fields above the list, so that the list's row is the last one, at the bottom of the scroll at 80x24.
FORM = "\n".join(
    [
        "runbook: 1",
        "id: long-form",
        "title: A long form",
        "params:",
        *(f"  p{index}: {{type: string, default: x{index}, description: field number {index}}}" for index in range(8)),
        "  tags: {type: list, required: true, description: the last field}",
        "sections:",
        "  - id: main",
        "    steps:",
        "      - id: go",
        '        run: echo {{ tags | join(" ") }}',
    ]
)

EMPTY_ITEM = "parameter 'tags': item 2 of 'a,,b' is empty; expected a value between each two commas (an empty value for no items)"


def on_screen(app: App[Any]) -> list[str]:
    """The terminal's rows as the compositor draws them now (what is scrolled away is not there)."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def message_rows_shown(app: App[Any], form: ParamsScreen) -> bool:
    """Every row of the message under `tags`, as its widget paints it, is on the terminal."""
    rows = [row.strip() for row in painted(form.field("tags").query_one(".param-message", Static)).splitlines() if row.strip()]
    screen = on_screen(app)
    return bool(rows) and all(any(row in line for line in screen) for row in rows)


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (100, 30)], ids=["80x24", "100x30"])
async def test_the_message_under_the_last_field_is_on_screen_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    prepare_workdir(tmp_path, monkeypatch, FORM)
    probe = probe_runbook("runbook.yaml")
    form = ParamsScreen(probe.file, probe.params, lambda _loaded: None, title=probe.title or "", quits=True)
    async with Host(form).run_test(size=size) as pilot:
        await screen_is(pilot, "ParamsScreen")
        assert await typed(pilot, form, "tags", "a,,b") == "a,,b"
        assert message(form, "tags") == EMPTY_ITEM
        # each of the message's rows (three at 80 columns) is drawn on the terminal, its end too
        await until(pilot, lambda: message_rows_shown(pilot.app, form), "every row of the message under 'tags' on screen")
        assert any("no items)" in line for line in on_screen(pilot.app))

        # scrolled back to the top, then Start refused: the field and its whole message come into view again
        form.query_one("#form-fields").scroll_home(animate=False)
        await until(pilot, lambda: not message_rows_shown(pilot.app, form), "the message scrolled away")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "Not started: 1 field needs a fix" in str(form.query_one("#form-status", Static).content), "the refusal")
        await until(pilot, lambda: message_rows_shown(pilot.app, form), "every row of the message under 'tags' on screen after ctrl+s")
