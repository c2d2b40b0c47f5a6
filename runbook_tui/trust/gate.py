"""The session's side of signed decisions: check each signature before the decision is journaled.

A verifier's confirm, reject, hold or rollback request (a confirm or reject
may be of a step, of a wave of a `verify: per_wave` rollout, or of accepted
unmet criteria) arrives with the
statement they signed and the SSHSIG signature. The session accepts it only
when the signature holds, was made with the very key the participant joined
with, and the statement names this session, the participant, the action, the
step the run is at (its attempt and phase) and the hash of the event that
showed that step's commands. The controller journals the decision, then at
once (before the decision is applied or anything acts on it: the next step's
`step_ready`, a checkpoint, the session's end) a `decision_signed` event keeps
the statement and signature next to it; a kill cannot come between them and
leave an honest decision unsigned.

Seals work the same way: a participant signs the head hash they verified at a
checkpoint or at the end, and the session journals it as a `seal` event.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from runbook_tui.engine.actors import Actor, Reply
from runbook_tui.engine.events import DECISION_SIGNED, SEAL, Event
from runbook_tui.engine.state import RunState
from runbook_tui.runbook.lean_dataclass import dataclass
from runbook_tui.runbook.safe_text import visible_line
from runbook_tui.trust import statements
from runbook_tui.trust.sshsig import SignatureError, WrongSigner, verify

if TYPE_CHECKING:  # the controller (and what it imports) is not needed to check a signature: a verifier imports this
    from runbook_tui.engine.controller import Controller

#: Decisions about one step's commands: the statement must name the step as the session shows it now.
STEP_DECISIONS = frozenset({"confirm", "reject"})
#: Recent event hashes kept to check a seal against (a seal follows its checkpoint or end closely).
RECENT = 4096


@dataclass(frozen=True, slots=True)
class Checked(statements.SignedStatement):
    """A decision whose signature held, waiting for the controller to journal it."""


def expected_phase(state: RunState, step: str | None, action: str) -> tuple[str, int]:
    """The phase and attempt a decision on `step` is about, as the controller will journal them."""
    status = state.steps.get(step) if step else None
    attempts = status.attempts if status else 0
    if action not in STEP_DECISIONS:
        return "run", attempts
    if status is None and state.criteria_acceptance is not None:
        return "criteria", 0  # all steps done: the verifier confirms the accepted unmet criteria
    if status is not None and status.wave_awaiting is not None:
        return statements.wave_phase(status.wave_awaiting), attempts
    if status is not None and status.status == "awaiting_verification":
        return "after", attempts
    return "before", attempts + 1


def answered(state: RunState, step: str | None) -> int | None:
    """The journal line of the last decision on `step` (`StepState.decided_seq`): what a verifier's word on it answers."""
    status = state.steps.get(step) if step else None
    return status.decided_seq if status is not None else None


def decided_since(state: RunState, step: str | None, statement: Mapping[str, Any], me: str) -> str | None:
    """Why a word is refused that answers an earlier decision on `step` than the last one journaled: bob's go-ahead, sent
    from one window, arrived after his refusal from another and gave the go-ahead back (both statements held: the same
    step, attempt and commands shown, and nothing ordered words sent over two connections). None: it answers the last."""
    status = state.steps.get(step) if step else None
    if status is None or statement.get("answers") == status.decided_seq:
        return None
    who = "you (from another window)" if status.decided_by == me else visible_line(str(status.decided_by))
    at = str(status.decided_at or "")[11:19]
    return (
        f"refused: '{visible_line(str(step))}' was decided since you gave this word ({status.decision} by {who} at {at}), and a word"
        " given before that decision does not undo it: look at the step as it stands, then decide again"
    )


