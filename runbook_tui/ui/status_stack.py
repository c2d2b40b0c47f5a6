"""The status stack: everything that needs attention now, most severe first, each with its own keys.

A failure, a guard's pause, the verifier's request and a closing window can all be true at once; each gets a line
(one banner replaced the failure with the pause two seconds later, and `p` looked like the fix). A guard that has
recovered since it paused the run says so. `statuses` only reads the state, so the assignee, the verifier and a
replay say the same thing; the keys differ by role.

When nothing needs attention the stack still holds one row: a calm "now"
line (`now_status`: what runs and where, what is next and the key that runs
it, whose go-ahead is awaited); a closing window's countdown is said beside
it. The stack grows with the screen (`max_rows`); what has no row is
counted on a `+N more` row naming `e`, which lists every status whole. The panes below never move when a status
comes or goes, and a change that keeps the number of rows repaints that row only (a pause is one row, not every pane).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from rich.text import Text
from textual.color import Color
from textual.geometry import Size
from textual.strip import Strip
from textual.widgets import Static

from runbook_tui.engine.event_words import paused_words, status_words
from runbook_tui.engine.host_tally import failed_words, tolerated_words
from runbook_tui.engine.left_out import every_host_left_out, left_out, left_out_words
from runbook_tui.engine.own_word import is_theirs, whose_doing
from runbook_tui.engine.pending_captures import not_rendered_yet
from runbook_tui.engine.state import RunState, confirmable
from runbook_tui.engine.state_model import RollbackState
from runbook_tui.engine.step_stop import running_now
from runbook_tui.engine.wait_cut import cut_wait_problem
from runbook_tui.engine.who_verifies import who_verifies
from runbook_tui.metrics.guards import format_value, panel_level
from runbook_tui.notify.left_words import not_delivered, not_expired
from runbook_tui.runbook.durations import span_words
from runbook_tui.runbook.safe_text import visible_line
from runbook_tui.ui.enter_keys import MANUAL_KEYS, again_keys, enter_and, enter_words
from runbook_tui.ui.finished_row import finished_row
from runbook_tui.ui.glyphs import colour
from runbook_tui.ui.kept_rows import KeptRows
from runbook_tui.ui.laid_out import laid_out_size
from runbook_tui.ui.status_fit import fit, in_one_row, keys_after, rows_needed
from runbook_tui.ui.status_model import Role, Status, assignee_name, hold_request, rejection, roll_back_key, rollback_request
from runbook_tui.ui.window_countdown import AMBER_MINUTES, countdown_tone, rollback_by_words, window_left, window_words


def silences_left_on(state: RunState) -> list[Status]:
    """The silences the end could not expire (Alertmanager down, an error): they keep alerts quiet to their end time,
    which nobody knew (the row said `Session finished: done` alone, `silence_failed` was in the journal only)."""
    words = not_expired(state)  # notify/left_words.py: the terminal says it too once the screen closes (the row is cut)
    return [] if words is None else [Status(words, "error", {})]


def statuses(state: RunState, now: dt.datetime, check_stoppable: bool | None = None) -> list[Status]:
    """What needs attention, most severe first (empty when all is well). `check_stoppable`: see `final_check_waits`."""
    if state.finished:
        late = [Status(words, "error", {}) for words in not_delivered(state)]
        return [finished_row(state), *silences_left_on(state), *late]
    found: list[Status] = []
    rollback = state.rollback
    current = state.current
    step = state.steps[current] if current else None
    if rollback is not None and rollback.finished and not rollback.ok and rollback.interrupted:  # the process died during it
        found.append(
            Status(
                "ROLLBACK DID NOT FINISH: the program stopped "
                + (f"during '{rollback.failed_step}' (its outcome unknown)" if rollback.failed_step else "during it"),
                "error",
                {"assignee": "u roll back again", "verifier": "n note"},
            )
        )
    elif rollback is not None and rollback.finished and not rollback.ok:
        found.append(Status(f"ROLLBACK STOPPED at '{rollback.failed_step}': fix it by hand", "error", {"assignee": "u roll back again", "verifier": "n note"}))
    if state.rollback_requested:
        found.append(rollback_request(state, state.rollback_requested, current, step.wave_awaiting if step is not None else None))
    if step is not None and step.status in ("failed", "timed_out"):  # (a rollback asked already: the verifier's u is said)
        exit_words = failed_words(step.hosts, state.plan_steps.get(current or "", {}))
        found.append(
            Status(
                f"'{current}' {status_words(step.status)}{exit_words}",
                "error",
                {
                    "assignee": enter_and(state, "u roll back", "s skip"),
                    "verifier": "n note" if state.rollback_requested else "u request rollback · n note",
                },
            )
        )
    if step is not None and step.status == "rejected":
        found.append(rejection(current or "", step.decision, step.decided_by, str(step.decided_at or ""), step.reason, again_keys(state, "u roll back")))
    if step is not None and step.status == "unknown":
        keys = {} if state.rollback_stopped else {"assignee": enter_and(state, "d mark done", "u roll back")}  # (refused then: u says it)
        # a wait cut by the program's stop ran nothing: the fold's words (engine/wait_cut.py), as the pane says them
        cut = cut_wait_problem(state.plan_steps.get(current or "", {}), step.started_at)
        found.append(Status(f"'{current}': {cut}" if cut else f"'{current}' outcome UNKNOWN (the program stopped while it ran)", "warning", keys))
    if rollback is not None and not rollback.finished:
        # An undo, or a rollback section's step, runs; else the last undo done (it read `starting…` all along but undos).
        doing = running_now(state)
        at = (
            (doing[0] if doing[1] == "undo" else f"running {doing[0]}") if doing else f"{rollback.done_steps[-1]} undone" if rollback.done_steps else "starting"
        )
        found.append(Status(f"Rolling back ({rollback.scope}): {at}…", "warning", {"assignee": "k stop step"} if doing else {}))
    if state.paused:
        found.append(_paused(state, final_check_waits(state, check_stoppable)))
    if state.hold_requested:
        found.append(hold_request(state, state.hold_requested))
    absent = _no_verifier_for(state)  # the keys say what the assignee can do while no verifier can give its word
    wait_or_solo = {"assignee": _WAIT_OR_SOLO} if absent else {}
    if step is not None and step.status == "awaiting_verification":
        who = who_verifies(state)
        within = tolerated_words(step.hosts, state.plan_steps.get(current or "", {}).get("max_fail"))  # failed within max_fail
        done = _DONE_WORDS.get(str(state.plan_steps.get(current or "", {}).get("kind")), "it has run")  # a question ran nothing
        yours = {"verifier": f"Your word on '{current}': {done}{within}"}  # the verifier at the keys (not `Waiting for bob`)
        waiting = f"Waiting for {who} to confirm '{current}'{within}{absent}"
        found.append(Status(waiting, "warning", {"verifier": "c confirm · x reject", **wait_or_solo}, said=yours, **_not_yours(state, waiting)))
    elif absent and step is not None and step.wave_awaiting is None:
        if confirmable(state) == "before":
            found.append(Status(f"'{current}' needs a verifier's go-ahead to start{absent}", "warning", wait_or_solo))
        else:  # not run yet (`_no_verifier_for`): it may run, then waits for the word nobody is there to give
            after = "after each wave" if state.plan_steps.get(current or "", {}).get("verify") == "per_wave" else "once it has run"
            words = f"'{current}' will wait for a verifier's confirmation {after}{absent}"
            found.append(Status(words, "warning", {"assignee": enter_and(state, _WAIT_OR_SOLO)}))
    if step is not None and step.wave_awaiting is not None:
        done = f"Wave {step.wave_awaiting} of '{current}' done"
        found.append(
            Status(
                f"{done}: waiting for the verifier before the next wave{absent}",
                "warning",
                {"verifier": "c confirm · x reject", **wait_or_solo},
                said={"verifier": f"{done}: your word before the next wave"},
                **_not_yours(state, f"{done}: waiting for {who_verifies(state, whose=True)} word before the next wave{absent}"),
            )
        )
    if (reopened := state.reopened_unstarted) is not None:  # u opens on that rollback's scope (resume_words: headless)
        found.append(Status(reopened, "warning", {"assignee": "u roll back · q quit"}))
    elif rollback is not None and rollback.finished and rollback.ok and step is not None and step.status == "undone" and not _ran_since(state, rollback):
        back_to = rollback.plan.get("checkpoint_step") or "the start"
        found.append(Status(f"Rolled back to {back_to}; '{current}' is next again", "warning", again_keys(state, "q quit")))
    if current is None and state.criteria_unmet:  # every step done: unmet success criteria keep the session open
        acceptance = state.criteria_acceptance
        if acceptance is not None:
            accepted = f"Unmet success criteria accepted by {acceptance.get('by')}"
            yours = {"verifier": f"{accepted}: your word before the run ends"}
            waiting = f"{accepted}; waiting for the verifier to confirm"
            theirs = _not_yours(state, f"{accepted}; waiting for {who_verifies(state)} to confirm")
            found.append(Status(waiting, "warning", {"verifier": "c confirm"}, said=yours, **theirs))
        else:
            found.append(
                Status("Success criteria NOT met: " + "; ".join(state.criteria_unmet_said), "error", {"assignee": "u roll back · a accept unmet criteria"})
            )
    if current is None and not state.paused and final_check_waits(state, check_stoppable):  # (a pause's row says it)
        # A status, not the calm line: beside a rollback request or a closing window nothing said the check still held
        # the run open, nor that `k` ends it (the footer alone offered it).
        found.append(Status("Every step is done: checking the success criteria", "muted", {"assignee": "k end check"}))
    if step is not None and step.status not in ("done", "skipped", "awaiting_verification") and (out := left_out(state, current or "")):
        # Before enter: which hosts the step will not run on, and why (an earlier step failed there); the calm line stays.
        every = ": every host, so enter skips it" if every_host_left_out(state, current or "") else ""
        found.append(Status(f"'{current}' {left_out_words(out)}{every}", "warning", {}, aside=True))
    left = window_left(state, now)
    if left is not None and left.total_seconds() / 60 <= AMBER_MINUTES:
        # The last half hour of a window is when the next key matters most: the countdown leaves the "now" line standing
        # (it replaced `Next: 'edit' — enter run it`, `Running … — k stop step`, `checking … — k end check`).
        # Closed, and the run started with an override: whose and why (the row read `WINDOW CLOSED …` alone, as the header
        # does, and a tired assignee could not tell a run let out of its window from one that overran it).
        override = f"overridden: {visible_line(state.window_override)}" if state.window_override and left.total_seconds() <= 0 else ""
        said = (window_words(left, now), rollback_by_words(state, left, now), override)
        found.append(Status(" · ".join(filter(None, said)), countdown_tone(left), {}, aside=True))
    return by_urgency(found)


def by_urgency(found: Sequence[Status]) -> list[Status]:
    """Errors first, then warnings, each in the order found: the stack shows `max_rows` rows, and a rollback request
    after a paused run's rows was the one cut (stable: the order within a tone stays the one `statuses` finds)."""
    return sorted(found, key=lambda status: _URGENCY.get(status.tone, len(_URGENCY)))


