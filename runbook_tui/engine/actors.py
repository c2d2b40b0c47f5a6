"""Who acts in a run, and the answer to an intent: shared by the controller and the step runner."""

from __future__ import annotations

from typing import Literal

from runbook_tui.engine import events as ev
from runbook_tui.runbook.lean_dataclass import dataclass
from runbook_tui.runbook.safe_text import visible_line

Role = Literal["assignee", "verifier", "observer", "system"]
Scope = Literal["checkpoint", "full"]


@dataclass(frozen=True, slots=True)
class Actor:
    name: str
    role: Role


SYSTEM = Actor(ev.SYSTEM, "system")


#: Marks the record writes around names (`bob (2 steps), carol`, `joined: bob; solo`, a table's `|`, `[step]`): a
#: name holding one could read as the record's own words (`bob (verifier) 01:00-02:00, eve` forged a second person).
NOT_IN_NAMES = "()[],;:|"

#: After the night's verifier's name, as a practice journals them (`bob (recorded)`): the night's words played back.
RECORDED = " (recorded)"

#: How a screen names the person reading it where the journal names them (the verifier's screen: `rejected by you`).
YOU = "you"


def named(actor: str | None, reader: str | None = None) -> str:
    """A journal's actor as people read it: `system` is the program (the contract's word for it), not a person called
    system (the report and the detail pane read `skipped by system`, `done (by system)`); `reader` (who reads the
    screen, if it is one person's) reads their own name as `you`."""
    if reader is not None and actor == reader:
        return YOU
    return "the program" if actor == ev.SYSTEM else actor or ""


def person_name_problem(name: str) -> str | None:
    """Why `name` cannot name a person in the journal, or None: every event's `actor` is a user name, or `system` for
    the program (the contract), so a person called `system` (or nobody: an empty name) would make the record ambiguous;
    one called `you`, the verifier's screen (which calls its reader `you`); one holding the record's marks
    (NOT_IN_NAMES), the report's rows of people."""
    if not name.strip():
        return "expected a name, got an empty one"
    if name == ev.SYSTEM:
        return f"'{ev.SYSTEM}' is what the journal calls the program itself; expected a person's name"
    if name.strip().lower() == YOU:  # another's `note by you` would read as the reader's own (`said(event, reader)`)
        return f"'{name}' is what a screen calls the person reading it; expected a person's name"
    if visible_line(name) != name:  # a key's comment, RUNBOOK_TUI_USER: as the participants file's `name:` (before: taken)
        return f"{name!r} holds control characters, invisible ones or a line break; expected a name on one line, as people read it"
    if marks := " ".join(f"'{c}'" for c in dict.fromkeys(c for c in name if c in NOT_IN_NAMES)):
        return f"{name!r} holds {marks}, which the record writes around names; expected a name without {marks}"
    return None


#: Why an intent was refused, for front ends that offer the way on (a prompt) instead of reading the words.
#: `needs_acknowledgement` and `needs_answer` carry what to show in `Reply.detail`; everything else is `rule`.
RefusalKind = Literal["needs_acknowledgement", "needs_answer", "rule"]


@dataclass(frozen=True, slots=True)
class Reply:
    """The answer to an intent: ok, or refused with words for a person and a `kind` for a program."""

    ok: bool
    message: str
    kind: RefusalKind | None = None
    detail: str = ""


def refused(message: str, kind: RefusalKind = "rule", detail: str = "") -> Reply:
    return Reply(False, message, kind, detail)
