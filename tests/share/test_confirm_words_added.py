"""Words put into the verifier's mouth: a `reason` added to bob's signed confirmation, which he never gave.

A confirmation carries no reason (only a rejection's is asked), yet the event may hold one and every view shows it
(`two confirmed by bob: p99 at 2 s, ship it anyway`). bob's signature names the reason he signed (none), so
`journal verify --allowed-signers` must see the words are not his, as it does for a rejection's reason (before: his
signature of 'two' held and the added words stood under it).

Real processes: alice's `exec --share --identity alice`, bob a real ShareClient over SSH signing with his key file.
"""

from __future__ import annotations

import pytest
from share_peers import Lab, allowed_signers, journal, journal_verify
from test_signed_run import _resigned, _signed_run, people  # noqa: F401  (people: a fixture)

pytestmark = [pytest.mark.asyncio, pytest.mark.peers]


async def test_a_reason_added_to_the_verifiers_confirmation_fails_his_signature(lab: Lab, people: dict[str, str]) -> None:  # noqa: F811
    path, _bob = await _signed_run(lab, **people)  # type: ignore[arg-type]
    signers = allowed_signers(lab, ("alice", people["alice"]), ("bob", people["bob"]))  # type: ignore[arg-type]
    events = journal(path)
    confirmed = [n for n, e in enumerate(events) if e["type"] == "step_confirmed" and e["step"] == "two"]
    assert len(confirmed) == 1 and events[confirmed[0]]["actor"] == "bob", [e["type"] for e in events]
    events[confirmed[0]] = events[confirmed[0]] | {"reason": "p99 at 2 s, ship it anyway"}
    forged = await _resigned(events, {"alice": people["alice"]}, lab.root / "forged.jsonl")  # type: ignore[dict-item]
    checked = journal_verify(lab, forged, signers)
    line = confirmed[0] + 1
    said = f"the signature of the decision at line {line} fails: the signed reason is '', the journal says 'p99 at 2 s, ship it anyway'"
    assert checked.returncode == 1 and said in checked.stdout, checked.stdout + checked.stderr
    honest = journal_verify(lab, path, signers)
    assert honest.returncode == 0 and "signatures hold and the end is sealed" in honest.stdout, honest.stdout + honest.stderr
