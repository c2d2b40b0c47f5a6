"""The less-travelled screens with hostile runbook text, at 80x24 and 140x45: the picker's preview, the parameter form,
the mode screen and the skip prompt.

Each screen must show the runbook's words as characters (`␛[2J`, `⟨U+202E⟩`, `[bold]b[/]`) and never hand them to
the terminal: a parameter's description holding `ESC[2J` cleared the terminal at every repaint of the form (the
form's title and hint went blank), the mode screen coloured the title with its own `ESC[31m` and let U+202E reverse
it, the skip prompt showed a title's bidi override raw. What each screen must also say is checked with it: the
preview's id on a line of its own (it read `title⏎id`), the mode screen's `escape: cancel` whole at 80 columns (it
was cut to `escape:`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import events, make_app, painted, prepare_workdir, screen_is, settled, started, type_text, until
from textual.app import App
from textual.geometry import Region
from textual.screen import Screen

from runbook_tui.runbook.loader import probe_runbook
from runbook_tui.ui.mode_screen import ModeScreen
from runbook_tui.ui.params_form import ParamsScreen
from runbook_tui.ui.picker import describe
from runbook_tui.ui.replay_app import ReplayApp

ESC, BEL, RLO, PDF = "\x1b", "\x07", "\u202e", "\u202c"
#: Characters that drive or mislead a terminal: none may be painted raw.
RAW = (ESC, BEL, RLO, PDF, "\x9b")

HOSTILE = r"""
runbook: 1
id: hostile-form
title: "Walk \e[31mred\e[0m \u202Eright\u202C [bold]b[/]"
params:
  target:
    type: choice
    choices: ["[bold]b[/]", "plain \e]0;pwned\a"]
    default: "[bold]b[/]"
    description: "Choose [red]which[/] \e[2J\e[H"
  name: {type: string, pattern: "^[a-z]+\e?$", required: true, description: "\u202Eeman\u202C"}
sections:
  - id: main
    steps:
      - id: go
        title: "Go \u202Ereversed\u202C \e]0;pwned\a"
        run: "true"
"""


class Host(App[None]):
    """An app that shows one screen, as the real app pushes it."""

    def __init__(self, screen: Screen[Any]) -> None:
        super().__init__()
        self.shown = screen

    def on_mount(self) -> None:
        self.push_screen(self.shown)


def screen_text(app: App[Any]) -> str:
    """Everything the top screen paints, as the terminal would get it (styles dropped)."""
    return "\n".join(painted(widget) for widget in app.screen.walk_children() if widget.display and widget.size.area)


def assert_nothing_raw(text: str) -> None:
    assert not [char for char in RAW if char in text], f"raw control or bidi characters painted: {text!r}"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    prepare_workdir(tmp_path, monkeypatch, HOSTILE)
    return tmp_path


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)], ids=["80x24", "140x45"])
async def test_the_form_and_the_mode_screen_show_runbook_text_and_drive_nothing(workdir: Path, size: tuple[int, int]) -> None:
    probe = probe_runbook("runbook.yaml")
    form = ParamsScreen(probe.file, probe.params, lambda _loaded: None, title=probe.title or "", quits=True)
    async with Host(form).run_test(size=size) as pilot:
        await screen_is(pilot, "ParamsScreen")
        text = screen_text(pilot.app)
        assert_nothing_raw(text)
        # The form must show: its heading (the title as written), the description's escapes as characters, the
        # choice as text (not bold 'b'), the pattern's escape in the type hint.
        assert "Walk ␛[31mred␛[0m ⟨U+202E⟩right⟨U+202C⟩ [bold]b[/]" in text
        assert "Choose [red]which[/] ␛[2J␛[H" in text
        select = form.query_one("#param-target")
        assert "[bold]b[/]" in "\n".join(painted(part) for part in select.walk_children() if part.size.area)
        assert "matching ^[a-z]+␛?$" in text
        await pilot.press("ctrl+s")  # name is required: the message under it
        await until(pilot, lambda: "required" in screen_text(pilot.app), "the required message")
        assert_nothing_raw(screen_text(pilot.app))

    long = ParamsScreen(probe.file, probe.params, lambda _loaded: None, title="Walk " + "数据库 " * 60, quits=True)
    async with Host(long).run_test(size=size) as pilot:
        await screen_is(pilot, "ParamsScreen")
        heading = painted(long.query_one("#form-title")).strip()
        assert heading.startswith("Parameters  Walk 数据库") and "…" in heading and heading.endswith("数据库"), heading  # cut, and says so

    async with Host(ModeScreen(probe.title or "")).run_test(size=size) as pilot:
        await screen_is(pilot, "ModeScreen")
        text = screen_text(pilot.app)
        assert_nothing_raw(text)
        assert "Walk ␛[31mred␛[0m ⟨U+202E⟩right⟨U+202C⟩ [bold]b[/]" in text
        # What escape does is said whole, at 80 columns too (wrapped inside the dialog, not cut at its edge).
        keys, dialog = pilot.app.screen.query_one("#dialog-keys"), pilot.app.screen.query_one("#dialog")
        assert keys.region.right <= dialog.scrollable_content_region.right, (keys.region, dialog.scrollable_content_region)
        assert "escape: cancel" in " ".join(painted(keys).split())


def test_the_pickers_preview_puts_the_id_on_its_own_line(workdir: Path) -> None:
    """The preview's second line is `id  ·  file`: it was joined to the title by a visible `⏎`."""
    lines = describe(probe_runbook("runbook.yaml")).plain.splitlines()
    assert lines[0] == "Walk ␛[31mred␛[0m ⟨U+202E⟩right⟨U+202C⟩ [bold]b[/]"
    assert lines[1] == "hostile-form  ·  runbook.yaml"
    assert "⏎" not in describe(probe_runbook("runbook.yaml")).plain


