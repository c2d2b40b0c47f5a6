"""When to tell people: journal events and timers turned into notices.

`Announcer` listens to the controller's event stream (the same events
everyone's screen folds) and hands a `Notice` to the notifier for:

- `session_started`: in a shared run once the share is up, with the exact
  `runbook-tui join ADDR` command and the session's host key fingerprint;
  an unshared resume outside the window (`--override-window`), naming who went on and why;
- `verifier_missing`: no verifier joined `verifier_missing` after the start (in a
  shared run after the share is up, so the page says where to join), or the
  last verifier left mid-run and none joined `verifier_missing` after;
- `confirmation_waiting`: a step (or a `verify: per_wave` rollout between
  waves, or accepted unmet success criteria) waited that long for the verifier;
- `guard_tripped` (a threshold, or no data), `rollback_started`,
  `rollback_finished`;
- `window_closing`: `window_closing` before the ticket's window ends;
- `session_finished`: the outcome in the run screen's words (`outcome_said`),
  the journal, and the command that writes the report; each step that went on with hosts failed within its
  `max_fail` says how many (`'restart': 2 of 20 hosts failed, within
  max_fail 10%`), and `details.hosts_failed` names them.

Timers re-check the state when they fire, so a verifier who joined a second
earlier is not paged. Everything here runs on the event loop and only queues.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import time
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from runbook_tui.engine import events as ev
from runbook_tui.engine.events import Event
from runbook_tui.engine.host_tally import FAILED_HERE, tolerated_words
from runbook_tui.engine.outcome_words import outcome_said
from runbook_tui.engine.state import RunState, confirmable
from runbook_tui.engine.who_verifies import who_verifies
from runbook_tui.notify.messages import Notice
from runbook_tui.runbook.durations import format_duration
from runbook_tui.runbook.reach import NotifyTiming
from runbook_tui.runbook.safe_text import shell_word


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def notice_for(state: RunState, event: str, actor: str, summary: str, time: str | None = None, **details: Any) -> Notice:
    """A notice about this session: runbook, title, ticket and session id come from `session_started`."""
    session = state.session
    ticket = (session.get("ticket") or {}).get("id")
    return Notice(
        event=event,
        runbook=str(session.get("runbook", "")),
        title=str(session.get("title", "")),
        ticket=str(ticket) if ticket else None,
        actor=actor,
        time=time or now_iso(),
        session=str(session.get("session", "")),
        summary=summary,
        details={"mode": session.get("mode"), "journal": session.get("journal"), **details},
    )


def join_command(address: str) -> str:
    """The command a verifier elsewhere runs to join (`join_address`). Before, the page told the verifier to join
    0.0.0.0:2222, which from their machine is their own."""
    return f"runbook-tui join {join_address(address)}"


def join_address(address: str) -> str:
    """The address a verifier elsewhere types: a share on every interface (`--share :2222`, journaled as `0.0.0.0:2222`
    or `[::]:2222`) is named by this machine's host name (the notices, and the run screen's and exec's `shared at`)."""
    host, _, port = address.rpartition(":")
    return f"{socket.gethostname()}:{port}" if host.strip("[]") in ("0.0.0.0", "::") else address


def _ticket(state: RunState) -> str:
    return str((state.session.get("ticket") or {}).get("id") or "NO TICKET")


def _window_end(state: RunState) -> float | None:
    end = ((state.session.get("ticket") or {}).get("window") or {}).get("end")
    if not end:
        return None
    try:
        return dt.datetime.fromisoformat(str(end)).timestamp()
    except ValueError:
        return None


def awaited(state: RunState) -> tuple[str, dict[str, Any]]:
    """Whom a wait for the verifier's word waits for, as the screens name them, for a `confirmation_waiting`: the words
    that end its summary (`: no verifier is connected`, or none) and its details. Before, the notice said `from the
    verifier` while every screen read `Waiting for bob to confirm 'one': no verifier is connected`: whoever was paged
    could not tell whom to wake, nor whether they were there and silent."""
    connected = sorted(name for name, role in state.participants.items() if role == "verifier")
    absent = "" if connected else ": no verifier is connected"
    return absent, {"waiting_for": who_verifies(state), "verifiers_connected": connected}


