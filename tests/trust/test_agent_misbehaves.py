"""An ssh-agent that refuses, hangs or answers with a signature that is not one, asked to sign a decision or a seal.

Nothing it answers is journaled or sent as signed, nothing waits on it for ever,
and the person is told why (the assignee in the journal's error, the verifier in
the reply to their key or on their status line).
"""

from __future__ import annotations

import asyncio
import struct
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from runbook_tui.app.session import load, open_session
from runbook_tui.engine.events import Event
from runbook_tui.share.client import Endpoint, ShareClient
from runbook_tui.trust import sshsig
from runbook_tui.trust.ledger import Ledger
from runbook_tui.trust.participant import ParticipantTrust
from runbook_tui.trust.run_trust import RunTrust

RUNBOOK = """\
runbook: 1
id: agent
title: Agent
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - {id: one, run: "echo one", undo: "echo undo-one"}
"""


def _string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


class FakeAgent:
    """Lists one key; answers a sign request as `mode` says: refuse, hang, or a well-formed signature of nothing."""

    def __init__(self, public: bytes) -> None:
        self.public = public
        self.mode = "refuse"
        self.asked = 0

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                body = await reader.readexactly(struct.unpack(">I", await reader.readexactly(4))[0])
                if body[0] == 11:  # SSH_AGENTC_REQUEST_IDENTITIES
                    writer.write(_string(bytes([12]) + struct.pack(">I", 1) + _string(self.public) + _string(b"bob")))
                elif body[0] == 13:  # SSH_AGENTC_SIGN_REQUEST
                    self.asked += 1
                    if self.mode == "hang":
                        await asyncio.Event().wait()
                    elif self.mode == "wrong":
                        writer.write(_string(bytes([14]) + _string(_string(b"ssh-ed25519") + _string(b"\x01" * 64))))
                    else:
                        writer.write(_string(bytes([5])))  # SSH_AGENT_FAILURE
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@pytest_asyncio.fixture
async def agent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeAgent]:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "bob")], check=True)
    fake = FakeAgent(sshsig.file_signer(str(tmp_path / "bob")).public_key.public_data)
    server = await asyncio.start_unix_server(fake.serve, str(tmp_path / "agent.sock"))
    monkeypatch.setenv("SSH_AUTH_SOCK", str(tmp_path / "agent.sock"))
    monkeypatch.setattr(sshsig, "AGENT_SECONDS", 0.3)
    yield fake
    server.close()


@pytest.mark.asyncio
async def test_an_agent_that_refuses_hangs_or_lies_signs_nothing_and_says_so(agent: FakeAgent, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    signer = await sshsig.agent_signer()
    assert signer is not None and signer.source == "ssh-agent"
    for mode, words in (("refuse", "the ssh-agent did not sign"), ("hang", "did not answer within 0.3 s"), ("wrong", "the ssh-agent signature does not hold")):
        agent.mode = mode
        with pytest.raises(sshsig.SignatureError, match=words):
            await asyncio.wait_for(signer.sign(b"confirm one"), 5)

    # The assignee: the step runs, its decision is journaled unsigned with the error, and the run ends (drain does not hang).
    (tmp_path / "none.yaml").touch()
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(tmp_path / "none.yaml"))
    (tmp_path / "r.yaml").write_text(RUNBOOK)
    agent.mode, agent.asked = "wrong", 0
    session = open_session(load(str(tmp_path / "r.yaml"), {}), journal=str(tmp_path / "j.jsonl"), trust=RunTrust(signer), mode="live", solo="agent test")
    events: list[Event] = []
    session.controller.subscribe(lambda event, _state: events.append(event))
    assert session.controller.run_current(session.actor).ok
    await session.controller.wait_idle()
    agent.mode = "hang"
    await asyncio.wait_for(session.close(), 10)
    assert agent.asked >= 2  # the decision, then the seal of the end
    assert not [e for e in events if e["type"] in ("decision_signed", "seal")], [e["type"] for e in events]
    errors = [str(e.get("message")) for e in events if e["type"] == "error"]
    assert any("could not sign (decision_signed): the ssh-agent signature does not hold" in m for m in errors), errors
    assert any("could not sign (seal): the ssh-agent did not answer within 0.3 s" in m for m in errors), errors

    # The verifier: a decision is refused in the reply, a seal is not sent and the status line says why.
    client = ShareClient(Endpoint("127.0.0.1", 1, None, None))
    told: list[str] = []
    client.on_status(told.append)
    client.trust = ParticipantTrust(signer, "bob", "s1", Ledger())
    reply = await asyncio.wait_for(client.send("confirm"), 5)
    assert not reply.ok and reply.message == "cannot sign the decision: the ssh-agent did not answer within 0.3 s; nothing was sent", reply.message
    end = {"seq": 0, "type": "session_finished", "hash": "h"}
    client.trust.ledger.hashes.append("h")
    await asyncio.wait_for(client._seal(end), 5)
    assert told == ["could not seal line 1: the ssh-agent did not answer within 0.3 s"], told
