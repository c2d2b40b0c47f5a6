"""The run screen's parts. Each renders a piece of `RunState`; none of them decides anything.

Every runbook, parameter, captured and participant text goes through the
sanitiser (`visible` / `visible_line`) and is drawn as `rich.text.Text`,
never parsed as markup: a title `Restart [/] the [bold]api[/bold] pods`
shows exactly so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from runbook_tui.engine.left_out import left_out, left_out_words
from runbook_tui.engine.outcome_words import finished_said
from runbook_tui.engine.pending_captures import not_rendered_yet
from runbook_tui.engine.state import RunState
from runbook_tui.runbook.durations import timeout_words, written_duration
from runbook_tui.runbook.safe_text import visible, visible_line
from runbook_tui.ui.detail_title import fit_title
from runbook_tui.ui.end_words import skipped_words
from runbook_tui.ui.fact_line import fact_line
from runbook_tui.ui.glyphs import colour, status_text, step_looks
from runbook_tui.ui.header_people import people_row
from runbook_tui.ui.host_commands import PANE_BLOCKS, PANE_NAMES, abridged, host_blocks
from runbook_tui.ui.host_name import LABEL_ENDS
from runbook_tui.ui.how_under import how_under
from runbook_tui.ui.laid_out import laid_out_size
from runbook_tui.ui.note_line import cut_middle
from runbook_tui.ui.pane_step import pane_step, rolling_back_at
from runbook_tui.ui.step_outcome import host_results, outcome_rest, outcome_words, why_in_view
from runbook_tui.ui.verify_words import verify_words
from runbook_tui.ui.window_countdown import countdown_tone, rollback_by_words, window_left, window_words
from runbook_tui.ui.wrap import CommandText

RISK_TONE = {"low": "success", "medium": "warning", "high": "error", "critical": "error"}
#: Up to this many hosts are named on the step's title line; more are listed below its command and undo.
INLINE_HOSTS = 4
#: Host names listed below the command at most (as ui/step_outcome.py's HOSTS_SHOWN rows).
NAMES_SHOWN = 100


def _line(value: object) -> str:
    return visible_line(str(value))


def home_short(path: str) -> str:
    """`~/...` for a path under the home folder: shorter, still copyable into a shell."""
    home = str(Path.home())
    return "~" + path[len(home) :] if home != "/" and path.startswith(home + "/") else path


def _mode_words(mode: str) -> tuple[str, ...]:
    """The header's mode badge, longest first: the first that leaves room for the risk is shown."""
    if mode in ("dry-run", "practice"):
        return (f" {mode.upper()}: NOTHING IS EXECUTED ", f" {mode.upper()}: NOTHING RUNS ", f" {mode.upper()} ")
    return (f" {_line(mode).upper()} ",)


