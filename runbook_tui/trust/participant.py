"""The participant's side: sign decisions and seals in their own process, with the key they joined with.

The key is found as ssh finds it: `--identity KEY`, else the ssh-agent's key
with the fingerprint the session recognised, else ~/.ssh/id_* with it. No key
found: decisions go out unsigned and the session refuses them, saying why.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from runbook_tui.engine.checkpoints import COMPLETING, turned_done
from runbook_tui.engine.events import SESSION_FINISHED, Event
from runbook_tui.engine.state import RunState
from runbook_tui.trust import statements
from runbook_tui.trust.gate import STEP_DECISIONS, answered, expected_phase
from runbook_tui.trust.ledger import Ledger
from runbook_tui.trust.sshsig import SignatureError, Signer, agent_signer, file_signer

#: Events after which the verifier seals the head they verified.
SEALED_AT = statements.SEALED_AT
_DEFAULT_KEYS = ("id_ed25519", "id_ecdsa", "id_rsa")
#: Bytes of the copy's file name before `.jsonl` at most (longer: cut, and a hash of the whole session and name added).
COPY_NAME_BYTES = 200


async def find_signer(identity: str | None, fingerprint: str | None, named: Sequence[str] = ()) -> Signer | None:
    """The key that signs for this participant: the one they joined with (fingerprint from the welcome); `named`: the
    ssh config's IdentityFiles, tried in place of ~/.ssh/id_* (as ssh offers them)."""
    if identity:
        try:
            return file_signer(identity)
        except SignatureError:
            return None
    signer = await agent_signer(fingerprint)
    if signer is not None:
        return signer
    for path in map(Path, named) if named else (Path.home() / ".ssh" / name for name in _DEFAULT_KEYS):
        if path.exists():
            try:
                candidate = file_signer(str(path))
            except SignatureError:
                continue
            if fingerprint is None or candidate.fingerprint == fingerprint:
                return candidate
    return None


class SealRule:
    """Which of the session's seal events the verifier seals: the ones the controller journals, each once.

    A `checkpoint_reached` is journaled once for each event that turned a `checkpoint: true` step of the plan done
    (checkpoints.py), and `session_finished` once. The session is the assignee's process, so what it sends is not
    taken as the reason to sign: each event `WATCHED` is given here in order, with the replica's state before and
    after it, and a seal is owed only by the event that turned that checkpoint step done, since the last seal of it
    (before: every `checkpoint_reached` and `session_finished` received was signed, however many the session sent)."""

    WATCHED = COMPLETING | SEALED_AT

    def __init__(self) -> None:
        self.owed: set[str] = set()  # checkpoint steps turned done whose `checkpoint_reached` has not come yet
        self.ended = False

    def refusal(self, before: RunState, after: RunState, event: Event) -> str | None:
        """Why `event` (of WATCHED, its fold `before` -> `after`) is not sealed, when it is a seal event; else None."""
        kind, step = event["type"], event.get("step")
        if kind in COMPLETING:
            if isinstance(step, str) and after.plan_steps.get(step, {}).get("checkpoint") and turned_done(step, before, after):
                self.owed.add(step)
            return None
        if kind == SESSION_FINISHED:
            if self.ended:
                return "the session already said it finished, and that end was sealed"
            self.ended = True
            return None
        if step not in self.owed:
            if not isinstance(step, str) or not after.plan_steps.get(step, {}).get("checkpoint"):
                return f"step {str(step)[:40]!r} is not a checkpoint of the plan"
            return f"no event turned step {step[:40]!r} done since its last checkpoint"
        self.owed.discard(step)
        return None


class ParticipantTrust:
    """One participant's signer and their own ledger of the events received."""

    def __init__(self, signer: Signer | None, name: str, session: str, ledger: Ledger) -> None:
        self.signer = signer
        self.name = name
        self.session = session
        self.ledger = ledger

    async def sign_decision(self, state: RunState, action: str, step: str | None, text: str) -> dict[str, Any] | None:
        """The `signed` part of an intent; None for what is not a decision or when there is no key."""
        if self.signer is None or action not in statements.VERIFIER_ACTIONS:
            return None
        phase, attempt = expected_phase(state, step, action)
        shown = self.ledger.shown.get(statements.shown_key(step), "")
        answers = answered(state, step) if action in STEP_DECISIONS else None
        statement = statements.decision(self.session, action, self.name, step=step, attempt=attempt, phase=phase, shown=shown, reason=text, answers=answers)
        return {"statement": statement, "signature": await self.signer.sign(statements.encode(statement))}

    async def sign_seal(self, event: Event) -> dict[str, Any] | None:
        """A seal of `event` (a checkpoint or the end) once the ledger holds it as verified."""
        if self.signer is None or event.get("type") not in SEALED_AT or not self.ledger.holds(event):
            return None
        statement = statements.seal(self.session, self.name, event)
        return {"statement": statement, "signature": await self.signer.sign(statements.encode(statement))}


def received_copy(folder: str | None, session: str, name: str) -> Path | None:
    """Where the verifier's own copy of the received events goes (None: kept in memory only)."""
    if not folder:
        return None
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in f"{session}-{name}")
    if len(safe.encode()) > COPY_NAME_BYTES:  # the session id is the assignee's process's to choose: a file name holds 255 bytes
        digest = hashlib.sha256(f"{session}\n{name}".encode("utf-8", "replace")).hexdigest()[:16]
        safe = safe.encode()[: COPY_NAME_BYTES - 17].decode("utf-8", "ignore") + "-" + digest
    return Path(folder) / f"{safe}.jsonl"
