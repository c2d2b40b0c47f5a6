"""`journal verify --allowed-signers`: every signature, who made it, and the seal.

What each check proves (README repeats it):
- the hash chain (always): the file is one unbroken sequence; it does NOT
  prove who wrote it: anyone who can write the file can recompute it.
- signatures (with allowed_signers): each decision, seal and approval was
  signed by a key the file gives to the person named, over a statement that
  names this session, step, attempt, phase and the event that showed the
  commands; an edit before that event, or a recomputed chain, breaks them.
- the seal (with allowed_signers): the end of the run (its last
  session_finished) is signed by an allowed person, and by the verifier who
  signed the run's last verifier decision: the assignee, who writes the file,
  cannot drop that seal and seal a rewritten end alone. A truncated journal
  has no seal of its end. Events after the final seal (a review, notices) are
  not covered by it.
- the two-person rule's evidence (with allowed_signers): every confirmation and go-ahead a shared run needed from its
  verifier is there (`two_person`): a rewrite that drops them with their signatures and seals the end alone fails.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from runbook_tui.engine.events import (
    CRITERIA_ACCEPTANCE_CONFIRMED,
    DECISION_SIGNED,
    MODE_CHANGED,
    PLAN_APPROVED,
    SEAL,
    SESSION_FINISHED,
    SESSION_REOPENED,
    SESSION_RESUMED,
    SESSION_STARTED,
    STEP_STARTED,
    VERIFIER_HANDOVER,
    Event,
)
from runbook_tui.engine.history_moments import parse_ts
from runbook_tui.runbook.lean_dataclass import dataclass, field
from runbook_tui.runbook.loader import person_key
from runbook_tui.runbook.safe_text import visible_line
from runbook_tui.trust import statements
from runbook_tui.trust.allowed_signers import AllowedSigners
from runbook_tui.trust.approval import own_approval, solo_refusal
from runbook_tui.trust.run_signers import all_run_signers
from runbook_tui.trust.sshsig import SignatureError, verify
from runbook_tui.trust.two_person import missing_words

#: Requests that are urgent, not about a step's commands: the step they name is the one the verifier looked at.
#: Each -> the words journaled when the verifier gave none (engine/verifier_intents.py).
_URGENT = {"hold": "{by} asks to hold", "request_rollback": "{by} requests a rollback"}


@dataclass(frozen=True, slots=True)
class Signed:
    """One decision's signature as checked: `status` is verified, unsigned, unchecked or fails."""

    seq: int
    by: str
    key: str
    status: str
    why: str = ""


@dataclass
class TrustCheck:
    decisions: dict[int, Signed] = field(default_factory=dict)  # decision event seq -> its signature
    seals: list[Signed] = field(default_factory=list)  # seq: the seal event's own
    approval: Signed | None = None
    problems: list[str] = field(default_factory=list)
    sealed_end: bool = False
    end_sealers: set[str] = field(default_factory=set)  # who sealed the end with a signature that holds
    unsealed: str = ""  # why the end is not sealed, in words ("" when it is)
    checked_signers: bool = False
    keyboard: set[str] = field(default_factory=set)  # who held the keyboard: the assignee, and whoever resumed the run
    # (line, what is wrong) for each problem that is no signature's own (also in `problems`): a verifier's decision left
    # unsigned, a handover not followed by the new verifier's word, the two-person rule's evidence missing
    evidence: list[tuple[int, str]] = field(default_factory=list)

    def fault(self, line: int, why: str) -> None:
        self.evidence.append((line, why))
        self.problems.append(f"line {line}: {why}")


