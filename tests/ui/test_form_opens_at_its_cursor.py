"""The parameter form opens with its cursor's field on screen, not scrolled to its end.

Walked in tmux at 80x24: `runbook-tui run` of a runbook with six parameters (a choice first, then a required version,
four with defaults) opened the form scrolled to its last fields, `hosts_list`, `dry`, `ratio`; the cursor was in the
first field, off screen, and `15.6` typed went there unseen. Each field whose default filled it at mount said it
changed, and the form scrolled each such field into view, as it does for the one being typed in: the last of them
won. Now only the field the cursor is in is scrolled to; the form opens at its top, where the cursor is.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import prepare_workdir, screen_is, until
from test_form_keeps_typing import Host, typed
from test_form_message_in_view import on_screen
from textual.widgets import Input

from runbook_tui.runbook.loader import probe_runbook
from runbook_tui.ui.params_form import ParamsScreen

FORM = "\n".join(
    [
        "runbook: 1",
        "id: long-form",
        "title: A long form",
        "params:",
        "  version: {type: string, required: true, description: the version to go to}",
        *(f"  p{index}: {{type: string, default: x{index}, description: field number {index}}}" for index in range(8)),
        "sections:",
        "  - id: main",
        "    steps:",
        "      - id: go",
        "        run: echo {{ version }}",
    ]
)


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45), (60, 20)], ids=["80x24", "140x45", "60x20"])
async def test_the_form_opens_with_the_cursors_field_in_view(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    prepare_workdir(tmp_path, monkeypatch, FORM)
    probe = probe_runbook("runbook.yaml")
    form = ParamsScreen(probe.file, probe.params, lambda _loaded: None, title=probe.title or "", quits=True)
    async with Host(form).run_test(size=size) as pilot:
        await screen_is(pilot, "ParamsScreen")
        first = form.query_one("#param-version", Input)
        await until(pilot, lambda: first.has_focus, "the cursor in the first field")
        # Every field filled by its default has said so (its Changed handled: it counts as touched) and the scrolls
        # that follows have run.
        await until(pilot, lambda: all(form.field(f"p{index}").touched for index in range(8)), "the defaults' changes handled")
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        shown = on_screen(pilot.app)
        assert any("the version to go to" in line for line in shown), "the cursor's field is off screen:\n" + "\n".join(shown)
        assert await typed(pilot, form, "version", "15.6") == "15.6"
        # Typing in the last field still brings it into view (tests/ui/test_form_message_in_view.py keeps its message whole).
        await typed(pilot, form, "p7", "y")
        await until(pilot, lambda: any("field number 7" in line for line in on_screen(pilot.app)), "the last field scrolled into view")
