"""A session's outcome in words, with the success criteria it left unmet and who accepted them: the report's summary,
the last status of the run screen, the verifier's screen and replay, the review's title and `join`'s last line."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from runbook_tui.engine.event_words import OUTCOME_WORDS, status_words
from runbook_tui.engine.events import SYSTEM
from runbook_tui.engine.state_model import RunState


def with_criteria(words: str, unmet: Sequence[str], acceptance: Mapping[str, Any] | None) -> str:
    """A session's outcome in `words`, after the success criteria it left unmet and who accepted them, why: the report's
    summary and the last status of the run screen, the verifier's screen and replay (`RunState.criteria_unmet`)."""
    if not unmet:
        return words
    # `done_criteria_failed` in words says it again: `SUCCESS CRITERIA NOT MET (…); DONE, SUCCESS CRITERIA NOT MET`.
    words = words.replace(", " + OUTCOME_WORDS["done_criteria_failed"].split(", ", 1)[1], "")
    said = f"SUCCESS CRITERIA NOT MET ({'; '.join(unmet)})"
    if acceptance:
        confirmed = f", confirmed by {acceptance['confirmed_by']}" if acceptance.get("confirmed_by") else ""
        return f"{said}, accepted by {acceptance.get('by')}{confirmed}: {acceptance.get('reason')}; then {words}"
    return f"{said}; {words}"


def ended_words(state: RunState) -> str:
    """How a finished run ended, short: `done, success criteria NOT met (accepted by alice)`, `ROLLED BACK to the last
    checkpoint (a)` (`outcome_words`): the review's title and the line `join` leaves in the terminal (which said `done`
    alone, the unmet criteria and their acceptance left out, and `ROLLED BACK` as if the whole change was undone)."""
    ended = outcome_words(state)
    if state.criteria_unmet:
        acceptance = state.criteria_acceptance
        ended += ", success criteria NOT met" + (f" (accepted by {acceptance.get('by')})" if acceptance else "")
    return ended


def outcome_words(state: RunState) -> str:
    """A finished session's outcome in words; a run rolled back to a checkpoint says where to, as the report's Outcome
    does (`ROLLED BACK` alone read as if the whole change was undone): `outcome_said` and exec's `session_finished` line."""
    words = status_words(state.outcome or "")
    rollback = state.rollback
    if state.outcome == "rolled_back" and rollback is not None and rollback.scope == "checkpoint":
        back = rollback.plan.get("checkpoint_step")
        words += f" to the last checkpoint ({back})" if back else " to the last checkpoint (the start)"
    return words


def outcome_said(state: RunState) -> str:
    """A finished session's outcome as a person says it (`outcome_words`), after the criteria it left unmet
    (`with_criteria`): the last status row (the run screen, the verifier's, replay) and the detail pane say it so."""
    return with_criteria(outcome_words(state), state.criteria_unmet, state.criteria_acceptance)


def ended_by(state: RunState) -> str:
    """Who ended a finished run, after its outcome (`ended_by_words` of what the fold kept: `RunState.finished_by`)."""
    return ended_by_words(state.outcome or "", state.finished_by, state.finished_driver, bool(state.criteria_acceptance))


def ended_by_short(state: RunState) -> str:
    """Who ended a finished run, short, for a row too narrow for `ended_by` (the run screen's last status at 80
    columns): ` (by alice)`, ` (by exec)` (whose policy ended it for alice), ` (by the program)`."""
    person = state.finished_by
    if not person:
        return ""
    return " (by the program)" if person == SYSTEM else f" (by {state.finished_driver or person})"


def finished_said(state: RunState) -> str:
    """A finished run's outcome (`outcome_said`) and who ended it (`ended_by`), as the report's Outcome says them: the
    last status row of the run screen, the verifier's and replay, and the detail pane (which named nobody, where the
    report and exec's `session_finished` line said `(by exec, run by alice)`)."""
    return outcome_said(state) + ended_by(state)


def ended_by_words(outcome: str, person: str | None, driver: str | None, accepted: bool) -> str:
    """Who ended the run, after the outcome: ` (by carol)`; ` (by exec, run by alice)` where exec's `--on-failure`
    policy ended it (no move of alice's then); where the program journaled the end, what ended it (` (ended by the
    program with no step left to run)`): the report's Outcome and the `session_finished` line exec, the report's
    Timeline and the cast print (which said the outcome alone, so the two read as different ends)."""
    if not person:
        return ""
    if person != SYSTEM:
        return f" (by {driver}, run by {person})" if driver else f" (by {person})"
    if outcome == "done":
        return f" (ended by the program {'once the unmet success criteria were accepted' if accepted else 'with no step left to run'})"
    return " (ended by the program)"
