"""`approve FILE -p N=V... --identity KEY [-o FILE.approval]`: the change board's approval, signed.

Shows the rendered plan (every step, host, command and undo, the
parameters, the route to each remote host), asks for `yes` (at the terminal, or as the first line of
standard input when it is not one), then writes the signed approval of the
plan's hash. `run`/`exec --approval FILE` start only under an approval of
exactly the plan they render.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from runbook_tui.app.approved import approved_plan
from runbook_tui.app.plan_connections import plan_text
from runbook_tui.app.session import SessionError, operator_name
from runbook_tui.runbook.loader import Loaded
from runbook_tui.runbook.model import Ticket
from runbook_tui.runbook.safe_text import visible, visible_line
from runbook_tui.trust import approval
from runbook_tui.trust.allowed_signers import AllowedSigners
from runbook_tui.trust.run_trust import TrustRefused, allowed_signers, signer_for
from runbook_tui.trust.sshsig import SignatureError, Signer
from runbook_tui.trust.statements import plan_hash


def _answer() -> str:
    try:
        if sys.stdin.isatty():
            return input("Approve exactly this plan? Type yes: ")
        print("Approve exactly this plan? (reading the answer from standard input)")
        return sys.stdin.readline()
    except (EOFError, KeyboardInterrupt):
        print(file=sys.stderr)  # what follows on a line of its own, not after the prompt's ^C
        return ""


def _own_approval(loaded: Loaded, signers: AllowedSigners | None, signer: Signer) -> str | None:
    """Why this signer approving this runbook would be its assignee approving their own change, or None. Told by the
    key, as the run tells it (without an allowed_signers file nobody can say whose key it is: the run checks it)."""
    ticket = loaded.runbook.ticket
    if ticket is None or not ticket.assignee or signers is None:
        return None
    own = approval.own_approval(signers, signer.public_key, signer.fingerprint, {ticket.assignee: f"the assignee of {ticket.id}"})
    return None if own is None else f"signing with {signer.fingerprint}, {own}"


def _holds(ticket: Ticket | None) -> str:
    """What the approval binds in time, in words, for the approver to read before typing yes."""
    if ticket is not None and ticket.window_start and ticket.window_end:
        return (
            f"the approval is of {ticket.id}'s change window {ticket.window_start} -> {ticket.window_end}: a live run outside it"
            " starts only with --override-window REASON, journaled and in the report; it holds until the runbook or its parameters change"
        )
    return "the ticket names no change window: this approval does not expire (it holds until the runbook or its parameters change)"


def _verified_by(ticket: Ticket | None, solo: str | None) -> str | None:
    """How the approved change is verified, in words, for the approver to read before typing yes (None: no verifier named)."""
    if ticket is None or not ticket.verifier:
        return None
    if solo is None:
        return f"the approval is of a run {ticket.verifier} verifies: a solo run (--solo) is refused under it (approve --solo REASON admits one)"
    return f"the approval also admits a run without {ticket.verifier}, its verifier (--solo): {solo}"


def cmd_approve(loaded: Loaded, *, identity: str | None, signers_path: str | None, output: str, solo: str | None = None) -> int:
    from runbook_tui.app.settings import SettingsError, load_settings

    try:
        settings = load_settings()
        signers = allowed_signers(signers_path or settings.allowed_signers)
        signer = signer_for(identity, signers)
    except SettingsError:
        raise  # its FILE:LINE:COL lines, as every command says them (cli._main)
    except TrustRefused as exc:
        print(f"runbook-tui: {visible(str(exc))}", file=sys.stderr)  # a key's or a file's name may hold escapes
        return 2
    if signer is None:
        print("runbook-tui: approve needs a key to sign with: --identity KEY, or an ssh-agent holding one", file=sys.stderr)
        return 2
    names = signers.principals(signer.public_key) if signers is not None else []
    if signers is not None and not names:
        print(visible_line(f"runbook-tui: {signer.fingerprint} is not in {signers.path}: nobody could check this approval"), file=sys.stderr)
        return 2
    plain = [name for name in names if not set(name) & set("*?!")]  # a pattern (`b*`, `*`) names nobody to approve as
    if names and not plain:
        print(visible_line(f"runbook-tui: {signer.fingerprint}: {signers.path if signers else ''} gives it only by pattern ({', '.join(names)}), which names"
              " nobody to approve as: give the approver a line of their own (NAME KEY); nothing was written"), file=sys.stderr)  # fmt: skip
        return 2
    try:
        by = plain[0] if plain else operator_name()  # the name the approval is signed under, as a run's journal names its assignee
    except SessionError as exc:
        print(f"runbook-tui: {exc}", file=sys.stderr)
        return 2
    own = _own_approval(loaded, signers, signer)
    if own is not None:  # the run would refuse it: said before the plan is shown and signed
        print(visible_line(f"runbook-tui: {own}: the assignee may not approve their own change (two-person rule); nothing was written"), file=sys.stderr)
        return 2
    ticket = loaded.runbook.ticket
    plan = approved_plan(loaded.runbook, settings)
    sys.stdout.write(plan_text(loaded.runbook, settings))
    print("\n" + visible_line(f"plan sha256 {plan_hash(plan)}; signing as {by} with {signer.fingerprint} ({signer.source})"))
    print(visible_line(_holds(ticket)))
    if (verified := _verified_by(ticket, solo)) is not None:
        print(visible_line(verified))
    if _answer().strip().lower() != "yes":
        print("not approved: nothing was written", file=sys.stderr)
        return 1
    try:
        made = asyncio.run(approval.make(plan, signer, by, solo))
    except SignatureError as exc:  # an agent key needing a confirmation or a touch that never came, an agent gone
        print(visible_line(f"runbook-tui: cannot sign the approval with {signer.fingerprint}: {exc}; not approved: nothing was written"), file=sys.stderr)
        return 1
    try:
        approval.write(output, made)
    except OSError as exc:
        from runbook_tui.engine.disk_words import said

        print(visible_line(said(f"runbook-tui: cannot write {output}: {exc.strerror}", exc.errno, Path(output), "output")), file=sys.stderr)
        return 2
    print(visible_line(f"approval written to {output}"))
    return 0
