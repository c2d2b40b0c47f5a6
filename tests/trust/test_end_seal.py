"""The end of a shared run waits for the seal `journal verify` asks for: the run's verifier's, after a handover too."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from runbook_tui.trust.assignee import SEAL_WAIT, AssigneeTrust

pytestmark = pytest.mark.asyncio


async def test_the_end_waits_for_the_seal_of_the_verifier_who_took_over_not_the_one_before() -> None:
    """Before: bob's seal (he handed over to carol, both still joined) ended the wait, the session closed before carol's
    came, and `journal verify --allowed-signers` failed a good run: `not sealed by carol, who verified this run`."""
    state = SimpleNamespace(participants={"alice": "assignee", "bob": "verifier", "carol": "verifier"}, active_verifier="carol")
    trust = AssigneeTrust(SimpleNamespace(subscribe=lambda _listener: None, state=state), None)  # type: ignore[arg-type]
    trust._follow({"type": "session_finished", "seq": 9}, state)  # type: ignore[arg-type]
    trust._follow({"type": "seal", "actor": "bob", "statement": {"seq": 9}}, state)  # type: ignore[arg-type]
    asyncio.get_running_loop().call_later(0.2, trust._follow, {"type": "seal", "actor": "carol", "statement": {"seq": 9}}, state)
    await asyncio.wait_for(trust.drain(), SEAL_WAIT)
    assert trust.sealed[9] == {"bob", "carol"}, "the end closed before the seal of carol, who verified the run"


async def test_the_end_waits_no_longer_once_the_verifier_s_key_would_not_seal_it() -> None:
    """bob's client journals that his key would not sign the end's seal (an `error` with `unsigned`): the end closes then,
    not SEAL_WAIT later, waiting for a seal that will not come (tests/share/test_verifier_key_refuses.py: over SSH)."""
    state = SimpleNamespace(participants={"alice": "assignee", "bob": "verifier"}, active_verifier="bob")
    trust = AssigneeTrust(SimpleNamespace(subscribe=lambda _listener: None, state=state), None)  # type: ignore[arg-type]
    trust._follow({"type": "session_finished", "seq": 9}, state)  # type: ignore[arg-type]
    asyncio.get_running_loop().call_later(0.1, trust._follow, {"type": "error", "actor": "bob", "unsigned": "seal", "message": "…"}, state)
    await asyncio.wait_for(trust.drain(), SEAL_WAIT / 2)  # (before: SEAL_WAIT, the whole wait)
    assert trust.unsealed == {"bob"} and 9 not in trust.sealed