_URGENCY = {"error": 0, "warning": 1}


#: What the verifier's word is about when the step ran no command (`Your word on 'how-many': it has run` over a question).
_DONE_WORDS = {"ask": "it is answered", "note": "it is marked done"}


#: What the assignee can do while no verifier is there to give a step its word: wait, or go on solo (journaled).
_WAIT_OR_SOLO = "wait for one to join, or q and resume --solo REASON"


def _not_yours(state: RunState, waiting: str) -> dict[str, Any]:
    """A row's words and keys for the verifier who did what it waits on (`own_word`: alice ran the step before bob resumed
    the run): she read `Your word on 'one'` and was offered `c`, which only gave the refusal."""
    did = whose_doing(state)
    if did is None:
        return {}
    what = "you ran it" if state.current is not None else "you accepted them"
    return {"mine": (did, f"{waiting} ({what}: another person's word)"), "mine_keys": {"verifier": "x reject" if state.current is not None else ""}}


def _no_verifier_for(state: RunState) -> str:
    """`: no verifier is connected` when the current step needs a verifier's word in a shared run and none is joined
    (one left, pressed q, or never came): the header said `not connected`, and nothing said the run could not go on
    past this step, nor how it could."""
    current = state.current
    if current is None or not state.share or state.solo or any(role == "verifier" and not is_theirs(state, name) for name, role in state.participants.items()):
        return ""  # (the one who ran the step, joined as a verifier, gives no word on it: `own_word`)
    step = state.steps[current]
    verify = state.plan_steps.get(current, {}).get("verify", "after")
    # A step not run yet needs one if it waits for a word after it runs, or for a go-ahead not given yet (a `before`
    # step let start needs nobody: it read "will wait for a verifier's confirmation" over a step that would not).
    needs = verify in ("after", "both", "per_wave") or (verify == "before" and not step.has_go_ahead)
    if step.status == "awaiting_verification" or step.wave_awaiting is not None or (needs and step.status == "pending"):
        return ": no other verifier is connected" if "verifier" in state.participants.values() else ": no verifier is connected"
    return ""


