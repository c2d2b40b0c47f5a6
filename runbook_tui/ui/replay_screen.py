"""Replay: a past run in the run screen, moved through by hand or played at a chosen speed.

The state at every moment is `replay(events[:position])`, the same fold as
the live run, so the screen shows exactly what the assignee saw then.
Nothing is executed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

from rich.cells import cell_len
from textual.binding import Binding

from runbook_tui.engine import events as ev
from runbook_tui.engine.events import Event
from runbook_tui.engine.journal_events import ends_finished
from runbook_tui.engine.state import RunState, UnreadableEvent, apply, initial, replay
from runbook_tui.ui.log_lines import log_lines
from runbook_tui.ui.modals import REPLAY_HELP_KEYS, REPLAY_PROMISE, TextPrompt
from runbook_tui.ui.note_line import NoteLine
from runbook_tui.ui.output_pane import OutputLog
from runbook_tui.ui.run_view import NARROW_COLUMNS, SCREEN_LINES, RunView
from runbook_tui.ui.status_model import Role

#: Longest pause played between two events, however long the night's pause was.
MAX_GAP = 2.0
#: The state is kept every this many events, so that going back folds from the one before, not from the journal's start
#: (each `←` at the end of a 300,000-event journal read and folded it all again: 40 s on a loaded machine).
SNAPSHOT_EVERY = 2048
#: Events read at a time, from the position backwards, for the output pane's last lines after a jump.
TAIL_CHUNK = 512
SPEEDS = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 100.0)
#: Events that start a "moment" worth stopping at when stepping: every decision of the night (practice's decision
#: points, the verifier's requests) and the process dying (found by a look: `session_interrupted`) and resuming, not
#: only steps starting and ending.
MOMENTS = frozenset({ev.STEP_STARTED, ev.STEP_FINISHED, ev.STEP_CONFIRMED, ev.STEP_REJECTED, ev.STEP_SKIPPED, ev.STEP_MARKED_DONE,
                     ev.WAVE_FINISHED, ev.WAVE_CONFIRMED, ev.WAVE_REJECTED, ev.ROLLBACK_REQUESTED, ev.ROLLBACK_DECLINED, ev.HOLD_REQUESTED, ev.PAUSED,
                     ev.RESUMED, ev.ROLLBACK_STARTED, ev.UNDO_STARTED, ev.ROLLBACK_FINISHED, ev.GUARD_TRIPPED, ev.NOTE,
                     ev.SESSION_INTERRUPTED, ev.SESSION_RESUMED, ev.SESSION_REOPENED, ev.VERIFIER_HANDOVER,
                     ev.CRITERIA_ACCEPTED, ev.CRITERIA_ACCEPTANCE_CONFIRMED, ev.SESSION_FINISHED})  # fmt: skip


def _is_moment(event: Event) -> bool:
    """Where stepping stops; an event this version does not know too (a newer one wrote it: its line says so)."""
    return event["type"] in MOMENTS or event["type"] not in ev.VOCABULARY


def _ts(event: Event) -> dt.datetime:
    return dt.datetime.fromisoformat(str(event["ts"]).replace("Z", "+00:00"))


def find_steps(query: str, steps: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Step ids for what someone typed after `g`: an exact id, else every word in the id or the title (as the picker matches).

    `steps` is the plan (id -> entry with `title`), in runbook order.
    """
    wanted = query.strip()
    if wanted in steps:
        return [wanted]
    words = wanted.lower().split()
    if not words:
        return []
    return [sid for sid, plan in steps.items() if all(word in f"{sid} {plan.get('title', '')}".lower() for word in words)]