def _statement_problem(statement: Any, event: Event, session: str, events: Sequence[Event]) -> str | None:
    """Does the signed statement describe the decision journaled at `event`?"""
    if not isinstance(statement, dict):
        return "no statement"
    kind = str(event.get("type"))
    action = statements.ACTION_OF.get(kind)
    wanted = {"session": session, "action": action, "by": event.get("actor")}
    if action in ("confirm", "reject"):
        phase, attempt = statements.journaled_phase(event)
        wanted |= {"step": event.get("step"), "phase": phase, "attempt": attempt}
    elif action not in _URGENT:  # the assignee's: bound to the attempt and phase too (before: a signature of attempt 1
        phase, attempt = statements.assignee_phase(event)  # vouched for a step_started of attempt 2)
        wanted |= {"step": event.get("step"), "phase": phase, "attempt": attempt}
    for name, value in wanted.items():
        if statement.get(name) != value:
            return f"the signed {name} is {statement.get(name)!r}, the journal says {value!r}"
    signed_reason = str(statement.get("reason") or "")
    if kind in statements.ASSIGNEE_DECISIONS and signed_reason != str(event.get("reason") or ""):
        return f"the signed reason is {signed_reason!r}, the journal says {event.get('reason')!r}"
    criteria = statements.accepted_criteria(event)
    if criteria is not None and statement.get("criteria") != criteria:
        return f"the signed criteria are {statement.get('criteria')!r}, the journal says {criteria!r}"
    journaled = str(event.get("reason") or "")  # a confirmation carries none: words added to it are not the verifier's
    if action in ("confirm", "reject") and kind != CRITERIA_ACCEPTANCE_CONFIRMED and signed_reason.strip() != journaled:
        return f"the signed reason is {signed_reason.strip()!r}, the journal says {journaled!r}"
    if action in _URGENT:  # the journal keeps their words, or the default ones when they gave none (verifier_intents)
        said = signed_reason or _URGENT[action].format(by=event.get("actor"))
        if said != event.get("reason"):
            return f"the signed reason is {signed_reason!r}, the journal says {event.get('reason')!r}"
        return None  # urgent requests name the step the verifier looked at; they are not about its commands
    key = statements.shown_key(event.get("step"))
    shown = [e["hash"] for e in events[: int(event["seq"])] if statements.shows(e) == key]
    if statement.get("shown") not in shown and (shown or statement.get("shown")):
        return "it names commands shown in an event this journal does not hold (an earlier line was changed)"
    return None


def signed_at(event: Event, after: float | None = None) -> float | None:
    """When the journal says the signature on this line was made (its `ts`), in seconds since the epoch: the time a
    key's valid-after / valid-before is judged at, as `ssh-keygen -Y verify -Overify-time=` would (the seals that follow
    cover that time); None (now) when it cannot be read. Never earlier than `after`, the latest time the journal gives
    the lines before it and what it signs: a signature follows them (before: a key rotated out before the run vouched
    for it when only the signature lines were dated before the rotation, the run's own events left at their times)."""
    own = _time(event)
    return None if own is None else _latest(own, after)


def _time(event: object) -> float | None:
    moment = parse_ts(str(event.get("ts") or "")) if isinstance(event, dict) else None
    return None if moment is None else moment.timestamp()


def _latest(*times: float | None) -> float | None:
    known = [moment for moment in times if moment is not None]
    return max(known) if known else None


def _signature(statement: Any, signature: Any, key: Any, signers: AllowedSigners | None, assignee: str = "", at: float | None = None) -> tuple[str, str]:
    """(status, why) of one signature; the signer must be allowed for the statement's `by` at `at` (when it signed), and
    a key the file also gives to `assignee` (the assignee then) signs for nobody else: the session refuses a verifier
    joining with the assignee's key, so only a rewrite puts one there."""
    try:
        verified = verify(statements.encode(statement if isinstance(statement, dict) else {}), str(signature))
    except SignatureError as exc:
        return "fails", str(exc)
    if verified.fingerprint != key:
        return "fails", f"signed by {verified.fingerprint}, the event says {key}"
    if signers is None:
        return "unchecked", "signature holds; who holds the key was not checked (no --allowed-signers)"
    by = str(statement.get("by"))
    if not signers.allows(by, verified.key, at):
        return "fails", f"signed by {verified.fingerprint}, {signers.refusal(by, verified.key, at)}"
    if assignee and person_key(by) != person_key(assignee) and signers.allows(assignee, verified.key, at):
        return "fails", (
            f"signed as {by} by {verified.fingerprint}, a key {signers.path} gives to {assignee} too, the assignee then:"
            " the two-person rule needs the verifier's own key (give each person a key of their own in the file)"
        )
    return "verified", ""


