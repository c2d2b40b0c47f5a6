"""The end's notice of a run whose group step went on with hosts failed within `max_fail`, over real SSH.

Before session 22 such a step failed and so did the run (`ended: failed`); since, it ends done and the run goes on,
and the end's notice said `ended: done` alone: a receiver that listens for failures heard of none. Four aliases of
the session's loopback sshd stand for four hosts, one fails on purpose; the receivers are real (http.server).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from peers import Sshd
from receivers import Receiver

from runbook_tui.app.session import load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine.autopilot import drive

pytestmark = pytest.mark.peers

ALIASES = ["web1", "web2", "web3", "web4"]
#: A host name is runbook text: it reaches chat escaped like the rest.
FAILING = "web3"


def write(tmp_path: Path, sshd: Sshd, hook: str, chat: str) -> Path:
    hosts = [{"name": name, "address": sshd.address, "port": sshd.port, "user": sshd.user, "identity": str(sshd.client_key)} for name in ALIASES]
    command = f'if [ "{{{{ host.name }}}}" = {FAILING} ]; then echo broken >&2; exit 1; fi; echo ok'
    steps = [{"id": "restart", "run": command, "on": "web", "serial": 2, "max_fail": "25%", "verify": "none"}, {"id": "after", "run": "true", "verify": "none"}]
    doc = {
        "runbook": 1, "id": "fleet", "title": "Fleet restart",
        "ticket": {"id": "CHG-11", "subject": "s", "assignee": "alice", "verifier": "bob"},
        "hosts": {"web": hosts},
        "notify": [{"url": hook, "events": ["session_finished"]}, {"url": chat, "format": "slack", "events": ["session_finished"]}],
        "sections": [{"id": "impl", "steps": steps}],
    }  # fmt: skip
    path = tmp_path / "fleet.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def test_the_end_of_a_run_with_hosts_failed_within_max_fail_says_how_many_and_which(
    tmp_path: Path, sshd: Sshd, receiver: Callable[[str], Receiver], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    hook, chat = receiver("ok"), receiver("ok")
    path = write(tmp_path, sshd, hook.url, chat.url)

    async def main() -> str:
        settings = Settings(known_hosts=str(sshd.known_hosts), ssh_config=None)
        session = open_session(load(str(path), {}), solo="fleet test", journal=str(tmp_path / "j.jsonl"), settings=settings)
        try:
            return await drive(session.controller, session.actor)
        finally:
            await session.close()

    assert asyncio.run(main()) == "done", "the failure is within max_fail: the run goes on to its end"
    hook.wait_for(lambda r: len(r.requests) == 1, what="the end")
    chat.wait_for(lambda r: len(r.requests) == 1, what="the end")
    body = hook.requests[0].body
    assert "ended: done; 'restart': 1 of 4 hosts failed, within max_fail 25%;" in body["summary"], body["summary"]
    assert body["details"]["hosts_failed"] == [
        {"step": "restart", "words": "1 of 4 hosts failed, within max_fail 25%", "failed": [FAILING], "hosts": 4, "max_fail": "25%"}
    ]
    assert "ended: done; 'restart': 1 of 4 hosts failed, within max_fail 25%" in chat.requests[0].body["text"]
