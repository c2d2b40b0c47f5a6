"""The run screen's parts. Each renders a piece of `RunState`; none of them decides anything.

Every runbook, parameter, captured and participant text goes through the
sanitiser (`visible` / `visible_line`) and is drawn as `rich.text.Text`,
never parsed as markup: a title `Restart [/] the [bold]api[/bold] pods`
shows exactly so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.events import Resize
from textual.widget import Widget
from textual.widgets import DataTable, Static
from textual.widgets.data_table import RowKey

from runbook_tui.engine.state import RunState
from runbook_tui.runbook.durations import format_duration
from runbook_tui.runbook.safe_text import visible, visible_line
from runbook_tui.ui.glyphs import colour, status_text
from runbook_tui.ui.status_stack import countdown_tone, window_left, window_words
from runbook_tui.ui.wrap import CommandText

RISK_TONE = {"low": "success", "medium": "warning", "high": "error", "critical": "error"}
#: Statuses whose problems the detail pane lists (an undone step's old failure is history).
TROUBLED = frozenset({"failed", "timed_out", "rejected", "unknown"})


def _line(value: object) -> str:
    return visible_line(str(value))


#: Ids longer than this are cut in the step list (the detail pane's title shows the whole id).
ID_COLUMN = 18
#: Cells the status mark takes in the step list; the key of its one column.
STATUS_WIDTH = 2
ROW_COLUMN = "step"


def _short_id(step_id: str) -> str:
    shown = _line(step_id)
    return shown if len(shown) <= ID_COLUMN else shown[: ID_COLUMN - 1] + "…"


def home_short(path: str) -> str:
    """`~/...` for a path under the home folder: shorter, still copyable into a shell."""
    home = str(Path.home())
    return "~" + path[len(home) :] if home != "/" and path.startswith(home + "/") else path


class RunHeader(Static):
    """Ticket, title, risk and mode; who is who; the last checkpoint; the countdown to the end of the window."""

    _shown: list[tuple[str, list[Any]]] | None = None

    def show(self, state: RunState, now: dt.datetime, connected: Mapping[str, str]) -> None:
        theme = self.app.current_theme
        session = state.session
        ticket = session.get("ticket") or {}
        line1 = Text(no_wrap=True, overflow="ellipsis")
        line1.append(f" {_line(ticket.get('id') or 'NO TICKET')} ", style=f"bold reverse {colour(theme, 'error' if not ticket else 'primary')}")
        mode = str(session.get("mode", "live"))
        if mode != "live":
            words = f" {mode.upper()}: NOTHING IS EXECUTED " if mode in ("dry-run", "practice") else f" {mode.upper()} "
            line1.append(" ")
            line1.append(words, style=f"bold reverse {colour(theme, 'warning')}")
        risk = (ticket.get("risk") or {}).get("level")
        if risk:
            line1.append(" RISK ")
            line1.append(_line(risk).upper(), style=f"bold {colour(theme, RISK_TONE.get(risk, 'warning'))}")
        line1.append(f"  {_line(session.get('title', ''))}", style="bold")
        right = Text(no_wrap=True)
        left = window_left(state, now)
        if left is not None:
            right.append(window_words(left, now), style=f"bold {colour(theme, countdown_tone(left))}")
        elif not ticket:
            right.append("no change window", style=colour(theme, "warning"))
        line2 = Text(no_wrap=True, overflow="ellipsis")
        planned = session.get("planned_assignee")
        ran_by = session.get("assignee") or "?"
        if planned and planned != ran_by:  # the ticket planned someone else: say both
            line2.append(f" planned: {_line(planned)}, ran by: ")
        else:
            line2.append(" assignee ")
        line2.append(_line(ran_by), style="bold")
        if session.get("solo"):
            line2.append(f"  SOLO ({_line(session['solo'])}): unverified", style=colour(theme, "warning"))
        else:
            joined = [name for name, role in connected.items() if role == "verifier"]
            verifier = session.get("verifier") or (", ".join(joined) if joined else "?")
            line2.append(f" ▸ verifier {_line(verifier)} ")
            online = bool(joined)
            line2.append("connected" if online else "not connected", style=colour(theme, "success" if online else "warning"))
        checkpoint = state.checkpoint
        if checkpoint and (checkpoint not in state.steps or state.steps[checkpoint].status != "undone"):
            line2.append(f"   ⚑ last checkpoint: {_line(checkpoint)}", style=colour(theme, "secondary"))
        if state.silences:  # Alertmanager silences made for this change (journal: silence_created)
            line2.append(f"   🔕 {len(state.silences)} alert silence{'s' if len(state.silences) > 1 else ''}", style=colour(theme, "secondary"))
        shown = [(part.plain, part.spans) for part in (line1, right, line2)]
        if shown == self._shown:
            return  # the 1 s tick redraws the header only when a word or colour changed
        self._shown = shown
        grid = Table.grid(expand=True, padding=(0, 1))
        grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        grid.add_column(justify="right", no_wrap=True)
        grid.add_row(line1, right)
        self.update(Group(grid, line2), layout=False)  # always two lines (app.tcss): no layout of the screen


class StepTable(DataTable[Any]):
    """Every step with its status, id and title; the current one is highlighted.

    One cell per row, laid out as three columns would be (status, id, title, each padded as DataTable pads
    a cell): the table measures and draws a third of the cells it would with three, which is most of the run
    screen's first frame on a long runbook. The title takes the room there is (the pane is narrowed, or hidden,
    on small terminals).
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row")
        self._titles: dict[str, str] = {}
        self._statuses: dict[str, tuple[str, str]] = {}  # (status, theme) shown per row: unchanged rows are not redrawn
        self._state: RunState | None = None
        self._titles_width = 0
        self._resized_width = -1
        self._drawn_widths: list[int] = []  # the column widths the drawn rows have (see `_update_dimensions`)
        self._id_width = 2
        self._looks: dict[tuple[str, str], tuple[Text, str]] = {}  # (status, theme) -> the status mark and the muted colour

    def on_mount(self) -> None:
        self.add_column(self._header(), key=ROW_COLUMN)

    def on_resize(self, event: Resize) -> None:
        if event.size.width == self._resized_width:
            # Only the height changed (the status stack above came or went): every drawn row is still right, so
            # DataTable's own handler, which throws them all away, is skipped.
            event.prevent_default()
            return
        self._resized_width = event.size.width
        self.call_after_refresh(self.show_titles)

    def _header(self) -> Text:
        return Text(" " * (STATUS_WIDTH + 2) + "id".ljust(self._id_width) + "  step", no_wrap=True)  # the three labels

    def show(self, state: RunState) -> None:
        theme = self.app.current_theme
        ids = list(state.order) + list(state.rollback_order)
        self._state = state
        if self.row_count != len(ids):
            self._fill(state, ids)
        else:
            self.show_titles()
        for sid in ids:
            shown = (state.steps[sid].status, theme.name)
            if self._statuses.get(sid) != shown:
                self._statuses[sid] = shown
                self._redraw(sid, state)
        current = state.current
        if current is not None:
            row = self.get_row_index(current)
            if self.cursor_row != row:
                self.move_cursor(row=row)

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """Textual's DataTable widens a column on idle but keeps the rows it drew with the old widths (its row caches
        are keyed without them) until something resizes it: drop them when a width changed, so a title never shows cut."""
        super()._update_dimensions(new_rows)
        widths = [column.content_width for column in self.columns.values()]
        if widths != self._drawn_widths:
            self._drawn_widths = widths
            self._update_count += 1
            self.refresh()

    def _fill(self, state: RunState, ids: list[str]) -> None:
        """Every row with its status and title in one pass (the first frame draws them; nothing is updated row by row)."""
        theme = self.app.current_theme
        id_width = max([len("id"), *(cell_len(_short_id(sid)) for sid in ids)])
        self.clear(columns=id_width != self._id_width)  # the header's labels move with the id's width
        if not self.columns:
            self._id_width = id_width
            self.add_column(self._header(), key=ROW_COLUMN)
        self._titles.clear()
        self._statuses.clear()
        room = self._title_room()
        rollback = set(state.rollback_order)
        plan = state.plan_steps  # made on each read: once for all rows
        for sid in ids:
            self._statuses[sid] = (state.steps[sid].status, theme.name)
            self._titles[sid] = self._title_words(state, plan, sid, rollback, room)
            self.add_row(self._row(sid, rollback), key=sid)

    def _row(self, sid: str, rollback: set[str] | frozenset[str]) -> Text:
        """Status mark, id and title, each where its column would be."""
        status, theme_name = self._statuses[sid]
        looks = self._looks.get((status, theme_name))
        if looks is None:  # made once per status and theme, not per row
            theme = self.app.current_theme
            looks = self._looks[(status, theme_name)] = (status_text(status, theme, with_label=False), colour(theme, "muted"))
        mark, muted = looks
        row = Text(no_wrap=True)
        row.append_text(mark)
        row.append(" " * (STATUS_WIDTH - row.cell_len) + "  ")
        short = _short_id(sid)
        row.append(short + " " * (self._id_width - cell_len(short)) + "  ")
        row.append(self._titles[sid], style=muted if sid in rollback else "")
        return row

    def _redraw(self, sid: str, state: RunState, *, width_changes: bool = False) -> None:
        self.update_cell(sid, ROW_COLUMN, self._row(sid, set(state.rollback_order)), update_width=width_changes)

    def _title_room(self) -> int | None:
        """Columns left for the titles after the status and id; None before the table has a width
        (titles are then left whole: the pane's edge clips them until the first resize cuts them)."""
        width = self.scrollable_content_region.width if self.is_mounted else 0
        self._titles_width = width
        if not width:
            return None
        return max(width - 2 - self._id_width - 6, 8)

    @staticmethod
    def _title_words(state: RunState, plan: Mapping[str, Mapping[str, Any]], sid: str, rollback: set[str], room: int | None) -> str:
        entry = plan.get(sid, {})
        title = state.steps[sid].rendered.get("title") or entry.get("title") or sid  # a title with captured.*: as rendered for its step
        words = ("↩ " if sid in rollback else "") + ("⚑ " if entry.get("checkpoint") else "") + _line(title)
        return words[: room - 1] + "…" if room is not None and len(words) > room else words

    def show_titles(self) -> None:
        """Titles cut to the width left after the status and id (they would widen the table otherwise)."""
        state = self._state
        if state is None or not self.is_mounted:
            return
        rollback = set(state.rollback_order)
        ids = list(state.order) + list(state.rollback_order)
        if self.scrollable_content_region.width != self._titles_width:  # cut for another width: cut again
            self._titles.clear()
        room = self._title_room()
        plan = state.plan_steps
        for sid in ids:
            words = self._title_words(state, plan, sid, rollback, room)
            if self._titles.get(sid) == words:
                continue
            self._titles[sid] = words
            self._redraw(sid, state, width_changes=True)


