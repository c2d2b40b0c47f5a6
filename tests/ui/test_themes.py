"""Theme files: the shipped ones load, broken ones are reported and skipped, the user's folder wins;
the app starts in the theme asked for, falls back to night, and switches from the command palette.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.style import Style
from textual.color import Color
from textual.command import CommandList, CommandPalette
from textual.design import ColorSystem
from textual.widgets import Input

from runbook_tui.app.session import Session, load, open_session
from runbook_tui.ui.app import RunbookApp
from runbook_tui.ui.glyphs import colour
from runbook_tui.ui.step_list import StepList
from runbook_tui.ui.themes import load_themes, theme_folders

SIZE = (140, 45)
SHIPPED = {"night", "high-contrast", "day"}

RUNBOOK = """
runbook: 1
id: theme-test
title: Theme test
ticket: {id: CHG-7, subject: Colours, assignee: alice, verifier: bob}
sections:
  - id: main
    steps:
      - id: hello
        title: Say hello
        run: echo hello
      - id: later
        title: Later
        run: echo later
"""

GOOD = """
name: good
primary: "#336699"
"""


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path as the working folder and the XDG home: no test reads the developer's themes or settings."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RUNBOOK_TUI_USER", raising=False)
    monkeypatch.delenv("RUNBOOK_TUI_SETTINGS", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    return tmp_path


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def user_themes(workdir: Path) -> Path:
    return workdir / "xdg-config" / "runbook-tui" / "themes"


def make_app(workdir: Path, theme: str | None = None) -> RunbookApp:
    """The app as `runbook-tui run runbook.yaml --solo test --theme THEME` builds it."""
    loaded = load(str(write(workdir, "runbook.yaml", RUNBOOK)), {})

    def starter(override: str | None) -> Session:
        return open_session(loaded, solo="test", journal="j.jsonl", override_window=override)

    return RunbookApp(starter, theme=theme)


def record_notices(app: RunbookApp, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    notices: list[tuple[str, Any]] = []
    notify = app.notify

    def recording(message: str, **kwargs: Any) -> None:
        notices.append((message, kwargs.get("severity", "information")))
        notify(message, **kwargs)

    monkeypatch.setattr(app, "notify", recording)
    return notices


# -- the loader ---------------------------------------------------------------------------------


def test_the_shipped_themes_load_without_failures(workdir: Path) -> None:
    themes, failures = load_themes(theme_folders())
    assert failures == []
    by_name = {theme.name: theme for theme in themes}
    assert SHIPPED <= set(by_name)
    assert by_name["night"].dark and by_name["high-contrast"].dark and not by_name["day"].dark
    assert by_name["high-contrast"].background == "#000000"


def test_theme_folders_are_the_shipped_ones_then_the_users(workdir: Path) -> None:
    shipped, user = theme_folders()
    assert (shipped / "night.yaml").is_file()  # the repository's themes/ in an editable install
    assert user == user_themes(workdir)


def test_high_contrast_keeps_success_warning_and_error_apart_without_red_green() -> None:
    """Success is blue, not green: the three differ in hue and lightness even for deuteranopes."""
    themes, _ = load_themes(theme_folders()[:1])
    theme = next(t for t in themes if t.name == "high-contrast")
    success, warning, error = (Color.parse(colour(theme, tone)) for tone in ("success", "warning", "error"))
    assert success.b > max(success.r, success.g)  # blue
    assert warning.brightness > error.brightness + 0.2  # yellow is much lighter than red
    assert error.r > 200 and error.g < 100


@pytest.mark.parametrize(
    ("file_name", "text", "expected"),
    [
        ("bad-colour.yaml", 'name: bad-colour\nprimary: "blurple"\n', "bad-colour.yaml:2:10: primary: cannot read 'blurple' as a colour, expected"),
        ("comment-colour.yaml", "primary: #123456\n", "comment-colour.yaml:1:9: primary: no value (an unquoted # starts a YAML comment), expected"),
        (
            "unknown-key.yaml",
            'primary: "#336699"\nprimay: "#336699"\n',
            "unknown-key.yaml:2:1: unknown key 'primay' (did you mean 'primary'?), expected one of:",
        ),
        ("not-yaml.yaml", "primary: [unclosed\n", "not-yaml.yaml:1:10: invalid YAML: did not find expected ',' or ']'"),
        # at FILE:LINE:COL, as settings and runbooks say it (before: a key given twice was taken silently, the last
        # value winning; a syntax error said `not valid YAML (... at line 3, column 1)`)
        ("twice.yaml", 'primary: "#336699"\nprimary: "#123456"\n', "twice.yaml:2:1: duplicate key 'primary' (first at line 1); expected each key once"),
        ("tab.yaml", 'primary: "#336699"\nvariables:\n\tfoo: 1\n', "tab.yaml:3:1: invalid YAML: found character that cannot start any token"),
        ("a-list.yaml", "- primary\n", "a-list.yaml:1:1: expected a mapping of theme keys"),
        ("bad-dark.yaml", 'primary: "#336699"\ndark: maybe\n', "bad-dark.yaml:2:7: dark: 'maybe', expected true or false"),
        ("bad-variable.yaml", 'primary: "#336699"\nvariables: {text: nope}\n', "bad-variable.yaml:2:19: variables: text: cannot read 'nope' as a colour"),
        # a value's problem at the value, as settings say it (before: `FILE: primary: ...`, no line to go to)
        ("bad-type.yaml", 'primary: "#336699"\nsecondary: [1]\n', "bad-type.yaml:2:12: secondary: [1] is not text, expected a quoted colour"),
        ("bad-name.yaml", 'name: "a b"\nprimary: "#336699"\n', "bad-name.yaml:1:7: name: 'a b' is not a usable theme name"),
        (
            "bad-style.yaml",
            'primary: "#336699"\nvariables:\n  footer-key-style: wiggly\n',
            "bad-style.yaml:3:21: variables: footer-key-style: 'wiggly' is not a text style",
        ),
        ("bad-var-name.yaml", 'primary: "#336699"\nvariables:\n  Bad_Name: red\n', "bad-var-name.yaml:3:3: variables: 'Bad_Name' is not a variable name"),
        (
            "list-vars.yaml",
            'primary: "#336699"\nvariables: [1]\n',
            "list-vars.yaml:2:12: variables: expected a mapping of variable names to values, got a list",
        ),
        ("no-primary.yaml", "dark: true\n", "no-primary.yaml:1:1: primary is missing, expected a quoted colour"),
    ],
)
def test_a_broken_file_is_reported_with_its_name_and_skipped(workdir: Path, file_name: str, text: str, expected: str) -> None:
    folder = workdir / "themes"
    write(folder, "good.yaml", GOOD)
    broken = write(folder, file_name, text)
    themes, failures = load_themes([folder])
    assert [theme.name for theme in themes] == ["good"]
    assert failures, "the broken file must be reported"
    assert all(failure.startswith(f"{broken}:") for failure in failures)
    assert any(expected in failure for failure in failures), failures


def test_every_problem_in_a_file_is_reported(workdir: Path) -> None:
    path = write(workdir / "themes", "many.yaml", 'primary: "nope"\nwarning: 7\nfoo: 1\n')
    _, failures = load_themes([workdir / "themes"])
    assert [failure.split(" ")[0] for failure in failures] == [f"{path}:1:10:", f"{path}:2:10:", f"{path}:3:1:"], failures


def test_a_missing_folder_is_not_a_failure(workdir: Path) -> None:
    assert load_themes([workdir / "nowhere"]) == ([], [])


def test_the_user_folder_overrides_and_extends_the_shipped_themes(workdir: Path) -> None:
    write(user_themes(workdir), "my-night.yaml", 'name: night\nprimary: "#aa0000"\n')  # the name counts, not the file name
    write(user_themes(workdir), "mine.yaml", 'primary: "#00aa00"\ndark: false\n')
    themes, failures = load_themes(theme_folders())
    by_name = {theme.name: theme for theme in themes}
    assert failures == []
    assert by_name["night"].primary == "#aa0000"
    assert by_name["mine"].primary == "#00aa00" and not by_name["mine"].dark  # named after its file
    assert {"day", "high-contrast"} <= set(by_name)


def test_a_broken_user_theme_leaves_the_shipped_one_in_place(workdir: Path) -> None:
    broken = write(user_themes(workdir), "night.yaml", 'primary: "blurple"\n')
    themes, failures = load_themes(theme_folders())
    night = next(theme for theme in themes if theme.name == "night")
    assert night.primary != "blurple"
    assert len(failures) == 1 and failures[0].startswith(f"{broken}:1:10: primary:")


def test_two_files_with_one_name_in_a_folder_are_reported(workdir: Path) -> None:
    write(workdir / "themes", "a.yaml", 'name: same\nprimary: "#111111"\n')
    second = write(workdir / "themes", "b.yaml", 'name: same\nprimary: "#222222"\n')
    themes, failures = load_themes([workdir / "themes"])
    assert [(t.name, t.primary) for t in themes] == [("same", "#111111")]
    assert failures == [f"{second}: theme 'same' is also defined in a.yaml, expected one file per theme name (this one is ignored)"]


# -- the app ------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_the_default_theme_is_night(workdir: Path) -> None:
    app = make_app(workdir)
    async with app.run_test(size=SIZE):
        assert app.theme == "night"


@pytest.mark.asyncio
async def test_the_app_starts_in_the_theme_asked_for(workdir: Path) -> None:
    app = make_app(workdir, theme="high-contrast")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "high-contrast"
        assert app.current_theme.background == "#000000"


def test_the_stylesheet_holds_the_chosen_themes_colours_derived_once(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Textual's own start asked for its default theme's colours (~150 derived), which the chosen theme's replaced at
    once: each start derived two themes' colours (0.6 ms of the first frame). Now only the chosen one's, and the
    stylesheet holds them before anything is parsed."""
    derived: list[str] = []
    generate = ColorSystem.generate

    def counted(system: ColorSystem) -> dict[str, str]:
        derived.append(system.primary.hex)
        return generate(system)

    monkeypatch.setattr(ColorSystem, "generate", counted)
    app = make_app(workdir, theme="high-contrast")
    chosen = app.get_theme("high-contrast")
    assert chosen is not None
    assert derived == [Color.parse(chosen.primary).hex], "the colours of one theme, the chosen one, were derived"
    assert app.stylesheet._variables == app.get_css_variables(), "the stylesheet holds the chosen theme's variables"
    assert app.stylesheet._variables["background"] == "#000000"