#: The fields a participant's signed statement may hold, by its kind: the statement is journaled as it came (in
#: `decision_signed` or `seal`), so a field nobody checks could carry megabytes into the journal.
STATEMENT_FIELDS = {
    "decision": frozenset({"kind", "session", "action", "by", "step", "attempt", "phase", "shown", "reason", "answers"}),
    "seal": frozenset({"kind", "session", "by", "seq", "head"}),
}
#: Bytes of a signed statement (its reason at most 16,384 characters, 4 bytes each), and characters of its armored
#: signature (an RSA key of 16,384 bits signs in under 3,000), at most.
STATEMENT_BYTES = 80 * 1024
SIGNATURE_CHARS = 16 * 1024


def _oversized(statement: dict[str, Any], signature: str) -> str | None:
    """Why a signed statement cannot be journaled as it came (before its signature is checked), or None."""
    fields = STATEMENT_FIELDS.get(str(statement.get("kind")), frozenset())
    extra = sorted(str(name) for name in statement if name not in fields)
    if extra:
        return f"what you signed holds fields a {str(statement.get('kind'))[:20]!r} statement has not: {', '.join(name[:40] for name in extra[:5])}"
    size = len(statements.encode(statement))
    if size > STATEMENT_BYTES:
        return f"what you signed is {size:,} bytes; at most {STATEMENT_BYTES:,}"
    if len(signature) > SIGNATURE_CHARS:
        return f"the signature has {len(signature):,} characters; at most {SIGNATURE_CHARS:,}"
    return None


