"""The run screen: everything the assignee needs at 2 AM on one screen, and the documented keys.

It renders the controller's state and sends intents; it never runs a command or touches the journal itself. What it
shows and how it lays out is the view it shares with the verifier's screen (`run_view.RunView`). The modules of the keys
that ask before they act (prompts, the whole step, the copy, the hidden panels) load when first pressed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual.binding import Binding

from runbook_tui.engine.controller import Actor, Controller
from runbook_tui.engine.events import Event
from runbook_tui.engine.guard_response import answering, unanswered_guard_rollback
from runbook_tui.engine.rollback import RollbackPlan, Scope
from runbook_tui.engine.state import RunState
from runbook_tui.ui.enter_keys import enter_action
from runbook_tui.ui.key_intents import KEY_INTENTS
from runbook_tui.ui.run_view import HELP_KEY, VIEW_KEYS, RunView
from runbook_tui.ui.share_toasts import share_toast, share_toast_ended
from runbook_tui.ui.widgets import home_short

if TYPE_CHECKING:
    pass


class RunScreen(RunView):
    """The assignee's screen: runs steps, rolls back, skips, pauses."""

    BINDINGS = [
        Binding("enter", "run_step", "run", priority=True),
        Binding("enter", "rerun_step", "re-run", priority=True),  # the step ran before (failed, rejected, unknown, undone)
        Binding("enter", "ask_go_ahead", "ask go-ahead", priority=True),  # a step the verifier lets start: enter asks
        Binding("enter", "did_it", "I did it", priority=True),  # a note: nothing runs (the footer said `⏎ run`)
        Binding("enter", "answer", "answer", priority=True),  # a question
        Binding("k", "stop_step", "stop step"),
        Binding("k", "end_check", "end check"),  # every step done: the success criteria's check waits (engine/final_check.py)
        Binding("u", "rollback", "roll back"),
        Binding("x", "decline_rollback", "decline"),
        Binding("s", "skip", "skip"),
        Binding("d", "mark_done", "mark done"),
        Binding("n", "note", "note"),
        # Priority: acted on at the app's first look, not through the step list's, #main's, the screen's queues (a prompt's p is a letter)
        Binding("p", "pause", "pause", priority=True),
        Binding("p", "resume", "resume", priority=True),  # the footer names what p does now: one of the two is offered
        Binding("a", "accept_criteria", "accept unmet criteria"),
        Binding("enter", "why_not('enter')", show=False, priority=True),  # neither enter applies: says why, not nothing
        Binding("s", "why_not('s')", show=False),
        Binding("u", "why_not('u')", show=False),
        *(Binding(key, f"why_not('{key}')", show=False) for key in "cx"),  # the verifier's c, x: why not (after x decline)
        HELP_KEY,  # help and quit before the view keys: at 80 columns the footer is cut at its end (`? help` was `? hel`)
        Binding("q", "quit_run", "quit"),
        *VIEW_KEYS,
    ]

    def __init__(self, controller: Controller, actor: Actor, journal_path: str, share_note: str = "", backlog: Iterable[Event] = (), unsigned: str = "") -> None:  # fmt: skip
        """`unsigned`: why the assignee's decisions go unsigned, after the journal's path (empty: they are signed). The
        share's fingerprint first: the verifier reads it out before trusting the session; the journal on its own row
        below it, the path cut in the middle to fit (at 80 columns the address and host key fill two rows)."""
        words = (f" · {unsigned}", " · unsigned") if unsigned else ()
        super().__init__(controller, ("journal: ", home_short(journal_path), *words), share_note, backlog)
        self.controller = controller
        self.actor = actor
        self.journal_path = journal_path
        # A guard's rollback request that nobody answered before the process died opens the undo list again;
        # other trips from before only show in the status stack.
        self._trips_answered = len(controller.state.guard_trips) - (1 if unanswered_guard_rollback(controller.state) else 0)

    def _on_event(self, event: Event, state: RunState) -> None:
        super()._on_event(event, state)
        toast = share_toast(event, state)
        if toast is not None:
            self.toasts.show(self, toast[0], toast[1], title=toast[0], timeout=15)
        self.toasts.withdraw(self, share_toast_ended(event))

    def on_mount(self) -> None:
        # Textual calls RunView.on_mount itself after this one: calling it here too painted the first frame twice.
        self._review_asked = False
        # A resumed run whose steps are all done (the process died after the last, or `resume --solo` recorded the
        # last one unverified) ends as the last step would have: it said "Every step is done" and stayed open.
        self.controller.finish_if_done()

    def _repaint(self) -> None:
        super()._repaint()
        state = self.controller.state
        if state.finished and state.mode == "live" and state.review is None and not self._review_asked:
            self._review_asked = True
            from runbook_tui.ui.review import ReviewScreen  # loads when a run ends, not before the first frame

            self.app.push_screen(ReviewScreen(state), self._reviewed)
        self._show_guard_rollback(state)

    def _show_guard_rollback(self, state: RunState) -> None:
        """A guard asked to roll back (`on_critical: rollback`): once no step runs, the undo list opens by itself, so
        the person sees what will run before saying yes (escape leaves the request in the status stack: u shows it again)."""
        new = state.guard_trips[self._trips_answered :]
        if not new or self.controller.busy:
            return  # a running step ends first: this runs again on the repaint its end brings
        from runbook_tui.ui.rollback_modal import RollbackModal

        self._trips_answered = len(state.guard_trips)
        if state.rollback_requested and any(t.get("action") == "rollback" for t in new) and not isinstance(self.app.screen, RollbackModal):
            self.action_rollback()

    def _reviewed(self, answers: dict[str, str] | None) -> None:
        if answers is not None:
            self._say(self.controller.review(self.actor, answers["planned"], answers["surprised"], answers["change"]))

    # -- keys -------------------------------------------------------------------------

    INTENTS = KEY_INTENTS  # the footer asks the controller whether each is allowed now

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The footer shows only the keys that do something now (`p pause` or `p resume`, as the run stands)."""
        intent, state = self.INTENTS.get(action), self.controller.state
        if intent is None:  # a note after the end: the controller refuses it (nothing follows the end), so n is not offered
            return not (action == "note" and state.finished)
        if intent == "pause" and state.paused != (action == "resume"):
            return False
        if intent == "stop" and (action == "end_check") != self.controller.check_stoppable():
            return False  # `k stop step` while a step runs, `k end check` while a check waits (before the end, or a verify section's)
        if intent == "run" and action != enter_action(state):
            return False  # the footer says what enter does (`run`, `re-run`, `ask go-ahead`, ...) as the status row says
        return intent in self.controller.allowed_intents()

    def action_run_step(self) -> None:
        from runbook_tui.ui.read_first import enter_key  # (with the dialogs, loaded at the first enter)

        enter_key(self, self.controller, self.actor, self._say)

    action_rerun_step = action_ask_go_ahead = action_did_it = action_answer = action_run_step

    def action_skip(self) -> None:
        from runbook_tui.ui.run_prompts import step_dialog

        if (asked := step_dialog(self.controller, self.actor, "skip", self._say)) is not None:
            self.app.push_screen(*asked)

    def action_mark_done(self) -> None:
        from runbook_tui.ui.run_prompts import step_dialog

        if (asked := step_dialog(self.controller, self.actor, "mark_done", self._say, self.source.state)) is not None:
            self.app.push_screen(*asked)

    def action_note(self) -> None:
        from runbook_tui.ui.run_prompts import note_prompt

        self.app.push_screen(note_prompt(), lambda text: self._say(self.controller.note(self.actor, text)) if text else None)

    def action_accept_criteria(self) -> None:
        from runbook_tui.ui.run_prompts import accept_criteria_prompt

        prompt = accept_criteria_prompt(self.controller.state)
        self.app.push_screen(prompt, lambda reason: self._say(self.controller.accept_criteria(self.actor, reason)) if reason else None)

    def action_stop_step(self) -> None:
        from runbook_tui.ui.stop_key import ask_to_stop  # loads when first pressed

        ask_to_stop(self.app, self.controller, self.actor, lambda reply: self._say(reply, quiet=True))  # the screen shows the stop

    action_end_check = action_stop_step

    def check_stoppable(self) -> bool:
        return self.controller.final_check_stoppable()  # the rows' word on the check before the end (the footer's `k` too)

    async def action_pause(self) -> None:
        """p pauses or resumes, whichever the run needs when the decision is taken (pressed twice quickly: pause, then resume)."""
        self._say(await self.controller.pause_durably(self.actor), quiet=True, status_first=True)  # PAUSED first, alone in its frame

    action_resume = action_pause

    def action_rollback(self) -> None:
        if self.controller.busy:  # refused, in the controller's words (nothing starts while busy)
            self._say(self.controller.rollback(self.actor, "checkpoint"))
            return
        from runbook_tui.ui.rollback_modal import RollbackModal, first_scope  # loads when first asked for

        controller = self.controller  # a rollback section step listed with what it runs, rendered as it will run
        scope = first_scope(controller.state)
        modal = RollbackModal(controller.plan_rollback, lambda sid: controller.rendered_step(controller.runbook.step(sid)), controller, scope)
        self.app.push_screen(modal, self._start_rollback)

    def action_decline_rollback(self) -> None:
        from runbook_tui.ui.run_prompts import decline_rollback_prompt

        prompt = decline_rollback_prompt(self.controller.state)
        self.app.push_screen(prompt, lambda reason: self._say(self.controller.decline_rollback(self.actor, reason)) if reason else None)

    def _start_rollback(self, choice: tuple[Scope, bool, RollbackPlan] | None) -> None:
        if choice is None:
            return
        scope, acknowledged, shown = choice  # the controller starts the list shown, or nothing (it changed meanwhile)
        reason = answering(self.controller.state, "started from the run screen")
        self._say(self.controller.rollback(self.actor, scope, acknowledged=acknowledged, reason=reason, seen=shown), quiet=True)

    def action_quit_run(self) -> None:
        from runbook_tui.ui.quit_prompt import asked_quit

        prompt, leave = asked_quit(self.app, self.controller, self.journal_path, self.actor.name)
        if prompt is None:
            self.app.call_later(leave, True)
        else:
            self.app.push_screen(prompt, leave)

    def action_why_not(self, key: str) -> None:
        """enter, s, u when not usable now, the verifier's c, x: the controller's refusal says why (a key doing nothing reads as lost)."""
        if key in ("c", "x"):  # always refused for the assignee's actor, in the two-person rule's words; nothing is journaled
            self._say(self.controller.confirm(self.actor) if key == "c" else self.controller.reject(self.actor, "-"))
        elif key == "u" and self.controller.busy:  # refused, in the controller's words (nothing starts while busy)
            self._say(self.controller.rollback(self.actor, "checkpoint"))
        elif key != "u" and ("run" if key == "enter" else "skip") not in self.controller.allowed_intents():  # never runs or skips
            self._say(self.controller.run_current(self.actor) if key == "enter" else self.controller.skip(self.actor, ""))
