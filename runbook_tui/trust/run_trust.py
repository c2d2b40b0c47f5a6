"""What `run`, `exec` and `resume` are given for signing: the assignee's key, who is who, the approval.

Everything is checked before the session starts: an unusable key, an
unreadable allowed_signers file or an approval that does not hold stop the
command with exit 2 and say why.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from runbook_tui.engine.controller import Controller
from runbook_tui.engine.events import PLAN_APPROVED, SESSION_RESUMED, SESSION_STARTED, STEP_STARTED
from runbook_tui.runbook.lean_dataclass import dataclass
from runbook_tui.runbook.loader import person_key
from runbook_tui.runbook.model import Runbook
from runbook_tui.runbook.safe_text import visible_line
from runbook_tui.trust import approval as approvals
from runbook_tui.trust import statements
from runbook_tui.trust.allowed_signers import AllowedSigners, read_allowed_signers
from runbook_tui.trust.sshsig import SignatureError, Signer, agent_keys, agent_signer, identity_signer, verify


class TrustRefused(ValueError):
    """The run may not start: the message says why (exit 2)."""


@dataclass(frozen=True)
class RunTrust:
    signer: Signer | None  # the assignee's key (--identity, else the agent's first key); None: decisions unsigned
    signers: AllowedSigners | None = None
    approval_path: str | None = None
    required: bool = False
    approvers: tuple[str, ...] = ()
    approval: approvals.Approval | None = None  # set by `checked`, for the runbook about to run
    signers_file: str | None = None  # `--allowed-signers PATH` as given (absolute), for the resume command: not the settings'
    identity: str | None = None  # `--identity KEY` as given: a key the person chose, checked against `signers`
    #: The fingerprints of every key the ssh-agent this run started with holds: a verifier's among them (not only the one
    #: that signs) lets whoever runs the change join as that verifier (`app/sharing.share_listener` refuses it).
    agent_held: frozenset[str] = frozenset()

    def signers_record(self) -> dict[str, str] | None:
        """The allowed_signers file this run read, as its opening journals it ({path, sha256}); None: none read."""
        return None if self.signers is None else {"path": os.path.abspath(self.signers.path), "sha256": self.signers.digest}

    def checked(
        self, runbook: Runbook, plan: Callable[[], dict[str, Any]], operator: str = "", *, now: dt.datetime | None = None, live: bool = True, solo: bool = False
    ) -> RunTrust:
        """This trust with the approval checked against the plan rendered now (`plan()`: the plan and the routes to its
        hosts, app/approved.py); TrustRefused when it does not hold. `operator`: who runs it (the person at the keyboard):
        neither they nor the ticket's assignee may have approved it (two-person rule). The approval has no expiry of its
        own: the ticket's window is bound by the plan's hash, and a run outside it is the window's rule (--override-window
        REASON, journaled); `now` and `live` are not read here. Nor is it bound to one session: a second run of the same
        plan (a retry after a rollback) starts under it too, and each run journals it (`plan_approved`). `solo`: the run
        goes without a verifier, which the approval must admit when the plan names one (`approval.solo_refusal`)."""
        if self.approval_path is None:
            if self.required:
                raise TrustRefused("this run needs an approved plan (require_approval: true in settings): give --approval FILE made by `runbook-tui approve`")
            self._listed_for(operator, now)
            return self
        allowed = set(self.approvers) | ({runbook.ticket.verifier} if runbook.ticket and runbook.ticket.verifier else set())
        assignees = {name: "who runs this change" for name in (operator,) if name}
        if runbook.ticket and runbook.ticket.assignee:
            assignees[runbook.ticket.assignee] = f"the assignee of {runbook.ticket.id or 'the ticket'}"
        own_key = self.signer.fingerprint if self.signer is not None else None
        rendered = plan()
        try:
            found = approvals.check(self.approval_path, rendered, self.signers, allowed - set(assignees), assignees, own_key)
        except approvals.ApprovalRefused as exc:
            raise TrustRefused(str(exc)) from None
        if solo and (why := approvals.solo_refusal(found.statement, rendered)) is not None:
            raise TrustRefused(f"{visible_line(self.approval_path)}: {why}: {SOLO_WAYS}")
        self._listed_for(operator, now)  # after the approval's own refusals (an assignee's key that approved says so first)
        return replace(self, approval=found)

    def _listed_for(self, operator: str, now: dt.datetime | None) -> None:
        """TrustRefused when `--identity KEY` is a key the allowed signers do not give to `operator` (who runs it), as
        `approve` refuses one: each decision and seal it signed would fail `journal verify` (before: the run went on to
        its end, and only the verification afterwards said NOT trusted). The agent's first key is not judged here."""
        if not (self.identity and self.signer and self.signers and operator):
            return
        at = now.timestamp() if now is not None else None
        if not self.signers.allows(operator, self.signer.public_key, at):
            why = self.signers.refusal(operator, self.signer.public_key, at)
            raise TrustRefused(
                visible_line(
                    f"--identity {self.identity}: {why} (who runs this change): every decision and seal signed with"
                    f" {self.signer.fingerprint} would fail `journal verify --allowed-signers`; sign with the key"
                    f" {self.signers.path} lists for {operator}, or list this one there"
                )
            )

    def resume_refusal(self, journal: str, *, forward: bool, operator: str = "", now: dt.datetime | None = None, solo: bool = False) -> str | None:
        """Why `resume` may not go on with the run `journal` records (`forward`: it may run steps; a rollback is never
        refused): the approval it started under is `operator`'s own (who resumes it: their name, or the key they sign
        with; the two-person rule, as `run` checks it); or, under `require_approval: true`, it started without an
        approval, or the approval does not hold (as `journal verify` checks it); or it goes on `solo` where its approval
        names a verifier and does not admit a run without them (as `run` refuses to start one). None: it may."""
        if not forward:
            return None
        from runbook_tui.trust.check import check

        started, approved = opening(journal)
        name, rollback = visible_line(journal), "resume --rollback undoes what it did"
        if started is None:
            return None
        if approved is not None and (own := self._approvers_own(approved, operator)) is not None:
            return visible_line(f"{name}: {own}: whoever approved a change may not run it (two-person rule); another person resumes it ({rollback})")
        plan = started.get("plan")
        if (
            solo
            and isinstance(plan, dict)
            and started.get("mode", "live") == "live"
            and approved is not None
            and (alone := approvals.solo_refusal(approved.get("statement") or {}, plan)) is not None
        ):
            return f"{name}: the approval this run started under {alone}: {SOLO_WAYS.replace('--share', 'resume --share')} ({rollback})"
        if not self.required:
            return None
        if approved is None:
            return f"{name}: {UNAPPROVED} settings: it goes on only approved ({rollback}, or start it again with --approval FILE)"
        if self.signers is None:
            return f"{name}: cannot tell who approved this run: give --allowed-signers FILE (or allowed_signers: in settings)"
        result = check([started, approved], self.signers, self.approvers).approval
        if result is not None and result.status == "fails":
            return visible_line(f"{name}: the approval this run started under does not hold: {result.why} ({rollback})")
        return None

    def _approvers_own(self, approved: dict[str, Any], operator: str) -> str | None:
        """Why the approval journaled in `approved` is that of whoever resumes (`operator`, signing with this trust's key),
        in words; None when it is another person's."""
        principal = str(approved.get("principal") or "")
        if operator and person_key(operator) == person_key(principal):
            return f"{operator} approved this run's plan ({approved.get('key')})"
        if self.signer is not None and self.signer.fingerprint == approved.get("key"):
            return f"the key you sign with ({self.signer.fingerprint}) approved this run's plan, as {principal}"
        if self.signers is None or not operator:
            return None
        try:
            verified = verify(statements.encode(approved.get("statement") or {}), str(approved.get("signature")))
        except SignatureError:
            return None  # an approval that does not hold: `journal verify` (and require_approval) say so
        own = approvals.own_approval(self.signers, verified.key, verified.fingerprint, {operator: "who resumes it"})
        return None if own is None else f"this run's plan was approved with {verified.fingerprint}, {own}"

    def journal_approval(self, controller: Controller) -> None:
        """The approval the run started under, journaled as the session opens (before any step runs)."""
        if self.approval is not None:
            a = self.approval
            controller.emit(PLAN_APPROVED, controller.assignee, statement=a.statement, signature=a.signature, key=a.key, principal=a.principal, file=a.file)


