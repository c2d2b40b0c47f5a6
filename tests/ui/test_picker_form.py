"""The picker and the parameter form, driven with the documented keys; the run they start is a real dry run.

Every test chdirs into tmp_path and lists `runbooks/` by its relative path,
so what is on screen (and in the snapshots) is the same on every machine.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, Static, Switch

from runbook_tui.app.session import Session, open_session
from runbook_tui.runbook.loader import Loaded, probe_runbook
from runbook_tui.ui.app import RunbookApp, Starter
from runbook_tui.ui.params_form import ParamsScreen
from runbook_tui.ui.picker import PickerScreen, default_paths, examples_dir
from runbook_tui.ui.run_screen import RunScreen

SIZE = (140, 45)

DEPLOY = r"""
runbook: 1
id: web-deploy
title: "Deploy {{ version }} to {{ env }}"
params:
  env: {type: choice, choices: [staging, production], default: staging, description: Where it goes}
  version: {type: string, pattern: '^v\d+$', default: v1, description: Release tag}
  batch_pause: {type: int, default: 30, min: 0, max: 600, description: Seconds between batches}
  notify: {type: bool, default: true, description: Post to the channel}
  hosts: {type: list, default: [web1, web2], description: Hosts in rollout order}
sections:
  - id: main
    steps:
      - id: hello
        run: echo {{ version }}
"""

# Three errors: a bad id (2:5), a step with no run (7:9), the typo that caused it (8:9).
BROKEN = """
runbook: 1
id: Bad_ID
title: Broken on purpose
sections:
  - id: main
    steps:
      - id: hello
        rn: echo hi
"""

PLAIN = """
runbook: 1
id: plain-check
title: A check without parameters
sections:
  - id: main
    steps:
      - id: look
        run: "true"
"""

NEEDS = r"""
runbook: 1
id: needs-version
title: "Ship {{ version }}"
params:
  version: {type: string, pattern: '^v\d+$', required: true, description: Release tag}
  batch_pause: {type: int, default: 30, min: 0, max: 600}
sections:
  - id: main
    steps:
      - id: ship
        run: echo {{ version }}
"""


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path as the working directory, with runbooks/ holding a valid, a broken and a parameterless runbook."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RUNBOOK_TUI_USER", raising=False)
    monkeypatch.delenv("RUNBOOK_TUI_SETTINGS", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    _write(tmp_path / "runbooks", "deploy.yaml", DEPLOY)
    _write(tmp_path / "runbooks", "broken.yaml", BROKEN)
    _write(tmp_path / "runbooks", "plain.yaml", PLAIN)
    return tmp_path


class Started:
    """A `start_for` that opens a dry run, solo, with the journal in tmp_path; remembers what it started."""

    def __init__(self, journal: Path) -> None:
        self.journal = journal
        self.loaded: Loaded | None = None

    def __call__(self, loaded: Loaded) -> Starter:
        self.loaded = loaded

        def starter(override: str | None) -> Session:
            return open_session(loaded, mode="dry-run", solo="test", journal=str(self.journal), override_window=override)

        return starter


def picker_app(workdir: Path) -> tuple[RunbookApp, Started]:
    started = Started(workdir / "journal.jsonl")
    return RunbookApp(picker_paths=[Path("runbooks")], start_for=started), started


async def scanned(pilot: Pilot[Any]) -> PickerScreen:
    """Wait until the picker's worker has checked every file and the results are on screen."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, PickerScreen)
    return screen


