"""The rollback list: exactly which undo commands run, where and in what order, before anything runs."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any, Protocol

from rich.console import Group, RenderableType
from rich.text import Text
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Static

from runbook_tui.engine import events as ev
from runbook_tui.engine.event_words import status_words
from runbook_tui.engine.events import Event
from runbook_tui.engine.fanout import batches
from runbook_tui.engine.fold_steps import going_back_past
from runbook_tui.engine.host_groups import same_undo
from runbook_tui.engine.rollback import RollbackPlan, Scope, no_undo_since
from runbook_tui.engine.state import RunState
from runbook_tui.engine.undo_notes import section_stop, section_stop_words
from runbook_tui.runbook.durations import written_duration
from runbook_tui.runbook.safe_text import visible_line
from runbook_tui.ui.dialog import Dialog, DialogScroll
from runbook_tui.ui.glyphs import colour
from runbook_tui.ui.host_name import LABEL_ENDS
from runbook_tui.ui.wrap import CommandText, StyledWrap

#: Said above the keys once the list was shown again because the run moved while it was open.
CHANGED = "THE LIST CHANGED while it was open: read it again. "


class RunEvents(Protocol):
    """Where the run's events are heard (the controller): the list is kept to what `y` would start; and the run's state
    (what runs again once the rollback has ended)."""

    state: RunState
    max_concurrency: int  # how many hosts' undos of one batch run at once

    def subscribe(self, listener: Callable[[Event, RunState], None]) -> None: ...

    def unsubscribe(self, listener: Callable[[Event, RunState], None]) -> None: ...


class RollbackModal(Dialog[tuple[Scope, bool, RollbackPlan] | None]):
    """`y` starts the shown plan (acknowledging steps without undo), `f` switches checkpoint/full.

    The list scrolls; the keys stay pinned below it (see `Dialog`).
    """

    WIDE = True

    BINDINGS = [
        Binding("y", "start", "start rollback"),
        Binding("f", "toggle_scope", "checkpoint / full"),
        Binding("n,escape", "cancel", "cancel"),
    ]
    UNSEEN_KEYS = False  # `y` starts the rollback: not on a key typed before the list was painted (keys_in_turn)

    def __init__(
        self,
        plan_for: Callable[[Scope], RollbackPlan],
        rendered: Callable[[str], Mapping[str, Any]],
        events: RunEvents,
        scope: Scope = "checkpoint",
    ) -> None:
        """`rendered`: a rollback section step's texts as they will run (`Runner.rendered_step`), to list its commands.
        `events`: the run's, so the list follows what happens while it is open (the verifier's word on a step).
        `scope`: the one shown first (`full` where a `resume --rollback --full` reopened the run, and died before it)."""
        super().__init__("", "")
        self.plan_for = plan_for
        self.rendered = rendered
        self.events = events
        self.scope: Scope = scope
        self.shown: RollbackPlan | None = None

    def body(self) -> Iterable[Widget]:
        yield Static(id="dialog-body")

    def on_mount(self) -> None:
        super().on_mount()
        self._show()
        self.events.subscribe(self._heard)

    def on_unmount(self) -> None:
        self.events.unsubscribe(self._heard)

    def _heard(self, event: Event, _state: RunState) -> None:
        """The list shown again when what `y` would start changed (it said `two (step ran, not confirmed yet)` after the
        verifier had confirmed it); output and samples change no plan."""
        if event["type"] not in (ev.OUTPUT, ev.METRIC_SAMPLE) and self.plan_for(self.scope) != self.shown:
            self._show(CHANGED)

    def _show(self, changed: str = "") -> None:
        plan = self.shown = self.plan_for(self.scope)
        self.query_one(DialogScroll).end_seen = False  # a list shown anew (the other scope, changed) is read anew
        theme = self.app.current_theme
        target = plan.checkpoint_step or "the start"
        title = f"Roll back to the last checkpoint ({target})" if plan.scope == "checkpoint" else "FULL rollback: abort the whole change"
        self.set_title(f"{title}: {_how_many(plan)}")  # the list may scroll: how long it is, said where it starts
        # One entry per undo command, its command on its own lines below (wrapped at spaces, never cut, the full
        # width of the dialog): exactly what will run, in the order it runs.
        rows: list[RenderableType] = []
        state, muted = self.events.state, colour(theme, "muted")
        # Hosts whose rendered undo is the same are one entry (the command once, then its hosts): 50 hosts with one
        # undo read as 50 entries of the same command; a host whose undo renders otherwise keeps its own.
        groups = same_undo(plan.entries, lambda e: (e.step_id, e.note, e.command), lambda e: e.host)
        for number, (entry, sharing) in enumerate(groups, start=1):
            note = f" ({entry.note})" if entry.note else ""  # how the step stands on that host (engine/undo_notes.py)
            head = Text(f"{number:>2}  ")
            head.append(visible_line(entry.step_id), style="bold")
            head.append(visible_line(note), style=colour(theme, "warning"))
            where = visible_line(entry.host) if len(sharing) == 1 else f"{len(sharing)} hosts"
            head.append(f" on {where}{_within(self.events.state, entry.step_id)}")
            rows.append(StyledWrap(head, 4, LABEL_ENDS))
            if entry.command is None:
                rows.append(Text("      NO UNDO: acknowledge that this stays as it is", style=f"bold {colour(theme, 'error')}"))
            else:
                rows.append(CommandText(entry.command, prefix="      "))
            if len(sharing) > 1:  # each name whole, or broken after a dot under the first
                rows.append(CommandText(", ".join(visible_line(host) for host in sharing), prefix="      hosts: ", indent=0, breaks=LABEL_ENDS))
            if number == len(groups) or groups[number][0].step_id != entry.step_id:  # the step's last entry
                undone = [e.host for e in plan.entries if e.step_id == entry.step_id and e.command is not None]
                rows += [Text(visible_line(said), style=muted)] if (said := together(state, entry.step_id, undone, self.events.max_concurrency)) else []
        for offset, step_id in enumerate(plan.rollback_steps, start=len(groups) + 1):
            rows += _section_step_rows(offset, step_id, self.rendered(step_id), muted)
        if not plan.entries and not plan.rollback_steps:
            rows.append(Text("nothing to undo since the checkpoint"))
        for step_id, hosts in plan.left_out:  # a step on 21 hosts with 19 undos said nothing of the other two
            said = f"    {step_id}: nothing to undo on {_named(hosts)}: the command never started there"
            rows.append(Text(visible_line(said), style=muted))
        self.query_one("#dialog-body", Static).update(Group(*rows))
        ack = " and acknowledge the steps without undo" if plan.needs_acknowledgement else ""
        other = "full rollback" if self.scope == "checkpoint" else "back to the checkpoint"
        stopped = nothing_to_do(plan, self.events.state)  # y would start a rollback of nothing: not offered
        start = "" if stopped else f"y start this rollback{ack} · "
        keys = self.start_keys = f"{start}f {other} · n / escape cancel"
        self.set_keys(f"{changed}{afterwards(plan, self.events.state)}\n{keys}")  # what the run is after it, always

    def action_toggle_scope(self) -> None:
        self.scope = "full" if self.scope == "checkpoint" else "checkpoint"
        self._show()

    def action_start(self) -> None:
        if self.plan_for(self.scope) != self.shown:  # y starts only the list read: a changed one is shown first
            self._show(CHANGED)
            return
        if not self.query_one(DialogScroll).read_to_end():  # nor one read only in part (40 undos at 80x24 show 8)
            self.unread(self.start_keys)
            return
        if nothing_to_do(self.shown, self.events.state):  # said above the keys, which offer no y
            self.app.bell()
            return
        self.dismiss((self.scope, True, self.shown))  # the list read: the controller starts it, or nothing

    def action_cancel(self) -> None:
        self.dismiss(None)


def _section_step_rows(number: int, step_id: str, rendered: Mapping[str, Any], muted: str) -> list[RenderableType]:
    """A rollback section step as the list shows it: what it runs and where, as the undo entries above it (the list
    named only its id, so a full rollback's own commands were the ones not shown before `y`)."""
    head = Text(f"{number:>2}  ")
    head.append(visible_line(step_id), style="bold")
    commands: Mapping[str, str] = rendered.get("commands") or {}
    if not commands:  # a note, a question or a wait: nothing runs on a host
        head.append("  then this rollback section step", style=muted)
        text = rendered.get("text")
        return [head, CommandText(str(text), prefix="      ")] if text else [head]
    rows: list[RenderableType] = []
    by_command: dict[str, list[str]] = {}
    for host, command in commands.items():
        by_command.setdefault(command, []).append(host)
    for index, (command, hosts) in enumerate(by_command.items()):
        line = head if index == 0 else Text(" " * 4)
        line.append(f" on {visible_line(', '.join(hosts))}")
        line.append("  then this rollback section step", style=muted)
        rows += [StyledWrap(line, 4, LABEL_ENDS), CommandText(command, prefix="      ")]
    return rows


def _within(state: RunState, step_id: str) -> str:
    """`, within 30s (the step's timeout)`: the undo is stopped there as its step's command was (the spec is silent; the
    list said nothing of it, and an undo stopped by it read `failed`)."""
    timeout = state.plan_steps.get(step_id, {}).get("timeout")
    return f", within {written_duration(timeout)} (the step's timeout)" if timeout else ""


def together(state: RunState, step_id: str, hosts: list[str], limit: int) -> str:
    """How a step's undos on several hosts run (engine/undo_waves.py): at once as the step ran, or in its `serial:`
    batches, newest host first. The list numbered them one after the other, an order they do not run in."""
    if len(hosts) < 2:
        return ""
    serial = state.plan_steps.get(step_id, {}).get("serial") or []
    cut = batches(hosts, serial)
    slots = f", {limit} at a time" if any(len(batch) > limit for batch in cut) else ""
    if len(cut) == 1:
        return f"    {step_id}: these {len(hosts)} undos run at once, as the step ran{slots}"
    said = "; then ".join(_named(tuple(batch)) for batch in cut[:3]) + (f"; then {len(cut) - 3} more batches" if len(cut) > 3 else "")
    return f"    {step_id}: these {len(hosts)} undos run in the step's serial batches, newest host first: {said}{slots}"


def _named(hosts: tuple[str, ...], most: int = 6) -> str:
    """`web16, web17` or `web08, ... web13 and 8 more`: the hosts a line has room for."""
    return ", ".join(hosts[:most]) + (f" and {len(hosts) - most} more" if len(hosts) > most else "")


def first_scope(state: RunState) -> Scope:
    """The scope `u` shows first: `full` where a `resume --rollback --full` reopened the run and died before it; the
    scope of a rollback that stopped (a failed undo, a rollback section's step) or died, which `u` goes on with, as the
    row says (after a full one `u` showed the rollback to the checkpoint: `y` there left the change standing at it, the
    abort forgotten; or, stopped at a rollback step, an empty list whose `y` stood the run back at the start)."""
    rollback = state.rollback
    if state.reopened_scope is None and rollback is not None and state.rollback_stopped is not None and rollback.scope == "full":
        return "full"
    return state.reopened_scope or "checkpoint"


def nothing_to_do(plan: RollbackPlan, state: RunState) -> bool:
    """A rollback to the checkpoint that would undo nothing and send no step back to run again (nothing ran since it, or
    only a look that failed), or one after a full rollback stopped at a rollback section's step: `y` journaled such a
    rollback of nothing, which the report then listed as completed."""
    if plan.scope != "checkpoint":
        return False
    if section_stop(state) is not None:
        return True
    return state.mode != "practice" and not plan.entries and not _done_back(state, plan.checkpoint_step)  # a night's move


def _done_back(state: RunState, checkpoint: str | None, kept: Collection[str] = ()) -> list[str]:
    """The done steps the rollback goes back past with nothing to undo (`going_back_past`, those that ran and ended
    otherwise left out: a look that failed runs again anyway, and `afterwards` names it apart, with how it ended)."""
    return [sid for sid in going_back_past(state, checkpoint, kept) if state.steps[sid].status == "done"]


def afterwards(plan: RollbackPlan, state: RunState) -> str:
    """What the run is once the rollback went through, said before `y` (a full one ends the session; the dialog did not
    say): the step next again, and the steps after the checkpoint that run again with nothing to undo, which the list
    leaves out (a wait, a question, a check in a precheck or verify section: `going_back_past`). It named the earliest
    undone step as next, and a wait before it was next; nor did it say the soak would be waited again."""
    if plan.scope == "full":
        return "When it finishes, the session ends ROLLED BACK: nothing more runs."
    if (stop := section_stop(state)) is not None:  # y here is refused in these words (undo_notes.rollback_refusal)
        return f"Nothing to do: {section_stop_words(stop, 'the full rollback (f)')}."
    undone = {entry.step_id for entry in plan.entries if entry.command is not None}  # a step without undo stays done
    kept = {entry.step_id for entry in plan.entries if entry.command is None}
    passive = [sid for sid in _done_back(state, plan.checkpoint_step, kept) if sid not in undone]
    again = [sid for sid in state.order if sid in undone or sid in passive]
    if not plan.entries and not again:
        said = f"Nothing to roll back: {no_undo_since(plan.checkpoint_step)} or runs again."
        return said + (" Practice: y still starts it, as the night's rollback of nothing did." if state.mode == "practice" else "")
    if not again:
        return "When it finishes, the run stays open where it stands: nothing is undone."
    nothing = f" ({_kind(state, again[0])}: nothing to undo)" if again[0] in passive else ""
    said = f"When it finishes, the run stays open: '{visible_line(again[0])}'{nothing} is next again."
    # and a check that failed (a look: nothing to undo, no line of the list), run again once the run reaches it
    listed = {entry.step_id for entry in plan.entries}
    failed = {
        sid: status_words(state.steps[sid].status)
        for sid in _after(state, plan.checkpoint_step)
        if state.steps[sid].status in _ENDED_BADLY and sid not in listed
    }
    named = [sid for sid in state.order if (sid in passive or sid in failed) and sid != again[0]]  # each step said once
    if later := [f"{_kind(state, sid)} '{visible_line(sid)}'" + (f" ({failed[sid]})" if sid in failed else "") for sid in named]:
        these = "these run again too" if len(later) > 1 else "this runs again too"
        said += f" With nothing to undo, not in the list, {these}: {_named(tuple(later), 4)}."
    return said + _stays_skipped(state, plan.checkpoint_step)


def _stays_skipped(state: RunState, checkpoint: str | None) -> str:
    """` 'drop' stays skipped (queue not empty tonight).`: a step skipped since the checkpoint is not offered again on the
    way forward (its reason still stands), and nothing said so before y."""
    skipped = [state.steps[sid] for sid in _after(state, checkpoint) if state.steps[sid].status == "skipped"]
    why = [f" ({visible_line(step.reason)})" if step.reason else "" for step in skipped]
    if len(skipped) == 1:
        return f" '{visible_line(skipped[0].id)}' stays skipped{why[0]}."
    named = tuple(f"'{visible_line(step.id)}'{reason}" for step, reason in zip(skipped, why, strict=True))
    return f" These stay skipped: {_named(named, 4)}." if named else ""


#: How a look that ran may have ended: it runs again after the rollback, though nothing undoes it (`afterwards`).
_ENDED_BADLY = ("failed", "timed_out", "unknown")


def _after(state: RunState, checkpoint: str | None) -> tuple[str, ...]:
    """The forward steps after `checkpoint` (all of them: None, back to the start)."""
    return state.order[state.order.index(checkpoint) + 1 :] if checkpoint in state.order else state.order


def _kind(state: RunState, step_id: str) -> str:
    """`the wait`: a step the rollback goes back past, named by what it does. A command with an undo changes
    something: not a check, though here with nothing to undo (it began on no host: it was called `the check`)."""
    entry = state.plan_steps.get(step_id, {})
    return "the step" if entry.get("undo") else f"the {_KINDS.get(str(entry.get('kind')), 'step')}"


#: A step the rollback goes back past, named by what it does (a `run` there is a look in a precheck or verify section).
_KINDS = {"wait": "wait", "ask": "question", "run": "check", "note": "note"}


def _how_many(plan: RollbackPlan) -> str:
    """`40 undo commands, 2 without undo, 2 hosts left out (never started), then 1 rollback section step`: what the
    list holds, counted (the list scrolls at 80x24: the hosts left out are said at its end)."""
    undos = sum(1 for entry in plan.entries if entry.command is not None)
    parts = [f"{undos} undo command{'s' if undos != 1 else ''}"]
    if missing := len(plan.entries) - undos:
        parts.append(f"{missing} without undo")
    if left := sum(len(hosts) for _, hosts in plan.left_out):
        parts.append(f"{left} host{'s' if left != 1 else ''} left out (never started)")
    if plan.rollback_steps:
        parts.append(f"then {len(plan.rollback_steps)} rollback section step{'s' if len(plan.rollback_steps) != 1 else ''}")
    return ", ".join(parts)