def _paused(state: RunState, checking: bool) -> Status:
    """A guard's pause says how the metric stands now: still past the line, or recovered. A pause leaves the check of
    the success criteria before the end waiting (`checking`): `k` still ends it, and the row says so."""
    reason, said = state.pause_reason or "paused", paused_words(state.paused_by, state.pause_reason, "PAUSED")
    trip = next((t for t in reversed(state.guard_trips) if t.get("action") == "pause" and str(t.get("words") or "\0") in reason), None)
    end_check = " · k end check" if checking else ""
    if trip is None:  # who paused, said once: `PAUSED by alice` (it read `PAUSED: paused by alice`, a bare p's journaled reason)
        return Status(f"{said}{_while_paused(state, checking)}", "warning", {"assignee": f"p resume{end_check}"})
    panel = _panel(state, str(trip.get("panel")))
    series = state.samples.get(str(trip.get("panel")), ())
    latest = series[-1][1] if series else None  # None: no reading now (the exporter down); an older one is not "now"
    words = str(trip.get("words"))
    back = roll_back_key(state)
    if panel is None or latest is None:
        return Status(f"PAUSED: {words}", "error", {"assignee": f"p resume · {back}{end_check}"})
    now = format_value(latest, str(panel.get("unit") or ""), (panel.get("warn"), panel.get("critical")))
    if panel_level(panel, latest) == "critical":
        return Status(f"PAUSED: {words}; still {now}", "error", {"assignee": f"{back} · p resume{end_check}"})
    return Status(f"PAUSED: {words}; recovered, now {now}", "warning", {"assignee": f"p resume · {back}{end_check}"})


