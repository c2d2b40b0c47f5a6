"""At 60 columns the parameter form's fields keep room for what is typed in them.

Walked in tmux, the terminal narrowed to 60x20: the labels' column kept its 44 cells and each field got 6, of which
the value showed 2-4 (`15.6` read `6`, `web1, web2` read `b2`): what was typed could not be read back before ctrl+s.
The labels' column now gives way on a narrow terminal (at most 62% of the row: 44 cells from 80 columns up, as before).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import prepare_workdir, screen_is, until
from test_form_keeps_typing import Host, typed
from test_form_message_in_view import on_screen
from test_form_opens_at_its_cursor import FORM
from textual.widgets import Input

from runbook_tui.runbook.loader import probe_runbook
from runbook_tui.ui.params_form import ParamsScreen


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(60, 20), (80, 24), (140, 45)], ids=["60x20", "80x24", "140x45"])
async def test_what_is_typed_reads_whole_in_a_narrow_form(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    prepare_workdir(tmp_path, monkeypatch, FORM)
    probe = probe_runbook("runbook.yaml")
    form = ParamsScreen(probe.file, probe.params, lambda _loaded: None, title=probe.title or "", quits=True)
    async with Host(form).run_test(size=size) as pilot:
        await screen_is(pilot, "ParamsScreen")
        assert await typed(pilot, form, "version", "15.6-rc1") == "15.6-rc1"
        await until(pilot, lambda: any("15.6-rc1" in line for line in on_screen(pilot.app)), "the typed value whole on screen")
        field = form.query_one("#param-version", Input)
        assert field.size.width >= 12, f"the field is {field.size.width} cells wide at {size}"
        label = form.field("version").query_one(".param-label")
        if size[0] >= 80:
            assert label.size.width == 44, "the labels' column is as before from 80 columns up"
        assert any("the version to go to" in line for line in on_screen(pilot.app)), "the label's description is shown"