@pytest.mark.asyncio
async def test_the_skip_prompt_shows_a_hostile_title_as_characters(workdir: Path) -> None:
    app = make_app("runbook.yaml", params={"name": "abc"})
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("s")
        prompt = await screen_is(pilot, "TextPrompt")
        body = painted(prompt.query_one("#dialog-body"))
        assert "Go ⟨U+202E⟩reversed⟨U+202C⟩ ␛]0;pwned␇" in body
        assert_nothing_raw(screen_text(app))


MANY_HOSTS = "\n".join(f"    - {{name: web{i:02d}-{'x' * 12}, address: 192.0.2.{i + 1}}}" for i in range(40))
LONG = " && ".join(f"echo part{i}" for i in range(60))
TALL = rf"""
runbook: 1
id: tall-steps
title: Tall steps
hosts:
  web:
{MANY_HOSTS}
sections:
  - id: main
    steps:
      - id: wide-and-long
        title: "{"全角タイトル🚀 " * 12}"
        run: "printf '数据库\\t🚀\\n' && {LONG} && echo THE-END"
        undo: echo undo-whole
      - id: everywhere
        title: On forty hosts
        on: web
        run: systemctl reload nginx
        undo: systemctl restart nginx
"""


def out_of_view(detail: Any) -> int:
    """How many of the detail pane's lines do not show without scrolling."""
    return len(painted(detail).splitlines()) - detail.parent.scrollable_content_region.height


def in_view(detail: Any, words: str) -> bool:
    """Whether `words` is on a line of the detail pane that shows without scrolling."""
    lines = painted(detail).splitlines()
    shown = detail.parent.scrollable_content_region.height
    return any(words in line for line in lines[:shown])