class RunHeader(Static):
    """Ticket, title, risk and mode; who is who; the last checkpoint; the countdown to the end of the window."""

    virtual_size = laid_out_size()  # set by each layout, asking for no other (ui/laid_out.py)

    _shown: list[tuple[str, list[Any]]] | None = None

    def show(self, state: RunState, now: dt.datetime, connected: Mapping[str, str], unknown_since: str | None = None, me: str | None = None) -> None:
        theme = self.app.current_theme
        session = state.session
        ticket = session.get("ticket") or {}
        line1 = Text(no_wrap=True, overflow="ellipsis")
        line1.append(f" {_line(ticket.get('id') or 'NO TICKET')} ", style=f"bold reverse {colour(theme, 'error' if not ticket else 'primary')}")
        right = Text(no_wrap=True)
        left = window_left(state, now)
        if left is not None:
            right.append(
                " · ".join(filter(None, (window_words(left, now), rollback_by_words(state, left, now)))), style=f"bold {colour(theme, countdown_tone(left))}"
            )
        elif not ticket:
            right.append("no change window", style=colour(theme, "warning"))
        risk = (ticket.get("risk") or {}).get("level")
        risk_text = Text(" RISK ")
        if risk:
            risk_text.append(_line(risk).upper(), style=f"bold {colour(theme, RISK_TONE.get(risk, 'warning'))}")
        mode = str(session.get("mode", "live"))
        if mode != "live":  # an edited journal's replay may hold any mode: shown, never obeyed
            # The mode's words give way before the risk does: at 80 columns a dry run's header read `RISK …` (its
            # level cut off by the window's date on the right).
            width = self.content_size.width or 10_000  # not laid out yet: the next show (1 s) fits it
            room = width - right.cell_len - 1 - line1.cell_len - 1 - (risk_text.cell_len if risk else 0)
            words = next((said for said in _mode_words(mode) if len(said) <= room), _mode_words(mode)[-1])
            line1.append(" ")
            line1.append(words, style=f"bold reverse {colour(theme, 'warning')}")
        if risk:
            line1.append_text(risk_text)
        line1.append(f"  {_line(session.get('title', ''))}", style="bold")
        width = self.content_size.width
        marks = self._marks(state)
        line2 = people_row(state, connected, theme, width, marks, unknown_since, me)
        if width and line2.cell_len + marks.cell_len > width:  # the checkpoint's id cut in the middle, not at its end
            marks = self._marks(state, room=width - line2.cell_len)
        line2.append_text(marks)
        shown = [(part.plain, part.spans) for part in (line1, right, line2)]
        if shown == self._shown:
            return  # the 1 s tick redraws the header only when a word or colour changed
        self._shown = shown
        grid = Table.grid(expand=True, padding=(0, 1))
        grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        grid.add_column(justify="right", no_wrap=True)
        grid.add_row(line1, right)
        self.update(Group(grid, line2), layout=False)  # always two lines (app.tcss): no layout of the screen

    def _marks(self, state: RunState, room: int | None = None) -> Text:
        """The last checkpoint (where `u` goes back to) and the change's alert silences, after who is who. In `room`
        cells the checkpoint's id keeps its start and its end (cut at the row's end, `restart-db-primary-replica-1`
        and `-2` both read `restart-db-primar…`: which one `u` goes back to was not said)."""
        theme = self.app.current_theme
        marks = Text(end="")
        checkpoint = state.checkpoint
        silences = f"   🔕 {len(state.silences)} alert silence{'s' if len(state.silences) > 1 else ''}" if state.silences else ""
        missing = 0 if state.finished else len(state.silences_missing)
        unmade = f"   🔔 {missing} alert silence{'s' if missing > 1 else ''} NOT made" if missing else ""
        gone = 0 if state.finished else len(state.silences_gone)
        unmade += f"   🔔 {gone} alert silence{'s' if gone > 1 else ''} expired early" if gone else ""
        if checkpoint and (checkpoint not in state.steps or state.steps[checkpoint].status != "undone"):
            said, shown = "   ⚑ last checkpoint: ", _line(checkpoint)
            if room is not None:
                if room - cell_len(said + silences + unmade) < min(cell_len(shown), 12):  # 60 columns: `checkpoint: …`
                    said = "  ⚑ "  # the flag alone, as the step list marks a checkpoint: the id keeps the room
                shown = cut_middle(shown, max(room - cell_len(said) - cell_len(silences) - cell_len(unmade), 12))
            marks.append(said + shown, style=colour(theme, "secondary"))
        if silences:  # Alertmanager silences made for this change (journal: silence_created)
            marks.append(silences, style=colour(theme, "secondary"))
        if unmade:  # its alerts page (not made, or expired by someone else): before, only a line in the log said so
            marks.append(unmade, style=colour(theme, "warning"))
        return marks


#: Short (app.tcss `RunView.short`): the output pane's least height and the metric area's (its rule and the first panel).
SHORT_OUTPUT_ROWS = 7
SHORT_METRICS_ROWS = 2


