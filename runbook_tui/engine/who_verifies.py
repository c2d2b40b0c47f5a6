"""Whose word a shared run waits for now, as every screen names them."""

from __future__ import annotations

from runbook_tui.engine.own_word import is_theirs
from runbook_tui.engine.state_model import RunState
from runbook_tui.runbook.safe_text import visible_line


def who_verifies(state: RunState, whose: bool = False) -> str:
    """The verifiers joined now, who gave the last word first, then the ticket's (`bob or carol`); with none joined, the
    ticket's verifier (the row adds that none is connected). Before, the rows named the ticket's verifier alone:
    `Waiting for bob to confirm 'two'` after bob had left and while carol, joined, was the one who could confirm it.
    `whose`: each name as the owner of the word waited for (`bob's or carol's`: it read `bob or carol's go-ahead`).
    Who did what the word judges is never named (`own_word`: alice, who ran the step before bob resumed the run, read
    `Waiting for alice or carol` where only carol's word was taken)."""
    planned = state.session.get("verifier")
    joined = [name for name, role in state.participants.items() if role == "verifier" and not is_theirs(state, name)]
    owner = "'s" if whose else ""
    if not joined:
        named = named_verifier(state)
        if named and is_theirs(state, named):  # the one named did what the word judges: someone else's word is waited for
            return "another verifier" + owner
        return visible_line(named or "the verifier") + owner
    names = list(dict.fromkeys([*(name for name in (state.active_verifier, planned) if name in joined), *joined]))
    shown = [visible_line(str(name)) + owner for name in names]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"


def named_verifier(state: RunState) -> str:
    """The verifier as the session knows them while none is joined: the ticket's, who gave the last word, or who may
    join as one (`share_started`'s names, from the keys' comments: `bob or carol`); "" when none is known. Before, a
    ticket naming no verifier left the header at `verifier ? not connected` though `--verifier-key bob.pub` named bob."""
    known = state.session.get("verifier") or state.active_verifier
    return str(known) if known else " or ".join(map(str, state.share.get("verifiers") or ()))
