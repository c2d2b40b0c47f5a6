"""Approved plans: a signed approval of the rendered plan's hash, checked before a run starts.

`approve` signs {plan hash, runbook, parameters, who}; the approval file keeps
that statement, the signature and the plan itself, so a refusal can say which
part of the plan rendered now differs from the one approved.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from runbook_tui.engine.files import write_private
from runbook_tui.runbook.bounded_read import read_limited
from runbook_tui.runbook.lean_dataclass import dataclass
from runbook_tui.runbook.loader import person_key
from runbook_tui.runbook.safe_text import visible_line
from runbook_tui.trust import statements
from runbook_tui.trust.allowed_signers import AllowedSigners
from runbook_tui.trust.sshsig import SignatureError, Signer, verify


class ApprovalRefused(ValueError):
    """The run may not start under this approval; the message says which part differs or who is not allowed."""


@dataclass(frozen=True, slots=True)
class Approval(statements.SignedStatement):
    """An approval that holds for the plan rendered now, by an allowed approver."""

    principal: str
    file: str


async def make(plan: dict[str, Any], signer: Signer, by: str, solo: str | None = None) -> dict[str, Any]:
    """The approval file's content (`solo`: why it may run without the ticket's verifier; see `solo_refusal`)."""
    statement = statements.approval(plan, by, solo)
    signature = await signer.sign(statements.encode(statement))
    return {"statement": statement, "signature": signature, "key": signer.fingerprint, "plan": plan}


def write(path: str, approval: dict[str, Any]) -> None:
    """Written with its final mode (0600), replacing an older approval at that path; a symlink there is refused."""
    write_private(Path(path), json.dumps(approval, indent=2, ensure_ascii=False, sort_keys=True) + "\n")


def _differences(approved: Any, now: Any, where: str = "") -> Iterator[str]:
    """Paths where the approved plan and the plan rendered now differ, as `where: approved X, now Y`."""
    if isinstance(approved, dict) and isinstance(now, dict):
        for key in sorted(set(approved) | set(now), key=str):
            yield from _differences(approved.get(key), now.get(key), f"{where}.{key}" if where else str(key))
    elif isinstance(approved, list) and isinstance(now, list) and len(approved) == len(now):
        for index, (a, b) in enumerate(zip(approved, now, strict=True)):
            same = isinstance(a, dict) and isinstance(b, dict) and a.get("id") is not None and a.get("id") == b.get("id")
            name = a["id"] if same else index
            yield from _differences(a, b, f"{where}[{name}]")
    elif approved != now:
        yield f"{where or 'plan'}: approved {_short(approved)}, now {_short(now)}"


def _short(value: Any) -> str:
    text = visible_line(json.dumps(value, ensure_ascii=False))
    return text if len(text) <= 80 else text[:77] + "..."


def solo_refusal(statement: Mapping[str, Any], plan: Mapping[str, Any]) -> str | None:
    """Why a run without a verifier is not the plan this approval approved, or None. The plan names its ticket's verifier:
    the board approved the change as verified by them, and an approval admits a solo run only when it says so (`approve
    --solo REASON`, in the signed statement), as a change board decides it in advance (an emergency, a standard change).
    Before session 38 a solo run started under any approval: the verifier who approved the plan never saw it run."""
    found = plan.get("ticket")
    ticket: Mapping[str, Any] = found if isinstance(found, dict) else {}
    verifier = ticket.get("verifier")
    solo = statement.get("solo")
    if not verifier or (isinstance(solo, str) and solo.strip()):
        return None
    change = str(ticket.get("id") or "the change")
    return visible_line(f"it approves {change} verified by {verifier}; a solo run is not the plan approved")


#: An approval holds the rendered plan; a 4 MiB runbook's plan fits many times over.
MAX_APPROVAL_BYTES = 64 * 1024 * 1024


def own_approval(
    signers: AllowedSigners, key: Any, fingerprint: str, assignees: Mapping[str, str], own_key: str | None = None, *, at: float | None = None
) -> str | None:
    """Why an approval signed with `key` is the assignee's own (the two-person rule), as words that follow its fingerprint
    (`approved with SHA256:…, WORDS`), or None. `assignees`: each name that
    must not approve this run -> who they are, in words; `own_key`: the fingerprint of the key the run's assignee signs
    with. A key the allowed_signers file gives to an assignee approves for nobody, whatever other name it is listed
    under (`alice,bob KEY`), and the assignee's own key never approves, whoever the file says holds it. `at`: when (None:
    now), for a key's valid-after / valid-before."""
    if own_key is not None and fingerprint == own_key:
        return "the key this run's assignee signs with (--identity or the agent's)"
    principals = {person_key(name) for name in signers.principals(key)}
    for name, who in assignees.items():
        if name and (signers.allows(name, key, at) or person_key(name) in principals):
            return f"a key {signers.path} gives to {name}, {who}"
    return None


#: A journal's mode (its `session_started`), as the refusal of a journal given as the approval names it.
_MODES = {"live": "live run", "dry-run": "dry run", "rehearsal": "rehearsal", "practice": "practice run"}