@pytest.mark.asyncio
async def test_a_step_too_tall_for_its_pane_says_so_and_v_shows_it_whole(workdir: Path) -> None:
    """At 80x24: a long command is cut by the pane's height; the pane's title must say how much is out of view and
    that v shows all, and v must show the command whole, as it runs (no YAML quoting, no \\U escapes). A step on 40
    hosts must show its command and undo in view: the hosts go below them (they filled the pane)."""
    (workdir / "tall.yaml").write_text(TALL, encoding="utf-8")
    app = make_app("tall.yaml")
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await until(pilot, lambda: "more lines: v shows all" in str(app.screen.query_one("#detail").border_title), "the cut hint")
        detail = app.screen.query_one("#step-detail")
        assert str(app.screen.query_one("#detail").border_title).startswith(f"step 1/2 · ▼ {out_of_view(detail)} more lines: v shows all · ")
        assert not in_view(detail, "THE-END")
        await pilot.press("v")
        info = await screen_is(pilot, "InfoScreen")
        body = painted(info.query_one("#dialog-body"))
        assert "run on local:" in body and "printf '数据库\\t🚀\\n'" in body, body
        assert "THE-END" in body and "undo on local:\n  echo undo-whole" in body, body
        assert "\\U0001" not in body
        await pilot.press("escape")
        await screen_is(pilot, "RunScreen")
        await pilot.press("s")
        await screen_is(pilot, "TextPrompt")
        await type_text(pilot, "walk")
        await pilot.press("enter")
        await until(pilot, lambda: str(app.screen.query_one("#detail").border_title).endswith("· everywhere"), "the next step")
        # The count follows the step's text (the pane's height stayed: no Resize came to count again).
        await until(pilot, lambda: f"▼ {out_of_view(detail)} more lines" in str(app.screen.query_one("#detail").border_title), "the count of step 2")
        assert in_view(detail, "on web (40 hosts, listed below)")
        assert in_view(detail, "run:  systemctl reload nginx") and in_view(detail, "undo: systemctl restart nginx")
        assert "hosts: web00-xxxxxxxxxxxx, web01-xxxxxxxxxxxx" in painted(detail)
        await pilot.press("v")
        info = await screen_is(pilot, "InfoScreen")
        body = painted(info.query_one("#dialog-body"))
        assert "run on 40 hosts (web00-xxxxxxxxxxxx," in body and "web39-xxxxxxxxxxxx):\n  systemctl reload nginx" in body, body
        await pilot.press("escape")
        await screen_is(pilot, "RunScreen")
        run_screen = app.screen
        await pilot.press("s")
        await screen_is(pilot, "TextPrompt")
        await type_text(pilot, "walk")
        await pilot.press("enter")
        await screen_is(pilot, "ReviewScreen")  # the run ended: the pane under the review names no step any more
        assert run_screen.query_one("#detail").border_title == "finished"

    # The same run replayed at 80x24: the foot's row says whole where the replay stands and what it does.
    async with ReplayApp(events(workdir / "j.jsonl"), label="j.jsonl").run_test(size=(80, 24)) as pilot:
        await screen_is(pilot, "ReplayScreen")
        foot = painted(pilot.app.screen.query_one("#journal-path"))
        assert foot.startswith(" REPLAY, nothing runs: j.jsonl") and foot.endswith("paused at 1x"), foot


@pytest.mark.asyncio
async def test_a_wide_title_is_cut_with_an_ellipsis_in_the_step_list(workdir: Path) -> None:
    """At 140x45 the step list shows: a title of East Asian characters and emoji (two cells each) must end in `…`
    inside its column, as an ASCII title does (counted by characters, it ran on to the border, cut without a sign)."""
    (workdir / "tall.yaml").write_text(TALL, encoding="utf-8")
    app = make_app("tall.yaml")
    async with app.run_test(size=(140, 45)) as pilot:
        await started(pilot)
        await settled(pilot)  # the first repaint gives the list its state (a loaded CI machine drew it after `started`)
        steps = app.screen.query_one("#steps")
        width = steps.scrollable_content_region.width
        row = steps.row_text(0)
        assert row.cell_len <= width - 2 and row.plain.rstrip().endswith("…"), (row.plain, row.cell_len, width)


@pytest.mark.asyncio
async def test_a_pasted_note_with_escapes_shows_them_and_drives_nothing(workdir: Path) -> None:
    """A log line pasted into the note field (`ESC]0;pwned BEL`, a bidi override): the field must show `␛]0;pwned␇`
    and `⟨U+202E⟩` as it is typed (Textual's Input drew the raw ESC; without its BEL the title sequence swallowed the
    screen's next writes in tmux), and the journal keeps the note as shown."""
    from textual import events as textual_events

    app = make_app("runbook.yaml", params={"name": "abc"})
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("n")
        prompt = await screen_is(pilot, "TextPrompt")
        field = prompt.query_one("#dialog-input")
        field.post_message(textual_events.Paste("saw \x1b]0;pwned\x07 [b]x[/b] \u202eevil"))
        await until(pilot, lambda: "saw" in field.value, "the pasted text in the field")
        drawn = "".join(strip.text for strip in field.render_lines(Region(0, 0, *field.outer_size)))
        assert_nothing_raw(drawn)
        assert "saw ␛]0;pwned␇ [b]x[/b] ⟨U+202E⟩evil" in drawn, drawn
        await pilot.press("enter")
        await screen_is(pilot, "RunScreen")
        await until(pilot, lambda: any(e["type"] == "note" for e in events(workdir / "j.jsonl")), "the note in the journal")
        [note] = [e for e in events(workdir / "j.jsonl") if e["type"] == "note"]
        assert note["text"] == "saw ␛]0;pwned␇ [b]x[/b] ⟨U+202E⟩evil"