class RightColumn(Vertical):
    """The detail, output and metric panes. Short, the detail pane's cap (55 % of the column) also leaves the output's
    rows and the first metric panel their room: a shared run's foot (address and host key, three rows at 80 columns)
    and a two-row status took it, and the metric area, below the column's foot, drew its rule and no panel at all."""

    virtual_size = laid_out_size()  # set by each layout, asking for no other (ui/laid_out.py)

    def on_resize(self) -> None:  # the terminal's size, or the status stack's or the foot's height, changed
        self.fit_detail()

    def fit_detail(self) -> None:
        detail = self.query_one("#detail")
        if not self.screen.has_class("short") or not self.size.height:  # not laid out yet: its Resize comes
            if detail.styles.inline.has_rule("max_height"):  # (clearing it lays the screen out again, set or not)
                detail.styles.max_height = None  # the stylesheet's cap
            return
        # The metric area's rows as it is laid out (one per row of panels, and its rule): with the step list shown it
        # goes to one column and grows, and with only SHORT_METRICS_ROWS kept for it, it went past the column's foot,
        # its last panel under the journal's line, uncounted (`m`: every panel is in view).
        metrics = self.query("#metrics")
        wanted = max(SHORT_METRICS_ROWS, metrics.first().outer_size.height) if metrics else 0
        room, share = self.size.height - SHORT_OUTPUT_ROWS - wanted, self.size.height * 55 // 100
        # Past its share only to show the step's title, command and undo whole (a long id on its own rows, a two-row
        # title and a host's undo went one row past the share at 80x24): the output keeps its six lines even then.
        head = self.query_one(StepDetail).head_rows() + detail.styles.gutter.height
        cap = max(3, head if share < head <= room else min(share, room))
        if detail.styles.max_height is None or detail.styles.max_height.value != cap:
            detail.styles.max_height = cap


class DetailScroll(VerticalScroll):
    """The detail pane's frame: its title names the step and, when the step does not fit, says so and how to see it
    all (on the top border: at 80x24 the pane has no bottom border for a subtitle)."""

    virtual_size = laid_out_size()  # set by each layout, asking for no other (ui/laid_out.py)

    _step = ("", "")
    _hidden = 0
    _title = ""
    #: Whether the title holds the step's id whole (detail_title.py): when not, the pane's first line names it.
    id_whole = True

    def titled(self, place: str, step_id: str = "") -> None:
        """`step 5/9 · reload`: the step's place and id (the id whole, see detail_title.py); `finished`, no id, after
        the last step (the title went on naming the last step after the run had ended), `every step done` while it is open."""
        self._step = (place, step_id)
        self._retitle(drawing=True)

    def on_resize(self) -> None:  # the terminal's size changed
        self._measure()

    def watch_virtual_size(self) -> None:  # the step's text grew or shrank (no Resize comes while the pane's own height stays)
        self._measure()

    def _measure(self) -> None:
        self._hidden = max(self.virtual_size.height - self.scrollable_content_region.height, 0)
        self._retitle()

    def _retitle(self, *, drawing: bool = False) -> None:
        place, step_id = self._step
        width = self.outer_size.width
        sides = sum(1 for edge in (self.styles.border_left, self.styles.border_right) if edge[0] not in ("", "none", "hidden"))
        # Textual's room for a border title: the edge less a cell each side, and two per corner (a blank and the corner).
        title, whole = fit_title(place, step_id, self._hidden, width - 2 - 2 * sides if width else None)
        if title != self._title:  # setting it refreshes the pane: a resize that hides nothing more redraws nothing
            self._title = self.border_title = title
        if whole != self.id_whole:
            self.id_whole = whole
            if not drawing:  # resized: the step drawn again, with or without its id on the first line
                self.query_one(StepDetail).again()


