"""The picker's detail pane shows a runbook's own text, which is hostile: its ticket id reached the terminal raw.

Walked in tmux at 140x45: a ticket id `CHG-1 ESC]0;PWN ESC\\` retitled the terminal's window as soon as the picker
listed the file (`#{pane_title}` read `PWN`), and `ESC[7m` inverted the rest of the line; the table's title, the run
screen, exec and the reports all showed the same id as `␛]0;PWN␛\\`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_picker_form import SIZE, Started, _write, picker_app, scanned, settle, text_of
from textual.widgets import Input, Label, Static

from runbook_tui.ui.app import RunbookApp
from runbook_tui.ui.params_form import ParamsScreen

HOSTILE_TICKET = r"""
runbook: 1
id: hostile-ticket
title: "Hostile [b]title[/b]"
ticket:
  id: "CHG-1\e]0;PWN\e\\\e[7m[b]B[/b]"
  assignee: alice
sections:
  - id: main
    steps:
      - id: look
        run: "true"
"""


@pytest.mark.asyncio
async def test_the_ticket_id_in_the_detail_pane_is_shown_not_obeyed(workdir: Path) -> None:
    _write(workdir / "runbooks", "hostile.yaml", HOSTILE_TICKET)
    app, _ = picker_app(workdir)
    async with app.run_test(size=SIZE) as pilot:
        screen = await scanned(pilot)
        await pilot.press(*"hostile")
        await settle(pilot)
        detail = text_of(screen.query_one("#picker-detail-text", Static))
        assert "hostile-ticket" in detail, detail  # the detail is this runbook's
        assert "\x1b" not in detail, f"an escape reaches the terminal: {detail!r}"
        assert "CHG-1␛]0;PWN␛\\␛[7m[b]B[/b]" in detail  # shown, as the run screen and the reports show it


@pytest.mark.asyncio
async def test_a_runbook_folder_named_with_escapes_is_shown_in_the_title_not_obeyed(workdir: Path) -> None:
    folder = workdir / "team\x1b]0;PWN\x07"  # a folder of a shared repository, named by whoever made it
    _write(folder, "plain.yaml", "runbook: 1\nid: plain\ntitle: Plain\nsections: [{id: main, steps: [{id: look, run: 'true'}]}]\n")
    app = RunbookApp(picker_paths=[Path(folder.name)], start_for=Started(workdir / "journal.jsonl"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await scanned(pilot)
        title = str(screen.query_one("#picker-title", Label).content)
        assert "\x1b" not in title and "\x07" not in title, f"an escape reaches the terminal: {title!r}"
        assert title == "Runbooks  in team␛]0;PWN␇", title


@pytest.mark.asyncio
async def test_a_default_the_form_shows_with_stand_ins_runs_as_written_when_left_as_it_is(workdir: Path) -> None:
    """The field shows a line break as ⏎ and a tab as spaces (it is one line, and never drives the terminal); left as it
    is, the run took those stand-ins for the value: `printf %s {{ msg }}` printed `a⏎b     c` where exec printed a
    line break and a tab."""
    _write(
        workdir / "runbooks",
        "multi.yaml",
        'runbook: 1\nid: multi\ntitle: Multi\nparams:\n  msg: {type: string, default: "a\\nb\\tc\\u001b"}\nsections: [{id: main, steps: [{id: say, run: "printf %s {{ msg }}"}]}]\n',
    )
    app, started = picker_app(workdir)
    async with app.run_test(size=SIZE) as pilot:
        await scanned(pilot)
        await pilot.press(*"multi", "enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ParamsScreen)
        assert form.query_one("#param-msg", Input).value == "a⏎b     c␛"  # shown, not obeyed
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert started.loaded is not None
        assert dict(started.loaded.runbook.param_values)["msg"] == "a\nb\tc\x1b", "the default as written, as exec runs it"
