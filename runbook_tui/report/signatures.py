"""The report's "Signatures" section: each decision's signer and whether the signature verified.

Built from the same check as `journal verify --allowed-signers`. Without an
allowed_signers file the report says a signature holds for the key in it,
not who holds that key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from runbook_tui.engine.events import Event
from runbook_tui.engine.journal import JournalScan
from runbook_tui.runbook.lean_dataclass import dataclass
from runbook_tui.trust.run_signers import RunSigners

if TYPE_CHECKING:  # asyncssh (for SSHSIG) is loaded only for a journal that holds signatures
    from runbook_tui.trust.allowed_signers import AllowedSigners
    from runbook_tui.trust.check import Signed

_WORDS = {
    "verified": "verified",
    "unchecked": "signature holds; signer not checked (no allowed_signers)",
    "unsigned": "unsigned",
    "fails": "FAILS",
}


@dataclass(frozen=True, slots=True)
class SignersUsed:
    """The allowed_signers file the Signatures were checked with: a signature "verifies" for the key this file gives the
    signer, and another file may say otherwise (an attacker's copy naming their own key as the verifier's)."""

    path: str
    sha256: str  # of the file as read for this report
    source: str  # where it was named: "given by --allowed-signers", or "allowed_signers: in SETTINGS"
    run: tuple[RunSigners, ...] = ()  # the file the run read, as its session_started (and resumes) recorded it

    def words(self, literal: Callable[[str], str] = str, prose: Callable[[str], str] = str) -> str:
        """In words; `literal` writes the path and the digest (Markdown: as code), `prose` the rest (escaped)."""
        against_run = "".join(f"{prose('; ')}{recorded.words(literal, prose)}" for recorded in self.run)
        return (
            f"{prose('Checked with the allowed signers in')} {literal(self.path)} ({prose(self.source)}; sha256 {literal(self.sha256)}),"
            f" {prose('as read for this report: each signature is verified for the key this file gives the signer; another file may say otherwise')}"
            f"{against_run}"
        )


#: What the Signatures section says when no allowed signers were given.
UNCHECKED_WORDS = "No allowed signers given: each signature holds for the key in it; who holds that key was not checked"


@dataclass(frozen=True, slots=True)
class SignatureRow:
    line: int  # the decision's (or seal's, or approval's) journal line
    what: str  # e.g. "step_confirmed one (after)", "wave_confirmed roll (wave 2)", "seal of line 15", "plan approved"
    by: str
    key: str
    status: str  # verified, unchecked, unsigned, fails
    words: str  # the status in words, with why it fails

    @property
    def policy(self) -> str | None:
        """Why the settings' `require_approval: true` fails the run (no signature's fault: `journal verify` fails it with
        or without allowed signers), in its words; None for a signature's row. (A signed approval's row names who signed.)"""
        return self.words.removeprefix(_WORDS["fails"] + ": ") if self.status == "fails" and not self.by and self.what == "plan approved" else None

    @property
    def failure(self) -> str:
        """Where and why it fails, in one phrase (for the report's banner)."""
        why = self.words.removeprefix(_WORDS["fails"] + ": ")
        return f"line {self.line} {self.what}: {why}" if self.line else why


def signature_rows(
    path: Path, signers: AllowedSigners | None, *, signed: bool, unapproved: str | None = None, approvers: Sequence[str] | None = None
) -> list[SignatureRow]:
    """One row per decision, seal and approval; empty for a journal with no signatures at all.

    `signed`: the journal holds signatures (the history fold saw one). Only then, or with allowed signers, is it read
    again, held in memory (signatures name events by seq), as `journal verify --allowed-signers` holds it: a journal
    stripped of every signature fails that check (a verifier's decisions unsigned, no seal), and the report says so
    (before: no signatures in it, no word of them: `journal verify` passes). `unapproved`: why the run breaks the
    settings' `require_approval: true` (app/journal_verify.py), a failing row of its first line, as `journal verify` fails it;
    `approvers`: the settings' (None: who may approve is not checked; trust/check.py)."""
    missing = [SignatureRow(1, "plan approved", "", "", "fails", f"{_WORDS['fails']}: {unapproved}")] if unapproved else []
    if not signed and signers is None:
        return missing
    from runbook_tui.trust.check import check

    events = list(JournalScan(path))
    result = check(events, signers, approvers)
    rows = [_row(s, _what(events[s.seq])) for s in sorted(result.decisions.values(), key=lambda s: s.seq) if 0 <= s.seq < len(events)]
    rows += [_row(s, f"seal of line {int(events[s.seq]['statement'].get('seq', -2)) + 1}") for s in result.seals]
    if result.approval is not None:
        rows.insert(0, _row(result.approval, "plan approved"))
    # what `journal verify --allowed-signers` fails that is no signature's own (before: the report said it passes)
    rows += [SignatureRow(line, "the two-person rule", "", "", "fails", f"{_WORDS['fails']}: {why}") for line, why in result.evidence]
    rows += missing
    rows.sort(key=lambda row: row.line)  # down the journal (decisions then seals read a seal as after what it preceded)
    if not result.sealed_end:
        rows.append(SignatureRow(0, "end of the run", "", "", "fails", result.unsealed))
    return rows


def _what(event: Event) -> str:
    detail = event.get("phase") or (f"wave {event['wave']}" if event.get("wave") is not None else "")
    phase = f" ({detail})" if detail else ""
    return f"{event.get('type')} {event.get('step') or ''}{phase}".replace("  ", " ").strip()


def _row(signed: Signed, what: str) -> SignatureRow:
    words = _WORDS[signed.status] + (f": {signed.why}" if signed.status == "fails" and signed.why else "")
    return SignatureRow(signed.seq + 1, what, signed.by, signed.key, signed.status, words)