class StepDetail(Static):
    """The current step: title, id, where it runs, the command in full, its undo, who confirms; per-host results."""

    virtual_size = laid_out_size()  # set by each layout, asking for no other (ui/laid_out.py)

    _shown: tuple[Any, ...] | None = None
    _drawn_from: tuple[RunState, str | None] | None = None
    _title_line: tuple[str, bool, int] = ("", False, 0)  # the title line's text as last drawn, and the width the why was cut to
    head: RenderableType | None = None  # the step's title, command and undo as drawn (read_first.py: a run key needs them in view)
    head_of: str | None = None  # the step `head` is of
    abridged = False  # `head` leaves some hosts' commands to `v` (ui/host_commands.py): the run keys show them first
    _head_rows: tuple[RenderableType | None, int, int] = (None, 0, 0)  # the head and width `head_rows` measured, and its rows
    me: str | None = None  # whose screen it is (the verifier's): their own word reads `✗ rejected by you`

    def on_resize(self) -> None:
        """Drawn before its width was known (the first frame) or resized: drawn again now, not at the next key (a `p`
        that merely pauses would pay for laying out the screen)."""
        if self._drawn_from is None or self._shown is None:
            return
        state, step_id = self._drawn_from
        if self._shown[-1] != self._width_used(state.plan_steps.get(step_id or "")):
            self.show(state, step_id)

    def _width_used(self, entry: Mapping[str, Any] | None) -> int:
        """The width the text is made for: where the title line's facts break (fact_line.py), and whether a step's
        folder fits on it."""
        return self.size.width if entry else 0

    def head_rows(self) -> int:
        """The rows the step's title, command and undo (`head`) take at the pane's width; 0 before the first step."""
        if self.head is None or not self.size.width:
            return 0
        if self._head_rows[0] is not self.head or self._head_rows[1] != self.size.width:
            console = self.app.console
            rows = len(console.render_lines(self.head, console.options.update_width(self.size.width), pad=False))
            self._head_rows = (self.head, self.size.width, rows)
        return self._head_rows[2]

    def again(self) -> None:
        """Drawn again from what it was drawn from: the title could not hold the id (or now can)."""
        if self._drawn_from is not None:
            self._shown = None
            self.show(*self._drawn_from)

    def show(self, state: RunState, step_id: str | None) -> None:
        self._drawn_from = (state, step_id)
        theme = self.app.current_theme
        # What the pane is drawn from: unchanged (a pause, a note), it is not drawn again (nor the screen laid out).
        # The step's output is not drawn here: a step printing does not redraw (nor lay out) the pane at each key.
        step = state.steps.get(step_id or "")
        drawn = None if step is None else (step.status, step.rendered, step.commands, step.problems, step.hosts, step.waves, step.wave_awaiting)
        decided = None if step is None else (step.decided_by, step.decided_at, step.decision, step.reason, step.go_ahead_void, self.me)
        plan_entry = state.plan_steps.get(step_id or "")
        paused = state.paused and step_id is None  # said only with every step done: a pause redraws no step (nor lays out)
        shown: tuple[Any, ...] = (step_id, drawn, decided, plan_entry, state.outcome, state.solo, paused)
        shown += (len(state.order), tuple(state.rollback_order), theme.name, self._width_used(plan_entry), rolling_back_at(state) == step_id)
        if shown == self._shown:
            return
        # Laid out at another width, the rest as drawn: drawn again only if the title line comes out otherwise (the first
        # frame drew the pane before its width was known; drawing it again, the same, laid the screen out once more).
        resized = self._shown is not None and shown[:-2] == self._shown[:-2] and shown[-1] == self._shown[-1]
        self._shown = shown
        if step_id is None:
            # Every step done is not the run finished: a paused run ends when resumed, unmet criteria keep it open (the
            # title read `finished` over a run that was not).
            if isinstance(self.parent, DetailScroll):
                self.parent.titled("finished" if state.finished else "every step done" if state.order else "waiting for the run")
            said = finished_said(state) if state.outcome else ""
            words = f"Session finished: {said}." if said else "Every step is done." + (" The run is paused: it finishes when resumed." if paused else "")
            words = words if state.order else "Nothing of the run received yet."  # a verifier's replica before the first event
            ended = Text(visible_line(words), style="bold")  # the acceptance reason is a person's text
            self.update(Group(ended, Text(skipped, style=colour(theme, "warning"))) if (skipped := skipped_words(state, self.me)) else ended)
            return
        entry = plan_entry or {}
        step = state.steps[step_id]
        ids = list(state.order) + list(state.rollback_order)
        position = f"{ids.index(step_id) + 1}/{len(state.order)}" if step_id in state.order else "rollback"
        title = Text()
        title.append(_line(step.rendered.get("title") or not_rendered_yet(str(entry.get("title", step_id)), state.plan_steps)), style="bold")
        # a go-ahead refused: not `✗ REJECTED`
        status = status_text(step_looks(step), theme)
        if isinstance(self.parent, DetailScroll):  # the pane's title: the id, as replay's g and the journal name it
            current = f"current: '{_line(state.current)}'" if state.current else "the run is over" if state.finished else "every step done"
            undoing = rolling_back_at(state) == step_id and step_id not in state.rollback_order  # ui/pane_step.py
            looking = " · its undo runs" if undoing else "" if step_id in (state.current, pane_step(state)) else f" · only looking ({current})"  # ↑↓
            self.parent.titled(f"step {position}{looking}", _line(step_id))
        hosts = [_line(h.get("path") or h["name"]) for h in entry.get("hosts", [])]  # `db1 via bastion1`
        listed_below = entry.get("on") != "local" and len(hosts) > INLINE_HOSTS
        where = f"on {_line(entry.get('on'))}" + (f" ({', '.join(hosts)})" if entry.get("on") != "local" and hosts else "")
        if entry.get("kind") in ("note", "ask", "wait"):
            where = ""  # done by a person, or a wait: it runs nowhere (it said `on local`)
        if listed_below:  # forty hosts filled the pane and pushed the command out of view: they go below it
            where = f"on {_line(entry.get('on'))} ({len(hosts)} hosts, listed below)"
        facts = [_line(entry.get("section", "")), where, verify_words(state, entry.get("verify"))]
        under = how_under(state, as_shown := step_as_shown(state, step_id))  # said under the command, the folder too
        cwd = f"{where} in {home_short(_line(entry['cwd']))}" if entry.get("cwd") and not under else where
        if len(title.plain) + 2 + status.cell_len + len("  " + " · ".join(facts)) + len(cwd) - len(where) <= max(self.size.width, 1):
            facts[1] = cwd  # the folder too, when it fits on the line (the details and the journal have it always)
        if entry.get("checkpoint"):
            facts.insert(0, "⚑ CHECKPOINT")
        if entry.get("timeout"):
            facts.append(timeout_words(entry["timeout"], entry.get("undo")))
        if entry.get("serial"):
            facts.append("serial " + ", ".join(_line(s) for s in entry["serial"]))
        if entry.get("max_fail"):  # the failure budget beside the waves (it was in the whole-step dialog only)
            facts.append(f"max_fail {_line(entry['max_fail'])}")
        if left := left_out(state, step_id):  # an earlier step failed on them: not run here (the hosts above name them)
            facts.append(_line(left_out_words(left)))
        muted = colour(theme, "muted")  # each fact whole on a line when the pane is narrow (fact_line.py)
        title = fact_line(title, [status, *(Text(f, style=muted) for f in facts if f)], self.size.width, self.app.console)
        # Why it stands so (`✗ local: exit code 3`, `✗ rejected by bob`, its reason) above the command: under a 2,000-line
        # `run:` it was below the pane's end, at 140x45 too (ui/step_outcome.py); cut to rows when long, whole under the undo.
        above, below = why_in_view(outcome_words(step, theme, self.me), self.size.width, self.app.console, theme)
        # A why cut to rows is cut to this width, and the id named on the first line is labelled for it (`(id)`).
        named_here = isinstance(self.parent, DetailScroll) and not self.parent.id_whole
        laid = (title.plain, bool(below), self.size.width if below or named_here else 0)
        if resized and laid == self._title_line:
            return
        self._title_line = laid
        lines: list[RenderableType] = [title]
        if isinstance(self.parent, DetailScroll) and not self.parent.id_whole:  # the border could not hold it whole
            # The id first (`id: ` before it put a long id on the next line, `id:` alone above it), folded only where
            # it is wider than the pane; `(step id)` after it, `(id)` where its last row has room for that only (a row
            # of its own was the row that cut the undo at 80x24), or under it (it folded in two, `…primary  (step` over
            # `id)`).
            named = Text(_line(step_id), style=f"bold {colour(theme, 'secondary')}", overflow="fold")
            width = max(self.size.width, 1)
            last = cell_len(named.plain) % width or width
            label = next((said for said in ("  (step id)", " (id)") if last + len(said) <= width), "\n(step id)")
            lines.insert(0, named.append(label, style=colour(theme, "muted")))
        lines += above + _body(as_shown, under)
        self.head, self.head_of = Group(*lines), step_id
        self.abridged = any(abridged(as_shown.get(kind)) for kind in ("run", "undo") if isinstance(as_shown.get(kind), Mapping))
        if isinstance(column := self.parent.parent if self.parent else None, RightColumn):  # the pane's cap follows the head
            column.fit_detail()
        lines += below + outcome_rest(step, theme)
        if not host_results(step) and listed_below:
            more = f" and {len(hosts) - NAMES_SHOWN:,} more" if len(hosts) > NAMES_SHOWN else ""
            lines.append(CommandText(f"{', '.join(hosts[:NAMES_SHOWN])}{more}", style=colour(theme, "muted"), prefix="hosts: ", indent=0, breaks=LABEL_ENDS))
        self.update(Group(*lines))


