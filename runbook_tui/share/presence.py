"""Participants' joins and leaves as the journal tells them: bounded however often someone reconnects.

A participant with a valid key could open thousands of sessions a minute, each an fsynced
`participant_joined` and `participant_left`. Here a participant is present while they have
at least one session; a change of that is journaled at once while the participant has tokens
left (BURST, one more every INTERVAL seconds), else when the next token comes, and only if it
still holds then. A session whose join was not journaled is counted and the count given with
the next event written (`repeats`), so the journal converges to the truth within INTERVAL and
stays small, and journaled joins plus counts are every session.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from runbook_tui.engine.controller import Controller, Role
from runbook_tui.runbook.lean_dataclass import dataclass

#: Changes of presence journaled at once per participant, then one per INTERVAL seconds.
BURST = 4
INTERVAL = 10.0


@dataclass
class _Person:
    sessions: int = 0
    journaled: bool = False  # present as far as the journal says
    tokens: float = BURST
    refilled: float = 0.0
    repeats: int = 0  # changes of presence not journaled (yet)
    timer: asyncio.TimerHandle | None = None


class Presence:
    def __init__(self, controller: Controller, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.controller = controller
        self._clock = clock
        self._people: dict[tuple[str, Role], _Person] = {}  # by name and role: a verifier may also watch as observer
        self._closed = False  # the server closed: everyone on the record as present has left it

    def arrive(self, name: str, role: Role) -> None:
        if self._closed:
            return
        person = self._people.setdefault((name, role), _Person(refilled=self._clock()))
        person.sessions += 1
        if self._sync((name, role), person) != "joined":
            person.repeats += 1  # this session's join is counted, not journaled

    def depart(self, name: str, role: Role) -> None:
        if self._closed:
            return  # said by close()
        person = self._people[name, role]
        person.sessions -= 1
        self._sync((name, role), person)

    def unjournaled(self) -> int:
        """Sessions whose join was counted and is in no `repeats` yet (for `share_closed`)."""
        return sum(person.repeats for person in self._people.values())

    def close(self, *, journal: bool = True) -> None:
        """The server closed and dropped every session: each participant the journal says is present leaves (`journal`:
        when the journal can still be written). Before, one still connected when the run's process ended (exec done, q)
        stayed joined for ever on the record: their session's own leave came after the journal had closed."""
        self._closed = True
        for person in self._people.values():
            if person.timer is not None:
                person.timer.cancel()
                person.timer = None
        for (name, role), person in self._people.items():
            if journal and person.journaled:
                person.journaled = False
                repeats, person.repeats = person.repeats, 0
                self.controller.leave(name, role, repeats=repeats)

    def _sync(self, who: tuple[str, Role], person: _Person, *, late: bool = False) -> str | None:
        """Journal a change of presence if a token allows; `late`: the change waited (its session was counted)."""
        present = person.sessions > 0
        if present == person.journaled:
            return None
        now = self._clock()
        person.tokens = min(BURST, person.tokens + (now - person.refilled) / INTERVAL)
        person.refilled = now
        if person.tokens < 1:
            if person.timer is None:
                wait = (1 - person.tokens) * INTERVAL
                person.timer = asyncio.get_running_loop().call_later(wait, self._due, who)
            return None
        person.tokens -= 1
        person.journaled = present
        if present and late:
            person.repeats -= 1  # the session this join stands for was counted when it came
        repeats, person.repeats = person.repeats, 0
        if present:
            self.controller.join(*who, repeats=repeats)
            return "joined"
        self.controller.leave(*who, repeats=repeats)
        return "left"

    def _due(self, who: tuple[str, Role]) -> None:
        person = self._people[who]
        person.timer = None
        self._sync(who, person, late=True)
