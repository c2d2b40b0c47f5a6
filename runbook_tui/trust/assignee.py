"""The assignee's side: their decisions and seals signed in their process, when they have a key.

`--identity KEY` (or the ssh-agent's first key) signs each decision the
assignee makes (run a step, start a rollback, skip, accept an unknown step as
done, accept unmet success criteria) right after it is journaled, as a `decision_signed` event naming it,
and seals the journal's head at each checkpoint and at the end. Without a key
nothing is signed, and `journal verify` and the report say so ("unsigned").
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

from runbook_tui.engine.controller import Controller
from runbook_tui.engine.events import DECISION_SIGNED, ERROR, SEAL, SESSION_FINISHED, Event, of
from runbook_tui.engine.state import RunState
from runbook_tui.trust import statements
from runbook_tui.trust.participant import SEALED_AT
from runbook_tui.trust.sshsig import SignatureError, Signer

log = logging.getLogger(__name__)
#: How long the end waits for a connected verifier's seal of the last event.
SEAL_WAIT = 5.0


class AssigneeTrust:
    """Follows the controller; signs the assignee's decisions and seals in order, one at a time."""

    def __init__(self, controller: Controller, signer: Signer | None, earlier: Iterable[Event] = ()) -> None:
        self.controller = controller
        self.signer = signer
        self.shown: dict[str, str] = {}
        self._queue: asyncio.Queue[tuple[str, dict[str, Any], int | None]] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        self.sealed: dict[int, set[str]] = {}  # seq -> who sealed it
        self.unsealed: set[str] = set()  # verifiers whose key would not sign the end's seal (their `error` with `unsigned`)
        self._sealed_changed = asyncio.Event()
        self.finished_seq: int | None = None
        for event in earlier:  # resume: what was shown before the process died
            self._shown(event)
        controller.subscribe(self._follow)

    def _follow(self, event: Event, state: RunState) -> None:
        kind, step = event.get("type"), event.get("step")
        if kind == SESSION_FINISHED:
            self.finished_seq = int(event["seq"])
        if kind == SEAL:
            self.sealed.setdefault(int(event["statement"]["seq"]), set()).add(str(event["actor"]))
            self._sealed_changed.set()
        if kind == ERROR and event.get("unsigned") == SEAL and self.finished_seq is not None:
            self.unsealed.add(str(event["actor"]))  # no seal of the end comes from them: the end waits no longer
            self._sealed_changed.set()
        if self.signer is not None and event.get("actor") == self.controller.assignee:
            session = self.controller.session_id
            if kind in statements.ASSIGNEE_DECISIONS:
                action = statements.ASSIGNEE_DECISIONS[str(kind)]
                phase, attempt = statements.assignee_phase(event)
                statement = statements.decision(
                    session, action, self.controller.assignee, step=step if isinstance(step, str) else None,
                    attempt=attempt, phase=phase, shown=self.shown.get(statements.shown_key(step), ""),
                    reason=str(event.get("reason") or ""), criteria=statements.accepted_criteria(event),
                )  # fmt: skip
                self._later(DECISION_SIGNED, statement, int(event["seq"]))
        if self.signer is not None and kind in SEALED_AT:
            self._later(SEAL, statements.seal(self.controller.session_id, self.controller.assignee, event), None)
        self._shown(event)

    def _shown(self, event: Event) -> None:
        shows = statements.shows(event)
        if shows is not None:
            self.shown[shows] = str(event["hash"])

    def _later(self, kind: str, statement: dict[str, Any], decision: int | None) -> None:
        self._queue.put_nowait((kind, statement, decision))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.get_running_loop().create_task(self._sign_queued())

    async def _sign_queued(self) -> None:
        assert self.signer is not None
        while not self._queue.empty():
            kind, statement, decision = self._queue.get_nowait()
            try:
                signature = await self.signer.sign(statements.encode(statement))
            except SignatureError as exc:
                self.controller.emit(ERROR, self.controller.assignee, message=f"could not sign ({kind}): {exc}", unsigned=kind)
                continue
            extra: dict[str, Any] = {"decision": decision} if decision is not None else {"role": "assignee"}
            self.controller.emit(of(kind), self.controller.assignee, statement=statement, signature=signature, key=self.signer.fingerprint, **extra)

    async def drain(self) -> None:
        """Before the journal closes: the last signatures written, and a present verifier's seal of the end awaited."""
        if self._worker is not None:
            await self._worker
        state = self.controller.state
        present = {name for name, role in state.participants.items() if role == "verifier"}
        # After a handover `journal verify` asks for the seal of the verifier who decided last: another's is not enough.
        verifiers = {state.active_verifier} if state.active_verifier in present else present
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SEAL_WAIT
        while self.finished_seq is not None and verifiers and not verifiers & (self.sealed.get(self.finished_seq, set()) | self.unsealed):
            self._sealed_changed.clear()
            try:
                await asyncio.wait_for(self._sealed_changed.wait(), max(0.0, deadline - loop.time()))
            except TimeoutError:
                log.info("no seal from %s before the end", ", ".join(sorted(verifiers)))
                return