class StepDetail(Static):
    """The current step: title, id, where it runs, the command in full, its undo, who confirms; per-host results."""

    _shown: tuple[Any, ...] | None = None

    def show(self, state: RunState, step_id: str | None) -> None:
        theme = self.app.current_theme
        # What the pane is drawn from: unchanged (a pause, a note), it is not drawn again (nor the screen laid out).
        shown: tuple[Any, ...] = (step_id, state.steps.get(step_id or ""), state.plan_steps.get(step_id or ""), state.outcome, state.solo)
        shown += (len(state.order), tuple(state.rollback_order), theme.name, self.size.width)
        if shown == self._shown:
            return
        self._shown = shown
        if step_id is None:
            words = f"Session finished: {state.outcome}." if state.outcome else "Every step is done."
            self.update(Text(words, style="bold"))
            return
        entry = state.plan_steps.get(step_id, {})
        step = state.steps[step_id]
        ids = list(state.order) + list(state.rollback_order)
        position = f"{ids.index(step_id) + 1}/{len(state.order)}" if step_id in state.order else "rollback"
        title = Text()
        title.append(_line(step.rendered.get("title") or entry.get("title", step_id)), style="bold")
        title.append("  ")
        title.append_text(status_text(step.status, theme))
        if isinstance(self.parent, Widget):  # the pane's title: the id, as replay's g and the journal name it
            self.parent.border_title = f"step {position} · {_line(step_id)}"
        hosts = [_line(h.get("path") or h["name"]) for h in entry.get("hosts", [])]  # `db1 via bastion1`
        where = f"on {_line(entry.get('on'))}" + (f" ({', '.join(hosts)})" if entry.get("on") != "local" and hosts else "")
        verify = (
            "unverified (solo)"
            if state.solo
            else f"verifier confirms {_line(entry.get('verify'))}"
            if entry.get("verify") not in (None, "none")
            else "no verifier check"
        )
        facts = [_line(entry.get("section", "")), where, verify]
        cwd = f"{where} in {home_short(_line(entry['cwd']))}" if entry.get("cwd") else where
        if len(title.plain) + len("  " + " · ".join(facts)) + len(cwd) - len(where) <= max(self.size.width, 1):
            facts[1] = cwd  # the folder too, when it fits on the line (the details and the journal have it always)
        if entry.get("checkpoint"):
            facts.insert(0, "⚑ CHECKPOINT")
        if entry.get("timeout"):
            facts.append(f"timeout {format_duration(entry['timeout'])}")
        if entry.get("serial"):
            facts.append("serial " + ", ".join(_line(s) for s in entry["serial"]))
        title.append("  " + " · ".join(f for f in facts if f), style=colour(theme, "muted"))  # wraps when the pane is narrow
        lines: list[RenderableType] = [title]
        lines += _body(step_as_shown(state, step_id))
        if step.status in TROUBLED:
            for problem in step.problems:
                lines.append(Text(f"✗ {visible(problem)}", style=f"bold {colour(theme, 'error')}"))
        if step.decided_by:
            lines.append(Text(visible_line(_decision(step)), style="bold"))
        if step.reason:
            lines.append(Text(f"reason: {visible(step.reason)}", style=colour(theme, "warning")))
        if step.wave_awaiting is not None:
            lines.append(Text(f"wave {step.wave_awaiting} of {len(step.waves)}+ done: the next waits for the verifier", style=colour(theme, "warning")))
        if len(step.hosts) > 1 or any(h.error for h in step.hosts.values()):
            lines.append(_hosts(step, theme))
        self.update(Group(*lines))