def _while_paused(state: RunState, checking: bool) -> str:
    """What a pause leaves as it is: the step that runs goes on to its end (the row hid `Running`, and it read as
    stopped); with every step done, the run ends only when resumed (the pane read `finished`), after the check of the
    success criteria, which goes on during the pause if it had begun (the row said only that the run finishes), or is
    owed (a resumed run checks them once resumed)."""
    step = state.steps.get(state.current or "")
    if step is None:
        if state.criteria_unmet:
            return ""
        if checking:
            return "; every step is done: the success criteria are still being checked; the run finishes when it resumes"
        if state.final_check_owed:
            return "; every step is done: the success criteria are checked when it resumes, then the run finishes"
        return "; every step is done: the run finishes when it resumes"
    return f"; '{step.id}' still runs to its end" if step.status == "running" else ""


def _panel(state: RunState, panel_id: str) -> Mapping[str, Any] | None:
    return next((p for p in state.metrics.get("panels") or [] if str(p.get("id")) == panel_id), None)


def final_check_waits(state: RunState, stoppable: bool | None) -> bool:
    """Whether the check of the success criteria before the end waits now, for `k` to end (engine/final_check.py).
    `stoppable`: the controller's word, where the screen has the controller (`Controller.final_check_stoppable`, the
    rule the footer's `k` and the controller's stop follow; the row read the journal's pending checks instead, and a
    resumed run's came from the process that died, so it offered a `k` the controller refused); None (a verifier's
    replica, a replay): the journal's word, a check this process started and has not ended."""
    return state.final_check_running if stoppable is None else stoppable


