"""The parameter form keeps what a person types and says why a value is refused; it never changes the value.

Before: the integer field was Textual's `type="integer"` Input, which drops each key that would not leave an integer,
so `15.6` typed into `n` read `156` (a different number, no word said), and the number field turned `1,5x` into `15`.
Each field now keeps every key and is checked with the same `convert()` as `-p`, its message under it, and Start is
refused until it fits. Walked at 80x24 in tmux too (`runbook-tui run RUNBOOK` with required parameters).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import prepare_workdir, screen_is, until
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input, Static

from runbook_tui.runbook.loader import Loaded, probe_runbook
from runbook_tui.ui.params_form import ParamsScreen

FORM = r"""
runbook: 1
id: typed-form
title: Typed values
params:
  n: {type: int, required: true, min: 0, max: 600}
  r: {type: float, required: true}
  l: {type: list, required: true}
sections:
  - id: main
    steps:
      - id: go
        run: echo {{ n }} {{ r }} {{ l | join(" ") }}
"""


class Host(App[None]):
    """The form alone, as `run FILE` pushes it."""

    def __init__(self, screen: ParamsScreen) -> None:
        super().__init__()
        self.shown = screen

    def on_mount(self) -> None:
        self.push_screen(self.shown)


def message(form: ParamsScreen, name: str) -> str:
    return str(form.field(name).query_one(".param-message", Static).content)


async def typed(pilot: Pilot[Any], form: ParamsScreen, name: str, keys: str) -> str:
    """Type `keys` one by one into the field of `name`; what the field holds then."""
    field = form.query_one(f"#param-{name}", Input)
    field.focus()
    await until(pilot, lambda: field.has_focus, f"the field '{name}' focused")
    await pilot.press(*("comma" if key == "," else "full_stop" if key == "." else key for key in keys))
    row = form.field(name)
    # checked after its last key: the message under it is the one for what it holds now
    await until(pilot, lambda: row.touched and message(form, name) == (row.problem() or ""), f"the field '{name}' checked after typing")
    return field.value


@pytest.mark.asyncio
async def test_a_value_that_is_not_the_type_is_kept_as_typed_and_refused_in_words(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prepare_workdir(tmp_path, monkeypatch, FORM)
    probe = probe_runbook("runbook.yaml")
    loaded: list[Loaded] = []
    form = ParamsScreen(probe.file, probe.params, loaded.append, title=probe.title or "", quits=True)
    async with Host(form).run_test(size=(80, 24)) as pilot:
        await screen_is(pilot, "ParamsScreen")
        assert await typed(pilot, form, "n", "15.6") == "15.6"  # (before: '156', no word)
        assert message(form, "n") == "parameter 'n': expected an integer, got '15.6'"
        assert await typed(pilot, form, "r", "1,5x") == "1,5x"  # (before: '15')
        assert message(form, "r") == "parameter 'r': expected a number, got '1,5x'"
        assert await typed(pilot, form, "l", "a,b") == "a,b"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "Not started: 2 fields need a fix" in str(form.query_one("#form-status", Static).content), "the refusal")
        assert not loaded  # nothing started on a value nobody typed
        form.query_one("#param-n", Input).value = "15"
        form.query_one("#param-r", Input).value = "1.5"
        await until(pilot, lambda: message(form, "n") == message(form, "r") == "", "the fixed values checked")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: bool(loaded), "the runbook loaded with the fixed values")
        assert dict(loaded[0].runbook.param_values) == {"n": 15, "r": 1.5, "l": ["a", "b"]}


@pytest.mark.asyncio
async def test_an_empty_list_item_is_refused_in_the_form_as_on_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`a,,b` in a list field: refused in the words of `-p l=a,,b` (before: the form started with ["a", "b"])."""
    prepare_workdir(tmp_path, monkeypatch, FORM)
    probe = probe_runbook("runbook.yaml")
    form = ParamsScreen(probe.file, probe.params, lambda _loaded: None, title=probe.title or "", quits=True)
    async with Host(form).run_test(size=(80, 24)) as pilot:
        await screen_is(pilot, "ParamsScreen")
        assert await typed(pilot, form, "l", "a,,b") == "a,,b"
        assert message(form, "l") == "parameter 'l': item 2 of 'a,,b' is empty; expected a value between each two commas (an empty value for no items)"
