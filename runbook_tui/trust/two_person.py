"""The two-person rule's evidence: every word a shared run needed from its verifier is in the journal.

Whoever writes the file (the assignee) can drop the verifier's confirmations with their signatures and seals, mark the
steps done, recompute the chain and seal the end alone: every signature left in it holds, and no verifier's decision
is left to ask for theirs. What such a rewrite cannot hide is what the run needed: the plan in `session_started` says
which steps the verifier confirms after they ran (`verify: after`, `both`, `per_wave`: each wave but the last too)
and which they let start (`before`, `both`), and the journal says when the run was shared (not solo). The program never
goes on without that word in a shared run (the controller refuses, `state.confirmable`), so each place where the
journal does is said: a step that finished `done` where it waits for the verifier, a step, a wave or the run's end
that came while a step or a wave still waited, a step that started without its go-ahead.

The fold (`state.apply`) says where the run stood; output and samples change nothing read here and are not folded.
Whether each verifier's decision is signed by the right key is checked beside this (`check`); here only that it is
there at all.
"""

from __future__ import annotations

from collections.abc import Iterable

from runbook_tui.engine import events as ev
from runbook_tui.engine.events import Event
from runbook_tui.engine.state import RunState, UnreadableEvent, apply, initial

#: Events that change nothing read here (most of a long journal): not folded.
_UNFOLDED = frozenset({
    ev.OUTPUT, ev.METRIC_SAMPLE, ev.METRIC_BASELINE, ev.NOTE, ev.ERROR, ev.GUARD_TRIPPED, ev.SUCCESS_CHECK_STARTED, ev.SUCCESS_CHECKED,
    ev.SILENCE_CREATED, ev.SILENCE_EXPIRED, ev.PARTICIPANT_JOINED, ev.PARTICIPANT_LEFT, ev.DECISION_SIGNED, ev.SEAL,
})  # fmt: skip
#: How the run ends when it claims its steps were carried out.
_DONE = frozenset({"done", "done_criteria_failed"})
_AFTER = frozenset({"after", "both", "per_wave"})
_BEFORE = frozenset({"before", "both"})
MISSING = "the two-person rule's evidence is missing"


class _Owed:
    """The verifier's words the run waits for: (step -> line of the step_finished that waits), (step -> (wave, line))."""

    def __init__(self) -> None:
        self.steps: dict[str, int] = {}
        self.waves: dict[str, tuple[object, int]] = {}

    def said(self, at: int, what: str) -> list[tuple[int, str]]:
        """Each word still owed when the run went on at line `at` (`what`: to where, in words); they are said once."""
        found = [
            (line, f"line {line}: '{sid}' ran and waited for the verifier's confirmation, and the run went on to {what} at line {at} without it: {MISSING}")
            for sid, line in self.steps.items()
        ]
        found += [
            (line, f"line {line}: wave {wave} of '{sid}' waited for the verifier's word, and the run went on to {what} at line {at} without it: {MISSING}")
            for sid, (wave, line) in self.waves.items()
        ]
        self.steps.clear()
        self.waves.clear()
        return found


def missing_words(events: Iterable[Event]) -> list[tuple[int, str]]:
    """(line, what is missing) for each word of the verifier a shared run went on without, in journal order."""
    state, owed, found = initial(), _Owed(), list[tuple[int, str]]()
    for event in events:
        kind = event["type"]
        if kind in _UNFOLDED:
            continue
        found += _gaps(state, event, owed)
        try:
            state = apply(state, event)
        except (UnreadableEvent, KeyError, TypeError, ValueError):  # `journal verify`'s sequence check says what is wrong with it
            break
    return sorted(found)


def _verify(state: RunState, sid: object) -> object:
    """The step's `verify:` where the verifier must decide on it now: None in a solo run and for a rollback section's step
    (only a full rollback runs it, and the runner asks no verifier there)."""
    if state.solo is not None or not isinstance(sid, str) or sid in state.rollback_order:
        return None
    return state.plan_steps.get(sid, {}).get("verify")


def _gaps(state: RunState, e: Event, owed: _Owed) -> list[tuple[int, str]]:
    """What is missing at `e`, given where the run stood before it; `owed` follows the words the run waits for."""
    kind, line, sid = e["type"], int(e["seq"]) + 1, e.get("step")
    verify = _verify(state, sid)
    if kind in (ev.STEP_CONFIRMED, ev.STEP_REJECTED) and e.get("phase") != "before":
        owed.steps.pop(str(sid), None)
    elif kind in (ev.WAVE_CONFIRMED, ev.WAVE_REJECTED):
        owed.waves.pop(str(sid), None)
    elif kind in (ev.ROLLBACK_STARTED, ev.MODE_CHANGED, ev.SESSION_REOPENED):  # the rollback or `resume --solo` decides on them
        owed.steps.clear()
        owed.waves.clear()
    elif kind == ev.STEP_MARKED_DONE:  # `resume --solo` settles the step that waited (journaled: recorded unverified)
        owed.steps.pop(str(sid), None)
    elif kind == ev.STEP_STARTED:
        found = owed.said(line, f"'{sid}'")
        if verify in _BEFORE and not state.steps[str(sid)].has_go_ahead:
            found.append(
                (line, f"line {line}: '{sid}' started (attempt {e.get('attempt')}) without the verifier's go-ahead (verify: {verify}, a shared run): {MISSING}")
            )
        return found
    elif kind == ev.WAVE_STARTED:
        return owed.said(line, f"wave {e.get('wave')} of '{sid}'")
    elif kind == ev.WAVE_FINISHED and verify == "per_wave" and not e.get("stopped"):
        if e.get("awaiting"):
            owed.waves[str(sid)] = (e.get("wave"), line)
        elif isinstance(e.get("wave"), int) and isinstance(e.get("of"), int) and e["wave"] < e["of"]:
            return [
                (
                    line,
                    f"line {line}: wave {e['wave']} of {e['of']} of '{sid}' did not wait for the verifier's word (verify: per_wave, a shared run): {MISSING}",
                )
            ]
    elif kind == ev.STEP_FINISHED and verify in _AFTER:
        owed.waves.pop(str(sid), None)  # `k` ended the rollout while a wave waited: the waves not run are skipped
        if e.get("status") == "awaiting_verification":
            owed.steps[str(sid)] = line
        elif e.get("status") == "done":
            return [(line, f"line {line}: '{sid}' finished done without waiting for the verifier's confirmation (verify: {verify}, a shared run): {MISSING}")]
    elif kind == ev.SESSION_FINISHED and e.get("outcome") in _DONE:
        return owed.said(line, f"the end ({e.get('outcome')})")
    return []
