"""A verifier's signed rollback request or hold says in its signature what they asked; the journal's words must match.

bob asks for a rollback with his reason, signed with his key. alice, who writes the file, rewrites the reason in the
journal (and recomputes the chain). Before, `journal verify --allowed-signers` compared the signed reason of a
rejection and of the assignee's own decisions, but not of a hold or a rollback request: bob's signature stood under
words he never wrote, and the report showed it `verified`.
"""

from __future__ import annotations

import asyncio

import pytest
from share_peers import NO_AGENT, Lab, allowed_signers, confirm_next, journal_verify, until, write_recomputed
from test_exec_share_requests import GO_AHEAD
from test_signed_run import journal_lines_of

pytestmark = pytest.mark.asyncio


@pytest.mark.peers
async def test_the_words_of_a_signed_rollback_request_cannot_be_rewritten(lab: Lab, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSH_AUTH_SOCK", "")
    alice, bob = lab.key("alice"), lab.key("bob")
    shared = await lab.share(lab.runbook(GO_AHEAD), "--verifier-key", f"{bob}.pub", "--identity", str(alice), env=NO_AGENT)
    await lab.trust(shared.fingerprint, shared.port)
    client = lab.client(bob, shared.port)
    follow = asyncio.create_task(client.run())
    try:
        assert await confirm_next(client) == "one"
        await until(lambda: client.state.current == "two", what="the run to stand at 'two'")
        assert (await client.send("request_rollback", "errors doubled")).ok
        assert await shared.exit_code() == 1, shared.stderr()
    finally:
        follow.cancel()
        await client.close()
    allowed = allowed_signers(lab, ("alice", alice), ("bob", bob))
    events = journal_lines_of(shared.journal)
    [request] = [e for e in events if e["type"] == "rollback_requested"]
    assert request["reason"] == "errors doubled"
    signed = [e for e in events if e["type"] == "decision_signed" and e["decision"] == request["seq"]]
    assert signed and signed[0]["statement"]["reason"] == "errors doubled"
    assert f"line {signed[0]['seq'] + 1}: the signature" not in journal_verify(lab, shared.journal, allowed).stdout

    edited = [e | {"reason": "bob: roll back, whatever the graphs say"} if e is request else e for e in events]
    forged = lab.root / "edited.jsonl"
    write_recomputed(forged, edited)
    result = journal_verify(lab, forged, allowed)
    assert result.returncode == 1, result.stdout
    assert (
        f"line {signed[0]['seq'] + 1}: the signature of the decision at line {request['seq'] + 1} fails: the signed reason is 'errors doubled',"
        " the journal says 'bob: roll back, whatever the graphs say'" in result.stdout
    ), result.stdout
