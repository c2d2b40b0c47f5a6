"""The verifier's word on a wave and on accepted unmet criteria is signed, journaled and checked like any decision.

The assignee is `runbook-tui exec --share --identity alice` in its own process;
the verifier is a real SSH client signing with bob's key. A `verify: per_wave`
rollout runs over the session's real sshd (three aliases of it), and unmet
success criteria are measured on the session's real Prometheus. Each
`wave_confirmed`, `wave_rejected`, `criteria_accepted` and
`criteria_acceptance_confirmed` gets its `decision_signed` event;
`journal verify --allowed-signers` re-checks them (a missing or edited one
fails with its message), OpenSSH's `ssh-keygen -Y verify` accepts them, and
the report names each signer.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from peers import Prometheus, Sshd
from share_peers import CLI, NO_AGENT, Lab, Shared, allowed_signers, journal, journal_verify, of_type, until, write_recomputed

from runbook_tui.share.client import ShareClient
from runbook_tui.trust import statements

pytestmark = [pytest.mark.asyncio, pytest.mark.peers]

GAUGE = 'rbt_test_value{service="api"}'


@pytest.fixture
def people(lab: Lab) -> dict[str, Path]:
    return {name: lab.key(name) for name in ("alice", "bob")}


def _report(lab: Lab, path: Path, allowed: Path) -> str:
    done = subprocess.run(
        [*CLI, "report", str(path), "--allowed-signers", str(allowed)], cwd=lab.root, env=lab.env(**NO_AGENT), capture_output=True, text=True
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def _signature_of(events: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    [signed] = [e for e in of_type(events, "decision_signed") if events[e["decision"]]["type"] == kind]
    return signed


def _ssh_keygen_accepts(lab: Lab, allowed: Path, signed: dict[str, Any]) -> None:
    message, sig = lab.root / "statement", lab.root / "statement.sig"
    message.write_bytes(statements.encode(signed["statement"]))
    sig.write_text(signed["signature"])
    by = signed["statement"]["by"]
    done = subprocess.run(
        ["ssh-keygen", "-Y", "verify", "-f", str(allowed), "-I", by, "-n", "runbook-tui", "-s", str(sig)], input=message.read_bytes(), capture_output=True
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def _forged(lab: Lab, events: list[dict[str, Any]], name: str) -> Path:
    path = lab.root / name
    write_recomputed(path, events)
    return path


def _without(events: list[dict[str, Any]], dropped: dict[str, Any]) -> list[dict[str, Any]]:
    """The journal with one event cut out, every later seq (and every `decision` naming one) moved up."""
    cut = int(dropped["seq"])
    kept = [dict(e) for e in events if e["seq"] != cut]
    for event in kept:
        if event["seq"] > cut:
            event["seq"] -= 1
        if isinstance(event.get("decision"), int) and event["decision"] > cut:
            event["decision"] -= 1
    return kept


@contextlib.asynccontextmanager
async def _verifying(lab: Lab, shared: Shared, key: Path) -> AsyncIterator[ShareClient]:
    """The verifier joined (the host key trusted as `join` trusts it) and following the session until it ends."""
    await lab.trust(shared.fingerprint, shared.port)
    client = lab.client(key, shared.port)
    follow = asyncio.create_task(client.run())
    try:
        yield client
        await asyncio.wait_for(follow, 10)
    finally:
        follow.cancel()
        await client.close()


@pytest.mark.forged_sequence  # moved.jsonl: a confirmation moved to a wave that waited for none (journal verify says so too)
async def test_wave_confirmations_and_rejections_are_signed_and_checked(lab: Lab, people: dict[str, Path], sshd: Sshd) -> None:
    hosts = [
        {"name": f"peer{i}", "address": sshd.address, "port": sshd.port, "user": sshd.user, "identity": str(sshd.client_key)} for i in (1, 2, 3)
    ]  # fmt: skip
    step = {"id": "roll", "run": "echo rolled {{ host.name }}", "undo": "true", "on": "fleet", "serial": 1, "verify": "per_wave"}
    doc = {"runbook": 1, "id": "waves", "title": "Waves", "hosts": {"fleet": hosts}, "sections": [{"id": "impl", "steps": [step]}]}
    settings = lab.root / "settings.yaml"
    settings.write_text(yaml.safe_dump({"ssh": {"known_hosts": str(sshd.known_hosts), "config": False}}))
    env = {**NO_AGENT, "RUNBOOK_TUI_SETTINGS": str(settings)}
    shared = await lab.share(
        lab.runbook(yaml.safe_dump(doc, sort_keys=False)), "--verifier-key", f"{people['bob']}.pub", "--identity", str(people["alice"]), env=env
    )
    async with _verifying(lab, shared, people["bob"]) as bob:
        await until(lambda: "roll" in bob.state.steps and bob.state.steps["roll"].wave_awaiting == 1, 30, "wave 1 waiting for bob")
        reply = await bob.send("confirm")
        assert reply.ok and "confirmed wave 1" in reply.message, reply.message
        await until(lambda: bob.state.steps["roll"].wave_awaiting == 2, 30, "wave 2 waiting for bob")
        reply = await bob.send("reject", "  latency doubled on peer2  ")
        assert reply.ok and "rejected wave 2" in reply.message, reply.message
        assert await shared.exit_code(30) != 0, shared.stdout()
    events = journal(shared.journal)
    confirmed, rejected = _signature_of(events, "wave_confirmed"), _signature_of(events, "wave_rejected")
    assert (confirmed["statement"]["action"], confirmed["statement"]["step"], confirmed["statement"]["phase"]) == ("confirm", "roll", "wave 1")
    assert (rejected["statement"]["action"], rejected["statement"]["phase"]) == ("reject", "wave 2")
    assert events[rejected["decision"]]["reason"] == "latency doubled on peer2"
    shown = next(e for e in events if e["hash"] == confirmed["statement"]["shown"])  # the commands bob was shown
    assert shown["type"] in ("step_ready", "step_started") and shown["step"] == "roll"

    allowed = allowed_signers(lab, ("alice", people["alice"]), ("bob", people["bob"]))
    result = journal_verify(lab, shared.journal, allowed)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 failing" in result.stdout and "not signed" not in result.stdout, result.stdout
    _ssh_keygen_accepts(lab, allowed, rejected)
    report = _report(lab, shared.journal, allowed)
    assert "| wave\\_confirmed roll (wave 1) | signed by bob |" in report and "| wave\\_rejected roll (wave 2) | signed by bob |" in report, report
    assert report.count("| verified |") >= 2, report
    # bob decided every wave: the Verifier row names him (before: "nobody confirmed a step (joined: bob)")
    assert "| **Verifier** | bob (1 step: 1 wave confirmed, 1 wave rejected) |" in report, report

    # bob's rejection with its signature cut out: a verifier's decision must be signed.
    missing = journal_verify(lab, _forged(lab, _without(events, rejected), "unsigned.jsonl"), allowed)
    assert missing.returncode == 1 and "wave_rejected by bob is not signed (a verifier's decision must be)" in missing.stdout, missing.stdout
    # bob's rejection says something else now.
    edited = [dict(e) for e in events]
    edited[rejected["decision"]]["reason"] = "all fine, go on"
    changed = journal_verify(lab, _forged(lab, edited, "edited.jsonl"), allowed)
    assert changed.returncode == 1 and "the signed reason is 'latency doubled on peer2', the journal says 'all fine, go on'" in changed.stdout, changed.stdout
    # bob's confirmation moved to another wave.
    edited = [dict(e) for e in events]
    edited[confirmed["decision"]]["wave"] = 2
    moved = journal_verify(lab, _forged(lab, edited, "moved.jsonl"), allowed)
    assert moved.returncode == 1 and "the signed phase is 'wave 1', the journal says 'wave 2'" in moved.stdout, moved.stdout
    assert "wave_confirmed on wave 2 of 'roll', which waited for no verifier's word" in moved.stdout, moved.stdout


async def test_accepted_unmet_criteria_and_their_confirmation_are_signed_and_checked(lab: Lab, people: dict[str, Path], prometheus: Prometheus) -> None:
    prometheus.exporter.set(1)
    if not prometheus.running:
        prometheus.start()
    prometheus.wait_for(GAUGE, lambda v: v == 1)  # the criterion below wants it under 0.5: unmet
    runbook = f"""\