def hosts_failed(state: RunState) -> list[dict[str, Any]]:
    """Each step that went on with hosts failed (within its `max_fail`: `step_finished`'s `tolerated`), in words and by name.
    Before, such a step failed and so did the run; now it ends done, and the end's notice said `ended: done` alone: whoever
    listens for failures heard of none."""
    found: list[dict[str, Any]] = []
    for step_id, step in state.steps.items():
        failed = sorted(name for name, host in step.hosts.items() if host.status in FAILED_HERE)
        if not failed or step.status not in ("done", "awaiting_verification"):
            continue
        max_fail = state.plan_steps.get(step_id, {}).get("max_fail")
        words = tolerated_words(step.hosts, max_fail)[2:] if max_fail is not None else f"{len(failed)} of {len(step.hosts)} hosts failed"
        found.append({"step": step_id, "words": words, "failed": failed, "hosts": len(step.hosts), "max_fail": max_fail})
    return found


class Announcer:
    """A controller listener: events and timers in, notices out (through `send`)."""

    def __init__(
        self, send: Callable[[Notice], None], timing: NotifyTiming, *, shared: bool, clock: Callable[[], float] = time.time, told: frozenset[str] = frozenset()
    ) -> None:
        self.send = send
        self.timing = timing
        self.told = told  # a resume: the notices an earlier process of this run journaled an outcome for
        self.shared = shared  # wait for share_started before saying the session started
        self.clock = clock
        self.state = RunState()
        self._previous = RunState()  # the state before the event being handled
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._stopped = False
        # The reason this process went on outside the window with (`--override-window`), heard here: a resumed run's
        # state keeps its start's, which a resume inside the window (the share's notice) repeated as its own.
        self._override_reason: str | None = None

    def stop(self) -> None:
        """No timer fires from now on, and none is armed: the share closes after the notices stop, and its leaves must
        not arm a page of a process that tells nobody any more."""
        self._stopped = True
        for handle in self._timers.values():
            handle.cancel()
        self._timers.clear()

    def _after(self, key: str, delay: float, fire: Callable[[], None]) -> None:
        if self._stopped:
            return
        old = self._timers.pop(key, None)
        if old is not None:
            old.cancel()
        self._timers[key] = asyncio.get_running_loop().call_later(max(delay, 0.0), self._fire, key, fire)

    def _fire(self, key: str, fire: Callable[[], None]) -> None:
        self._timers.pop(key, None)
        if not self.state.finished:
            fire()

    def _cancel(self, key: str) -> None:
        handle = self._timers.pop(key, None)
        if handle is not None:
            handle.cancel()

    # -- the event stream -------------------------------------------------------------------

    def __call__(self, event: Event, state: RunState) -> None:
        self._previous, self.state = self.state, state
        kind = event["type"]
        actor = str(event.get("actor", ev.SYSTEM))
        handler = self._handlers.get(kind)
        if handler is not None:
            handler(self, event, state, actor)

    def _session_started(self, event: Event, state: RunState, actor: str) -> None:
        """The start is told first, then what its timers set off (shared: from share_started, whose notice says where to
        join). Before, the timers were armed first: a run started inside its window's last minutes told `window closes
        in 10m` before `alice started CHG-3`."""
        if not self.shared:  # said once the start is on record whole: a start outside the window journals why next
            self._after("started", 0.0, lambda: self._say_started(actor, event.get("ts")))

    def _say_started(self, actor: str, ts: str | None) -> None:
        state = self.state
        who = f"{actor} started {_ticket(state)} '{state.session.get('title')}' ({state.mode})"
        solo = f", solo: {state.solo}" if state.solo else ""
        self.send(notice_for(state, "session_started", actor, who + solo + self._override(), ts, verifier=state.session.get("verifier"), **self._overridden()))
        self._arm_session_timers(state)

    def _share_started(self, event: Event, state: RunState, actor: str) -> None:
        address, fingerprint = str(event.get("address")), str(event.get("fingerprint"))
        command = join_command(address)
        began = "resumed" if state.resumed else "started"  # a resumed run shared again: its verifier joins anew, not a new change
        summary = f"{actor} {began} {_ticket(state)} '{state.session.get('title')}'{self._override()}; verifier, join with: {command} (host key {fingerprint})"
        details = {"join_command": command, "address": address, "fingerprint": fingerprint, "verifier": state.session.get("verifier"), **self._overridden()}
        self.send(notice_for(state, "session_started", actor, summary, event.get("ts"), **details))
        self._arm_session_timers(state)  # from the share on: the page says where to join, and comes after the start

    def _resumed(self, event: Event, state: RunState, actor: str) -> None:
        if not self.shared:  # shared: from share_started, which follows
            self._arm_session_timers(state)
        self._arm_waiting(state)

    def _override(self) -> str:
        """The words going on outside the ticket's window adds to a notice (`--override-window REASON`)."""
        return f", OUTSIDE its change window: {self._override_reason}" if self._override_reason else ""

    def _overridden(self) -> dict[str, str]:
        return {"window_override": self._override_reason} if self._override_reason else {}

    def _window_override(self, event: Event, state: RunState, actor: str) -> None:
        """A resume outside the window, with a reason: told, naming who went on and why (shared: by the share's notice,
        which follows and says it). Before, an unshared resume's override reached the journal and nobody else."""
        self._override_reason = str(event.get("reason") or "") or None
        if event.get("resumed") and not self.shared:
            who = f"{actor} resumed {_ticket(state)} '{state.session.get('title')}' ({state.mode})"
            solo = f", solo: {state.solo}" if state.solo else ""
            details = {"verifier": state.session.get("verifier"), "resumed": True, "window": event.get("window"), **self._overridden()}
            self.send(notice_for(state, "session_started", actor, who + solo + self._override(), event.get("ts"), **details))

    def _mode_changed(self, event: Event, state: RunState, actor: str) -> None:
        """`resume --solo` / `--share` after the resume: solo, nobody is awaited; shared, the verifier is awaited from now."""
        if state.solo is not None:
            self._cancel("verifier")
        else:  # --share: the verifier is awaited from share_started, which follows
            self._arm_waiting(state)

    def _arm_waiting(self, state: RunState) -> None:
        """A step that waited for the verifier when the process went away waits still: counted again from now."""
        step, phase = state.current, confirmable(state)
        if step is not None and (wave := state.steps[step].wave_awaiting) is not None:
            self._arm_wave(step, wave)
        self._arm_acceptance(state)
        if step is None or phase is None or (phase == "before" and not state.steps[step].go_ahead_asked):
            return
        self._after(f"confirm:{step}", self.timing.confirmation_waiting, lambda: self._still_waiting(step, phase))

    def _arm_session_timers(self, state: RunState) -> None:
        """A solo run's from its start's notice (or its resume), a shared run's from the share's notice."""
        self._await_verifier(state)
        end = _window_end(state)
        # Once a change: before, a run resumed inside the window's last minutes told it again, as new.
        if end is not None and end > self.clock() and "window_closing" not in self.told:
            self._after("window", end - self.timing.window_closing - self.clock(), self._window_closing)

    def _await_verifier(self, state: RunState) -> None:
        if state.solo is None and "verifier" not in state.participants.values():
            self._after("verifier", self.timing.verifier_missing, self._verifier_missing)

    def _verifier_missing(self, left: str | None = None) -> None:
        """`left`: the verifier who left (and no verifier came back since): the run lost its second person mid-way."""
        if self.state.solo is not None or "verifier" in self.state.participants.values():
            return
        waited = format_duration(self.timing.verifier_missing)
        share = self.state.share.get("address")
        how = f"; join with: {join_command(str(share))}" if share else ""
        if left is None:
            summary = f"no verifier has joined {_ticket(self.state)} after {waited}{how}"
        else:
            at = f" at '{self.state.current}'" if self.state.current else ""
            summary = f"the verifier {left} left {_ticket(self.state)}{at} {waited} ago and no verifier has joined since{how}"
        self.send(
            notice_for(
                self.state,
                "verifier_missing",
                ev.SYSTEM,
                summary,
                waited=self.timing.verifier_missing,
                join_command=join_command(str(share)) if share else None,
                **({"left": left, "step": self.state.current} if left is not None else {}),
            )
        )

    def _window_closing(self) -> None:
        end = _window_end(self.state)
        left = format_duration(max((end or 0) - self.clock(), 0))
        current = self.state.current
        summary = f"the change window of {_ticket(self.state)} closes in {left}" + (f"; the run stands at '{current}'" if current else "")
        self.send(
            notice_for(
                self.state,
                "window_closing",
                ev.SYSTEM,
                summary,
                window_end=((self.state.session.get("ticket") or {}).get("window") or {}).get("end"),
                step=current,
            )
        )

    def _joined(self, event: Event, state: RunState, actor: str) -> None:
        if event.get("role") == "verifier":
            self._cancel("verifier")

    def _left(self, event: Event, state: RunState, actor: str) -> None:
        """The last verifier left mid-run (quit, or their link dropped and they never came back): paged as a verifier
        who never joined is. Before, only the start armed the page: a run whose verifier left at 2 AM waited unheard."""
        if event.get("role") == "verifier" and not state.finished and state.solo is None and "verifier" not in state.participants.values():
            left = str(event.get("name"))
            self._after("verifier", self.timing.verifier_missing, lambda: self._verifier_missing(left))

    def _awaits(self, event: Event, state: RunState, actor: str) -> None:
        """A step now waits for the verifier: after it ran, or for the go-ahead before it runs."""
        step = event.get("step")
        if step is None:
            return
        if event["type"] == ev.STEP_FINISHED and event.get("status") != "awaiting_verification":
            return
        if event["type"] == ev.NOTE:
            if event.get("request") != "go_ahead":
                return
            earlier = self._previous.steps.get(str(step))
            if earlier is not None and earlier.go_ahead_asked and f"confirm:{step}" in self._timers:
                return  # asked again, unanswered: the step has waited since the first request, and the notice counts from there
        phase = "after" if event["type"] == ev.STEP_FINISHED else "before"
        self._after(f"confirm:{step}", self.timing.confirmation_waiting, lambda: self._still_waiting(str(step), phase))

    def _still_waiting(self, step: str, phase: str) -> None:
        status = self.state.steps.get(step)
        if status is None or self.state.solo is not None:
            return
        waiting = status.status == "awaiting_verification" if phase == "after" else not status.has_go_ahead and self.state.current == step
        if not waiting:
            return
        what = "its confirmation" if phase == "after" else "the go-ahead"
        absent, whom = awaited(self.state)
        summary = (
            f"'{step}' of {_ticket(self.state)} has waited {format_duration(self.timing.confirmation_waiting)} for {what} from {whom['waiting_for']}{absent}"
        )
        self.send(notice_for(self.state, "confirmation_waiting", ev.SYSTEM, summary, step=step, phase=phase, waited=self.timing.confirmation_waiting, **whom))

    def _wave_finished(self, event: Event, state: RunState, actor: str) -> None:
        """A `verify: per_wave` rollout waits for the verifier's word before its next wave. Before, only a step's
        confirmation and go-ahead were announced: a rollout halted between waves at 2 AM paged nobody."""
        step, wave = event.get("step"), event.get("wave")
        if event.get("awaiting") and isinstance(step, str) and isinstance(wave, int):
            self._arm_wave(step, wave)

    def _arm_wave(self, step: str, wave: int) -> None:
        self._after(f"confirm:{step}", self.timing.confirmation_waiting, lambda: self._wave_still_waiting(step, wave))

    def _wave_still_waiting(self, step: str, wave: int) -> None:
        status = self.state.steps.get(step)
        if status is None or self.state.solo is not None or status.wave_awaiting != wave:
            return
        of = f" of {status.wave_total}" if status.wave_total else ""
        waited = format_duration(self.timing.confirmation_waiting)
        absent, whom = awaited(self.state)
        summary = (
            f"'{step}' of {_ticket(self.state)} has waited {waited} for {who_verifies(self.state, whose=True)} word to go on after wave {wave}{of}{absent}"
        )
        self.send(
            notice_for(
                self.state, "confirmation_waiting", ev.SYSTEM, summary, step=step, phase="wave", wave=wave, waited=self.timing.confirmation_waiting, **whom
            )
        )

    def _criteria_accepted(self, event: Event, state: RunState, actor: str) -> None:
        self._arm_acceptance(state)

    def _arm_acceptance(self, state: RunState) -> None:
        """Unmet success criteria accepted in a shared run wait for the verifier to confirm the acceptance before the run
        ends: a wait for the verifier's word like any other. Before, it was announced to nobody."""
        accepted = state.criteria_acceptance
        if accepted and accepted.get("needs_verifier") and not accepted.get("confirmed_by"):
            at = accepted.get("at")
            self._after("confirm:criteria", self.timing.confirmation_waiting, lambda: self._acceptance_still_waiting(at))

    def _acceptance_still_waiting(self, at: Any) -> None:
        accepted = self.state.criteria_acceptance
        if self.state.solo is not None or not accepted or accepted.get("confirmed_by") or accepted.get("at") != at:
            return
        waited = format_duration(self.timing.confirmation_waiting)
        absent, whom = awaited(self.state)
        summary = f"{_ticket(self.state)} has waited {waited} for {whom['waiting_for']} to confirm that {accepted.get('by')} accepted the unmet success criteria{absent}"
        self.send(notice_for(self.state, "confirmation_waiting", ev.SYSTEM, summary, phase="criteria", waited=self.timing.confirmation_waiting, **whom))

    def _decided(self, event: Event, state: RunState, actor: str) -> None:
        self._cancel(f"confirm:{event.get('step')}")

    def _guard(self, event: Event, state: RunState, actor: str) -> None:
        words = str(event.get("words") or f"guard '{event.get('panel')}' tripped")
        summary = f"{_ticket(state)}: {words} -> {event.get('action')}"
        # which side is bad and the unit too: a receiver reading `value` 0 and `threshold` 0.5 could not tell a trip from none
        keys = ("panel", "title", "value", "threshold", "direction", "unit", "for", "action", "no_data", "error")
        self.send(notice_for(state, "guard_tripped", actor, summary, event.get("ts"), **{k: event.get(k) for k in keys if k in event}))

    def _rollback_started(self, event: Event, state: RunState, actor: str) -> None:
        if (earlier := self._previous.rollback) is not None and earlier.interrupted:
            return  # `resume --rollback` goes on with the rollback a dead process started, whose start was told then
        plan: Mapping[str, Any] = event.get("plan") or {}
        back_to = plan.get("checkpoint_step") or "the start"
        reason = f" ({event['reason']})" if event.get("reason") else ""
        summary = f"{actor} started a {event.get('scope')} rollback of {_ticket(state)}, back to {back_to}{reason}"
        self.send(
            notice_for(
                state,
                "rollback_started",
                actor,
                summary,
                event.get("ts"),
                scope=event.get("scope"),
                reason=event.get("reason"),
                undo_count=len(plan.get("entries") or []),
            )
        )

    def _rollback_finished(self, event: Event, state: RunState, actor: str) -> None:
        ok = bool(event.get("ok"))
        result = "complete" if ok else f"NOT complete (failed at '{event.get('failed_step')}')"
        summary = f"the {event.get('scope')} rollback of {_ticket(state)} is {result}"
        self.send(
            notice_for(state, "rollback_finished", actor, summary, event.get("ts"), scope=event.get("scope"), ok=ok, failed_step=event.get("failed_step"))
        )

    def _session_finished(self, event: Event, state: RunState, actor: str) -> None:
        self.stop()
        journal = state.session.get("journal") or ""
        report = f"runbook-tui report {shell_word(journal)} --format md" if journal else None
        failed = hosts_failed(state)
        said = "".join(f"; '{f['step']}': {f['words']}" for f in failed)
        # as the run screen's last status row and the report's Outcome say it (it read `ended: rolled_back`, the journal's
        # name, never where the rollback went back to); `outcome` keeps the journal's name
        words = outcome_said(state)
        summary = f"{_ticket(state)} '{state.session.get('title')}' ended: {words}{said}" + (f"; journal {journal}" if journal else "")
        details = {"outcome": event.get("outcome"), "outcome_words": words, "report_command": report, **({"hosts_failed": failed} if failed else {})}
        self.send(notice_for(state, "session_finished", actor, summary, event.get("ts"), **details))

    _handlers: ClassVar[dict[str, Callable[[Announcer, Event, RunState, str], None]]] = {
        ev.SESSION_STARTED: _session_started,
        ev.SHARE_STARTED: _share_started,
        ev.SESSION_RESUMED: _resumed,
        ev.MODE_CHANGED: _mode_changed,
        ev.WINDOW_OVERRIDE: _window_override,
        ev.PARTICIPANT_JOINED: _joined,
        ev.PARTICIPANT_LEFT: _left,
        ev.STEP_FINISHED: _awaits,
        ev.NOTE: _awaits,
        ev.STEP_CONFIRMED: _decided,
        ev.STEP_REJECTED: _decided,
        ev.WAVE_FINISHED: _wave_finished,
        ev.WAVE_CONFIRMED: _decided,
        ev.WAVE_REJECTED: _decided,
        ev.CRITERIA_ACCEPTED: _criteria_accepted,
        ev.GUARD_TRIPPED: _guard,
        ev.ROLLBACK_STARTED: _rollback_started,
        ev.ROLLBACK_FINISHED: _rollback_finished,
        ev.SESSION_FINISHED: _session_finished,
    }