#: What to do when an approval does not admit a solo run (`approval.solo_refusal`), in words.
SOLO_WAYS = "share it for the verifier to confirm each step (--share), or have it approved to run alone (runbook-tui approve FILE --solo REASON)"
#: What a run that needed an approval and has none is, in words (`resume`, `journal verify`, the report); the settings follow.
UNAPPROVED = "this run started without an approved plan (no plan_approved in it), and require_approval: true in"


def opening(journal: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The run's `session_started` and the `plan_approved` it started under (None: none in it). Read up to the first
    step or resume only: an approval comes before the run begins (`journal verify` refuses one after), so a long journal
    is not read whole. An unreadable journal reads as what it holds (its readers say what is wrong with it)."""
    from runbook_tui.engine.journal import JournalScan

    started = approved = None
    for event in JournalScan(journal):
        if event["type"] == SESSION_STARTED and started is None:
            started = event
        elif event["type"] == PLAN_APPROVED:
            approved = event
        elif event["type"] in (STEP_STARTED, SESSION_RESUMED):
            break
    return started, approved


def signer_for(identity: str | None, signers: AllowedSigners | None = None) -> Signer | None:
    """`--identity KEY` (the file, or the agent's copy of it), else the ssh-agent's first key `signers` list (else its
    first key), else none."""
    if identity:
        try:
            return asyncio.run(identity_signer(identity))
        except SignatureError as exc:
            raise TrustRefused(f"--identity {exc}") from None
    return asyncio.run(agent_signer(prefer=(lambda key: bool(signers.principals(key))) if signers is not None else None))


def allowed_signers(path: str | None) -> AllowedSigners | None:
    if not path:
        return None
    try:
        return read_allowed_signers(path)
    except SignatureError as exc:
        raise TrustRefused(str(exc)) from None


def prepare(*, identity: str | None, signers_path: str | None, approval: str | None, settings: Any) -> RunTrust:
    """Key, allowed signers and the approval's requirement; the approval itself is checked when the runbook is loaded."""
    signers = allowed_signers(signers_path or settings.allowed_signers)
    given = os.path.abspath(os.path.expanduser(signers_path)) if signers_path else None
    signer = signer_for(identity, signers)
    held = frozenset(key.fingerprint for key in asyncio.run(agent_keys())) if os.environ.get("SSH_AUTH_SOCK") else frozenset()
    return RunTrust(signer, signers, approval, settings.require_approval, settings.approvers, signers_file=given, identity=identity or None, agent_held=held)
