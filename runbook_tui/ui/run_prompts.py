"""What enter opens when the controller cannot start the step at once (an acknowledgement, or the step's question),
what `s` and `d` ask (why the step is skipped, how it was checked), and what `a` asks when every step is done and a
success criterion is not met."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from textual.screen import Screen

from runbook_tui.engine.controller import Actor, Controller, Reply
from runbook_tui.engine.host_tally import rerun_where
from runbook_tui.engine.left_out import every_host_left_out, left_out, left_out_words, runs_on
from runbook_tui.engine.shown_step import shown_as
from runbook_tui.engine.state import RunState
from runbook_tui.runbook.model import Step
from runbook_tui.ui.step_whole import acknowledgement
from runbook_tui.ui.widgets import step_as_shown


def run_dialog(
    controller: Controller, actor: Actor, step: Step, reply: Reply, say: Callable[[Reply], None]
) -> tuple[Screen[Any], Callable[[Any], None]] | None:
    """The dialog `reply` asks for (`needs_acknowledgement`, `needs_answer`) and what its answer does (the run, said by
    `say`); None: the refusal is all there is to show."""
    if reply.kind == "needs_acknowledgement":
        from runbook_tui.ui.modals import ConfirmPrompt  # (a step that runs at once loads no dialog)

        state = controller.state
        held, left, shown = state.steps[step.id], left_out(state, step.id), shown_as(state, step.id)  # y acts on this step as shown, or on nothing
        body = acknowledgement(reply.detail + (f"\n\n{left_out_words(left)}" if left else ""), where_it_runs(state, step.id))
        # A re-run says where it runs (`y I understand, re-run it on all 6 hosts`), as the status row's enter does.
        yes = f"I understand, re-run it{rerun_where(state.plan_steps.get(step.id, {}), held, left)}" if held.attempts else "I understand, run it"
        yes = "I understand, skip it: every host is left out" if every_host_left_out(state, step.id) else yes
        prompt = ConfirmPrompt(f"Acknowledge '{step.id}'", body, yes, read_to_end=True)  # it is what y runs
        return prompt, lambda ok: say(controller.run_current(actor, acknowledged=True, seen=shown)) if ok else None
    if reply.kind == "needs_answer":
        from runbook_tui.ui.modals import TextPrompt

        question = step_as_shown(controller.state, step.id).get("ask") or ""  # as rendered for the step: as the pane says it
        # enter journals the answer and the step is done: said in the row's words (it read `enter submit`)
        asked = TextPrompt(f"'{step.id}' asks", question, required=False, keys="enter answer it · escape cancel")
        shown = shown_as(controller.state, step.id)
        return asked, lambda answer: say(controller.run_current(actor, acknowledged=True, answer=answer, seen=shown)) if answer is not None else None
    return None


def where_it_runs(state: RunState, step_id: str) -> dict[str, Any]:
    """The step as shown, its commands and undo listed for the hosts enter runs it on only (`runs_on`): the dialog of a
    re-run listed those of the last attempt, hosts known done or left out (an earlier step failed there) among them."""
    entry = step_as_shown(state, step_id)
    if entry.get("kind") == "run":
        runs = set(runs_on(state, step_id))
        for key in ("run", "undo"):
            if isinstance(entry.get(key), dict):
                entry[key] = {host: text for host, text in entry[key].items() if host in runs}
    return entry


def step_dialog(
    controller: Controller, actor: Actor, intent: Literal["skip", "mark_done"], say: Callable[[Reply], None], state: RunState | None = None
) -> tuple[Screen[str | None], Callable[[str | None], None]] | None:
    """`s` and `d` on the current step: the prompt, shown from `state` (the controller's by default), and what its reason
    does: the intent carries the step as shown, so a run gone on meanwhile is refused, not decided for the next step."""
    if (step := controller.current_step()) is None:
        return None
    seen, shown = state or controller.state, shown_as(controller.state, step.id)
    decide = controller.skip if intent == "skip" else controller.mark_done
    prompt = skip_prompt(step, seen) if intent == "skip" else mark_done_prompt(step, seen)
    return prompt, lambda reason: say(decide(actor, reason, shown)) if reason else None


def accept_criteria_prompt(state: RunState) -> Screen[str | None]:
    """`a`: every step done, a success criterion not met: why it is accepted anyway (escape, then u, rolls back instead)."""
    from runbook_tui.ui.modals import TextPrompt

    unmet = "\n".join(f"  ✗ {text}" for text in state.criteria_unmet_said)
    return TextPrompt(
        "Accept unmet success criteria?",
        f"Not met:\n{unmet}\n\nWhy is the change accepted anyway? The reason goes into the journal and the report"
        + ("" if state.solo else "; the verifier confirms it (c)")
        + ". Escape, then u, rolls back instead.",
        keys="enter accept them · escape cancel",
    )


def skip_prompt(step: Step, state: RunState) -> Screen[str | None]:
    """`s`: why the current step is skipped (its title as the pane shows it: rendered, never the template)."""
    from runbook_tui.ui.modals import TextPrompt

    title = step_as_shown(state, step.id).get("title") or step.title
    explanation = f"{title}\n{skip_effect(step, state)}\nWhy is it skipped? The reason goes into the journal and the report."
    return TextPrompt(f"Skip '{step.id}'", explanation, keys=f"enter skip '{step.id}' · escape cancel")


#: A step in these has run (or may have): skipping it leaves what it changed.
RAN = frozenset({"failed", "timed_out", "unknown", "rejected"})


def skip_effect(step: Step, state: RunState) -> str:
    """What a skip does, said before it is done: what becomes of the step's change, and what is next (the prompt asked
    only for a reason, and did not say that a failed step's change stays, nor where the run goes on)."""
    then = _then(step, state)
    stands = state.steps[step.id]
    if stands.status not in RAN:
        return f"Nothing runs for it; {then}."
    if stands.hosts and not stands.ran_before and not any(host.started for host in stands.hosts.values()):
        # every connection failed: the rollback list says `nothing to undo …: the command never started there`
        count = len(stands.hosts)
        where = "its host" if count == 1 else f"any of its {count} hosts"
        return f"Its command never started on {where}: nothing changed there, nothing to undo; {then}."
    return f"It ran: what it changed stays, and {_kept(step)}; {then}."


def _then(step: Step, state: RunState) -> str:
    """`then 'after' is next`: the step the run goes on with once `step` is out of the way."""
    later = state.order[state.order.index(step.id) + 1 :] if step.id in state.order else ()
    following = next((sid for sid in later if state.steps[sid].status == "pending"), None)
    return f"then '{following}' is next" if following else "no step follows it"


def _kept(step: Step) -> str:
    return "its undo stays in the rollback list (u)" if step.undo is not None else "it has no undo"


def decline_rollback_prompt(state: RunState) -> Screen[str | None]:
    """`x`: why the open rollback request (the verifier's or a guard's) is not followed."""
    from runbook_tui.ui.modals import TextPrompt

    explanation = f"{request_words(state)}\nWhy not roll back? The reason goes into the journal; the verifier reads it."
    return TextPrompt("Decline the rollback request", explanation, keys="enter decline the rollback · escape cancel")


def request_words(state: RunState) -> str:
    """The open rollback request as a sentence: `bob asked: p99 doubled` (was `Asked: bob: p99 doubled`); a guard's
    request already reads as one (`guard 'errors' …: the guard asks to roll back to the last checkpoint`)."""
    asked, who = state.rollback_requested or "", state.rollback_asked_by
    if who and asked.startswith(f"{who}: "):
        return f"{who} asked: {asked[len(who) + 2 :]}"
    return asked  # `bob requests a rollback` (no reason given), or a guard's


def mark_done_prompt(step: Step, state: RunState) -> Screen[str | None]:
    """`d`: a step whose outcome is unknown, checked by hand: how; and what marking it does (it said only the question)."""
    from runbook_tui.ui.modals import TextPrompt

    effect = f"Marked done, it is not run again: {_kept(step)}; {_then(step, state)}."
    explanation = f"Its outcome is unknown. {effect}\nHow did you check that it is done?"
    return TextPrompt(f"Mark '{step.id}' done", explanation, keys=f"enter mark '{step.id}' done · escape cancel")


#: What enter does in a note's dialog, the assignee's and the verifier's alike (the assignee's read `enter submit`).
NOTE_KEYS = "enter add the note · escape cancel"


def note_prompt() -> Screen[str | None]:
    """`n`: a note for the journal."""
    from runbook_tui.ui.modals import TextPrompt

    return TextPrompt("Add a note", "It goes into the journal with the time and your name.", placeholder="what happened", keys=NOTE_KEYS, needed="A note")