class ReplaySource:
    """A journal's events and a position in them; `state` is the run as it stood there."""

    def __init__(self, events: Sequence[Event], on_unreadable: Callable[[str], None] | None = None) -> None:
        """`on_unreadable(words)`: an event the fold cannot take (`state.UnreadableEvent`, raised again without it);
        the position stays before that event."""
        self.events = events
        self.position = 0
        self.state: RunState = initial()
        self._snapshots: dict[int, RunState] = {}  # position -> the state there, every SNAPSHOT_EVERY events
        self._listeners: list[Callable[[Event, RunState], None]] = []
        self._on_unreadable = on_unreadable
        #: The journal holds the run's end: without it the last event is where the journal stops, not where the run did.
        self.finished_in_journal = ends_finished(events)
        self.forward(1)

    def subscribe(self, listener: Callable[[Event, RunState], None]) -> None:
        self._listeners.append(listener)

    def forward(self, count: int = 1) -> None:
        for index in range(self.position, min(self.position + count, len(self.events))):  # by index: a journal read as asked
            event = self.events[index]
            if not self._fold(event):
                return
            self._advanced()
            for listener in list(self._listeners):
                listener(event, self.state)

    def seek(self, position: int) -> bool:
        """Rebuild the state at `position`: going back, from the state kept before it; far ahead, at once. True when the
        listeners were not told of each event on the way (the screen rebuilds its output pane with `log_tail`)."""
        position = max(1, min(position, len(self.events)))
        if self.position <= position <= self.position + SNAPSHOT_EVERY:
            self.forward(position - self.position)
            return False
        if position < self.position:
            self.position = max((kept for kept in self._snapshots if kept <= position), default=0)
            self.state = self._snapshots.get(self.position, initial())
        self._fold_to(position)
        return True

    def _fold_to(self, position: int) -> None:
        """Fold on to `position`, telling no listener: each stretch between two kept states at once, a run of output
        events in one go (`state.replay`, resume's fold; `end` in a 300,000-event journal folded each event: 14 s)."""
        while self.position < position:
            end = min(position, (self.position // SNAPSHOT_EVERY + 1) * SNAPSHOT_EVERY)
            try:
                self.state = replay((self.events[index] for index in range(self.position, end)), self.state)
            except (UnreadableEvent, KeyError, TypeError, AttributeError, IndexError):  # one at a time, to stop before it
                for index in range(self.position, end):
                    if not self._fold(self.events[index]):
                        return
                    self._advanced()
                continue
            self.position = end
            if end % SNAPSHOT_EVERY == 0:
                self._snapshots[end] = self.state

    def _advanced(self) -> None:
        """One more event folded into the state; kept every SNAPSHOT_EVERY events."""
        self.position += 1
        if self.position % SNAPSHOT_EVERY == 0:
            self._snapshots[self.position] = self.state

    def log_tail(self, keep: int) -> list[str]:
        """The output pane's last `keep` lines at the position, as the live screen wrote them (`last_log_lines` of every
        event before it), read from the position backwards: a jump reads what the pane shows, not the journal whole."""
        chunks: list[list[str]] = []
        end, count = self.position, 0
        while end > 0 and count < keep:
            start = max(0, end - TAIL_CHUNK)
            chunks.append([line for index in range(start, end) for line in log_lines(self.events[index])])
            count += len(chunks[-1])
            end = start
        return [line for chunk in reversed(chunks) for line in chunk][-keep:] if keep > 0 else []

    def _fold(self, event: Event) -> bool:
        """`event` folded into the state; False (and said to `on_unreadable`) for one the fold cannot take."""
        try:
            self.state = apply(self.state, event)
        except UnreadableEvent as exc:
            if self._on_unreadable is None:
                raise
            self._on_unreadable(str(exc))
            return False
        return True

    def next_moment(self, after: int) -> int:
        for index in range(after, len(self.events)):
            if _is_moment(self.events[index]):
                return self._shown(index)
        return len(self.events)

    def previous_moment(self, before: int) -> int:
        for index in range(before - 2, 0, -1):
            if _is_moment(self.events[index]) and (position := self._shown(index)) < before:
                return position
        return 1

    def _shown(self, index: int) -> int:
        """The position that shows the moment at `index`: a rolling step's start with its first wave (without it, every
        host of the step read `▶ running`, those of the later waves too, where `→` or `g` stopped)."""
        event, after = self.events[index], index + 1
        if event["type"] == ev.STEP_STARTED and after < len(self.events):
            wave = self.events[after]
            if wave["type"] == ev.WAVE_STARTED and wave.get("step") == event.get("step"):
                return after + 1
        return after

    def moment(self) -> dt.datetime | None:
        """When the replayed moment happened (the last event folded)."""
        return _ts(self.events[self.position - 1]) if self.position else None

    def start_of(self, step_id: str) -> int | None:
        for index, event in enumerate(self.events):
            if event["type"] == ev.STEP_STARTED and event.get("step") == step_id:
                return self._shown(index)
        return None

    def gap(self) -> float:
        """Seconds between the current event and the next, as they happened."""
        if self.position >= len(self.events):
            return 0.0
        return max(0.0, (_ts(self.events[self.position]) - _ts(self.events[self.position - 1])).total_seconds())


class ReplayScreen(RunView):
    ROLE: Role = "replay"  # nothing can be run here: the status stack names no keys
    KEYS_HELP = (REPLAY_HELP_KEYS, REPLAY_PROMISE)
    # A guard trip stepped past is a past event: its line is in the output, its panel shows it. Before, each → over
    # one raised a toast again (← and → again too), and they piled up over the position line (`event 12/40 …`).
    TRIP_TOASTS = False
    # Any toast (a jump's `matches no step`) stands above the position line and the footer, never over them.
    DEFAULT_CSS = """
    ReplayScreen ToastRack { margin-bottom: 2; }
    """
    BINDINGS = [
        # priority: the step list would take arrows and home/end for itself
        Binding("right,l", "forward", "next", priority=True),
        Binding("left,h", "back", "back", priority=True),
        Binding("space", "play", "play/pause"),
        Binding("plus,equals_sign", "faster", "faster"),
        Binding("minus", "slower", "slower"),
        # The step list, hidden below NARROW_COLUMNS: the run screen's `l` is replay's forward, so `t` here (only offered when narrow).
        Binding("t", "toggle_steps", "steps"),
        Binding("g", "jump", "jump"),  # `jump to step` left no room at 80 columns for `t steps` (the help says it whole)
        Binding("v", "details", "step whole", show=False),  # what the detail pane's title offers when the step is cut
        Binding("home", "first", "start", show=False, priority=True),
        Binding("end", "last", "end", show=False, priority=True),
        Binding("question_mark", "help", "help"),
        Binding("q", "quit", "quit"),
        Binding("ctrl+c", "quit", show=False, priority=True),  # out of habit: as q (Textual's own said nothing)
    ]

    def __init__(self, source: ReplaySource, speed: float = 1.0, label: str = "", marks: Sequence[str] = (), said: str = "") -> None:
        """`marks`: what the position row says of the journal itself (`no end`, `cut short`, `unknown events`); `said`:
        that, whole, for the help."""
        super().__init__(source, ("REPLAY ", label))
        self.marks, self.said = tuple(marks), said
        self.clock = self._replayed_now  # the header counts the window against the replayed moment, not today
        self.replay = source
        self.speed = speed
        self.label = label
        self._timer: Any = None
        self._plays = 0  # which play's timer may tick (`_tick_play`)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`t steps` only where the step list is hidden (wide, it is always shown and `t` would do nothing)."""
        return self.has_class("narrow") if action == "toggle_steps" else True

    def fit_layout(self, width: int, height: int) -> None:
        super().fit_layout(width, height)
        self.refresh_bindings()  # the footer offers `t steps` as the width now asks
        if self.is_mounted:  # the position line for this width (made at 140 columns, `paused at 1x` fell off at 80)
            self._status(width)

    def _replayed_now(self) -> dt.datetime:
        last = self.replay.state.last_ts
        return _ts({"ts": last}) if last else dt.datetime.now(dt.UTC)

    def on_mount(self) -> None:
        # Textual runs RunView.on_mount itself, after this one: calling super() too painted twice and kept two ticks.
        self._status()

    def panel_clock(self) -> float:
        """The panels age their readings against the replayed moment, not today's clock."""
        moment = self.replay.moment()
        return moment.timestamp() if moment else super().panel_clock()

    def _status(self, width: int | None = None) -> None:
        """The position line; `width`: the terminal's new width, when it is being laid out for it."""
        width = width or self.app.size.width
        moment = self.replay.moment()
        counted = f"event {self.replay.position}/{len(self.replay.events)}"
        fewest = ""  # the marks, when a narrow row cannot hold them all
        if self._at_end() and not self.replay.finished_in_journal:
            # The last event of a journal with no end: not a run waiting for its next step (the status row's `Next:`).
            doing, short_doing = "the journal ends here; the run had not ended", "ends unfinished"
        elif self._at_end():  # played to its end, it said `paused at 30x`: nobody had paused it
            doing = short_doing = "end of the journal"
        else:
            doing = short_doing = f"{'playing' if self._timer is not None else 'paused'} at {self.speed:g}x"
            if self.marks:  # the journal's own state, each moment: a toast said it over the output pane for 20 s
                marked = ", ".join(self.marks)
                # At 80 columns `no end, unknown events` was cut to `no end, unknown`: the first and how many more, then.
                fewest = f"{doing} · {self.marks[0]}" + (f" +{len(self.marks) - 1} (?)" if len(self.marks) > 1 else "")
                doing, short_doing = f"{doing} · the journal: {marked} (? says more)", f"{doing} · {marked}"
        # Below 110 columns the time of day only: with the date, `paused at 1x` fell off the end of an 80-column row.
        # A moment on another day than the night's first is dated at any width (`00:10:17` read as on the day it began),
        # `11-24 00:10:17` when the row is short; never by its time of day alone.
        later_day = moment is not None and f"{moment:%Y-%m-%d}" != str(self.replay.events[0].get("ts", ""))[:10]
        wide = width >= NARROW_COLUMNS or later_day
        at = f"  {moment:{'%Y-%m-%d ' if wide else ''}%H:%M:%S} UTC" if moment else ""
        # Shorter forms for a narrow row: what the replay is doing is its end and stays in view (a journal of 100 events
        # or more cut `ends unfinished` to `ends`, `paused at 100x` to `paused at 10`); the time's `UTC`, then the time go.
        shorter = f"  {moment:%m-%d %H:%M:%S}" if moment is not None and later_day else at.removesuffix(" UTC")
        # Then the moment kept over the word `event`, and at the end over the count (the journal's length, which `end of
        # the journal` says): a later day's moment at the end of an 80-column row read no time at all (its dated form did
        # not fit beside the count, and the time alone may not be said).
        numbers = f"{self.replay.position}/{len(self.replay.events)}"
        forms = [f"{at}  {counted}  {short_doing}", f"{shorter}  {counted}  {short_doing}", f"{shorter}  {numbers}  {short_doing}"]
        forms += [f"{shorter}  {short_doing}"] if self._at_end() and shorter else []
        forms += [f"  {counted}  {short_doing}"]
        forms += [f"  {counted}  {fewest}"] if fewest else []
        head = "REPLAY, nothing runs: "
        # One row: the label (a file name) cut in the middle to fit; that nothing runs comes first, so it is never cut off.
        line = self.query_one(NoteLine)
        room = width - line.styles.padding.width - cell_len(head) - min(cell_len(self.label), NoteLine.MIDDLE_KEPT)
        short = next((form for form in forms if cell_len(form) <= room), forms[-1])
        line.say(head, self.label, f"{at}  {counted}  {doing}", short)

    def _reset_output(self) -> None:
        """After a jump: the output as it stood at that moment."""
        self.query_one(OutputLog).reset()
        # From the events, as the live screen wrote them: the `──` step lines too, not only the output kept in the state.
        self._pending_lines.clear()
        self._queue_lines(self.replay.log_tail(SCREEN_LINES))
        self._dirty = True

    def _moved(self, jumped: bool) -> None:
        if jumped:
            self._reset_output()
        self._dirty = True
        self._status()

    def action_forward(self) -> None:
        self._moved(self.replay.seek(self.replay.next_moment(self.replay.position)))

    def action_back(self) -> None:
        self._moved(self.replay.seek(self.replay.previous_moment(self.replay.position)))

    def action_first(self) -> None:
        self._moved(self.replay.seek(1))

    def action_last(self) -> None:
        self._moved(self.replay.seek(len(self.replay.events)))

    def action_jump(self) -> None:
        def go(query: str | None) -> None:
            if not query or not query.strip():
                return
            found = find_steps(query, self.replay.state.plan_steps)
            started = [(sid, self.replay.start_of(sid)) for sid in found]
            ran = [(sid, position) for sid, position in started if position is not None]
            if not ran:
                what = f"'{query.strip()}' matches no step" if not found else f"{', '.join(found)} never started in this run"
                self.notify(what, severity="warning", markup=False)
                return
            step_id, position = ran[0]
            if len(ran) > 1:
                self.notify(f"{len(ran)} steps match; showing {step_id} (also: {', '.join(sid for sid, _ in ran[1:])})", markup=False)
            self._moved(self.replay.seek(position))

        prompt = TextPrompt(  # enter only moves the view (it read `enter submit`)
            "Jump to a step",
            "The step's id or words of its title (as in the step list).",
            placeholder="e.g. reload, or: Reload nginx",
            required=False,
            keys="enter go to where it first started · escape cancel",
        )
        self.app.push_screen(prompt, go)

    def _at_end(self) -> bool:
        return self.replay.position >= len(self.replay.events)

    def action_play(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        else:
            if self._at_end():  # nothing left to play (space did nothing there, silently): it plays again from the start
                self._moved(self.replay.seek(1))
            self._schedule()
        self._status()

    def _schedule(self) -> None:
        delay = min(self.replay.gap(), MAX_GAP) / self.speed
        self._plays += 1
        self._timer = self.set_timer(max(delay, 0.01), partial(self._tick_play, self._plays))

    def _tick_play(self, play: int) -> None:
        # Textual's timer hands its tick to this screen's queue (`call_next`); space is acted on in the app's. Space that
        # came between the two stopped a timer that had already fired, and the tick came after the pause and played on
        # (`paused` for a moment, then `playing` again; 1 run in 8 on a loaded machine): a tick of no current play is dropped.
        if self._timer is None or play != self._plays:
            return
        self.replay.forward(1)
        self._dirty = True
        if self._at_end():
            self._timer = None
        else:
            self._schedule()
        self._status()

    def action_faster(self) -> None:
        self._set_speed(next((s for s in SPEEDS if s > self.speed), None), "fastest")

    def action_slower(self) -> None:
        self._set_speed(next((s for s in reversed(SPEEDS) if s < self.speed), None), "slowest")

    def _set_speed(self, speed: float | None, bound: str) -> None:
        """The next speed; at the end of SPEEDS a word (the key did nothing, silently)."""
        if speed is None:
            self.notify(f"{self.speed:g}x is the {bound}", markup=False, timeout=3)
        else:
            self.speed = speed
        self._status()

    def whole_note(self) -> str:
        """The foot's line whole, and what the replay knows of the journal's end (the row says `no end`, `cut short`)."""
        return "\n".join(line for line in (super().whole_note(), self.said) if line)

    def action_quit(self) -> None:
        self.app.exit(0)
