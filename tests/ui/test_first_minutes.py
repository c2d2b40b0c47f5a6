"""A new user's first minutes: the picker, the form and the mode screen at 80x24, with tab, ctrl+c and a wrong key file.

The app as `runbook-tui run` builds it (tui.starters, the picker over a `runbooks/`
folder), driven with the keys a tired person presses; the run started is a dry run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import RUNBOOK, painted, screen_is, started, type_text, until, write_runbook
from textual.widget import Widget
from textual.widgets import Input, Select, Static, Switch

from runbook_tui.runbook.loader import probe_runbook
from runbook_tui.ui.app import RunbookApp
from runbook_tui.ui.launch import starters

SMALL = (80, 24)

#: The runbook of run_screen_helpers with one required parameter, so the picker opens the form.
WITH_PARAMS = RUNBOOK.replace("title: Raise the pool size of demo-app", "title: Raise the pool size of {{ app }}", 1).replace(
    "params:\n", "params:\n  app: {type: string, required: true}\n", 1
)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    (tmp_path / "runbooks").mkdir()
    write_runbook(tmp_path / "runbooks", WITH_PARAMS)
    return tmp_path


def picker_app(*, dry_run: bool = True) -> RunbookApp:
    """`runbook-tui run [--dry-run] --runbooks runbooks --journal j.jsonl`: no FILE, neither --solo nor --share."""
    start_for = starters(mode="dry-run" if dry_run else "live", solo=None, share=None, journal="j.jsonl", override_window=None)
    return RunbookApp(picker_paths=[Path("runbooks")], start_for=start_for, ask_mode=True, dry_run=dry_run)


async def open_form(pilot: Any) -> Any:
    """From the picker, once its scan is done, enter on the runbook: its parameters form."""
    await screen_is(pilot, "PickerScreen")
    await pilot.app.workers.wait_for_complete()
    await pilot.press("enter")
    return await screen_is(pilot, "ParamsScreen")


async def tab_round(pilot: object, count: int) -> list[str]:
    """Press tab `count` times; the kind and id of what each press focused."""
    seen = []
    for _ in range(count):
        await pilot.press("tab")  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]
        focused = pilot.app.focused  # type: ignore[attr-defined]
        seen.append(f"{type(focused).__name__}#{focused.id if focused else None}")
    return seen


@pytest.mark.asyncio
async def test_tab_reaches_only_fields_and_a_refused_share_keeps_what_was_typed(workdir: Path) -> None:
    app = picker_app()
    async with app.run_test(size=SMALL) as pilot:
        form = await open_form(pilot)
        # Every tab lands on something that takes a key (before: on the form's scroll area, where typing went nowhere).
        landed = await tab_round(pilot, 5)
        assert all(name.split("#")[0] in {"TypedInput", "Select", "Switch", "Button"} for name in landed), landed
        form.query_one("#param-app", Input).focus()
        await type_text(pilot, "demo-app")
        await pilot.press("ctrl+s")
        mode = await screen_is(pilot, "ModeScreen")
        assert "DRY RUN: nothing is executed" in painted(mode.query_one("#dialog-body"))
        landed = await tab_round(pilot, 4)  # from the verifier's key: observers, reason, address, verifier
        assert landed == ["TypedInput#mode-observers", "TypedInput#mode-solo", "TypedInput#mode-address", "TypedInput#mode-verifier"], landed
        await type_text(pilot, "bob-typo.pub")
        await pilot.press("tab")
        await type_text(pilot, "carol.pub")
        await pilot.press("enter")  # share: the key file cannot be read, the start is refused and the question asked again
        await until(pilot, lambda: app.screen is not mode and type(app.screen).__name__ == "ModeScreen", "the mode screen asked again")
        again = app.screen
        # What was typed is there to fix (before: an empty form, the address back to :2222, everything typed again).
        assert again.query_one("#mode-verifier", Input).value == "bob-typo.pub"
        assert again.query_one("#mode-observers", Input).value == "carol.pub"
        assert any("bob-typo.pub" in str(n.message) for n in app._notifications), "the unreadable key is named"
        # and said in the dialog, under the fields where it is fixed (before: only in a toast in the corner)
        said = " ".join(painted(again.query_one("#dialog-keys")).split())
        assert said.startswith("Not started: bob-typo.pub") and "cannot read the key" in said, said
        assert not (workdir / "j.jsonl").exists(), "nothing opened before a mode is taken"
        again.query_one("#mode-solo", Input).focus()
        await type_text(pilot, "trying it out")
        await pilot.press("enter")
        controller = await started(pilot)
        assert controller.state.solo == "trying it out" and controller.state.session["mode"] == "dry-run"


@pytest.mark.asyncio
@pytest.mark.parametrize("where", ["picker", "form field", "mode screen"])
async def test_ctrl_c_before_a_run_leaves_with_nothing_started(workdir: Path, where: str) -> None:
    app = picker_app()
    async with app.run_test(size=SMALL) as pilot:
        await screen_is(pilot, "PickerScreen")
        if where != "picker":
            await pilot.app.workers.wait_for_complete()
            await pilot.press("enter")
            form = await screen_is(pilot, "ParamsScreen")
            assert isinstance(app.focused, Input)  # where Textual's ctrl+c copied and said nothing
            if where == "mode screen":
                await type_text(pilot, "demo-app")
                await pilot.press("ctrl+s")
                await screen_is(pilot, "ModeScreen")
            assert form is not None
        await pilot.press("ctrl+c")
        await until(pilot, lambda: not app.is_running, f"ctrl+c on the {where} to leave")
    assert app.return_value == 1 and not (workdir / "j.jsonl").exists()  # nothing was done: not 0, as a done run (before: 0)


@pytest.mark.asyncio
async def test_ctrl_c_on_a_run_asks_first_also_from_under_a_prompt(workdir: Path) -> None:
    app = picker_app()
    async with app.run_test(size=SMALL) as pilot:
        await open_form(pilot)
        await type_text(pilot, "demo-app")
        await pilot.press("ctrl+s")
        await screen_is(pilot, "ModeScreen")
        app.screen.query_one("#mode-solo", Input).focus()
        await type_text(pilot, "practice")
        await pilot.press("enter")
        await started(pilot)
        await pilot.press("n")  # a note: a prompt over the run screen
        await screen_is(pilot, "TextPrompt")
        await pilot.press("ctrl+c")  # before: ctrl+q here closed the unfinished run without asking
        prompt = await screen_is(pilot, "ConfirmPrompt")
        assert "resume" in painted(prompt.query_one("#dialog-body"))
        await pilot.press("ctrl+c")  # on the question itself: it is answered first
        await until(pilot, lambda: any("Answer this question first" in str(n.message) for n in app._notifications), "what to do said")
        assert app.screen is prompt and app.is_running
        await pilot.press("n")
        await screen_is(pilot, "TextPrompt")
        await pilot.press("escape")
        await screen_is(pilot, "RunScreen")
        await pilot.press("ctrl+c")
        await screen_is(pilot, "ConfirmPrompt")
        await pilot.press("y")
        await until(pilot, lambda: not app.is_running, "y to leave")


@pytest.mark.asyncio
async def test_at_80_columns_the_key_hints_are_read_to_their_end(workdir: Path) -> None:
    app = picker_app()
    async with app.run_test(size=SMALL) as pilot:
        picker = await screen_is(pilot, "PickerScreen")
        await pilot.app.workers.wait_for_complete()
        await until(pilot, lambda: "checking" not in painted(picker.query_one("#picker-count")), "the scan to end")
        # Before: `… ↑/↓ choose, enter` and `… ctrl+s: start · escape:`, what the last key does cut off.
        assert " ".join(painted(picker.query_one("#picker-count")).split()).endswith("enter opens")
        await pilot.press("enter")
        form = await screen_is(pilot, "ParamsScreen")
        assert " ".join(painted(form.query_one("#form-hint")).split()).endswith("escape: back to the list")


def said(field: Widget) -> str:
    """The message under a form field, in one line."""
    return " ".join(str(field.query_one(".param-message", Static).content).split())


CHOOSING = """\
runbook: 1
id: choosing
title: "Deploy to {{ env }}"
params:
  app: {type: string, required: true}
  env: {type: choice, choices: [staging, production], default: staging}
  notify: {type: bool, default: false}
