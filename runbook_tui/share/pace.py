"""How fast a participant may ask, and how much they may write: a session's requests and a participant's notes.

A session's requests: REQUEST_BURST at once, then REQUESTS_PER_SECOND (a person
pressing keys never comes near; each request is parsed, maybe a signature
checked and an fsynced event written, on the assignee's event loop).

A participant's notes, across all their sessions: NOTE_BURST at once, then one
every 60 / NOTES_PER_MINUTE seconds. Each note is a journal line and a line in
everyone's log; at the requests' pace (5 a second, 18,000 an hour) a client
sending notes in a loop scrolled the assignee's log away from the run and grew
the journal without bound. A note past the pace is refused to its sender in
words, and journaled nowhere; the first refusal of a flood is said once to
everyone (a note by the system), and said again only for a flood after a quiet
spell (the bucket full again). A verifier's word that their key would not sign a
decision or a seal (`unsigned`) is journaled as an `error` and paced as their notes.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from runbook_tui.engine.actors import Actor, Reply, refused
from runbook_tui.engine.controller import Controller
from runbook_tui.engine.events import ERROR, NOTE, SYSTEM
from runbook_tui.runbook.safe_text import visible_line
from runbook_tui.share import protocol

#: Requests a session may send at once, and on average per second after that.
REQUEST_BURST = 20
REQUESTS_PER_SECOND = 5.0
#: Characters in a request's text (a note, a reason) at most: enough for a pasted log excerpt, not for filling the disk.
TEXT_MAX = 16 * 1024
#: Notes a participant may add at once, and per minute after that (a person typing notes by hand never comes near).
NOTE_BURST = 10
NOTES_PER_MINUTE = 10.0


class Pace:
    """A token bucket: `burst` at once, then `rate` a second."""

    def __init__(self, burst: int = REQUEST_BURST, rate: float = REQUESTS_PER_SECOND, clock: Callable[[], float] = time.monotonic) -> None:
        self.burst, self.rate, self.clock = burst, rate, clock
        self.tokens = float(burst)
        self.at = clock()

    def _refill(self) -> None:
        now = self.clock()
        self.tokens = min(float(self.burst), self.tokens + (now - self.at) * self.rate)
        self.at = now

    def take(self) -> bool:
        self._refill()
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    def full(self) -> bool:
        self._refill()
        return self.tokens >= self.burst

    def wait(self) -> float:
        """Seconds until the next `take()` succeeds."""
        self._refill()
        return max(0.0, (1 - self.tokens) / self.rate)


def text_field(message: dict[str, Any], name: str) -> str:
    """A request's string field ("" when absent or null); anything else, or text that is not Unicode, is refused."""
    value = message.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise protocol.ProtocolError(f"'{name}' must be a string")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (JSON allows "\ud800"): the journal could not write it
        raise protocol.ProtocolError(f"'{name}' is not valid Unicode") from None
    if len(value) > TEXT_MAX:
        raise protocol.ProtocolError(f"'{name}' has {len(value):,} characters; at most {TEXT_MAX:,}")
    return value


#: What a verifier's key may fail to sign, in words: a decision (by its action) or a seal.
UNSIGNED_WHAT = {"confirm": "confirmation", "reject": "rejection", "hold": "hold request", "request_rollback": "rollback request", "seal": "seal"}
#: Characters of a participant's "why" journaled (their key's or agent's words; the rest is cut).
UNSIGNED_WHY = 500


class NotePace:
    """Each participant's notes paced (NOTE_BURST, then NOTES_PER_MINUTE), whatever the number of their sessions."""

    def __init__(self, controller: Controller, counts: Counter[str] | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        """`counts`: the share's counts; each note refused adds to its `refused_requests` (`share_closed` journals them)."""
        self.controller = controller
        self.counts: Counter[str] = Counter() if counts is None else counts
        self.clock = clock
        self._paces: dict[str, Pace] = {}
        self._flooding: set[str] = set()  # participants whose flood was said (and not over: their bucket not full again)

    def _pace(self, actor: Actor) -> Pace:
        pace = self._paces.setdefault(actor.name, Pace(NOTE_BURST, NOTES_PER_MINUTE / 60, self.clock))
        if actor.name in self._flooding and pace.full():
            self._flooding.discard(actor.name)  # a quiet spell: a new flood is said again
        return pace

    def unsigned(self, actor: Actor, what: str, why: str, step: str | None, line: object) -> Reply:
        """A verifier's key would not sign `what` (an ssh-agent's confirmation refused, a hardware key not touched): an
        `error` by them with `unsigned`, as for the assignee's own key, so the assignee's screen says why the run still
        waits and the journal keeps it (before: the verifier's screen alone said it). Paced as their notes are."""
        state = self.controller.state
        if actor.role != "verifier" or what not in UNSIGNED_WHAT:
            return refused(f"refused: only a verifier's decision or seal is signed; expected one of {', '.join(sorted(UNSIGNED_WHAT))}")
        if state.finished and what != "seal":  # only the end's seal comes after it
            return refused("the session is finished; nothing may follow its end in the journal")
        if not self._pace(actor).take():
            self.counts["refused_requests"] += 1
            return refused(f"more than {NOTE_BURST} notes at once, or {NOTES_PER_MINUTE:g} a minute: this one was not journaled")
        who, said = visible_line(actor.name), visible_line(why.strip())[:UNSIGNED_WHY] or "no reason given"
        if what == "seal":
            of = f" of line {line}" if type(line) is int and line > 0 else ""
            words = f"{who}'s key would not sign their seal{of}: {said}; the journal is not sealed by {who} there"
        else:
            of = f" of '{visible_line(step)}'" if step else ""
            words = f"{who}'s key would not sign their {UNSIGNED_WHAT[what]}{of}: {said}; it was not sent (the run waits on as before)"
        kind = "seal" if what == "seal" else "decision_signed"
        if step and step in state.plan_steps:  # (an event naming no step of the plan is never written)
            self.controller.emit(ERROR, actor.name, message=words, unsigned=kind, step=step)
        else:
            self.controller.emit(ERROR, actor.name, message=words, unsigned=kind)
        return Reply(True, "journaled")

    def note(self, actor: Actor, text: str) -> Reply:
        pace = self._pace(actor)
        if not text.strip() or actor.role == "observer" or self.controller.state.finished:
            return self.controller.note(actor, text)  # refused there, in its words, at no cost
        if not pace.take():
            self.counts["refused_requests"] += 1
            if actor.name not in self._flooding:
                self._flooding.add(actor.name)
                who = visible_line(actor.name)
                self.controller.emit(
                    NOTE, SYSTEM, step=self.controller.state.current,
                    text=f"{who}'s notes come faster than {NOTES_PER_MINUTE:g} a minute: the rest are refused to {who} and not journaled"
                    " (said once)",
                )  # fmt: skip
            return refused(
                f"more than {NOTE_BURST} notes at once, or {NOTES_PER_MINUTE:g} a minute: this one was not added; the next is taken in {pace.wait():.0f} s"
            )
        return self.controller.note(actor, text)
