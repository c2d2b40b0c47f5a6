"""The view both run screens share (`RunView`): the assignee's (`run_screen.RunScreen`) and the verifier's.

It renders a run's state (the controller's, or the verifier's replica) and sends intents; it never runs a command or
touches the journal itself. Events arrive synchronously from the source; the screen collects them and asks for one
coalesced repaint (`repaint.py`), so a step printing a million lines cannot drown the keyboard, and a key's effect shows
in the next frame.

The layout adapts (see `fit_layout` and app.tcss): below `NARROW_COLUMNS`
the step list is hidden (`l` shows it) so the detail pane has the width for
the whole command; below `SHORT_ROWS` the panes lose their side borders and
the metric panels become one line each, so the command, its undo and at
least six lines of output stay on screen at 80x24.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Protocol

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.events import Resize, ScreenResume
from textual.widgets import Static

from runbook_tui.engine import events as ev
from runbook_tui.engine.backlog import PANE_LINES
from runbook_tui.engine.controller import Reply
from runbook_tui.engine.events import Event
from runbook_tui.engine.keys_first import KEYS
from runbook_tui.engine.state import RunState
from runbook_tui.runbook.safe_text import visible_line
from runbook_tui.ui.footer import KeyFooter
from runbook_tui.ui.log_lines import last_log_lines, log_lines, raw_output_prefix
from runbook_tui.ui.note_line import NoteLine
from runbook_tui.ui.output_pane import OutputLog
from runbook_tui.ui.pane_step import pane_step
from runbook_tui.ui.pending_lines import PendingLines
from runbook_tui.ui.repaint import FEW_LINES, OUTPUT_FRAME_SECONDS, CoalescedRepaintScreen
from runbook_tui.ui.standing_toasts import StandingToasts
from runbook_tui.ui.status_model import Role, Status
from runbook_tui.ui.status_stack import StatusStack, every_status_text
from runbook_tui.ui.step_list import StepList
from runbook_tui.ui.widgets import DetailScroll, RightColumn, RunHeader, StepDetail

if TYPE_CHECKING:
    from runbook_tui.ui.panels import PanelArea


SCREEN_LINES = PANE_LINES  # lines of output kept on screen (the journal has all of it)
#: Below this width the step list is hidden (`l` shows it); below this height the panes go compact.
NARROW_COLUMNS = 110
SHORT_ROWS = 32
#: Keys both screens share (the verifier lists help and leave before the view keys: its footer, cut at 80 columns, loses the last ones).
HELP_KEY = Binding("question_mark", "help", "help")
VIEW_KEYS = (Binding("l", "toggle_steps", "steps"), Binding("y", "copy_command", "copy"), Binding("v", "details", "step whole", show=False))


class RunSource(Protocol):
    """Where a run view gets its state: the assignee's controller, or the verifier's replica."""

    state: RunState

    def subscribe(self, listener: Callable[[Event, RunState], None]) -> None: ...


class RunView(CoalescedRepaintScreen):
    """The run as everyone sees it; subclasses add the keys of one role."""

    ROLE: Role = "assignee"  # whose keys the status stack names next to each status (and whose words, unless `reader` says)
    reader: Role | None = None  # who reads the rows where their keys differ (a verifier with the link down: `VerifierScreen`)
    #: Whether the footer shows `^p palette` (ctrl+p opens it either way).
    PALETTE_HINT = True
    TYPED_AHEAD = False  # a key typed before the run showed is not used (keys_in_turn): a second enter ran a step unseen
    #: The help's keys and promise (`modals.HelpScreen`); empty: the live run's. Replay and practice have their own.
    KEYS_HELP: tuple[tuple[tuple[str, str], ...], str] | tuple[()] = ()
    TRIP_TOASTS = True  # a notify-only guard trip raises a toast (replay: a past event, its line says it)
    BLANK = True  #: its own cells, one background colour, drawn as blank rows (the style cache redrew 45 per `?` closed)

    #: Keys every role has (subclasses add theirs, `l` and `y` where their footer wants them);
    #: pgup/pgdn/end scroll the output without focusing it.
    BINDINGS = [
        Binding("pageup", "output_page_up", "scroll output", show=False, priority=True),
        Binding("pagedown", "output_page_down", "scroll output", show=False, priority=True),
        Binding("end", "output_follow", "follow output", show=False, priority=True),
        Binding("m", "more_panels", "more panels", show=False),  # the metric panels out of view (the area's title counts them)
        Binding("e", "every_status", "every status", show=False),  # the statuses the stack cuts (its `+N more` row names e)
    ]

    #: The header's clock for the window countdown (tests freeze it for stable snapshots); it and the stack tick this often.
    clock: Callable[[], dt.datetime] = staticmethod(lambda: dt.datetime.now(dt.UTC))
    TICK_SECONDS = 1.0

    def __init__(self, source: RunSource, note: tuple[str, ...], share_note: str = "", backlog: Iterable[Event] = ()) -> None:
        """`note`: the foot's line (`NoteLine`'s arguments: a label, what is cut in the middle to fit, what follows it whole
        and short); `share_note`: a shared run's address and host key, shown whole above it (the verifier reads the key
        out before trusting it); `backlog`: a resumed run's last events, whose lines the pane starts with."""
        super().__init__()
        self.source = source
        self.note = note
        self.share_note = share_note
        self._pending_lines = PendingLines(SCREEN_LINES)  # for the output pane, raw: it formats what it shows
        self._queue_lines(last_log_lines(backlog, SCREEN_LINES))
        self._keys_shown: tuple[bool | None, ...] = ()
        self._output_drawn = 0.0  # when output last went into the pane (time.monotonic)
        self._resumed = False
        self.toasts = StandingToasts()  # those a later event makes untrue, withdrawn by it
        source.subscribe(self._on_event)

    def compose(self) -> ComposeResult:
        yield RunHeader(id="header")
        yield StatusStack(id="status")
        with Horizontal(id="main"):
            yield StepList(id="steps")
            with RightColumn(id="right"):
                with DetailScroll(id="detail", can_focus=False):  # scrolls (and says so) when the step is taller than half the pane
                    detail = StepDetail(id="step-detail")
                    detail.me = self.me()  # their own word reads `by you` (the verifier's screen)
                    yield detail
                yield OutputLog(SCREEN_LINES, id="output")
                if self.source.state.metrics:  # a run without metric panels has no area for them (below: when they come later)
                    yield self._panel_area()
        if self.share_note:
            yield Static(Text(visible_line(self.share_note), overflow="fold"), id="share-note")
        yield NoteLine(*self.note, id="journal-path")  # one row: the path cut in the middle (the help shows it whole)
        yield KeyFooter(show_command_palette=self.PALETTE_HINT)

    def on_screen_resume(self, event: ScreenResume) -> None:
        if not self._resumed:
            # Its first time on top: every node was styled when it mounted and restyled at each change since, so the
            # whole-screen restyle Textual does on a resume would change nothing. Later resumes restyle as always (a theme
            # chosen while a dialog covered the screen); Textual skips it too when a dialog is closed.
            self._resumed = True
            event.refresh_styles = False
        self.query_one(StatusStack).refit(self.app.size)  # resized under a dialog: the stack followed the width, now the height
        if self._pending_lines:  # output that came while an opaque screen (the help) covered this one: after the frame that
            self.call_after_refresh(self._ask_repaint)  # shows the screen again (a key's frame, `?` closing, draws it alone)

    def on_resize(self, event: Resize) -> None:
        self.fit_layout(event.size.width, event.size.height)
        if event.size == self.outer_size:
            # Already laid out at this size: Textual sends the first screen a Resize for the app's first size, for the
            # terminal's, and for its own first layout, and each laid the whole screen out again to the same result
            # (a widget that needs a layout asks for one itself). Textual's handler runs only for a new size.
            event.prevent_default()
            return
        # The stack's rows, wrapped for the old size until the next tick, key or event: laid out for this one (only them).
        self.query_one(StatusStack).refit(event.size)

    def fit_layout(self, width: int, height: int) -> None:
        """Narrow: the step list gives way to the command; short: compact panes, one line per metric panel."""
        self.set_class(width < NARROW_COLUMNS, "narrow")
        short = height < SHORT_ROWS
        self.set_class(short, "short")
        for area in self.query("#metrics"):
            area.set_class(short, "one-line")
        for column in self.query(RightColumn):
            column.call_after_refresh(column.fit_detail)  # laid out for this size first

    def _panel_area(self) -> PanelArea:
        """The metric panels' area: composed when the state has panels, mounted by a repaint when they come later (a
        verifier's replica catching up, a replay); the module loads only then."""
        from runbook_tui.ui.panels import PanelArea

        area = PanelArea(lambda: self.source.state, clock=self.panel_clock, id="metrics", trip_toasts=self.TRIP_TOASTS)
        area.set_class(self.app.size.height < SHORT_ROWS, "one-line")
        return area

    def action_toggle_steps(self) -> None:
        self.toggle_class("steps-shown")

    def action_copy_command(self) -> None:
        from runbook_tui.ui.copy_command import copy_command  # this and the other keys' modules load when first pressed

        copy_command(self, self.source.state)

    def action_details(self) -> None:
        from runbook_tui.ui.modals import InfoScreen
        from runbook_tui.ui.step_whole import step_whole

        if (whole := step_whole(self.source.state, self.app.current_theme, self.me())) is not None:
            self.app.push_screen(InfoScreen(*whole))

    def action_output_page_up(self) -> None:
        self.query_one(OutputLog).page_up()

    def action_output_page_down(self) -> None:
        self.query_one(OutputLog).page_down()

    def action_output_follow(self) -> None:
        self.query_one(OutputLog).follow()

    def action_more_panels(self) -> None:
        from runbook_tui.ui.panels_hidden import more_panels

        more_panels(self)

    def action_every_status(self) -> None:
        from runbook_tui.ui.modals import InfoScreen

        listed = every_status_text(self.query_one(StatusStack).found, self.reader or self.keys_role(), self.keys_role())
        self.app.push_screen(InfoScreen("Every status, most urgent first", listed))

    def panel_clock(self) -> float:
        """The time the metric panels age their readings against (a replay says when the moment was)."""
        return time.time()

    def on_mount(self) -> None:
        self.fit_layout(self.app.size.width, self.app.size.height)
        self.query_one(StepList).border_title = "steps"
        self.query_one(StepList).focus()
        self.set_interval(self.TICK_SECONDS, self._tick)
        self._repaint()
        if self._pending_lines:  # arrived between construction and mount
            self._ask_repaint()
        # Status colours are taken from the theme when a part is drawn: redraw them all when it changes.
        self.app.theme_changed_signal.subscribe(self, lambda _theme: setattr(self, "_dirty", True))

    # -- from the controller ---------------------------------------------------------

    def _on_event(self, event: Event, state: RunState) -> None:
        """Called for every event, synchronously: only collect, and ask for one coalesced repaint."""
        if event["type"] == ev.METRIC_SAMPLE:
            return  # the panel area redraws itself from the state; steps, details and header did not change
        if event["type"] == ev.OUTPUT:
            # Output only adds lines (marking the screen dirty for it redrew the table, details, banner and footer during a flood).
            # A chunk of up to 256 KiB (a local step; 64 KiB from SSH): kept whole, split only if the pane takes it (`PendingLines`).
            self._pending_lines.add_chunk(raw_output_prefix(event), str(event.get("text", "")))
        else:
            self._dirty = True
            self._queue_lines(log_lines(event, self.me()))
        if self._pending_lines:
            self._ask_repaint()

    def _queue_lines(self, lines: Iterable[str]) -> None:
        """Lines for the output pane, already formatted (the pane's sanitiser leaves them as they are)."""
        self._pending_lines.add_lines(lines)

    def _repaint(self) -> None:
        # A state change is drawn first, the output waiting in the next output frame, unless only a few lines wait (a decision's own line: drawn
        # with it, not in a frame of its own that held up the next key), or the last is a frame old and no key is being handled (a key's frame
        # draws its effect alone). Unseen (the help covers it) the output waits, the last SCREEN_LINES, until the screen shows again.
        seen, quiet = self.in_sight(), not KEYS.held and time.monotonic() - self._output_drawn >= OUTPUT_FRAME_SECONDS
        if self._pending_lines and seen and (not self._dirty or self._pending_lines.at_most(FEW_LINES) or quiet):
            lines = self._pending_lines.take()  # the last SCREEN_LINES at most: the pane keeps no more
            self._output_drawn = time.monotonic()
            self.query_one(OutputLog).add(lines)  # follows unless the person scrolled up
        if not self._dirty:
            return
        self._dirty = False
        state = self.source.state
        if state.metrics and not self.query("#metrics"):
            self.query_one(RightColumn).mount(self._panel_area())
            self.query_one(RightColumn).fit_detail()
        self.query_one(StepList).show(state)
        self.query_one(StepDetail).show(state, pane_step(state))  # during a rollback: the step whose undo runs
        self._tick()
        if self._pending_lines and seen:
            self._ask_repaint()  # the output's frame

    def presence(self, state: RunState, links: tuple[Status, ...]) -> tuple[Mapping[str, str], str | None]:
        """Who is connected as this screen can know it, and since when it cannot (None: it can). A link row shown: nobody
        (the header said `verifier bob connected` under `NOT CONNECTED`)."""
        return {} if links else state.participants, None

    def me(self) -> str | None:
        """Whose screen this is, if one person's (the verifier's): they read their own acts as `you`."""
        return None

    def _bindings_shown(self) -> list[Binding]:
        return [binding for binding in self.BINDINGS if isinstance(binding, Binding)]

    def _tick(self) -> None:
        state = self.source.state
        now = self.clock()
        links = self.link_statuses()
        self.query_one(RunHeader).show(state, now, *self.presence(state, links), me=self.me())
        self._show_status(state, now, links)
        # Each second too: a key may go with no event (the final check's verdict came before it stopped: `k end check` stayed).
        if (keys := tuple(self.check_action(binding.action, ()) for binding in self._bindings_shown())) != self._keys_shown:  # only then redrawn
            self._keys_shown = keys
            self.refresh_bindings()

    def _show_status(self, state: RunState, now: dt.datetime, links: tuple[Status, ...]) -> None:
        self.query_one(StatusStack).show(state, now, self.reader or self.keys_role(), links, self.check_stoppable(), self.keys_role())

    def keys_role(self) -> Role:
        """Whose keys the status rows name now."""
        return self.ROLE

    def check_stoppable(self) -> bool | None:
        """Whether `k` ends the check before the end now, as the controller says (`final_check_waits`); None: no controller here."""
        return None

    def link_statuses(self) -> tuple[Status, ...]:
        """What the stack says above the run's statuses about this screen's link to the run (the assignee's: none); any
        status here also means the header names nobody as connected."""
        return ()

    def _say(self, reply: Reply, *, quiet: bool = False, status_first: bool = False) -> None:
        """Refusals always show; accepted intents only when the screen would not show it anyway. `status_first`: a key
        whose effect the status row says (`p`: PAUSED) draws that row alone in its turn, so the key's frame covers one
        row; the rest (the pane's line, the footer's keys) comes once that frame is written, in the next (`repaint_after_key`).
        A pause's frame had covered the screen from the status row to the footer, every widget between asked for its rows."""
        if not reply.ok or not quiet:
            self.notify(reply.message, severity="information" if reply.ok else "warning", timeout=4 if reply.ok else 8, markup=False)
        self._dirty = True
        if status_first and reply.ok and self.repaint_after_key():
            self._show_status(self.source.state, self.clock(), self.link_statuses())
        else:
            self.repaint_now()  # the key's effect, in the turn that made it

    def action_help(self) -> None:
        from runbook_tui.ui.modals import show_help  # the dialogs load when first opened, not before the first frame

        show_help(self.app, type(self).__name__, self.whole_note(), self.KEYS_HELP)

    def whole_note(self) -> str:
        """What the foot says, uncut, for the help."""
        return "\n".join(line for line in (self.share_note, "".join(self.note[:3])) if line)