def check(events: Sequence[Event], signers: AllowedSigners | None, approvers: Collection[str] | None = None) -> TrustCheck:
    """`approvers`: the names under `approvers:` in the settings (None: who may approve is not checked); with them, an
    approval must be by one of them or the ticket's verifier, as `run` requires."""
    result = TrustCheck(checked_signers=signers is not None)
    session = str(events[0].get("session", "")) if events else ""
    finished = _end(events)
    assignee_now = ""  # the assignee as the run stands at this event: `resume` hands the keyboard to whoever resumed
    before: float | None = None  # the latest time of the lines before this one
    for event in events:
        kind, line = event.get("type"), int(event["seq"]) + 1
        before = _latest(before, _time(event))
        if kind in (SESSION_STARTED, SESSION_RESUMED):
            assignee_now = str(event.get("assignee" if kind == SESSION_STARTED else "actor") or "")
            result.keyboard.add(assignee_now)
        found = event.get("statement")
        statement: dict[str, Any] = found if isinstance(found, dict) else {}
        if kind == DECISION_SIGNED:
            target = event.get("decision")
            decision = events[target] if isinstance(target, int) and 0 <= target < len(events) else None
            at = signed_at(event, _latest(before, _time(decision)))
            status, why = _signature(statement, event.get("signature"), event.get("key"), signers, assignee_now, at)
            if decision is None or decision.get("type") not in statements.DECISION_TYPES:
                status, why = "fails", f"it names event {target!r}, which is not a decision"
            elif status != "fails":
                problem = _statement_problem(statement, decision, session, events)
                status, why = ("fails", problem) if problem else (status, why)
            signed = Signed(int(target) if isinstance(target, int) else -1, str(statement.get("by")), str(event.get("key")), status, why)
            result.decisions[signed.seq] = signed
            if status == "fails":
                result.problems.append(f"line {line}: the signature of the decision at line {signed.seq + 1} fails: {why}")
        elif kind == SEAL:
            sealed = statement.get("seq")
            head = events[sealed] if isinstance(sealed, int) and 0 <= sealed < len(events) else None
            at = signed_at(event, _latest(before, _time(head)))
            status, why = _signature(statement, event.get("signature"), event.get("key"), signers, assignee_now, at)
            if status != "fails" and not (isinstance(sealed, int) and 0 <= sealed < len(events) and events[sealed]["hash"] == statement.get("head")):
                status, why = "fails", f"it seals event {sealed!r} with a hash this journal does not have there (the journal was rewritten)"
            if status != "fails" and statement.get("session") != session:
                status, why = "fails", "it seals another session"
            result.seals.append(Signed(int(event["seq"]), str(statement.get("by")), str(event.get("key")), status, why))
            if status == "fails":
                result.problems.append(f"line {line}: the seal fails: {why}")
            elif sealed == finished:
                result.end_sealers.add(str(statement.get("by")))
        elif kind == PLAN_APPROVED:
            at = signed_at(event, before)  # the run's start: when `run` checked the approval
            status, why = _signature(statement, event.get("signature"), event.get("key"), signers, at=at)
            if status != "fails":
                found_problem = _approval_problem(statement, event, events[0], signers, _runners(events), at, approvers, _went_solo(events))
                status, why = found_problem or (status, why)
            result.approval = Signed(int(event["seq"]), str(event.get("principal")), str(event.get("key")), status, why)
            if status == "fails":
                result.problems.append(f"line {line}: the plan's approval fails: {why}")
    assignee = str(events[0].get("assignee", "")) if events else ""
    for event in events:  # a handover is journaled right before the new verifier's decision, which carries their signature
        if event.get("type") == VERIFIER_HANDOVER:
            following = events[int(event["seq"]) + 1] if int(event["seq"]) + 1 < len(events) else {}
            if following.get("type") not in statements.VERIFIER_DECISIONS or following.get("actor") != event.get("to"):
                result.fault(int(event["seq"]) + 1, f"a handover to {event.get('to')} not followed by their decision")
    for event in events:
        if event.get("type") in statements.DECISION_TYPES and int(event["seq"]) not in result.decisions:
            by = str(event.get("actor"))
            result.decisions[int(event["seq"])] = Signed(int(event["seq"]), by, "", "unsigned")
            if by != assignee and event.get("type") in statements.VERIFIER_DECISIONS:
                result.fault(int(event["seq"]) + 1, f"{event['type']} by {by} is not signed (a verifier's decision must be)")
    for line, why in missing_words(events):  # the verifier's words a rewrite dropped with their signatures
        result.fault(line, why.removeprefix(f"line {line}: "))
    result.unsealed = _unsealed(result, _last_verifier(events, result))
    result.sealed_end = not result.unsealed
    if result.unsealed:
        result.problems.append(result.unsealed)
    return result


def _runners(events: Sequence[Event]) -> set[str]:
    """Everyone who started a step of the run (the assignee, and whoever resumed it and ran steps)."""
    return {str(event.get("actor")) for event in events if event.get("type") == STEP_STARTED}


