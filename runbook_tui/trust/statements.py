"""What a signature says: a decision, a seal or an approval, as canonical JSON bytes.

Signing the statement (not a journal line) lets the verifier sign before the
session journals their decision; the statement names what it is about:

- decision: session, action, step, attempt, phase, `shown` (the hash of the
  journal event that showed the signer what they decide on: the step's
  latest `step_ready`, else its latest `step_started`; for the confirmation
  of accepted unmet criteria, the `criteria_accepted` event) and who decides.
  The phase is `before`/`after` the step runs, `wave N` for a wave of a
  `verify: per_wave` rollout, `criteria` for accepted unmet criteria, and
  `run`/`rollback` for the assignee's decisions. Accepting unmet criteria
  (`accept_criteria`) also names the criteria accepted (`criteria`). A
  verifier's confirm or reject names the journal line of the last decision
  on the step they had seen (`answers`, when there was one).
- seal: session, the sealed event's seq and hash (the journal's head then).
- approval: the plan's hash (sha256 of its canonical JSON, less the runbook's path), runbook and parameters.

The journal keeps each statement verbatim next to its signature
(`decision_signed`, `seal`, `plan_approved` events), so anyone can check
them again with `journal verify --allowed-signers`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, Final

from runbook_tui.engine.events import (
    CHECKPOINT_REACHED,
    CRITERIA_ACCEPTANCE_CONFIRMED,
    CRITERIA_ACCEPTED,
    HOLD_REQUESTED,
    ROLLBACK_DECLINED,
    ROLLBACK_REQUESTED,
    ROLLBACK_STARTED,
    SESSION_FINISHED,
    STEP_CONFIRMED,
    STEP_MARKED_DONE,
    STEP_READY_TYPES,
    STEP_REJECTED,
    STEP_SKIPPED,
    STEP_STARTED,
    WAVE_CONFIRMED,
    WAVE_REJECTED,
    Event,
)
from runbook_tui.engine.journal import canonical
from runbook_tui.runbook.lean_dataclass import dataclass

#: Each event type a verifier's signed intent may journal -> the intent (action) they sign.
VERIFIER_DECISIONS: Final[dict[str, str]] = {
    STEP_CONFIRMED: "confirm", WAVE_CONFIRMED: "confirm", CRITERIA_ACCEPTANCE_CONFIRMED: "confirm",
    STEP_REJECTED: "reject", WAVE_REJECTED: "reject", HOLD_REQUESTED: "hold", ROLLBACK_REQUESTED: "request_rollback",
}  # fmt: skip
#: The intents a verifier signs.
VERIFIER_ACTIONS: Final = frozenset(VERIFIER_DECISIONS.values())
#: The assignee's decisions, signed in their process after the session journals them.
ASSIGNEE_DECISIONS: Final[dict[str, str]] = {
    STEP_STARTED: "run", ROLLBACK_STARTED: "rollback", STEP_SKIPPED: "skip", STEP_MARKED_DONE: "accept", CRITERIA_ACCEPTED: "accept_criteria",
    ROLLBACK_DECLINED: "decline_rollback",
}  # fmt: skip
#: Every event type that is a decision someone may sign -> the action its statement names.
ACTION_OF: Final = VERIFIER_DECISIONS | ASSIGNEE_DECISIONS
DECISION_TYPES: Final = frozenset(ACTION_OF)
#: Events whose head a participant seals: a checkpoint reached, the end.
SEALED_AT: Final = frozenset({CHECKPOINT_REACHED, SESSION_FINISHED})
#: Where `shown` is kept for a decision about no step: the accepted unmet criteria.
WHOLE_RUN: Final = ""


def wave_phase(wave: object) -> str:
    return f"wave {wave}"


def shown_key(step: object) -> str:
    """Where the hash of what was shown is kept for a decision about `step`: the step's id, or WHOLE_RUN."""
    return step if isinstance(step, str) else WHOLE_RUN


def shows(event: Event) -> str | None:
    """The key under which `event` is what a later decision was shown (a step's commands, accepted criteria); else None."""
    if event.get("type") in STEP_READY_TYPES and isinstance(event.get("step"), str):
        return str(event["step"])
    return WHOLE_RUN if event.get("type") == CRITERIA_ACCEPTED else None