def now_status(state: RunState, now: dt.datetime) -> Status:
    """The calm line when nothing needs attention: what runs and where (and for how long), whose go-ahead the next step
    waits for, or what is next (the check before the end is a status: `statuses`). Read from the state only, like
    `statuses`: every role says the same words, with its keys."""
    current = state.current
    if current is None and not state.order:  # a verifier's replica before the run's first event: no step is known, none done
        return Status("Nothing of the run received yet: its steps show once they arrive", "muted", {})
    if current is None:
        # A verify section's check (not `k`'s); a check before the end the controller does not run is no check now.
        checking = ": checking the success criteria" if any(p.get("when") != "end" for p in state.checking_now) else ""
        return Status(f"Every step is done{checking}", "muted", {})
    step = state.steps[current]
    entry = state.plan_steps.get(current, {})
    title = step.rendered.get("title") or not_rendered_yet(str(entry.get("title") or ""), state.plan_steps)
    waits = entry.get("kind") == "wait"
    # A note, a question or a wait: nothing runs anywhere (a note read `on local — enter run it`, a wait `Running … on local`).
    where = f" on {entry['on']}" if entry.get("on") and not waits and entry.get("kind") not in MANUAL_KEYS else ""
    about = f" · {title}" if title else ""  # last: the part cut when the line is too long
    if step.status == "running":
        since = ""
        if step.started_at:
            seconds = (now - dt.datetime.fromisoformat(step.started_at.replace("Z", "+00:00"))).total_seconds()
            since = f" for {span_words(max(seconds, 0))}"
        if waits:
            since += f" of {span_words(entry.get('wait') or 0)}" if since else f" ({span_words(entry.get('wait') or 0)})"
        doing = f"Waiting at '{current}'" if waits else f"Running '{current}'{where}"
        if stopping := step.stopping:  # k pressed: its commands are being stopped (TERM, then KILL after a grace); k again is refused
            who, when = stopping
            return Status(
                f"Stopping '{current}'{where}: {visible_line(who)} pressed k at {when[11:19]}{since}{about}",
                "warning",
                {"assignee": "p pause", "verifier": "p hold"},
            )
        return Status(f"{doing}{since}{about}", "accent", {"assignee": "k stop step · p pause", "verifier": "p hold"})
    if confirmable(state) == "before":
        whose = who_verifies(state, whose=True)
        asked = f" (asked {str(step.go_ahead_asked_at)[11:19]})" if step.go_ahead_asked else ""  # nobody asks again for want of knowing
        again = " again" if step.go_ahead_asked else ""
        by = f" ({assignee_name(state)} asked {str(step.go_ahead_asked_at)[11:19]})" if step.go_ahead_asked else ""
        yours = {"verifier": f"Your go-ahead for '{current}' before it runs{by}{about}"}  # bob read `waits for bob's go-ahead`
        return Status(
            f"'{current}' waits for {whose} go-ahead{asked}{about}", "muted", {"assignee": f"enter ask go-ahead{again}", "verifier": "c go-ahead"}, said=yours
        )
    verifying = " · k end check" if any(p.get("when") == "verify" for p in state.checking_now) else ""  # a verify section's check (k ends it)
    # The verifier read the assignee's words with no key, and nothing said whose move it was or whether theirs follows.
    then = ", then your word" if entry.get("verify", "after") in ("after", "both", "per_wave") else " (no word of yours)"
    does = {"note": "does it by hand", "ask": "answers it"}.get(str(entry.get("kind")), "runs it")
    yours = {"verifier": f"Next: '{current}'{where}: {assignee_name(state)} {does}{then}{about}"}
    return Status(f"Next: '{current}'{where}{about}", "muted", {"assignee": enter_words(state) + verifying}, said=yours)


#: The stack's rows at most on a short terminal (80x24: the command and the output stay on screen below it).
MAX_ROWS = 4
#: On a taller one, a row for each this many rows of the screen (45 rows: 7): it held 4 at any height, and at
#: 140x45 a busy night's statuses were cut to `+N more` over an output pane of 25 rows.
SCREEN_ROWS_PER_ROW = 6
#: What the `+N more` row names: the key that lists every status whole (`StatusStack.every_status`).
EVERY_STATUS_KEY = "e every status"