def _went_solo(events: Sequence[Event]) -> int | None:
    """The line from which a live run went on without a verifier (its start, or a `resume --solo`), or None (a rehearsal
    has no verifier by design: it is approved as the run is, and is no run of the change)."""
    if not events or events[0].get("mode", "live") != "live":
        return None
    return next((int(e["seq"]) + 1 for e in events if e.get("type") in (SESSION_STARTED, MODE_CHANGED) and e.get("solo")), None)


def _approval_problem(
    statement: dict[str, Any],
    event: Event,
    started: Event,
    signers: AllowedSigners | None,
    runners: set[str],
    at: float | None,
    approvers: Collection[str] | None,
    alone: int | None = None,
) -> tuple[str, str] | None:
    """A signature that holds, for another plan than this run's, journaled under a name its key is not given, or made
    with a key the file gives to the assignee, or to anyone who ran a step of it (`runners`: `resume` by the approver;
    two-person rule), or one that went solo (from line `alone`) where the approval admits only a run its ticket's verifier
    verifies (an approval made before session 38, with no `solo` in it, is not judged so). (A run outside the ticket's
    window is the window's rule: its override is journaled; the approval has no expiry of its own.)"""
    plan = started.get("plan")
    routes = {"routes": statement["routes"]} if "routes" in statement else {}  # where the hosts resolved: signed, and approved
    planned = statements.plan_hash({**plan, **routes}) if isinstance(plan, dict) else None
    if not isinstance(plan, dict) or not statements.approves(statement.get("plan"), {**plan, **routes}):
        return "fails", f"it approves plan sha256 {str(statement.get('plan'))[:16]}, not this run's ({str(planned)[:16]}): an approval of another plan"
    ticket: dict[str, Any] = plan["ticket"] if isinstance(plan.get("ticket"), dict) else {}
    if alone is not None and "solo" in statement and (solo := solo_refusal(statement, plan)) is not None:  # `run` refuses it
        return "fails", f"{solo}, and this run went solo at line {alone}"
    principal = str(event.get("principal"))
    if signers is None:
        return None
    verified = verify(statements.encode(statement), str(event.get("signature")))  # it holds: checked just before
    if not signers.allows(principal, verified.key, at):
        return "fails", f"the journal names {principal} as the approver: {signers.refusal(principal, verified.key, at)}"
    may = set(approvers or ()) | ({str(ticket["verifier"])} if ticket.get("verifier") else set())
    if approvers is not None and principal not in may:  # `run` refuses it; only a rewrite puts it here
        return "fails", (
            f"approved by {principal}, who may not approve this plan; it may be approved by {', '.join(sorted(may)) or 'nobody'}"
            " (the ticket's verifier, and the names in approvers: in settings)"
        )
    assignees = {str(started.get("assignee") or ""): "who ran this change"}
    if ticket.get("assignee"):
        assignees[str(ticket["assignee"])] = f"the assignee of {ticket.get('id') or 'the ticket'}"
    own = own_approval(signers, verified.key, verified.fingerprint, assignees, at=at)
    if own is not None:  # `run` refuses it; only a rewrite puts it here
        return "fails", f"approved with {verified.fingerprint}, {own}: the assignee may not approve their own change (two-person rule)"
    ran = own_approval(signers, verified.key, verified.fingerprint, dict.fromkeys(sorted(runners - set(assignees)), "who ran steps of it"), at=at)
    if ran is not None:  # `resume` refuses the approver going on (before: bob resumed the run he approved and ran the rest)
        return "fails", f"approved with {verified.fingerprint}, {ran}: whoever approved a change may not run it (two-person rule)"
    return None


def _end(events: Sequence[Event]) -> int | None:
    """The seq of the run's end: its last session_finished, unless `resume --rollback` reopened the session after it."""
    end = None
    for event in events:
        if event.get("type") in (SESSION_FINISHED, SESSION_REOPENED):
            end = int(event["seq"]) if event.get("type") == SESSION_FINISHED else None
    return end


def _last_verifier(events: Sequence[Event], result: TrustCheck) -> str | None:
    """Who signed the run's last verifier decision with a signature that holds (after a handover: the new verifier)."""
    signed = [s for s in result.decisions.values() if s.status != "fails" and events[s.seq].get("type") in statements.VERIFIER_DECISIONS]
    return max(signed, key=lambda s: s.seq).by if signed else None