class SignedIntents:
    """Follows the controller's events (shown hashes, recent heads) and checks what participants sign."""

    def __init__(self, controller: Controller, earlier: Iterable[Event] = ()) -> None:
        self.controller = controller
        self.shown: dict[str, str] = {}
        self.recent: deque[tuple[int, str]] = deque(maxlen=RECENT)
        self.sealable: deque[int] = deque(maxlen=RECENT)  # the seqs of recent events a seal may name (statements.SEALED_AT)
        self.sealed: set[tuple[str, int]] = set()  # (who, seq) of every seal journaled: each seals an event once
        for event in earlier:
            self._follow(event, controller.state)
        controller.subscribe(self._follow)

    def _follow(self, event: Event, state: RunState) -> None:
        self.recent.append((int(event["seq"]), str(event["hash"])))
        if event["type"] in statements.SEALED_AT:
            self.sealable.append(int(event["seq"]))
        elif event["type"] == SEAL and isinstance(event.get("statement"), dict) and isinstance(event["statement"].get("seq"), int):
            self.sealed.add((str(event.get("actor")), event["statement"]["seq"]))
        shows = statements.shows(event)
        if shows is not None:
            self.shown[shows] = str(event["hash"])

    def _signature(self, signed: Any, fingerprint: str, expected: Mapping[str, Any]) -> tuple[dict[str, Any], str] | Reply:
        if not isinstance(signed, dict) or not isinstance(signed.get("statement"), dict) or not isinstance(signed.get("signature"), str):
            return Reply(False, "refused: this decision must be signed with the key you joined with (join with --identity KEY, or an ssh-agent holding it)")
        statement: dict[str, Any] = signed["statement"]
        try:
            oversized = _oversized(statement, signed["signature"])
        except (ValueError, RecursionError):  # a field that cannot be encoded (a lone surrogate, NaN, nested too deep)
            oversized = "what you signed cannot be encoded as the journal writes it"
        if oversized is not None:
            return Reply(False, f"refused: {visible_line(oversized)}")
        try:
            verify(statements.encode(statement), signed["signature"], signer=fingerprint)
        except WrongSigner as exc:
            return Reply(False, f"refused: signed by {exc.fingerprint}, not by the key you joined with ({fingerprint})")
        except SignatureError as exc:
            return Reply(False, f"refused: the signature does not hold: {exc}")
        for name, value in expected.items():
            if statement.get(name) != value:
                return Reply(False, f"refused: what you signed says {name} {statement.get(name)!r}, the session has {value!r}; look again, then decide")
        return statement, signed["signature"]

    def check(self, actor: Actor, fingerprint: str, action: str, seen: str | None, text: str, signed: Any) -> Checked | Reply | None:
        """None: nothing to check (a note, an observer); a refusal; or the checked decision."""
        if action not in statements.VERIFIER_ACTIONS or actor.role != "verifier":
            return None
        state = self.controller.state
        if action in STEP_DECISIONS and seen is not None and seen != state.current:
            # The controller refuses it for this, first: said as it is (before: the signature was checked first against the
            # step's new attempt, and a confirm pressed twice read "what you signed says attempt 1, the session has 2").
            return self.controller._not_the_step_seen(seen, actor) or Reply(False, f"refused: the run is not at '{seen}'")
        step = seen if seen is not None else state.current
        phase, attempt = expected_phase(state, step, action)
        expected: dict[str, Any] = {"kind": "decision", "session": self.controller.session_id, "action": action, "by": actor.name, "reason": text}
        if action in STEP_DECISIONS:  # a hold or rollback request is never refused for a step shown since: it is urgent
            expected |= {"step": step, "attempt": attempt, "phase": phase, "shown": self.shown.get(statements.shown_key(step), "")}
        result = self._signature(signed, fingerprint, expected)
        if isinstance(result, Reply):
            return result
        if action in STEP_DECISIONS and (since := decided_since(state, step, result[0], actor.name)):
            return Reply(False, since)
        return Checked(result[0], result[1], fingerprint)

    @contextmanager
    def countersigning(self, checked: Checked, action: str) -> Iterator[None]:
        """While the controller decides: its first event journaling this decision is followed at once by the signature.
        Nothing is signed when it accepts without journaling the decision."""
        controller = self.controller

        def sign(event: Event) -> None:
            if statements.VERIFIER_DECISIONS.get(str(event["type"])) != action or event.get("actor") != checked.statement.get("by"):
                return  # e.g. the verifier_handover journaled right before the decision
            controller.countersign = None
            controller.emit(
                DECISION_SIGNED, str(checked.statement["by"]), decision=event["seq"], statement=checked.statement,
                signature=checked.signature, key=checked.key,
            )  # fmt: skip

        controller.countersign = sign
        try:
            yield
        finally:
            controller.countersign = None

    def seal(self, actor: Actor, fingerprint: str, signed: Any) -> Reply:
        """A participant's seal of a head they verified."""
        if actor.role != "verifier":
            return Reply(False, "only the verifier seals the journal")
        statement = signed.get("statement") if isinstance(signed, dict) else None
        seq = statement.get("seq") if isinstance(statement, dict) else None
        heads = dict(self.recent)
        if not isinstance(seq, int) or seq not in heads:
            return Reply(False, f"refused: the seal names event {seq!r:.40}, which this session does not have (recently)")
        expected = {"kind": "seal", "session": self.controller.session_id, "by": actor.name, "head": heads[seq]}
        result = self._signature(signed, fingerprint, expected)
        if isinstance(result, Reply):
            return result
        if seq not in self.sealable:  # (before: any recent event, as often as asked, each seal journaled)
            return Reply(False, f"refused: the seal names event {seq}, which is no checkpoint reached nor the end: only those are sealed")
        if (actor.name, seq) in self.sealed:  # a rejoin's catch-up seals again what it sealed before
            return Reply(True, f"event {seq} was already sealed by {actor.name}: nothing more journaled")
        self.controller.emit(SEAL, actor.name, statement=result[0], signature=result[1], key=fingerprint, role=actor.role)
        return Reply(True, f"sealed the journal at event {seq}")


def dispatch_signed(
    intents: SignedIntents, actor: Actor, fingerprint: str, action: str, seen: str | None, text: str, signed: Any, decide: Callable[[], Reply]
) -> Reply:
    """Check the signature, let the controller decide, and journal the signature right after the decision."""
    if action == "seal":
        return intents.seal(actor, fingerprint, signed)
    checked = intents.check(actor, fingerprint, action, seen, text, signed)
    if isinstance(checked, Reply):
        return checked
    if checked is None:
        return decide()
    with intents.countersigning(checked, action):
        return decide()
