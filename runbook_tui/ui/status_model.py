"""A status row as every screen holds it, and the rows about a participant's own request (a hold, a rollback request)
or verdict (a rejection, a go-ahead refused), which that participant reads as theirs.

The rows are the same facts for everyone; the words differ by role (`Status.said`) and, for a request, by who reads
it: bob's own hold read `HOLD asked: bob asks to hold` on bob's screen, in the third person, where his other rows say
`Your word on 'pre'`. `Status.mine` holds the words for the person a row is about; `read_by` gives them to that
person's screen only (a second verifier, carol, still reads `bob asks to hold`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Literal

from runbook_tui.engine.state import RunState, own_words
from runbook_tui.runbook.lean_dataclass import dataclass
from runbook_tui.runbook.safe_text import visible_line

Role = Literal["assignee", "verifier", "replay", "watching"]  # watching: sends nothing now (an observer, a verifier whose link is down)


@dataclass(frozen=True, slots=True)
class Status:
    text: str
    tone: str  # a theme colour name: error, warning, success, accent
    keys: Mapping[str, str]  # role -> what its keys do about it
    aside: bool = False  # said beside the calm "now" line, not instead of it (the window's countdown)
    #: role -> the words for that role where they differ (the verifier read `Waiting for bob to confirm 'pre'` about
    #: themselves): made here with `text`, from the same facts, so the roles never drift apart.
    said: Mapping[str, str] | None = None
    #: (who, their words): the row is about this participant's own request, and these are its words on their screen.
    mine: tuple[str, str] | None = None
    #: role -> what that person's keys do about the row, where they differ from the role's (`mine`): the verifier who ran
    #: the step waiting is offered `x reject`, not `c confirm`, which is another person's to give (`own_word`).
    mine_keys: Mapping[str, str] | None = None
    #: Shorter words, longest first, for everyone, where the row's own do not fit one row with its keys: the first that
    #: fits is shown (`status_fit.in_one_row`; `e` lists the row whole). A finished run's who-part gives way, never its outcome.
    shorter: tuple[str, ...] = ()

    def words(self, role: str) -> str:
        """What this role reads: its own words if it has any, else everyone's."""
        return self.said.get(role, self.text) if self.said else self.text

    def read_by(self, me: str | None, role: str) -> Status:
        """The row as `me` reads it in `role`: their own words where it is about them, else as it is."""
        if me is None or self.mine is None or self.mine[0] != me:
            return self
        return replace(self, said={**(self.said or {}), role: self.mine[1]}, keys={**self.keys, **(self.mine_keys or {})})


def assignee_name(state: RunState) -> str:
    """Who is at the assignee's keys (`session_started`'s assignee), for the other roles' words."""
    return visible_line(str(state.session.get("assignee") or "the assignee"))


def others(words: str) -> dict[str, str]:
    """The words of the roles that wait on the assignee (the verifier, an observer): `Status.said`."""
    return {"verifier": words, "watching": words}


def roll_back_key(state: RunState) -> str:
    """u's hint: a running step ends first (u does nothing until then, its key is off): said so, not offered as if it worked."""
    step = state.steps.get(state.current or "")
    return f"u roll back once '{step.id}' has ended" if step is not None and step.status == "running" else "u roll back"


def by_you(asked: str, who: str | None, default: str) -> tuple[str, str] | None:
    """A participant's request (`bob asks to hold`, `bob: p99 doubled`, as the fold names them) as its asker reads it:
    (who, ` by you` and their words after a colon, if any); None: nobody is named (a guard's)."""
    if who is None:
        return None
    own = own_words(asked, who, default)
    return who, f" by you: {own}" if own else " by you"


def rollback_request(state: RunState, request: str, current: str | None, wave: int | None) -> Status:
    """The verifier's rollback request. While a `verify: per_wave` rollout waits for their word on a wave, nothing can
    be rolled back until they stop it (the row offered `u`, which did nothing there, and the rollout waited on)."""
    asker = by_you(request, state.rollback_asked_by, "requests a rollback")
    if wave is None:
        # Who asked (and who watches) reads whose move it is: the row said the request alone, the keys were the assignee's.
        then = f"; waiting for {assignee_name(state)} to start it or decline it"
        mine = (asker[0], f"ROLLBACK REQUESTED{asker[1]}{then}") if asker else None
        keys = {"assignee": f"{roll_back_key(state)} · x decline"}
        return Status(f"ROLLBACK REQUESTED: {request}", "error", keys, said=others(f"ROLLBACK REQUESTED: {request}{then}"), mine=mine)
    step = f"wave {wave} of '{visible_line(current or '')}' still waits for"
    words = f"ROLLBACK REQUESTED: {request}; {step} the verifier's word: a rollback starts once they reject it"
    mine = (asker[0], f"ROLLBACK REQUESTED{asker[1]}; {step} your word: a rollback starts once you reject it") if asker else None
    return Status(words, "error", {"verifier": "x reject the wave"}, mine=mine)


def hold_request(state: RunState, hold: str) -> Status:
    """The verifier's hold: the assignee reads it with `p pause`, the others whose move it is, the asker as theirs."""
    held, then = f"HOLD asked: {hold}", f"; waiting for {assignee_name(state)} to pause"
    asker = by_you(hold, state.hold_asked_by, "asks to hold")
    mine = (asker[0], f"HOLD asked{asker[1]}{then}") if asker else None
    return Status(held, "warning", {"assignee": "p pause"}, said=others(f"{held}{then}"), mine=mine)


def rejection(current: str, decision: str | None, by: str | None, at: str, reason: object, keys: Mapping[str, str]) -> Status:
    """A step rejected (or its go-ahead refused) by the verifier: `'pre' REJECTED by bob 02:00:00: why`, and on bob's own
    screen `'pre' REJECTED by you 02:00:00: why` (it read his own name there, where his other rows say `Your word`)."""
    # A go-ahead refused before the step ever ran reads as such, and enter runs it (it does not run it "again").
    words = "GO-AHEAD REFUSED" if decision == "go-ahead refused" else "REJECTED"
    said = f"{at[11:19]}: {reason}"
    mine = (by, f"'{current}' {words} by you {said}") if by else None
    return Status(f"'{current}' {words} by {by or 'the verifier'} {said}", "error", keys, mine=mine)