def _body(entry: Mapping[str, Any], under: list[RenderableType]) -> list[RenderableType]:
    """The step's command, `under` it (`how_under`), its undo."""
    lines: list[RenderableType] = []
    kind = entry.get("kind")
    if kind == "run":
        commands = entry.get("run") or {}
        distinct = set(commands.values())
        if not distinct:  # every host left out (an earlier step failed on each): the status row says why
            lines.append(Text("run:  nowhere: every host is left out"))
        elif len(distinct) == 1:
            lines.append(CommandText(str(distinct.pop()), prefix="run:  "))
        else:  # a block per command, the first in the pane (`abridged`): every one with `v`
            lines += host_blocks("run", commands, PANE_BLOCKS, PANE_NAMES, inline=True)
        lines += under
    elif kind == "wait":
        lines.append(Text(f"wait {written_duration(entry.get('wait') or 0)}"))
    elif kind in ("note", "ask"):
        lines.append(Text(f"{kind}:  {visible(str(entry.get(kind)))}"))
    undo = entry.get("undo")
    if undo:
        values = set(undo.values())
        if len(values) == 1:
            lines.append(CommandText(str(values.pop()), prefix="undo: "))
        else:
            lines += host_blocks("undo", undo, PANE_BLOCKS, PANE_NAMES, inline=True)
    elif kind in ("run", "note"):
        lines.append(Text("undo: (none)"))
    if entry.get("confirm"):
        lines.append(Text(f"confirm: {visible(str(entry['confirm']))}", style="bold"))
    return lines


