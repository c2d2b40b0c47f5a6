"""The verifier's (or an observer's) run screen: the assignee's run rebuilt from the shared events."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable, Mapping
from types import EllipsisType
from typing import Any

from textual.binding import Binding

from runbook_tui.engine import events as ev
from runbook_tui.engine.actors import Reply
from runbook_tui.engine.event_words import declined_words, status_words
from runbook_tui.engine.events import Event
from runbook_tui.engine.own_word import is_theirs, own_doing
from runbook_tui.engine.state import RunState, confirmable, hold_stands, nothing_to_reject, request_stands, rollback_under_way
from runbook_tui.runbook.safe_text import visible_line
from runbook_tui.ui.modals import ConfirmPrompt, TextPrompt
from runbook_tui.ui.note_line import NoteLine
from runbook_tui.ui.run_prompts import NOTE_KEYS
from runbook_tui.ui.run_view import HELP_KEY, VIEW_KEYS, RunView
from runbook_tui.ui.status_model import Role, Status
from runbook_tui.ui.status_stack import StatusStack

#: The actions that send an intent to the assignee: none while the link is down (`VerifierScreen.unlinked`).
#: The key that opens each dialog whose words are sent, said when words that reached nobody are kept for it.
_KEY_OF = {"reject": "x", "request_rollback": "u", "note": "n"}
_SENDING = frozenset({"confirm", "go_ahead", "reject", "request_rollback", "note", "hold"})
#: Seconds a sent intent waits for the session's answer before the screen says none has come yet.
SLOW_REPLY = 2.0
_SENT = {
    "confirm": "Your word (c)",
    "hold": "Your hold (p)",
    "reject": "Your rejection (x)",
    "request_rollback": "Your rollback request (u)",
    "note": "Your note (n)",
}


def nothing_to_confirm(state: RunState, *, observe: bool) -> str:
    """Why `c` confirms nothing now, in the words of what the run is doing."""
    if observe:
        return "you joined as an observer: you watch, you do not confirm"
    if state.finished:
        return f"the run has ended ({state.outcome or 'ended'}): nothing to confirm"
    if state.solo:
        return "this run is solo (no verifier's confirmation is asked)"
    if running := rollback_under_way(state):
        return f"{running}: nothing waits for your word until it has ended"
    step = state.steps.get(state.current or "")
    if step is None:
        return "nothing waits for your confirmation"
    name = visible_line(step.id)
    if step.status == "running":
        return f"'{name}' is running: confirm it when it has ended and asks for your word"
    paused = "the run is paused; " if state.paused else ""
    then = "the assignee runs it; c confirms when it asks" if step.status == "pending" else "c confirms when a step asks for your word"
    return f"{paused}'{name}' is {status_words(step.status)}: nothing waits for your confirmation ({then})"


def _reject_words(state: RunState) -> tuple[str, str, str]:
    """x's dialog: what is rejected, in the words the rows then say (before it ran, x refuses the go-ahead: the rows
    say `GO-AHEAD REFUSED`, the dialog said `Reject 'gate'` as if it had run), and, before the key is pressed, what
    a rejection does to a go-ahead given and not yet used; its key line says what enter does (it read `enter submit`)."""
    current = visible_line(state.current or "")
    step = state.steps[state.current or ""]
    if step.wave_awaiting is not None:
        wave = f"wave {step.wave_awaiting} of '{current}'"
        return f"Reject {wave}", "The rollout stops at this wave and the assignee sees your reason.", f"enter reject {wave} · escape cancel"
    void = " The go-ahead given is withdrawn: the step runs only after a new one." if step.has_go_ahead else ""
    if step.status == "awaiting_verification":
        return f"Reject '{current}'", f"The run stops at this step and the assignee sees your reason.{void}", f"enter reject '{current}' · escape cancel"
    refused = f"It does not start: the run stops at this step and the assignee sees your reason.{void}"
    return f"Refuse the go-ahead for '{current}'", refused, "enter refuse the go-ahead · escape cancel"


class VerifierScreen(RunView):
    """The verifier's (or an observer's) screen: the same run, rebuilt from the assignee's events."""

    ROLE: Role = "verifier"
    _was_unlinked = False  # as the footer last offered the keys (`unlinked`)
    PALETTE_HINT = False  # its footer needs the columns at 80: confirm, reject, help and leave all show

    BINDINGS = [
        Binding("enter", "details", "details", priority=True),
        Binding("c", "confirm", "confirm"),
        Binding("c", "go_ahead", "go-ahead"),  # a step that needs the verifier's word before it starts: c gives it
        Binding("c", "why_not('c')", show=False),  # neither applies: c says why, instead of doing nothing
        Binding("x", "reject", "reject"),
        Binding("u", "request_rollback", "request rollback"),  # the words of its status rows and help
        Binding("n", "note", "note"),
        Binding("p", "hold", "hold"),
        *(Binding(key, f"why_not('{key}')", show=False) for key in "xunp"),  # refused: said why (an observer, the run ended)
        HELP_KEY,
        Binding("q", "leave", "leave"),
        Binding("ctrl+c", "leave", show=False, priority=True),  # out of habit: as q (Textual's own said nothing)
        *VIEW_KEYS,  # last: at 80 columns the footer has no room for them (help lists them)
    ]

    def __init__(self, client: Any, observe: bool = False) -> None:
        self.client = client
        # Per action: words typed whose send was refused (the link was down; a note past the pace), why, and when.
        self._drafts: dict[str, tuple[str, str, float]] = {}
        self._in_flight: dict[str, float] = {}  # action -> when it was sent (monotonic), until its answer
        self.observe = observe
        # The rows speak to this person whatever the link does: an observer reads the assignee's words, the verifier
        # their own (`Your word on 'pre'`); with the link down only the keys become a watcher's (`keys_role`).
        self.reader = "watching" if observe else "verifier"
        if observe:  # the help lists an observer's own keys (it listed the assignee's and the verifier's)
            from runbook_tui.ui.modals import OBSERVER_HELP_KEYS, OBSERVER_PROMISE

            self.KEYS_HELP = (OBSERVER_HELP_KEYS, OBSERVER_PROMISE)
        super().__init__(client, self.foot())
        # Every time shown is the assignee's (the events'): ages and countdowns are counted by their clock too, as the session's
        # welcome says it (bob's laptop 10 minutes ahead read `window closes in 50m` where alice's said `1h`).
        self.clock = lambda: RunView.clock() - dt.timedelta(seconds=client.clock_offset)  # RunView's (tests freeze it)
        client.on_status(lambda message: self.notify(message, timeout=5, markup=False))
        # Joins after the end are not journaled (nothing but a leave may follow it): one who came back after it read an
        # earlier visit's `you (verifier) left` as the log's last line. Said once, after the catch-up (`_tick`).
        self._opened = self.clock().isoformat(timespec="milliseconds").replace("+00:00", "Z")
        self._late = ""

    def _on_event(self, event: Event, state: RunState) -> None:
        """A declined rollback request is said where this person looks, as the assignee's own screen says it: before, the
        request's row just went away and the log line (soon scrolled off by output) was all that said why."""
        super()._on_event(event, state)
        if event["type"] == ev.SESSION_FINISHED and str(event.get("ts", "")) < self._opened:
            self._late = f"you joined after the session ended ({status_words(str(state.outcome))})"
        if event["type"] == ev.ROLLBACK_DECLINED and _lately(event, state):
            said = f"{declined_words(event.get('actor'), event.get('reason'), event.get('request'))}; the run goes on"
            self.toasts.show(self, "declined", visible_line(said), title="Rollback request declined", timeout=20)
        elif event["type"] in (ev.ROLLBACK_STARTED, ev.ROLLBACK_REQUESTED):
            # "the run goes on" holds no more: it stood beside `Rolled back to the start` (or under a new request)
            self.toasts.withdraw(self, "declined")

    def foot(self) -> tuple[str, ...]:
        """The foot's note: how this person joined, and, as the assignee's own foot says it, that the assignee's decisions
        go unsigned (the session's welcome says it again at each reconnect: a resume with a key ends it)."""
        # Once the run is over no word is taken any more: the promise read on under `Session finished` (observers: as is).
        over = "the run is over: nothing more to confirm" if self.client.state.finished else "your confirmations are journaled under your name"
        joined = "joined as observer (read-only)" if self.observe else f"joined as verifier; {over}"
        if not self.client.unsigned:
            return (joined, "")
        joined = "joined as observer" if self.observe else "joined as verifier"
        # The welcome's reason is the assignee's foot's (`decisions unsigned: no --identity key, no agent key`): an observer
        # who joined with --identity read it as about their own key. Said as the assignee's run's.
        why = self.client.unsigned.removeprefix("decisions unsigned: ")
        whole = f" · the assignee's decisions are unsigned: their run has {why}" if why != self.client.unsigned else f" · the assignee's {self.client.unsigned}"
        return (joined, "", whole, " · the assignee's decisions are unsigned")

    def panel_clock(self) -> float:
        """The assignee's time, which the readings' ages are counted against (their `ts`)."""
        return time.time() - float(self.client.clock_offset)

    def me(self) -> str | None:
        name = self.client.name  # as the session's welcome named them
        return None if name is None else str(name)

    def _tick(self) -> None:
        self.query_one(StatusStack).me = self.me()  # their own hold reads as theirs (`HOLD asked by you`)
        super()._tick()
        if self._late:
            self._queue_lines([f"── {self._late}: your joining is not in its journal; nothing more to confirm"])
            self._late = ""
            self._ask_repaint()
        if self.unlinked() != self._was_unlinked:  # the keys that send go with the link and come back with it
            self._was_unlinked = not self._was_unlinked
            self._dirty = True
            self._ask_repaint()
        foot = self.foot()
        if foot != self.note:
            self.note = foot
            self.query_one(NoteLine).say(*foot)

    def unlinked(self) -> bool:
        """The link to the session is down while the run goes on: nothing this screen sends reaches anyone."""
        return self.client.lost_at is not None and not self.source.state.finished

    def keys_role(self) -> Role:
        """An observer, or a verifier while the link is down, sends nothing: the rows name only what works here (they
        offered `c confirm · x reject`)."""
        return "watching" if self.observe or self.unlinked() else self.ROLE

    def presence(self, state: RunState, links: tuple[Status, ...]) -> tuple[Mapping[str, str], str | None]:
        """The link down while the run goes on: who was there when it dropped, unknown since (before: nobody, and the
        other verifiers left the header until the rejoin, though nothing was known of their leaving)."""
        return (state.participants, self._lost_since()) if self.unlinked() and not self.client.diverged else super().presence(state, links)

    def _lost_since(self) -> str:
        """When the link dropped, on the session's clock as the log's times are."""
        return dt.datetime.fromtimestamp((self.client.lost_at or 0) - self.client.clock_offset, dt.UTC).strftime("%H:%M:%S")

    def link_statuses(self) -> tuple[Status, ...]:
        """The link to the session down: said until it is back (a toast at the drop faded, and the screen went on
        looking joined, offering keys that reached nobody). The run may also simply have stopped: what then happens.
        The assignee's history rewritten under the verifier's eyes: said for as long as the screen is open."""
        diverged = self.client.diverged
        changed = (
            Status(
                f"THE ASSIGNEE'S JOURNAL CHANGED what you had already seen ({diverged}): nothing after it is shown. "
                "p asks them to hold; tell the change board",
                "error",
                {},
            ),
        ) if diverged else ()  # fmt: skip
        lost = self.client.lost_at
        if lost is None:
            return changed
        since = self._lost_since()
        if not self.unlinked():  # the run is over and the session let everyone go: nobody is connected any more
            # (before: the header went on saying `verifier bob connected` for as long as the screen stayed open)
            return changed + (
                Status(f"The session closed at {since}: the run is over, nothing more will come", "muted", {"verifier": "q leave", "watching": "q leave"}),
            )
        # Why, where the session said it (alice quit at her keys: before, the row said only "stopped, or the network").
        # An observer sends nothing at any time: told what they miss, not that keys they never had come back.
        farewell = self.client.farewell
        then = "what happens meanwhile shows once" if self.observe else "nothing can be sent until"
        why = f"{farewell}; {then} this screen reconnects (by itself)" if farewell else (
            "(the assignee's program stopped, or the network): " + (
                "what happens meanwhile shows once it reconnects by itself" if self.observe else
                "nothing can be sent now; c x u n p come back when it reconnects by itself"
            ) + " (after their `resume --share` if it stopped)"
        )  # fmt: skip
        return changed + (
            Status(
                f"NOT CONNECTED since {since}{': ' if farewell else ' '}{why}",
                "error",
                {"watching": "enter details · q leave"},
            ),
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("help", "leave", "details", "toggle_steps", "copy_command", "why_not") or action.startswith("output_"):
            return True
        if self.observe or self.source.state.finished:
            return False
        if self.unlinked() and action in _SENDING:  # the key says why instead (`why_not`)
            return False
        if action in ("confirm", "go_ahead"):
            state = self.source.state
            if is_theirs(state, self.client.name):  # what they did themselves: another person's word (c says why)
                return False
            if (action == "go_ahead") != (state.current is not None and confirmable(state) == "before"):
                return False
            if state.current is None:  # every step done: the assignee's acceptance of unmet success criteria waits for c
                return state.criteria_acceptance is not None and not state.criteria_accepted
            if state.steps[state.current].wave_awaiting is not None:  # verify: per_wave: the rollout waits for this wave's word
                return True
            return confirmable(state) is not None  # the rule the assignee's controller applies
        if action == "reject":
            return nothing_to_reject(self.source.state) is None  # the rule the controller applies (a failed step: u or n)
        if action == "request_rollback":  # a request stands (theirs, or a guard's), or a rollback runs: the row says only `n note`
            return not self.source.state.rollback_requested and not rollback_under_way(self.source.state)
        if action == "hold":  # already paused, or asked: asking to hold says nothing (a second hold was journaled, `p` offered on)
            return not self.source.state.paused and not self.source.state.hold_requested
        return True

    async def _send(self, action: str, text: str = "", seen: str | EllipsisType | None = ...) -> None:
        """Sent in a worker: the screen goes on while the answer comes (c awaited it in the key's handler, and over a link
        gone silent every key, q and ? too, did nothing for the 15 s the keepalive took to notice). A send with no
        answer after SLOW_REPLY seconds is said, and the same key is not sent again meanwhile (`in_flight`)."""
        self._in_flight[action] = time.monotonic()
        try:
            sending = asyncio.ensure_future(self.client.send(action, text, seen=seen))
            if not (await asyncio.wait({sending}, timeout=SLOW_REPLY))[0]:
                said = f"{_SENT.get(action, action)} was sent; no answer from the session after {SLOW_REPLY:g} s (a slow or broken link): it is not sent again"
                self.toasts.show(self, f"unanswered {action}", said, title="", timeout=10)
            reply = await sending
        finally:
            self._in_flight.pop(action, None)
        self.toasts.withdraw(self, f"unanswered {action}")  # "no answer" holds no more: the answer is said below
        # Words typed that were not taken are kept for the same key (they were lost): a send that reached nobody, and a
        # note refused (past the session's pace of notes: before, the refusal said when the next is taken and the note
        # typed was gone). A reason refused while linked is not kept: it was about a step the run has since left.
        if text and not reply.ok and (self.unlinked() or action == "note"):
            self._drafts[action] = (text, reply.message, time.monotonic())
            reply = Reply(False, f"{reply.message}. Your words are kept: {_KEY_OF[action]} opens them again")
        self._say(reply)

    def _prompt(self, action: str, title: str, explanation: str, keys: str, *, placeholder: str = "", required: bool = True) -> None:
        """A dialog for words to send, holding any kept from a send that reached nobody; `keys` says what enter does."""
        kept, why, at = self._drafts.pop(action, ("", "", 0.0))
        if kept:  # the words below were typed before: said, with why they were not taken and how long ago
            explanation = f"{explanation}\n\nYour words below were not sent {time.monotonic() - at:.0f} s ago: {why}. Enter sends them again."
        needed = "A note" if action == "note" else "A reason"
        prompt = TextPrompt(title, explanation, placeholder=placeholder, required=required, value=kept, keys=keys, needed=needed)
        self.app.push_screen(prompt, self._sender(action, optional=not required))

    def _sender(self, action: str, *, optional: bool = False) -> Callable[[str | None], None]:
        """What a prompt's answer does: send it (an empty answer only when `optional`; escape sends nothing), about the
        step current when the prompt opened, the one it names (the session refuses it if the run moved on meanwhile)."""
        seen = self.source.state.current

        def send(text: str | None) -> None:
            if text or (optional and text is not None):
                self.run_worker(self._send(action, text or "", seen))

        return send

    def action_confirm(self) -> None:
        """c: the word on the step (or the acceptance of unmet criteria); on a wave of a `verify: per_wave` rollout, it
        lets the next wave run the command: shown whole first where the pane cuts it, as a go-ahead is (`_read_first`)."""
        state = self.source.state
        step = state.steps.get(state.current or "")
        if step is not None and step.wave_awaiting is not None:
            self._read_first(step.id, f"Your word on wave {step.wave_awaiting} of '{step.id}'", "confirm it: the next wave runs")
        elif not self.in_flight("confirm"):
            self.run_worker(self._send("confirm"))

    def in_flight(self, action: str) -> bool:
        """The same action sent and not answered yet: said, not sent again (a second c over a slow link was a second
        confirmation on the wire, refused or, after a reconnect, landing who knows where)."""
        sent = self._in_flight.get(action)
        if sent is not None:
            waited = f"{time.monotonic() - sent:.0f} s ago"
            said = f"{_SENT.get(action, action)} was sent {waited} and has no answer yet: not sent again"
            self.toasts.show(self, f"unanswered {action}", said, title="", timeout=6)
        return sent is not None

    def action_go_ahead(self) -> None:
        """c on a step that waits for the go-ahead to start (`_read_first`: an `rm -rf` on line 9 was let run unseen)."""
        if (step := self.source.state.current) is not None:
            self._read_first(step, f"Your go-ahead for '{step}'", "give the go-ahead")

    def _read_first(self, step: str, title: str, yes: str, waited: int = 0) -> None:
        """The word that lets `step`'s command run: sent at once when the pane shows the step whole, else the step whole
        first, and y sends it, about that step (read_first.py); before the pane is laid out (a resize too), once it is."""
        from runbook_tui.ui.read_first import pane_shows_whole, read_first, wait_for_layout  # (with the dialogs, loaded when first needed)

        if wait_for_layout(self, waited, lambda: self._read_first(step, title, yes, waited + 1)):
            return

        def give() -> None:
            if not self.in_flight("confirm"):
                self.run_worker(self._send("confirm", seen=step))

        if pane_shows_whole(self, step):
            give()
        else:
            self.app.push_screen(*read_first(lambda: self.source.state, step, title, yes, give, self._say))

    def action_why_not(self, key: str) -> None:
        """A key that does nothing now says why (a tired verifier pressing c and seeing nothing happen cannot tell a lost
        key from a refusal)."""
        state = self.source.state
        if self.unlinked() and not self.observe:
            said = "not connected to the run: nothing you press reaches the assignee; c x u n p come back once it reconnects (it retries by itself)"
        elif key == "c":
            said = (not self.observe and own_doing(state, self.client.name)) or nothing_to_confirm(state, observe=self.observe)
        elif self.observe:
            said = "you joined as an observer: you watch; confirming, rejecting, notes and holds are the verifier's"
        elif state.finished:
            said = f"the run has ended ({state.outcome or 'ended'})"
        elif key == "p" and state.paused:
            said = "the run is paused already: the assignee resumes it with p"
        elif key == "p" and state.hold_requested:
            said = hold_stands(state, self.client.name)
        elif key == "x" and (why := nothing_to_reject(state, self.client.name)):
            said = why
        elif key == "u" and (stands := rollback_under_way(state) or request_stands(state, self.client.name)):
            said = stands
        else:
            return
        self.notify(said, severity="warning", timeout=6, markup=False)

    def action_reject(self) -> None:
        self._prompt("reject", *_reject_words(self.source.state))

    def action_request_rollback(self) -> None:
        # Where the assignee's u goes back to, as their header names it (the dialog said `u starts the rollback`: to where
        # was not said, and at 80x24 the header's checkpoint is under the dialog).
        state = self.source.state
        held = state.checkpoint and (state.checkpoint not in state.steps or state.steps[state.checkpoint].status != "undone")
        where = f"the last checkpoint ('{visible_line(str(state.checkpoint))}')" if held else "the start (no checkpoint reached yet)"
        self._prompt(
            "request_rollback",
            "Request a rollback",
            f"Why, in a few words: optional, enter alone sends the request. The assignee sees it at once: u shows them the "
            f"undo list back to {where} and starts it, or x declines it with a reason you read in the log.",
            "enter request the rollback · escape cancel",
            placeholder="reason (optional)",
            required=False,
        )

    def action_note(self) -> None:
        self._prompt("note", "Add a note", "It goes into the assignee's journal with the time and your name.", NOTE_KEYS)

    def action_hold(self) -> None:
        if not self.in_flight("hold"):
            self.run_worker(self._send("hold"))  # no words: the row reads `HOLD asked: bob asks to hold` (was `bob: the verifier asks to hold`)

    def action_leave(self) -> None:
        """Leaves at once, unless the run waits for this verifier's word: then asks first (the run cannot go past the
        step without a verifier; before, one q left it waiting with nobody there)."""
        if not (self.check_action("confirm", ()) or self.check_action("go_ahead", ())):
            self.app.exit(0)
            return
        current = visible_line(self.source.state.current or "the run")
        prompt = ConfirmPrompt(
            "Leave while the run waits for you?",
            f"'{current}' waits for your word: the assignee cannot go past it until a verifier gives it "
            "(or they go on solo, with a reason, unverified). The same join command brings you back.",
            "leave now",
        )
        self.app.push_screen(prompt, lambda ok: self.app.exit(0) if ok else None)


def _lately(event: Event, state: RunState, seconds: float = 60.0) -> bool:
    """The event is at most `seconds` older than the newest the replica holds (both the assignee's clock): news, not a
    past moment a first join's catch-up goes through."""
    try:
        newest, at = dt.datetime.fromisoformat(str(state.last_ts).replace("Z", "+00:00")), dt.datetime.fromisoformat(str(event["ts"]).replace("Z", "+00:00"))
    except ValueError:
        return False
    return (newest - at).total_seconds() <= seconds