def _body(entry: Mapping[str, Any]) -> list[RenderableType]:
    lines: list[RenderableType] = []
    kind = entry.get("kind")
    if kind == "run":
        commands = entry.get("run") or {}
        distinct = set(commands.values())
        if len(distinct) == 1:
            lines.append(CommandText(str(distinct.pop()), prefix="run:  "))
        else:
            lines += [CommandText(str(cmd), prefix=f"run on {_line(host)}:  ") for host, cmd in commands.items()]
    elif kind == "wait":
        lines.append(Text(f"wait {format_duration(entry.get('wait') or 0)}"))
    elif kind in ("note", "ask"):
        lines.append(Text(f"{kind}:  {visible(str(entry.get(kind)))}"))
    undo = entry.get("undo")
    if undo:
        values = set(undo.values())
        if len(values) == 1:
            lines.append(CommandText(str(values.pop()), prefix="undo: "))
        else:
            lines += [CommandText(str(cmd), prefix=f"undo on {_line(host)}: ") for host, cmd in undo.items()]
    elif kind in ("run", "note"):
        lines.append(Text("undo: (none)"))
    if entry.get("confirm"):
        lines.append(Text(f"confirm: {visible(str(entry['confirm']))}", style="bold"))
    return lines


def _hosts(step: Any, theme: Any) -> Table:
    """Per-host results; with `serial:` each wave's hosts as a group."""
    table = Table.grid(padding=(0, 2))
    waves = step.waves or (tuple(step.hosts),)
    for number, wave in enumerate(waves, 1):
        if len(step.waves) > 1:
            table.add_row(Text(f"wave {number}", style="bold"), "", "", "")
        for host in wave:
            result = step.hosts.get(host)
            if result is not None:
                code = "" if result.exit_code is None else f"exit {result.exit_code}"
                table.add_row(Text(_line(host)), status_text(result.status, theme), code, Text(visible(result.error or "")))
    return table