@pytest.mark.asyncio
async def test_an_unknown_theme_falls_back_to_night_with_a_warning(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(workdir, theme="solarized-ish")
    notices = record_notices(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        # On the run screen, mounted (leaving while it mounted raised NoMatches from its first repaint, once under load).
        await _until(pilot, lambda: type(app.screen).__name__ == "RunScreen" and app.screen.is_mounted, "the run screen mounted")
        assert app.theme == "night"
    warnings = [message for message, severity in notices if severity == "warning"]
    assert len(warnings) == 1
    assert "'solarized-ish'" in warnings[0] and "using night" in warnings[0] and "high-contrast" in warnings[0]


@pytest.mark.asyncio
async def test_broken_theme_files_are_reported_once_and_the_app_runs(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = write(user_themes(workdir), "broken.yaml", 'primary: "blurple"\n')
    write(user_themes(workdir), "odd.yaml", "primary: [\n")
    app = make_app(workdir, theme="day")
    notices = record_notices(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: type(app.screen).__name__ == "RunScreen", "the run screen")  # keys before it are refused (loading)
        await pilot.press("enter")  # the run goes on as usual
        assert app.handle is not None
        controller = app.handle.controller
        await _until(pilot, lambda: controller.state.steps["hello"].status == "done", "the step to be done")
        assert app.theme == "day"
    warnings = [message for message, severity in notices if severity == "warning"]
    assert len(warnings) == 1
    assert f"{broken}:1:10: primary:" in warnings[0] and "odd.yaml:2:1: invalid YAML" in warnings[0]


async def _until(pilot: Any, done: Callable[[], bool], what: str, seconds: float = 30) -> None:
    for _ in range(int(seconds / 0.05)):
        if done():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out after {seconds:g}s waiting for {what}")


def _highlighted(app: Any) -> str:
    """The command palette's highlighted entry, as text ("" when there is none)."""
    if not isinstance(app.screen, CommandPalette):
        return ""
    commands = app.screen.query_one(CommandList)
    if commands.highlighted is None:
        return ""
    return str(commands.get_option_at_index(commands.highlighted).prompt)


@pytest.mark.asyncio
async def test_the_command_palette_switches_to_our_themes_and_the_statuses_follow(workdir: Path) -> None:
    app = make_app(workdir)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: type(app.screen).__name__ == "RunScreen", "the run screen")  # keys before it are refused (loading)
        await pilot.press("enter")
        assert app.handle is not None
        controller = app.handle.controller
        await _until(pilot, lambda: controller.state.steps["hello"].status == "done", "the step to be done")
        table = app.screen.query_one(StepList)

        def done_glyph() -> str:
            row = table.row_text(0)  # the status mark leads the row
            mark = next(span for span in row.spans if span.start == 0)
            assert isinstance(mark.style, Style) and mark.style.color is not None and mark.style.color.triplet is not None
            return str(mark.style.color.triplet.hex)

        night, high_contrast = app.get_theme("night").success, app.get_theme("high-contrast").success
        await _until(pilot, lambda: done_glyph() == night, f"the done glyph in night's colour {night}")

        await pilot.press("ctrl+p")
        await _until(pilot, lambda: isinstance(app.screen, CommandPalette), "the command palette")
        await pilot.press(*"theme")
        await _until(pilot, lambda: "theme" in _highlighted(app).lower(), "the Theme command to be offered")
        await pilot.press("enter")  # the "Theme" system command lists every registered theme
        await _until(pilot, lambda: isinstance(app.screen, CommandPalette) and "theme" in app.screen.query_one(Input).placeholder, "the theme list")
        await pilot.press(*"high-contrast")
        await _until(pilot, lambda: "high-contrast" in _highlighted(app), "high-contrast to be offered")
        await pilot.press("enter")
        await _until(pilot, lambda: app.theme == "high-contrast", "the theme to change")
        await _until(pilot, lambda: done_glyph() == high_contrast, f"the done glyph in high-contrast's colour {high_contrast}")
