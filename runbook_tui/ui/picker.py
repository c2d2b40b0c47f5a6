"""The picker: every runbook in the given folders, searchable, with its status; broken ones show why.

Finding and validating the files runs in a thread worker that posts results
in batches, so a folder of hundreds of runbooks fills the table while the
search box already answers. Selecting a runbook validates it again (it may
have been fixed since) and then goes to the parameter form, or straight to
the run when it has no parameters.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Label, Static
from textual.worker import get_current_worker

from runbook_tui.runbook.diagnostics import Diagnostic
from runbook_tui.runbook.folders import dangling, runbooks_in
from runbook_tui.runbook.loader import Loaded, Probe, probe_runbook
from runbook_tui.runbook.model import Mark
from runbook_tui.runbook.safe_text import visible_line
from runbook_tui.ui.glyphs import colour
from runbook_tui.ui.keys_in_turn import hold_keys, release_keys
from runbook_tui.ui.note_line import cut_middle
from runbook_tui.ui.params_form import ParamsScreen, ProblemsScroll
from runbook_tui.ui.picker_rows import ID_WIDTH, STATUS_WIDTH, TITLE_WIDTH, cut, file_width, id_width, placeholders, places, title_width
from runbook_tui.ui.typed_input import TypedInput

#: Results go to the screen in batches: at most this many files, or this many seconds, per message.
BATCH_FILES = 100
BATCH_SECONDS = 0.3


def examples_dir() -> Path | None:
    """The example runbooks: shipped inside the package (wheel), else the repository's `runbooks/`."""
    package = Path(__file__).resolve().parents[1]
    for candidate in (package / "runbooks", package.parent / "runbooks"):  # runbook_tui/runbooks in the wheel, else the repository's
        if candidate.is_dir():
            return candidate
    return None


def default_paths() -> list[Path]:
    """`./runbooks` when it exists, plus the examples (once, when they are the same folder)."""
    paths = [Path("runbooks")] if Path("runbooks").is_dir() else []
    examples = examples_dir()
    if examples is not None and not any(p.resolve() == examples.resolve() for p in paths):
        paths.append(examples)
    return paths


