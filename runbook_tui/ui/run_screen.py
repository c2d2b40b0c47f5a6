"""The run screen: everything the assignee needs at 2 AM on one screen, and the documented keys.

It renders the controller's state and sends intents; it never runs a
command or touches the journal itself. Events arrive synchronously from the
controller; the screen collects them and repaints at most 15 times a
second, so a step printing a million lines cannot drown the keyboard.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Log, Static

from runbook_tui.engine import events as ev
from runbook_tui.engine.controller import Actor, Controller, Reply
from runbook_tui.engine.events import Event
from runbook_tui.engine.state import RunState
from runbook_tui.ui.modals import ConfirmPrompt, HelpScreen, TextPrompt
from runbook_tui.ui.rollback_modal import RollbackModal
from runbook_tui.ui.widgets import Banner, RunHeader, StepDetail, StepTable

#: Lines of output kept on screen (the journal has all of it).
SCREEN_LINES = 5000
REPAINT_SECONDS = 1 / 15


class RunScreen(Screen[None]):
    BINDINGS = [
        Binding("enter", "run_step", "run step", priority=True),
        Binding("u", "rollback", "roll back"),
        Binding("s", "skip", "skip"),
        Binding("d", "mark_done", "mark done"),
        Binding("n", "note", "note"),
        Binding("p", "pause", "pause/resume"),
        Binding("question_mark", "help", "help"),
        Binding("q", "quit_run", "quit"),
    ]

    def __init__(self, controller: Controller, actor: Actor, journal_path: str) -> None:
        super().__init__()
        self.controller = controller
        self.actor = actor
        self.journal_path = journal_path
        self._pending_lines: list[str] = []
        self._dirty = True
        controller.subscribe(self._on_event)

    def compose(self) -> ComposeResult:
        yield RunHeader(id="header")
        yield Banner(id="banner")
        with Horizontal(id="main"):
            yield StepTable(id="steps")
            with Vertical(id="right"):
                yield StepDetail(id="detail")
                yield Log(max_lines=SCREEN_LINES, id="output")
                yield Static("No metric panels in this runbook.", id="metrics")
        yield Static(f"journal: {self.journal_path}", id="journal-path")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(StepTable).focus()
        self.set_interval(REPAINT_SECONDS, self._repaint)
        self.set_interval(1.0, self._tick)
        self.set_interval(0.5, self.controller.flush)
        self._write_history()
        self._repaint()

    # -- from the controller ---------------------------------------------------------

    def _on_event(self, event: Event, state: RunState) -> None:
        """Called for every event, synchronously: only collect; painting happens on the timer."""
        self._dirty = True
        if event["type"] == ev.OUTPUT:
            host = event.get("host", "")
            mark = "!" if event.get("stream") == "stderr" else "│"
            undo = "undo " if event.get("phase") == "undo" else ""
            self._pending_lines.extend(f"{undo}{host} {mark} {line}" for line in str(event.get("text", "")).splitlines())
        elif event["type"] in (ev.STEP_STARTED, ev.UNDO_STARTED, ev.STEP_FINISHED, ev.ROLLBACK_STARTED, ev.ROLLBACK_FINISHED, ev.ERROR, ev.NOTE):
            self._pending_lines.append(_event_line(event))
        if len(self._pending_lines) > SCREEN_LINES * 2:
            del self._pending_lines[: len(self._pending_lines) - SCREEN_LINES]

    def _write_history(self) -> None:
        """After resume: the output tails the state kept, so the screen is not blank."""
        for sid in self.controller.state.history:
            for line in self.controller.state.steps[sid].output:
                self._pending_lines.append(f"{line.host} {'!' if line.stream == 'stderr' else '│'} {line.text}")

    def _repaint(self) -> None:
        if self._pending_lines:
            lines, self._pending_lines = self._pending_lines, []
            output = self.query_one("#output", Log)
            output.write_lines(lines)
            # Log repaints only the lines it thinks changed, with indices from before it pruned
            # to max_lines; after a prune those are stale, so repaint the visible part whole.
            output.refresh()
        if not self._dirty:
            return
        self._dirty = False
        state = self.controller.state
        self.query_one(StepTable).show(state)
        self.query_one(StepDetail).show(state, state.current)
        self.query_one(Banner).show(state)
        self._tick()
        self.refresh_bindings()

    def _tick(self) -> None:
        self.query_one(RunHeader).show(self.controller.state, dt.datetime.now(dt.timezone.utc), self.controller.state.participants)

    # -- keys -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The footer shows only the keys that do something now."""
        state = self.controller.state
        if action in ("help", "quit_run", "note"):
            return True
        if state.finished:
            return False
        current = state.current
        status = state.steps[current].status if current else None
        if action == "mark_done":
            return status == "unknown"
        if action == "run_step":
            return current is not None and not self.controller.busy
        if action == "skip":
            return current is not None and not self.controller.busy
        return True

    def _say(self, reply: Reply) -> None:
        self.notify(reply.message, severity="information" if reply.ok else "warning", timeout=6)
        self._dirty = True

    def action_run_step(self) -> None:
        controller = self.controller
        step = controller.current_step()
        if step is None:
            return
        reply = controller.run_current(self.actor)
        if reply.ok or step.kind not in ("run", "note", "wait", "ask"):
            self._say(reply)
            return
        if step.confirm is not None and "acknowledgement" in reply.message:
            body = f"{reply.message.split(': ', 1)[-1]}\n\nThis step cannot be undone. It runs:\n{_command_of(controller.state, step.id)}"
            self.app.push_screen(
                ConfirmPrompt(f"Acknowledge '{step.id}'", body, "I understand, run it"),
                lambda ok: self._say(controller.run_current(self.actor, acknowledged=True)) if ok else None,
            )
            return
        if step.kind == "ask" and "answer" in reply.message:
            question = controller.state.plan_steps[step.id].get("ask") or ""
            self.app.push_screen(
                TextPrompt(f"'{step.id}' asks", question, required=False),
                lambda answer: self._say(controller.run_current(self.actor, acknowledged=True, answer=answer)) if answer is not None else None,
            )
            return
        self._say(reply)

    def action_skip(self) -> None:
        step = self.controller.current_step()
        if step is None:
            return
        self.app.push_screen(
            TextPrompt(f"Skip '{step.id}'", f"{step.title}\nWhy is it skipped? The reason goes into the journal and the report."),
            lambda reason: self._say(self.controller.skip(self.actor, reason)) if reason else None,
        )

    def action_mark_done(self) -> None:
        step = self.controller.current_step()
        if step is None:
            return
        self.app.push_screen(
            TextPrompt(f"Mark '{step.id}' done", "Its outcome is unknown. How did you check that it is done?"),
            lambda reason: self._say(self.controller.mark_done(self.actor, reason)) if reason else None,
        )

    def action_note(self) -> None:
        self.app.push_screen(
            TextPrompt("Add a note", "It goes into the journal with the time and your name.", placeholder="what happened"),
            lambda text: self._say(self.controller.note(self.actor, text)) if text else None,
        )

    def action_pause(self) -> None:
        self._say(self.controller.pause(self.actor))

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen())

    def action_rollback(self) -> None:
        if self.controller.busy:
            self._say(Reply(False, "a step is running; roll back when it has ended (its timeout ends it at the latest)"))
            return
        self.app.push_screen(RollbackModal(self.controller.plan_rollback), self._start_rollback)

    def _start_rollback(self, choice: tuple[str, bool] | None) -> None:
        if choice is None:
            return
        scope, acknowledged = choice
        self._say(self.controller.rollback(self.actor, scope, acknowledged=acknowledged, reason="started from the run screen"))  # type: ignore[arg-type]

    def action_quit_run(self) -> None:
        if self.controller.busy:
            self.app.push_screen(
                ConfirmPrompt(
                    "Quit while a step runs?",
                    "The step keeps running where it was started, but this program stops watching it.\n"
                    f"Its outcome will be unknown; continue later with:\n  runbook-tui resume {self.journal_path}",
                    "quit now",
                ),
                lambda ok: self.app.exit(_exit_code(self.controller.state)) if ok else None,
            )
            return
        self.app.exit(_exit_code(self.controller.state))