sections:
  - id: main
    steps:
      - id: hello
        run: echo {{ app }} {{ env }} {{ notify }}
"""


@pytest.mark.asyncio
async def test_a_switch_and_a_choice_show_the_command_lines_values_or_say_why_not(workdir: Path) -> None:
    write_runbook(workdir, CHOOSING, "choosing.yaml")
    given = {"notify": "true", "env": "prod"}  # `run choosing.yaml -p notify=true -p env=prod`: app missing, env a typo
    probe = probe_runbook("choosing.yaml", given)
    start_for = starters(mode="dry-run", solo="trying", share=None, journal="j.jsonl", override_window=None)
    app = RunbookApp(start_for=start_for, form=probe, given=given)
    async with app.run_test(size=SMALL) as pilot:
        form = await screen_is(pilot, "ParamsScreen")
        # Before: the switch showed no (a -p value is text, and only a bool was taken) and the typo showed as staging.
        assert form.query_one("#param-notify", Switch).value is True
        env = form.field("env")
        assert "expected one of staging, production, got 'prod'" in said(env)
        await pilot.press(*"demo")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "1 field needs a fix" in painted(form.query_one("#form-status")), "the typo to hold the start")
        assert type(app.screen).__name__ == "ParamsScreen"
        form.query_one("#param-env", Select).value = "production"
        await until(pilot, lambda: said(env) == "", "the choice made to clear the message")
        await pilot.press("ctrl+s")
        controller = await started(pilot)
        assert controller.state.session["params"] == {"app": "demo", "env": "production", "notify": True}


@pytest.mark.asyncio
async def test_a_bool_the_switch_cannot_hold_is_named_until_the_switch_is_set(workdir: Path) -> None:
    write_runbook(workdir, CHOOSING, "choosing.yaml")
    given = {"notify": "maybe"}
    start_for = starters(mode="dry-run", solo="trying", share=None, journal="j.jsonl", override_window=None)
    app = RunbookApp(start_for=start_for, form=probe_runbook("choosing.yaml", given), given=given)
    async with app.run_test(size=SMALL) as pilot:
        form = await screen_is(pilot, "ParamsScreen")
        notify = form.field("notify")
        assert "expected true or false, got 'maybe'" in said(notify)
        form.query_one("#param-app", Input).value = "demo"
        await pilot.press("ctrl+s")  # before: started with notify false, the 'maybe' dropped without a word
        await until(pilot, lambda: "1 field needs a fix" in painted(form.query_one("#form-status")), "the unfit value to hold the start")
        switch = form.query_one("#param-notify", Switch)
        switch.focus()
        await pilot.press("space")
        await until(pilot, lambda: said(notify) == "", "the switch set to clear the message")
        await pilot.press("ctrl+s")
        controller = await started(pilot)
        assert controller.state.session["params"]["notify"] is True


@pytest.mark.asyncio
async def test_at_80_columns_broken_runbooks_without_a_title_are_told_apart_by_their_file(workdir: Path) -> None:
    (workdir / "runbooks" / "empty.yaml").write_text("", encoding="utf-8")
    (workdir / "runbooks" / "listed.yaml").write_text("- a\n- b\n", encoding="utf-8")
    app = picker_app()
    async with app.run_test(size=SMALL) as pilot:
        picker = await screen_is(pilot, "PickerScreen")
        await pilot.app.workers.wait_for_complete()
        await until(pilot, lambda: "3 runbooks" in painted(picker.query_one("#picker-count")), "the scan to end")
        await pilot.pause()
        table = painted(picker.query_one("#picker-table"))
        # Before: two rows `✗ 1 error  ?` and nothing else, the file column past the 80th column.
        assert "runbooks/empty.yaml" in table and "runbooks/listed.yaml" in table, table


@pytest.mark.asyncio
async def test_the_forms_heading_shows_the_values_it_asks_for_as_placeholders(workdir: Path) -> None:
    """The picker's row reads `Raise the pool size of ‹app›`; the form it opens read `{{ app }}`, the raw template."""
    app = picker_app()
    async with app.run_test(size=SMALL) as pilot:
        form = await open_form(pilot)
        heading = " ".join(painted(form.query_one("#form-title")).split())
        assert heading == "Parameters Raise the pool size of ‹app›", heading