def _journal_words(file: str, raw: bytes) -> str | None:
    """`FILE: this is a runbook-tui journal …` when `raw` opens with a journal's first event (a rehearsal's journal holds
    the approval it ran under, and is the likely mix-up; before: `FILE:2:1: … Extra data`); None otherwise."""
    try:
        first = json.loads(raw.split(b"\n", 1)[0])
    except (ValueError, RecursionError):
        return None
    if not isinstance(first, dict) or first.get("type") != "session_started" or "hash" not in first:
        return None
    mode = first.get("mode")
    kind = _MODES.get(mode, "run") if isinstance(mode, str) else "run"
    return f"{file}: this is a runbook-tui journal (of a {kind}), not an approval: give the file `runbook-tui approve -o FILE` wrote"


def check(
    path: str, plan: dict[str, Any], signers: AllowedSigners | None, allowed: set[str], assignees: Mapping[str, str] | None = None, own_key: str | None = None
) -> Approval:
    """The approval at `path`, if it is for exactly `plan` and its signer is one of `allowed` and none of `assignees` (see
    `own_approval`); else ApprovalRefused."""
    file, raw = visible_line(path), b""
    try:
        raw = read_limited(path, MAX_APPROVAL_BYTES)
        data = json.loads(raw)  # a FIFO, `/dev/zero` or a huge file: refused, not read
        statement, signature = data["statement"], data["signature"]
        if not isinstance(statement, dict) or not isinstance(signature, str):
            raise TypeError
    except OSError as exc:
        raise ApprovalRefused(f"{file}: cannot read the approval: {exc.strerror}") from None
    except UnicodeDecodeError:  # (before: the same words as for any other file, nothing saying why)
        raise ApprovalRefused(f"{file}: expected an approval written by `runbook-tui approve`: this file is not UTF-8 text (a binary file?)") from None
    except json.JSONDecodeError as exc:  # where, as the file's lines count (before: no line; junk after it read the same)
        journal = _journal_words(file, raw)
        raise ApprovalRefused(journal or f"{file}:{exc.lineno}:{exc.colno}: expected an approval written by `runbook-tui approve`: {exc.msg}") from None
    except (ValueError, KeyError, TypeError, RecursionError):  # RecursionError: JSON nested thousands deep
        raise ApprovalRefused(_journal_words(file, raw) or f"{file}: expected an approval written by `runbook-tui approve`") from None
    try:
        verified = verify(statements.encode(statement), signature)
    except SignatureError as exc:
        raise ApprovalRefused(f"{file}: the approval's signature does not hold: {exc}") from None
    now = statements.plan_hash(plan)
    if not statements.approves(statement.get("plan"), plan):
        approved_plan = data.get("plan") if isinstance(data.get("plan"), dict) else {}
        if not statements.approves(statement.get("plan"), approved_plan):
            raise ApprovalRefused(f"{file}: the plan rendered now (sha256 {now[:16]}) is not the one approved ({str(statement.get('plan'))[:16]})")
        unbound = {"file": None}  # the path it was given as is not in the hash (statements.plan_hash): never a difference
        differs = list(_differences(approved_plan | unbound, plan | unbound))
        shown = "; ".join(differs[:5]) + (f"; and {len(differs) - 5} more" if len(differs) > 5 else "")
        raise ApprovalRefused(f"{file}: the plan rendered now differs from the one approved: {shown}")
    if signers is None:
        raise ApprovalRefused(f"{file}: cannot tell who signed the approval: give --allowed-signers FILE (or allowed_signers: in settings)")
    own = own_approval(signers, verified.key, verified.fingerprint, assignees or {}, own_key)
    if own is not None:
        others = ", ".join(sorted(allowed)) or "nobody else may now: name one under approvers: in settings"
        raise ApprovalRefused(
            f"{file}: approved with {verified.fingerprint}, {own}: the assignee may not approve their own change (two-person rule); it needs the approval of"
            f" another person, with a key of their own: {others}"
        )
    by = str(statement.get("by"))
    if not signers.allows(by, verified.key):  # the name every log, timeline and report shows (`journal verify` fails it)
        raise ApprovalRefused(
            visible_line(f"{file}: the approval says it is by {by}, but it is signed by {verified.fingerprint}, {signers.refusal(by, verified.key)}")
        )
    names = signers.principals(verified.key)
    fitting = sorted((name for name in names if name in allowed and signers.allows(name, verified.key)), key=lambda name: name != by)
    if not fitting:
        who = ", ".join(names) if names else f"a key not in {signers.path}"
        may = ", ".join(sorted(allowed)) or "nobody"
        raise ApprovalRefused(
            f"{file}: approved by {who} ({verified.fingerprint}), who may not approve this plan; it may be approved by {may}"
            " (the ticket's verifier, and the names in approvers: in settings)"
        )
    return Approval(statement, signature, verified.fingerprint, fitting[0], path)