def step_as_shown(state: RunState, step_id: str) -> dict[str, Any]:
    """The step's plan entry with what the journal rendered for it (step_ready/step_started: what everyone sees,
    rendered once, captures filled in), the last one journaled: the commands as they ran (step_started), or as they
    run next (a step_ready after, a rollback having undone it), never the one's command beside the other's undo: the
    detail pane, the copy key and the acknowledgement dialog all show this."""
    plan = state.plan_steps
    entry = dict(plan.get(step_id, {}))
    for key in ("title", "note", "ask", "confirm"):  # a step not rendered yet: `{{ captured.x }}` in words (`not_rendered_yet`)
        if isinstance(entry.get(key), str):
            entry[key] = not_rendered_yet(entry[key], plan)
    for key in ("run", "undo"):
        if isinstance(entry.get(key), Mapping):
            entry[key] = {host: not_rendered_yet(str(text), plan) for host, text in entry[key].items()}
    step = state.steps[step_id]
    if step.rendered:
        rendered = step.rendered
        entry.update({k: rendered[k] for k in ("undo", "confirm", "title", "env") if k in rendered})
        if "commands" in rendered:
            entry["run"] = dict(rendered["commands"])
        if "text" in rendered and entry.get("kind") in ("note", "ask"):
            entry[str(entry["kind"])] = rendered["text"]
    if step.commands and "commands" not in step.rendered:
        entry["run"] = dict(step.commands)  # as it ran (a step_started carries them as rendered; a later step_ready the next run's)
    return entry