def _exit_code(state: RunState) -> int:
    return 0 if state.outcome == "done" else 1


def _command_of(state: RunState, step_id: str) -> str:
    commands: dict[str, Any] = state.plan_steps.get(step_id, {}).get("run") or {}
    return "\n".join(f"  [{host}] {cmd}" for host, cmd in commands.items()) or "  (no command)"


def _event_line(event: Event) -> str:
    kind = event["type"]
    if kind == ev.STEP_STARTED:
        return f"── {event['step']} started (attempt {event.get('attempt')}) on {', '.join(event.get('hosts', []))}"
    if kind == ev.STEP_FINISHED:
        return f"── {event['step']} {event['status']}" + "".join(f"\n   ✗ {p}" for p in event.get("problems", []))
    if kind == ev.UNDO_STARTED:
        return f"── undo {event['step']} on {', '.join(event.get('hosts', []))}"
    if kind == ev.ROLLBACK_STARTED:
        return f"── rollback ({event.get('scope')}) started"
    if kind == ev.ROLLBACK_FINISHED:
        return f"── rollback {'finished' if event.get('ok') else 'STOPPED at ' + str(event.get('failed_step'))}"
    if kind == ev.ERROR:
        return f"!! {event.get('host') or ''} {event.get('message')}"
    return f"── note by {event.get('actor')}: {event.get('text')}"