async def settle(pilot: Pilot[Any]) -> None:
    """Let workers (the picker checks a selected file again in one) finish and their messages land."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def rows(screen: PickerScreen) -> list[str]:
    table = screen.query_one("#picker-table", DataTable)
    return [str(key.value) for key in table.rows]


def text_of(widget: Static) -> str:
    return str(widget.content)


def form_value(screen: ParamsScreen, name: str) -> Any:
    return screen.query_one(f"#param-{name}").value  # type: ignore[attr-defined]


def message(screen: ParamsScreen, name: str) -> str:
    return text_of(screen.field(name).query_one(".param-message", Static))


async def type_into(pilot: Pilot[Any], widget: Input, text: str) -> None:
    widget.focus()
    widget.value = ""
    await pilot.pause()
    await pilot.press(*text)
    await pilot.pause()


def _journal(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# -- the picker ----------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_picker_lists_each_runbook_with_its_status(workdir: Path) -> None:
    app, _ = picker_app(workdir)
    async with app.run_test(size=SIZE) as pilot:
        screen = await scanned(pilot)
        assert rows(screen) == ["runbooks/broken.yaml", "runbooks/deploy.yaml", "runbooks/plain.yaml"]
        broken = screen.probes["runbooks/broken.yaml"]
        assert not broken.ok and len(broken.errors) == 3
        assert screen.probes["runbooks/deploy.yaml"].ok
        assert screen.probes["runbooks/deploy.yaml"].title == "Deploy v1 to staging"
        assert text_of(screen.query_one("#picker-count", Static)).startswith("3 runbooks, 1 with errors   ·")


@pytest.mark.asyncio
async def test_an_empty_folder_says_how_to_give_runbooks(workdir: Path) -> None:
    (workdir / "empty").mkdir()
    app = RunbookApp(picker_paths=[Path("empty")], start_for=Started(workdir / "journal.jsonl"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await scanned(pilot)
        assert rows(screen) == []
        assert "--runbooks DIR" in text_of(screen.query_one("#picker-detail-text", Static))
        await pilot.press("enter")  # nothing to open: nothing happens
        await settle(pilot)
        assert app.screen is screen


@pytest.mark.asyncio
async def test_search_filters_by_title_id_or_file_as_you_type(workdir: Path) -> None:
    app, _ = picker_app(workdir)
    async with app.run_test(size=SIZE) as pilot:
        screen = await scanned(pilot)
        await pilot.press(*"deploy")
        assert rows(screen) == ["runbooks/deploy.yaml"]  # id and file
        await pilot.press("escape")
        assert len(rows(screen)) == 3
        await pilot.press(*"without param")  # words of the title, in any position
        assert rows(screen) == ["runbooks/plain.yaml"]
        await pilot.press("escape", *"nothing-like-this")
        assert rows(screen) == []
        assert "No runbook matches the search" in text_of(screen.query_one("#picker-detail-text", Static))


@pytest.mark.asyncio
async def test_selecting_a_broken_runbook_shows_its_errors_and_stays(workdir: Path) -> None:
    app, started = picker_app(workdir)
    async with app.run_test(size=SIZE) as pilot:
        screen = await scanned(pilot)
        await pilot.press(*"broken", "enter")
        await settle(pilot)
        assert app.screen is screen
        detail = text_of(screen.query_one("#picker-detail-text", Static))
        assert "Cannot start this runbook" in detail
        assert "runbooks/broken.yaml:2:5: 'id': expected lowercase letters" in detail
        assert "runbooks/broken.yaml:8:9:" in detail
        assert screen.query_one("#picker-detail").has_class("-broken")
        assert started.loaded is None


@pytest.mark.asyncio
async def test_a_broken_runbook_fixed_meanwhile_is_checked_again_when_selected(workdir: Path) -> None:
    app, _ = picker_app(workdir)
    async with app.run_test(size=SIZE) as pilot:
        screen = await scanned(pilot)
        _write(workdir / "runbooks", "broken.yaml", BROKEN.replace("Bad_ID", "fixed").replace("rn:", "run:"))
        await pilot.press(*"broken", "enter")
        await settle(pilot)
        await pilot.pause()
        assert screen.probes["runbooks/broken.yaml"].ok
        assert text_of(screen.query_one("#picker-count", Static)).startswith("3 runbooks; 1 match")


@pytest.mark.asyncio
async def test_selecting_a_valid_runbook_opens_the_form_with_defaults(workdir: Path) -> None:
    app, _ = picker_app(workdir)
    async with app.run_test(size=SIZE) as pilot:
        await scanned(pilot)
        await pilot.press("down", "enter")  # the second row: deploy.yaml
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ParamsScreen)
        assert form_value(form, "env") == "staging"
        assert isinstance(form.query_one("#param-env"), Select)
        assert form_value(form, "version") == "v1"
        assert form_value(form, "batch_pause") == "30"
        assert form_value(form, "notify") is True
        assert isinstance(form.query_one("#param-notify"), Switch)
        assert form_value(form, "hosts") == "web1, web2"
        await pilot.press("escape")
        assert isinstance(app.screen, PickerScreen)


@pytest.mark.asyncio
async def test_an_invalid_int_is_named_inline_and_start_is_refused(workdir: Path) -> None:
    app, started = picker_app(workdir)
    async with app.run_test(size=SIZE) as pilot:
        await scanned(pilot)
        await pilot.press(*"deploy", "enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ParamsScreen)
        await type_into(pilot, form.query_one("#param-batch_pause", Input), "5000")
        assert message(form, "batch_pause") == "parameter 'batch_pause': expected at most 600, got 5000"
        assert form.field("batch_pause").has_class("-bad")
        await type_into(pilot, form.query_one("#param-version", Input), "1.2")
        # the description stands beside the field, so it is not said again under it (the command line says it)
        assert message(form, "version") == "parameter 'version': '1.2' does not match the pattern '^v\\d+$'; expected a value it matches"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert started.loaded is None
        assert "Not started: 2 fields need a fix" in text_of(form.query_one("#form-status", Static))
        assert form.focused is form.query_one("#param-version", Input)  # the first field to fix


@pytest.mark.asyncio
async def test_valid_values_start_the_run(workdir: Path) -> None:
    app, started = picker_app(workdir)
    async with app.run_test(size=SIZE) as pilot:
        await scanned(pilot)
        await pilot.press(*"deploy", "enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ParamsScreen)
        await type_into(pilot, form.query_one("#param-batch_pause", Input), "45")
        await type_into(pilot, form.query_one("#param-version", Input), "v7")
        assert message(form, "batch_pause") == ""
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, RunScreen)
        assert started.loaded is not None
        assert dict(started.loaded.runbook.param_values)["batch_pause"] == 45
        assert started.loaded.runbook.title == "Deploy v7 to staging"
    first = _journal(workdir / "journal.jsonl")[0]
    assert first["type"] == "session_started"
    assert first["params"]["version"] == "v7"
    assert first["mode"] == "dry-run"


@pytest.mark.asyncio
async def test_a_runbook_without_parameters_starts_at_once(workdir: Path) -> None:
    app, started = picker_app(workdir)
    async with app.run_test(size=SIZE) as pilot:
        await scanned(pilot)
        await pilot.press(*"plain", "enter")
        await settle(pilot)
        await pilot.pause()
        assert isinstance(app.screen, RunScreen)
        assert started.loaded is not None and started.loaded.runbook.id == "plain-check"


@pytest.mark.asyncio
async def test_a_refused_start_says_why_and_keeps_the_form(workdir: Path) -> None:
    (workdir / "journal.jsonl").write_text('{"seq": 0, "prev": "", "hash": "00"}\n', encoding="utf-8")  # someone else's run
    app, _started = picker_app(workdir)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await scanned(pilot)
        await pilot.press(*"deploy", "enter")
        await settle(pilot)
        form = app.screen
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form  # the values are still there to change
        assert app.is_running and app.handle is None
        assert any("already holds a journal" in n.message for n in app._notifications)
        await pilot.press("escape")
        assert isinstance(app.screen, PickerScreen)


# -- `run FILE` with values missing: the form instead of an error ----------------------------


@pytest.mark.asyncio
async def test_missing_required_values_open_the_form_prefilled_with_the_given_ones(workdir: Path) -> None:
    path = _write(workdir, "needs.yaml", NEEDS)
    given = {"batch_pause": "abc"}
    probe = probe_runbook("needs.yaml", given)
    assert probe.ok and probe.loaded is None and len(probe.value_problems) == 2
    started = Started(workdir / "journal.jsonl")
    app = RunbookApp(start_for=started, form=probe, given=given)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ParamsScreen)
        assert form_value(form, "batch_pause") == "abc"
        assert message(form, "batch_pause") == "parameter 'batch_pause': expected an integer, got 'abc'"
        assert message(form, "version") == ""  # not shouted at before the user had a chance
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert message(form, "version") == "parameter 'version' is required"
        await type_into(pilot, form.query_one("#param-version", Input), "v2")
        await type_into(pilot, form.query_one("#param-batch_pause", Input), "5")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, RunScreen)
    assert path.exists()


@pytest.mark.asyncio
async def test_leaving_the_form_without_a_picker_starts_nothing(workdir: Path) -> None:
    _write(workdir, "needs.yaml", NEEDS)
    app = RunbookApp(start_for=Started(workdir / "journal.jsonl"), form=probe_runbook("needs.yaml"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
    assert app.return_value == 1  # left, nothing done: as ctrl+c (it was 2, an invalid input)
    assert app.failure and "no run started" in app.failure
    assert not (workdir / "journal.jsonl").exists()


def test_run_with_a_broken_runbook_still_exits_2_with_file_line_col(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from runbook_tui import cli

    assert cli.main(["run", "--dry-run", "--solo", "t", "runbooks/broken.yaml"]) == 2
    assert "runbooks/broken.yaml:2:5: 'id'" in capsys.readouterr().err


def test_run_with_an_unknown_parameter_exits_2(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from runbook_tui import cli

    assert cli.main(["run", "--dry-run", "--solo", "t", "runbooks/deploy.yaml", "-p", "verison=v2"]) == 2
    assert "unknown parameter 'verison'" in capsys.readouterr().err


def test_default_paths_are_the_local_folder_and_the_examples_once(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    examples = examples_dir()
    assert examples is not None and (examples / "pg-minor-upgrade.yaml").is_file()
    assert default_paths() == [Path("runbooks"), examples]
    monkeypatch.chdir(examples.parent)  # ./runbooks is the examples folder itself
    assert default_paths() == [Path("runbooks")]


def test_the_run_subcommand_takes_no_file_and_runbook_folders() -> None:
    from runbook_tui import cli

    args = cli._parser().parse_args(["run", "--solo", "x", "--runbooks", "a", "--runbooks", "b"])
    assert args.file is None and args.runbooks == ["a", "b"]


# -- snapshots -----------------------------------------------------------------------------


def _steady(pilot: Pilot[Any]) -> None:
    """No blinking cursors in a snapshot."""
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False


BOTH = pytest.mark.parametrize("size", [(80, 24), SIZE], ids=["80x24", "140x45"])


@BOTH
def test_snapshot_picker_with_a_broken_runbook_selected(workdir: Path, snap_compare: Callable[..., bool], size: tuple[int, int]) -> None:
    """The picker lists the folder's runbooks with status, id and title (titles rendered, never a raw `{{`);
    broken.yaml is selected and the pane below says why it cannot start, FILE:LINE:COL per error. At 80 columns the
    table has no file column (no letter of it at the edge, no sideways scrollbar); the footer has no `esc clear search`
    (the search is empty)."""
    app, _ = picker_app(workdir)

    async def run_before(pilot: Pilot[Any]) -> None:
        await scanned(pilot)
        await pilot.press("enter")  # the first row: broken.yaml
        await settle(pilot)
        await pilot.pause()
        _steady(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=size)


@BOTH
def test_snapshot_form_with_an_invalid_value(workdir: Path, snap_compare: Callable[..., bool], size: tuple[int, int]) -> None:
    """The parameter form of 'deploy': batch_pause holds 5000 and says why it is refused next to the field, the
    message whole to its last word (`… expected at most 600, got 5000`; at 80x24 the form scrolled to the field: its
    last row was under the form's edge before); at 80x24 the fields above it (`version`) show over it, the form opened
    at its top (it opened scrolled to its last field, `hosts`); the keys to save or leave are in the footer."""
    app, _ = picker_app(workdir)

    async def run_before(pilot: Pilot[Any]) -> None:
        await scanned(pilot)
        await pilot.press(*"deploy", "enter")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, ParamsScreen)
        await type_into(pilot, form.query_one("#param-batch_pause", Input), "5000")
        await pilot.press("ctrl+s")
        await pilot.pause()
        _steady(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=size)