def _unsealed(result: TrustCheck, verifier: str | None) -> str:
    """Why the end is not sealed, or "" when it is (by someone, and by the run's verifier if it had one)."""
    last = [s.seq + 1 for s in result.seals]
    if not result.end_sealers:
        where = f"last seal at line {last[-1]}" if last else "no seal in it"
        return f"not sealed: {where} (the end of the run is not signed: cut short, still running, or no key signed it)"
    if verifier is None or verifier in result.end_sealers:
        return ""
    theirs = [s.seq + 1 for s in result.seals if s.by == verifier and s.status != "fails"]
    failing = [s.seq + 1 for s in result.seals if s.by == verifier and s.status == "fails"]
    if theirs:
        where = f"{verifier}'s last seal is at line {theirs[-1]}"
    else:  # a seal of theirs that fails is the trace of a rewrite, not of a verifier who never sealed (before: "sealed nothing")
        where = f"{verifier}'s seal at line {failing[-1]} fails" if failing else f"{verifier} sealed nothing"
    sealers = ", ".join(sorted(result.end_sealers))
    return f"not sealed by {verifier}, who verified this run: the end is sealed by {sealers} alone ({where}; what follows it is attested by {sealers} only)"


def print_trust(path: str, events: Sequence[Event], signers: AllowedSigners | None, source: str, approvers: Collection[str] | None = None) -> int:
    """The rest of `journal verify` after an intact chain: 0 all hold, 1 a check failed. `source`: where `signers`
    came from, in words (the option, or the settings file); `approvers`: the settings' (see `check`)."""
    path = visible_line(path)  # only printed here: a name's escapes shown, never sent to the terminal
    if signers is None:
        print(f"{path}: NOT checked: signatures, who signed, and the seal (give --allowed-signers FILE, or allowed_signers: in the settings);")
        print(
            f"{path}: the hash chain and the sequence alone prove no author: anyone who can write the file can recompute it"
            " (a rewrite that keeps every event possible, as a solo run's may, reads intact)"
        )
        return 0
    print(visible_line(f"{path}: allowed signers: {signers.path} ({source}; sha256 {signers.digest})"))
    for recorded in all_run_signers(events, signers.digest):  # the journal's names and paths: never terminal control
        print(visible_line(f"{path}: {recorded.words()}"))
    result = check(events, signers, approvers)
    for problem in result.problems:
        print(f"{path}: {visible_line(problem)}")  # names and keys come from the journal: never terminal control
    counts = {status: sum(1 for s in result.decisions.values() if s.status == status) for status in ("verified", "unsigned", "fails")}
    sealers = visible_line(", ".join(sorted(result.end_sealers)) or "nobody")
    print(f"{path}: decisions: {counts['verified']} signed and verified, {counts['unsigned']} unsigned, {counts['fails']} failing; sealed by {sealers}")
    if result.problems:
        count = len(result.problems)
        print(f"{path}: NOT trusted: {count} problem{'' if count == 1 else 's'}")
        return 1
    if alone := _alone(events, result):
        print(f"{path}: {visible_line(alone)}")
    print(f"{path}: signatures hold and the end is sealed")
    return 0


def _alone(events: Sequence[Event], result: TrustCheck) -> str:
    """What a run signed by nobody but whoever held its keyboard proves, in words ("" when another person signed in it).

    Whoever writes the file can rewrite a shared run from its first line as solo, or cut it before the verifier's first
    word and end it there, drop the verifier's events, and sign and seal the rest again: every signature left is theirs
    and holds, and no rule of the run asks for a word it lacks. Such a journal cannot be told from an honest solo run (or
    a shared run nobody verified) by anything in it; it is said as what it is, the assignee's word alone."""
    signed = {s.by for s in [*result.decisions.values(), *result.seals] if s.status == "verified"}
    if not signed or {person_key(name) for name in signed} - {person_key(name) for name in result.keyboard}:
        return ""
    started = events[0] if events else {}
    how = f"a solo run ({started.get('solo')!r})" if started.get("solo") is not None else "a shared run no verifier signed anything in"
    found = started.get("ticket")
    ticket: dict[str, Any] = found if isinstance(found, dict) else {}
    if ticket.get("verifier"):  # whose word the change board expected: a copy to ask them for
        how += f", on {ticket.get('id') or 'a ticket'} whose verifier is {ticket['verifier']}"
    people = ", ".join(sorted(signed))
    return (
        f"signed only by {people}, who ran it: {how}; what it says is their word: a shared run its assignee rewrote from"
        " its first line as solo, or cut before the verifier's first word, reads the same (a verifier's own copy of the events"
        " received shows it: --received COPY)"
    )