@pytest.mark.asyncio
async def test_slash_the_footers_search_key_starts_a_search_and_is_not_part_of_it(workdir: Path) -> None:
    """The footer says `/ search`; the search box has the keys, so `/pool` was the query and matched nothing."""
    from textual.widgets import DataTable

    app = picker_app()
    async with app.run_test(size=SMALL) as pilot:
        picker = await screen_is(pilot, "PickerScreen")
        await pilot.app.workers.wait_for_complete()
        await pilot.press(*"/pool")
        search = picker.query_one("#picker-search", Input)
        await until(pilot, lambda: search.value == "pool", "the query without the search key")
        await until(pilot, lambda: picker.query_one("#picker-table", DataTable).row_count == 1, "the runbook to match")
        await pilot.press("escape")
        await pilot.press(*"runbooks/run")  # a / inside the query is part of it
        await until(pilot, lambda: search.value == "runbooks/run", "the query with its slash")
        assert picker.query_one("#picker-table", DataTable).row_count == 1


def test_leaving_before_a_run_started_says_so_once_the_screen_is_gone(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """ctrl+c on the picker (as `runbook-tui run` launches it): exit 1 (nothing was done; it was 0, as for a done run, and a
    script went on), and a line saying nothing ran (before: the screen closed onto the shell prompt without a word)."""
    from runbook_tui.ui import launch

    app = picker_app()

    async def leave(pilot: Any) -> None:
        await screen_is(pilot, "PickerScreen")
        await pilot.press("ctrl+c")

    run = app.run
    monkeypatch.setattr(app, "run", lambda: run(headless=True, size=SMALL, auto_pilot=leave))
    monkeypatch.setattr(launch, "not_a_terminal", lambda *_: False)
    assert launch._launch(app) == 1
    out, err = capsys.readouterr()
    assert err == "runbook-tui: left before a run started: nothing ran, no journal was written\n" and out == ""
    assert not (workdir / "j.jsonl").exists()