def _decision(step: Any) -> str:
    """Who decided on the step, named, with the time: "✓ confirmed by bob 02:13:05" (what was decided,
    whatever the status is now: a rejected step that was then undone still names who rejected it)."""
    mark = "✗" if step.decision == "rejected" else "✓"
    return f"{mark} {step.decision or 'decided'} by {step.decided_by} {_time_of(step.decided_at)}"


def _time_of(ts: str | None) -> str:
    """The journal's UTC time of day (02:13:05), as the journal and the report show it."""
    return str(ts or "")[11:19]


def step_as_shown(state: RunState, step_id: str) -> dict[str, Any]:
    """The step's plan entry with what the journal rendered for it (step_ready/step_started: what everyone sees,
    rendered once, captures filled in) and the commands as they ran: the detail pane, the copy key and the
    acknowledgement dialog all show this."""
    entry = dict(state.plan_steps.get(step_id, {}))
    step = state.steps[step_id]
    if step.rendered:
        rendered = step.rendered
        entry.update({k: rendered[k] for k in ("undo", "confirm", "title") if k in rendered})
        if "commands" in rendered:
            entry["run"] = dict(rendered["commands"])
        if "text" in rendered and entry.get("kind") in ("note", "ask"):
            entry[str(entry["kind"])] = rendered["text"]
    if step.commands:
        entry["run"] = dict(step.commands)  # as it ran
    return entry