runbook: 1
id: criteria
title: Criteria
metrics:
  source:
    prometheus: {{url: "{prometheus.url}"}}
  interval: 0.5s
  panels:
    - {{id: err, title: Error rate, query: '{GAUGE}'}}
  success:
    - {{panel: err, below: 0.5, within: 1s}}
sections:
  - id: impl
    steps:
      - {{id: edit, title: Change, run: "true", undo: "true", verify: none}}
"""
    reason = "staging has no traffic; CHG-7"
    shared = await lab.share(
        lab.runbook(runbook), "--verifier-key", f"{people['bob']}.pub", "--identity", str(people["alice"]), "--accept-failed-criteria", reason, env=NO_AGENT
    )  # fmt: skip
    async with _verifying(lab, shared, people["bob"]) as bob:
        await until(lambda: bob.state.criteria_acceptance is not None, 30, "alice's acceptance of the unmet criterion")
        reply = await bob.send("confirm")
        assert reply.ok and "confirmed the acceptance" in reply.message, reply.message
        assert await shared.exit_code(30) == 0, shared.stdout() + shared.stderr()
    events = journal(shared.journal)
    accepted, confirmed = _signature_of(events, "criteria_accepted"), _signature_of(events, "criteria_acceptance_confirmed")
    assert (accepted["statement"]["by"], accepted["statement"]["action"], accepted["statement"]["reason"]) == ("alice", "accept_criteria", reason)
    unmet = events[accepted["decision"]]["criteria"]
    assert len(unmet) == 1 and accepted["statement"]["criteria"] == unmet  # alice signed which criteria she accepted, not only why
    assert (confirmed["statement"]["by"], confirmed["statement"]["action"], confirmed["statement"]["phase"]) == ("bob", "confirm", "criteria")
    assert confirmed["statement"]["shown"] == events[accepted["decision"]]["hash"]  # bob confirmed exactly the acceptance he was shown

    allowed = allowed_signers(lab, ("alice", people["alice"]), ("bob", people["bob"]))
    result = journal_verify(lab, shared.journal, allowed)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 unsigned, 0 failing; sealed by alice, bob" in result.stdout, result.stdout
    _ssh_keygen_accepts(lab, allowed, confirmed)
    _ssh_keygen_accepts(lab, allowed, accepted)
    report = _report(lab, shared.journal, allowed)
    assert "| criteria\\_accepted | signed by alice |" in report and "| criteria\\_acceptance\\_confirmed | signed by bob |" in report, report

    # The acceptance's reason rewritten after the fact.
    edited = [dict(e) for e in events]
    edited[accepted["decision"]]["reason"] = "approved by the CAB"
    changed = journal_verify(lab, _forged(lab, edited, "edited.jsonl"), allowed)
    assert changed.returncode == 1 and "the signed reason is 'staging has no traffic; CHG-7'" in changed.stdout, changed.stdout
    # The list of accepted criteria rewritten after the fact (a different, milder criterion).
    edited = [dict(e) for e in events]
    edited[accepted["decision"]]["criteria"] = ["err below 5 within 1s"]
    changed = journal_verify(lab, _forged(lab, edited, "criteria.jsonl"), allowed)
    assert changed.returncode == 1 and f"the signed criteria are {unmet!r}, the journal says ['err below 5 within 1s']" in changed.stdout, changed.stdout
    # bob's confirmation with its signature cut out.
    missing = journal_verify(lab, _forged(lab, _without(events, confirmed), "unsigned.jsonl"), allowed)
    assert missing.returncode == 1 and "criteria_acceptance_confirmed by bob is not signed" in missing.stdout, missing.stdout