def accepted_criteria(event: Event) -> list[str] | None:
    """The unmet criteria a `criteria_accepted` event accepts, as its signed statement names them; None for other events."""
    if event.get("type") != CRITERIA_ACCEPTED:
        return None
    criteria = event.get("criteria")
    return [str(criterion) for criterion in criteria] if isinstance(criteria, list) else []


def journaled_phase(event: Event) -> tuple[object, object]:
    """The phase and attempt a journaled decision is about, as its signed statement names them."""
    kind = event.get("type")
    if kind in (WAVE_CONFIRMED, WAVE_REJECTED):
        return wave_phase(event.get("wave")), event.get("attempt")
    if kind == CRITERIA_ACCEPTANCE_CONFIRMED:
        return "criteria", 0
    return event.get("phase"), event.get("attempt")


def assignee_phase(event: Event) -> tuple[str, int]:
    """The phase and attempt an assignee's journaled decision is about, as its signed statement names them (a rollback's
    phase is `rollback`; the rest name the event's phase, else `run`)."""
    action = ASSIGNEE_DECISIONS.get(str(event.get("type")))
    phase = "rollback" if action == "rollback" else str(event.get("phase") or "run")
    attempt = event.get("attempt")
    return phase, attempt if isinstance(attempt, int) else 0


@dataclass(frozen=True, slots=True)
class SignedStatement:
    """A statement with its SSHSIG signature and the fingerprint of the key that made it."""

    statement: dict[str, Any]
    signature: str
    key: str


def encode(statement: Mapping[str, Any]) -> bytes:
    return canonical(dict(statement))


def decision(
    session: str,
    action: str,
    by: str,
    *,
    step: str | None,
    attempt: int,
    phase: str,
    shown: str,
    reason: str = "",
    criteria: list[str] | None = None,
    answers: int | None = None,
) -> dict[str, Any]:
    """A decision's statement; accepting unmet criteria also names them (`criteria`), so the signature covers the list.
    `answers`: the journal line of the last decision on the step the verifier had seen (`StepState.decided_seq`), named
    when there was one: their word answers the step as it stood then, not as a later decision left it."""
    statement: dict[str, Any] = {
        "kind": "decision", "session": session, "action": action, "by": by, "step": step, "attempt": attempt,
        "phase": phase, "shown": shown, "reason": reason,
    }  # fmt: skip
    statement |= {"criteria": criteria} if criteria is not None else {}
    return statement | ({"answers": answers} if answers is not None else {})


def seal(session: str, by: str, head: Mapping[str, Any]) -> dict[str, Any]:
    return {"kind": "seal", "session": session, "by": by, "seq": head["seq"], "head": head["hash"]}


def plan_hash(plan: Mapping[str, Any]) -> str:
    """The hash an approval signs: the plan without `file`, the runbook's path as typed (`R.yaml`, `./R.yaml`, the
    approver's checkout): its `digest` binds what the file says (before: `approve R.yaml` then `exec ./R.yaml` was refused,
    and an approver's checkout elsewhere could never be run from)."""
    return hashlib.sha256(canonical({name: value for name, value in plan.items() if name != "file"})).hexdigest()


def approves(approved: object, plan: Mapping[str, Any]) -> bool:
    """`approved` (an approval's signed hash) is `plan`'s; approvals made before the path was left out hashed it too."""
    return approved in (plan_hash(plan), hashlib.sha256(canonical(dict(plan))).hexdigest())


def approval(plan: Mapping[str, Any], by: str, solo: str | None = None) -> dict[str, Any]:
    """The approver's statement. `routes` (where each remote host resolved to, app/approved.py) is named in it: the
    approved plan is a run's `session_started.plan` with these routes, so `journal verify` can rebuild its hash. `solo`:
    why the change may run without the ticket's verifier (`approve --solo REASON`), null when it may not (since session
    38; an approval without the key was made before, and `journal verify` does not judge its runs by it)."""
    routes = {"routes": plan["routes"]} if "routes" in plan else {}
    said = {"runbook": plan.get("runbook"), "params": plan.get("params"), "by": by, "solo": solo}
    return {"kind": "approval", "plan": plan_hash(plan), **said, **routes}