def shown_path(path: Path) -> str:
    """Relative to the working directory where it can be (short, and the same on every machine), else absolute; a link
    to nothing as the link (its target is in its error)."""
    resolved = path.parent.resolve() / path.name if dangling(path) else path.resolve()
    try:
        return str(resolved.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(resolved)


def discover(paths: Iterable[Path]) -> Iterator[str]:
    """Runbook files under the paths (files as given, folders searched recursively), each once, in name order."""
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found = runbooks_in(path)
        else:
            found = [path]
        for file in found:
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                yield shown_path(file)


def _probe(file: str) -> Probe:
    """probe_runbook, but a loader bug on one file marks that file instead of ending the whole list."""
    try:
        return probe_runbook(file)
    except Exception as exc:  # shown on the file's row, with the exception's type
        return Probe(file, "", "", (), None, [Diagnostic(Mark(file, 1, 1), f"could not be checked ({type(exc).__name__}: {exc}); please report this")], [])


def matches(probe: Probe, query: str) -> bool:
    """Every word of the query appears in the id, the title or the file name (case-insensitive)."""
    haystack = f"{probe.id} {probe.title} {probe.file}".lower()
    return all(word in haystack for word in query.lower().split())


def status_label(probe: Probe) -> str:
    if probe.ok:
        return "✓ valid"
    count = len(probe.errors)
    return f"✗ {count} error{'s' if count != 1 else ''}"


class PickerDetail(ProblemsScroll):
    """The detail pane: its own border says how many lines are below and that pgdn shows them (a runbook with 4 errors
    showed 2 at 80x24, a scrollbar the only sign, and no key reached the others: the focus stays in the search)."""

    SAYS_ON_OWN_BORDER = True


class PickerScreen(Screen[None]):
    """Lists runbooks; a valid one selected goes to the form (or the run); `on_chosen` gets the loaded runbook."""

    CSS_PATH = Path(__file__).parent / "picker.tcss"

    BINDINGS = [
        Binding("enter", "select", "open", show=True),
        Binding("down", "cursor(1)", "next", show=False),
        Binding("up", "cursor(-1)", "previous", show=False),
        Binding("slash", "search", "search"),
        Binding("escape", "clear_search", "clear search"),
        Binding("escape", "nothing_to_clear", show=False),  # the search empty: says how to leave instead of nothing
        Binding("ctrl+q", "app.quit_now", "quit"),
        # The detail's lines below its view (a broken runbook's errors); a focused table keeps its own pgdn.
        Binding("pagedown", "detail(1)", show=False),
        Binding("pageup", "detail(-1)", show=False),
    ]

    class Probed(Message):
        """A batch of runbooks checked by the worker (sent from its thread)."""

        def __init__(self, probes: list[Probe], done: bool) -> None:
            super().__init__()
            self.probes = probes
            self.done = done

    class Rechecked(Message):
        """The runbook selected, checked again (sent from the worker's thread)."""

        def __init__(self, probe: Probe) -> None:
            super().__init__()
            self.probe = probe

    def __init__(self, paths: Sequence[Path], on_chosen: Callable[[Loaded], None]) -> None:
        super().__init__()
        self.paths = list(paths)
        self.on_chosen = on_chosen
        self.probes: dict[str, Probe] = {}  # by file, in the order found
        self.scanning = True
        #: The file whose details are shown.
        self.shown: str | None = None
        self.title_width = TITLE_WIDTH
        self.id_width = ID_WIDTH  # the longest id listed, once the files are read
        self.file_width: int | None = None
        self.places: dict[str, str] = {}  # runbooks sharing an id: the part of their path that tells them apart

    def compose(self) -> ComposeResult:
        yield Label(Text("Runbooks", style="bold"), id="picker-title")
        yield TypedInput(placeholder="search by title, id or file", id="picker-search")
        table: DataTable[Text] = DataTable(id="picker-table", cursor_type="row", zebra_stripes=True)
        self._add_columns(table)
        yield table
        with PickerDetail(id="picker-detail", can_focus=False):
            yield Static("", id="picker-detail-text")
        yield Static("", id="picker-count")
        yield Footer()

    def on_mount(self) -> None:
        where = ", ".join(shown_path(p) for p in self.paths) or "nowhere (no paths given)"
        self.query_one("#picker-title", Label).update(Text.assemble(("Runbooks", "bold"), visible_line(f"  in {where}")))
        self.query_one("#picker-search", Input).focus()
        self._count()
        self.scan()

    # -- finding and checking (worker thread) ------------------------------------------

    @work(thread=True, exclusive=True, group="picker-scan")
    def scan(self) -> None:
        worker = get_current_worker()
        batch: list[Probe] = []
        sent = time.monotonic()
        for file in discover(self.paths):
            if worker.is_cancelled:
                return
            batch.append(_probe(file))
            if len(batch) >= BATCH_FILES or time.monotonic() - sent >= BATCH_SECONDS:
                self.post_message(self.Probed(batch, done=False))
                batch, sent = [], time.monotonic()
        self.post_message(self.Probed(batch, done=True))

    def on_picker_screen_probed(self, message: Probed) -> None:
        table = self.query_one("#picker-table", DataTable)
        query = self.query_one("#picker-search", Input).value
        self.probes.update((probe.file, probe) for probe in message.probes)
        self.scanning = not message.done
        places_now = places((probe.file, probe.id) for probe in self.probes.values())
        ids_now = id_width(probe.id for probe in self.probes.values())
        if places_now != self.places or ids_now != self.id_width:  # a runbook with an id already listed: the rows shown
            self.places, self.id_width = places_now, ids_now  # say where each is; a longer id: the columns change
            self._refill()
            return
        for probe in message.probes:
            if matches(probe, query):
                table.add_row(*self._cells(probe), key=probe.file)
        self._count()
        if self.shown is None:
            self._show(self._current())

    # -- the table ----------------------------------------------------------------------

    def _add_columns(self, table: DataTable[Text]) -> None:
        self.title_width = title_width(self.app.size.width, self.id_width)
        table.add_column("status", width=STATUS_WIDTH, key="status")
        table.add_column("id", width=self.id_width, key="id")
        table.add_column("title", width=self.title_width, key="title")
        self.file_width = file_width(self.app.size.width, self.id_width)
        if self.file_width is not None:  # no room: the detail pane names the file (a column off the edge showed its first letter)
            table.add_column("file", width=self.file_width, key="file")

    def on_resize(self) -> None:
        if title_width(self.app.size.width, self.id_width) != self.title_width:
            self._refill()

    def _cells(self, probe: Probe) -> tuple[Text, ...]:
        """Text, never str: DataTable reads a str as markup, and a title like "[CHG-1] ..." would vanish."""
        theme = self.app.current_theme
        tone = colour(theme, "success" if probe.ok else "error")
        status = Text(status_label(probe), style=tone if probe.ok else f"bold {tone}")
        # No title (an empty or unreadable file): its name in that column, which 80 columns show (the file column is cut).
        words = shown_title(probe)
        title = Text(words) if words else Text(visible_line(probe.file), style="italic")
        if probe.file in self.places:  # another runbook has this id: where this one is, first
            title = Text.assemble((visible_line(self.places[probe.file]), f"bold {colour(theme, 'accent')}"), " ", title)
        return status, cut(Text(visible_line(probe.id or "?")), self.id_width), cut(title, self.title_width), *self._file(probe.file)

    def _file(self, file: str) -> tuple[Text, ...]:
        """The file's cell, cut in the middle to its column (its start says where, its end which); none without one."""
        return () if self.file_width is None else (Text(cut_middle(visible_line(file), self.file_width)),)

    def _refill(self) -> None:
        """The rows again, at the title width the screen has now, the cursor kept on the runbook it was on."""
        table = self.query_one("#picker-table", DataTable)
        query = self.query_one("#picker-search", Input).value
        was_on = self._current()
        table.clear(columns=True)
        self._add_columns(table)
        for probe in self.probes.values():
            if matches(probe, query):
                table.add_row(*self._cells(probe), key=probe.file)
        if was_on is not None and was_on in table.rows:
            table.move_cursor(row=table.get_row_index(was_on))
        self._count()
        self._show(self._current())

    def _count(self) -> None:
        total = len(self.probes)
        broken = sum(1 for p in self.probes.values() if not p.ok)
        shown = self.query_one("#picker-table", DataTable).row_count
        text = f"{total} runbook{'s' if total != 1 else ''}"
        if broken:
            text += f", {broken} with errors"
        if shown != total:
            text += f"; {shown} match the search"
        if self.scanning:
            text += "; checking…"
        text += "   ·   type to search, ↑/↓ choose, enter opens"
        self.query_one("#picker-count", Static).update(Text(text))

    def _current(self) -> str | None:
        table = self.query_one("#picker-table", DataTable)
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return row_key.value

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "picker-search" and event.value == "/":
            # The footer's `/ search`, pressed where the search already has the keys: the key, not a query (`/pool`
            # matched nothing, and the list emptied). A `/` later in the query, or pasted with it, stays.
            event.input.value = ""
            return
        if event.input.id == "picker-search":
            self._refill()
            self.refresh_bindings()  # `esc clear search` comes and goes with the search

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "picker-search":
            self.action_select()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show(event.row_key.value)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self._open(event.row_key.value)

    def action_cursor(self, delta: int) -> None:
        table = self.query_one("#picker-table", DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + delta)))

    def action_search(self) -> None:
        self.query_one("#picker-search", Input).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`esc clear search` is offered while there is a search to clear; pgdn / pgup scroll the detail when it is cut."""
        if action == "detail":
            return self.query_one(PickerDetail).max_scroll_y > 0
        return bool(self.query_one("#picker-search", Input).value) if action == "clear_search" else True

    def action_detail(self, pages: int) -> None:
        self.query_one(PickerDetail).page(pages)

    def action_nothing_to_clear(self) -> None:
        self.notify("The search is empty: nothing to clear. ctrl+q quits.", timeout=4, markup=False)

    def action_clear_search(self) -> None:
        search = self.query_one("#picker-search", Input)
        search.value = ""
        search.focus()

    def action_select(self) -> None:
        file = self._current()
        if file is not None:
            self._open(file)

    def _open(self, file: str) -> None:
        """Check `file` again, then open its form; the keys typed meanwhile wait for the form (not the search field)."""
        hold_keys(self.app)
        self.select(file)

    # -- details and selection ----------------------------------------------------------

    def _show(self, file: str | None, *, refused: bool = False) -> None:
        detail = self.query_one(PickerDetail)
        if file != self.shown:
            detail.scroll_home(animate=False)  # another runbook's detail reads from its start
        self.shown = file
        text = self.query_one("#picker-detail-text", Static)
        probe = self.probes.get(file) if file else None
        detail.set_class(probe is not None and not probe.ok, "-broken")
        if probe is None:
            if self.probes:
                empty = "No runbook matches the search (escape clears it)."
            elif self.scanning:
                empty = "Looking for runbooks…"
            else:
                empty = "No runbooks (.yaml, .yml) here. Give a folder with --runbooks DIR, or a file: runbook-tui run FILE."
            text.update(Text(empty, style="italic"))
            return
        text.update(describe(probe, refused=refused))

    @work(thread=True, exclusive=True, group="picker-select")
    def select(self, file: str) -> None:
        """Check the file again, off the event loop (it may have been edited since the scan); the message handler goes on."""
        self.post_message(self.Rechecked(_probe(file)))

    def on_picker_screen_rechecked(self, message: Rechecked) -> None:
        try:
            self._rechecked(message.probe)
        finally:
            release_keys(self.app)

    def _rechecked(self, probe: Probe) -> None:
        if self.app.screen is not self:
            return  # a second enter while the first one was being checked: the form is already open
        file = probe.file
        self.probes[file] = probe
        table = self.query_one("#picker-table", DataTable)
        if file in table.rows:
            for column, value in zip(("status", "id", "title", "file"), self._cells(probe)):  # (file: when it has a column)
                table.update_cell(file, column, value)
        self._count()
        if not probe.ok:
            self._show(file, refused=True)
            self.app.bell()
            return
        self._show(file)
        if not probe.params:
            assert probe.loaded is not None
            self.on_chosen(probe.loaded)
            return
        self.app.push_screen(ParamsScreen(probe.file, probe.params, self.on_chosen, title=probe.title or probe.id))


def describe(probe: Probe, *, refused: bool = False) -> Text:
    """The detail pane: what a valid runbook is, or every error of a broken one as FILE:LINE:COL: message."""
    text = Text()
    if not probe.ok:
        count = len(probe.errors)
        if refused:
            text.append("Cannot start this runbook: ", style="bold")
        text.append(visible_line(f"{probe.file} has {count} error{'s' if count != 1 else ''}; fix the file, then select it again."), style="bold")
        for diagnostic in probe.errors:
            text.append("\n" + visible_line(str(diagnostic)))  # the file's name and the quoted values may hold escapes
        return text
    text.append(shown_title(probe) or visible_line(probe.id), style="bold")
    text.append("\n" + visible_line(f"{probe.id}  ·  {probe.file}"))  # the line break is ours, shown as one
    loaded = probe.loaded
    if loaded is not None:
        runbook = loaded.runbook
        steps = len(runbook.steps)
        ticket = runbook.ticket.id if runbook.ticket and runbook.ticket.id else "no ticket"
        text.append(visible_line(f"  ·  {steps} step{'s' if steps != 1 else ''}  ·  {ticket}"))  # the runbook's text: ESC]0; retitled the window
    if probe.params:
        names = ", ".join(p.name + ("*" if p.required and p.default is None else "") for p in probe.params)
        text.append(f"\nparameters: {names}")
        text.append("\nenter: fill in the parameters, then start", style="italic")
    else:
        text.append("\nenter: start", style="italic")
    return text


def shown_title(probe: Probe) -> str:
    """The title as it will read: rendered with the defaults when the runbook loads with them,
    else its template parts shown as `‹pool_size›` (never a raw `{{ pool_size }}`)."""
    loaded = probe.loaded
    if loaded is not None and loaded.runbook.title:
        return visible_line(loaded.runbook.title)
    return visible_line(placeholders(probe.title or ""))
