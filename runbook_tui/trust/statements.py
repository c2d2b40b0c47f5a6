"""What a signature says: a decision, a seal or an approval, as canonical JSON bytes.

Signing the statement (not a journal line) lets the verifier sign before the
session journals their decision; the statement names what it is about:

- decision: session, action, step, attempt, phase, `shown` (the hash of the
  journal event that showed the signer the rendered commands: the step's
  latest `step_ready`, else its latest `step_started`) and who decides.
- seal: session, the sealed event's seq and hash (the journal's head then).
- approval: the plan's hash (sha256 of its canonical JSON), runbook and parameters.

The journal keeps each statement verbatim next to its signature
(`decision_signed`, `seal`, `plan_approved` events), so anyone can check
them again with `journal verify --allowed-signers`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, Final

from runbook_tui.engine.events import (
    HOLD_REQUESTED,
    ROLLBACK_REQUESTED,
    ROLLBACK_STARTED,
    STEP_CONFIRMED,
    STEP_MARKED_DONE,
    STEP_REJECTED,
    STEP_SKIPPED,
    STEP_STARTED,
)
from runbook_tui.engine.journal import canonical

#: The intent a verifier signs -> the event type the session journals for it.
VERIFIER_DECISIONS: Final[dict[str, str]] = {"confirm": STEP_CONFIRMED, "reject": STEP_REJECTED, "hold": HOLD_REQUESTED, "request_rollback": ROLLBACK_REQUESTED}
#: The assignee's decisions, signed in their process after the session journals them.
ASSIGNEE_DECISIONS: Final[dict[str, str]] = {STEP_STARTED: "run", ROLLBACK_STARTED: "rollback", STEP_SKIPPED: "skip", STEP_MARKED_DONE: "accept"}
#: Every event type that is a decision someone may sign.
DECISION_TYPES: Final = frozenset(VERIFIER_DECISIONS.values()) | frozenset(ASSIGNEE_DECISIONS)


def encode(statement: Mapping[str, Any]) -> bytes:
    return canonical(dict(statement))


def decision(session: str, action: str, by: str, *, step: str | None, attempt: int, phase: str, shown: str, reason: str = "") -> dict[str, Any]:
    return {
        "kind": "decision", "session": session, "action": action, "by": by, "step": step, "attempt": attempt,
        "phase": phase, "shown": shown, "reason": reason,
    }  # fmt: skip


def seal(session: str, by: str, head: Mapping[str, Any]) -> dict[str, Any]:
    return {"kind": "seal", "session": session, "by": by, "seq": head["seq"], "head": head["hash"]}


def plan_hash(plan: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(dict(plan))).hexdigest()


def approval(plan: Mapping[str, Any], by: str) -> dict[str, Any]:
    return {"kind": "approval", "plan": plan_hash(plan), "runbook": plan.get("runbook"), "params": plan.get("params"), "by": by}