def max_rows(screen_height: int) -> int:
    """The stack's rows at most for a screen this tall: `MAX_ROWS`, more as the screen grows (the panes keep their room)."""
    return max(MAX_ROWS, screen_height // SCREEN_ROWS_PER_ROW)


def arrange(found: Sequence[Status], role: Role, width: int, limit: int = MAX_ROWS, keys: Role | None = None) -> tuple[list[tuple[Status, bool]], list[Status]]:
    """What fits in `limit` rows (`max_rows`): each status shown whole (True) or cut to one row keeping its keys
    (False), most urgent first, and those left for the `+N more` row. Past four rows the rest were cut with no sign
    (at 80 columns a go-ahead refusal alone takes two), and the one cut could be a rollback request. `role` reads the
    words, `keys` (`role` when not given) names the keys offered: see `StatusStack.show`."""
    offered = keys or role
    need = [rows_needed(visible_line(status.words(role)), status.keys.get(offered, ""), width) for status in found]
    if sum(need) <= limit:
        return [(status, True) for status in found], []
    shown = len(found) if len(found) <= limit else limit - 1
    budget = limit - (shown < len(found))
    placed: list[tuple[Status, bool]] = []
    for index in range(shown):
        after = shown - index - 1  # each status after this one keeps a row at least
        whole = need[index] <= budget - after
        placed.append((found[index], whole))
        budget -= need[index] if whole else 1
    return placed, list(found[shown:])


def more_words(hidden: Sequence[Status], role: Role) -> str:
    """`+2 more: HOLD asked: … · window closes in 9m`: the statuses with no row, named by their words (`e` lists them whole)."""
    return f"+{len(hidden)} more: " + " · ".join(visible_line(status.words(role)) for status in hidden)


def every_status_text(found: Sequence[Status], role: Role, keys: Role | None = None) -> str:
    """`e`'s list: each status whole, its keys for this role on a row of their own (after the words, a wrapped row
    split `u` from `roll back`), most urgent first, a blank line between (plain text: shown literally, never markup).
    `keys`: whose keys are offered, where they are not the reader's (`StatusStack.show`)."""
    if not found:
        return "Nothing needs attention now."
    offered = keys or role
    return "\n\n".join(visible_line(s.words(role)) + (f"\n  — {said}" if (said := s.keys.get(offered, "")) else "") for s in found)


class StatusStack(Static):
    """The stack on screen: one line per status (wrapped if long), or the calm "now" line; never fewer than one row."""

    virtual_size = laid_out_size()  # set by each layout, asking for no other (ui/laid_out.py)

    DEFAULT_CSS = """
    StatusStack {
        height: auto;
        min-height: 1;
        max-height: 4;  /* MAX_ROWS; `show` sets `max_rows` for the screen's height */
        padding: 0 1;
    }
    """

    _shown: tuple[Any, ...] | None = None
    #: The stack's own background while something needs attention (the theme's `$boost`), None while calm.
    _boost: Color | None = None
    #: What the stack said last, every status whole, for `e`'s list (the same list, in the same order).
    found: tuple[Status, ...] = ()
    #: `show`'s arguments last time and the screen size it laid them out for: a resize lays the same words out again.
    _said: tuple[RunState, dt.datetime, Role, tuple[Status, ...], bool | None, Role] | None = None
    _laid_for: Size | None = None
    #: The participant at this screen, where a row may be about them (their own hold: `Status.read_by`); None: nobody's.
    me: str | None = None
    #: The rows drawn for what the stack said (`_shown`): a pause and its lifting swap between two.
    _kept: KeptRows | None = None

    def show(
        self, state: RunState, now: dt.datetime, role: Role, first: Sequence[Status] = (), check_stoppable: bool | None = None, keys: Role | None = None
    ) -> None:
        """`role`: who reads the rows (their words: the verifier reads `Your word on 'pre'`); `keys`: whose keys the rows
        offer, when not `role`'s (a verifier whose link is down offers an observer's, and still reads their own words:
        before, one role did both, and bob read `Waiting for bob to confirm 'pre'` about himself once his link dropped);
        `first`: what the screen itself knows and the run's state cannot (the verifier's link is down);
        `check_stoppable`: the controller's word on the check before the end, where the screen has it (`final_check_waits`)."""
        self._said = (state, now, role, tuple(first), check_stoppable, keys or role)
        self._lay_out(self.screen.size)

    def refit(self, screen_size: Size) -> None:
        """The screen is now `screen_size`: what the stack said, wrapped and cut for it now (it kept the old width's rows,
        cut or folded wrong, until the next tick, key or event). Nothing is drawn when the size is the one laid out."""
        if self._said is not None and screen_size != self._laid_for:
            self._lay_out(screen_size)

    def on_resize(self) -> None:
        """The stack's own width changed (also under a dialog, where the screen gets no Resize of its own)."""
        self.refit(self.screen.size)

    def _lay_out(self, screen_size: Size) -> None:
        assert self._said is not None
        state, now, role, first, check_stoppable, offered = self._said
        self._laid_for = screen_size
        theme = self.app.current_theme
        width = max(screen_size.width - 2, 1)  # the stack spans the screen, one cell of padding each side
        limit = max_rows(screen_size.height)
        if self.styles.max_height is None or self.styles.max_height.value != limit:
            self.styles.max_height = limit
        found = [status.read_by(self.me, role) for status in by_urgency([*first, *statuses(state, now, check_stoppable)])]
        self.found = tuple(found)
        text = Text() if found else Text(no_wrap=True, overflow="ellipsis")  # the calm line stays one row, whatever the width does
        placed, hidden = arrange([in_one_row(status, role, width, offered) for status in found], role, width, limit, offered)
        for index, (status, whole) in enumerate(placed):
            if index:
                text.append("\n")
            words, keys = visible_line(status.words(role)), status.keys.get(offered, "")
            tail = keys_after(words, keys, width) if keys else ""
            if not whole:  # cut to its row: one with no keys of its own names e, which shows it whole (it ended `al…`)
                words, tail = fit(words, keys or EVERY_STATUS_KEY, width)
            text.append(words, style=f"bold {colour(theme, status.tone)}")
            text.append(tail, style=colour(theme, "accent"))
        if hidden:
            more, tail = fit(more_words(hidden, role), EVERY_STATUS_KEY, width)
            text.append(f"\n{more}", style=f"bold {colour(theme, hidden[0].tone)}")
            text.append(tail, style=colour(theme, "accent"))
        if all(status.aside for status in found):  # nothing needs attention (a closing window aside): what is now
            calm = now_status(state, now)
            words, tail = fit(visible_line(calm.words(role)), calm.keys.get(offered, ""), width, visible_line(state.current or ""))
            text.append("\n" if found else "")
            text.append(words, style=colour(theme, calm.tone))
            text.append(tail, style=colour(theme, "accent"))
        # Set inline, not by a class: a class turning on or off restyled the stack through the stylesheet (~0.4 ms of each
        # `p`, which flips it); the theme's boost is read each time, so a theme chosen since is followed.
        boost = Color.parse(self.app.theme_variables["boost"]) if found and "boost" in self.app.theme_variables else None
        if boost != self._boost:
            self._boost = self.styles.background = boost
        shown = (text.plain, tuple(text.spans), width, text.no_wrap, text.overflow)
        if shown == self._shown:
            return  # the 1 s tick: nothing new to say, nothing drawn
        self._shown = shown
        one_row = "\n" not in text.plain and text.cell_len <= width
        # One row before and after: only this row is drawn again (no layout), the panes below stay where they are.
        self.update(text, layout=not (one_row and self.size.height == 1))

    def render_line(self, y: int) -> Strip:
        """Textual's row `y` of the stack, drawn once per words, size and style (`kept_rows.py`)."""
        if self._shown is None:
            return super().render_line(y)
        if self._kept is None:
            self._kept = KeptRows()
        rows = self._kept.rows(self, self._shown)
        return rows[y] if y < len(rows) else Strip.blank(self.size.width, self.visual_style.rich_style)

    def notify_style_update(self) -> None:
        if self._kept is not None:
            self._kept.clear()  # a theme or the CSS changed the colours
        super().notify_style_update()


def _ran_since(state: RunState, rollback: RollbackState) -> bool:
    """A step started after the rollback began: the run has gone on, and "'X' is next again" is no longer news (it was said
    again at each undone step the run came to)."""
    began = rollback.started_at or ""
    return bool(began) and any((step.started_at or "") > began for step in state.steps.values())
