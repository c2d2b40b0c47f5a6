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


#: A value that loads with no field's error but breaks six templates: each problem goes below the form, none under a field.
DIVIDES = """\
runbook: 1
id: divides
title: "Divide by {{ a }}"
params:
  a: {type: int, required: true, description: the divisor}
  b: {type: string, default: x}
sections:
  - id: m
    steps:
      - {id: one, title: "one {{ 10 // a }}", run: "echo {{ 100 // a }}"}
      - {id: two, title: "two {{ 7 // a }}", run: "echo {{ 1000 // a }}"}
      - {id: three, title: "three {{ 5 // a }}", run: "echo {{ 5 // a }}"}
"""


@pytest.mark.asyncio
async def test_the_problems_below_the_form_say_what_is_out_of_view_and_pgdn_shows_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Six `cannot render template` problems at 80x24: the box below the fields held three and a half and cut the rest
    with no sign (its height is capped so the fields keep some room), and no key showed them. Now its border says
    `▼ N more lines: pgdn`, pgdn (pgup back) scrolls it while the cursor stays in the field, and the last problem
    comes into view."""
    prepare_workdir(tmp_path, monkeypatch, DIVIDES)
    probe = probe_runbook("runbook.yaml")
    form = ParamsScreen(probe.file, probe.params, lambda _loaded: None, title=probe.title or "", quits=True)
    async with Host(form).run_test(size=(80, 24)) as pilot:
        await screen_is(pilot, "ParamsScreen")
        assert await typed(pilot, form, "a", "0") == "0"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "(6 problems)" in str(form.query_one("#form-status", Static).content), "the refusal")
        last = "runbook.yaml:12:55"  # three's run, the last problem
        assert not any(last in line for line in on_screen(pilot.app))
        for _ in range(6):
            await pilot.press("pagedown")
        await until(pilot, lambda: any(last in line for line in on_screen(pilot.app)), "the last problem in view after pgdn", seconds=10)
        assert form.query_one("#param-a").has_focus, "the cursor stays in the field"
        box = form.query_one("#form-diagnostics-box")
        await until(pilot, lambda: not box.border_subtitle, "no sign once the end is in view")
        await pilot.press("pageup")
        await until(
            pilot, lambda: str(box.border_subtitle).startswith("▼ ") and "pgdn" in str(box.border_subtitle), "pgup back up, the box saying what is below"
        )
