"""Signed decisions and a sealed journal over a real shared session, checked as a dishonest insider would try it.

The assignee is `runbook-tui exec --share --identity alice` in its own process;
the verifier is a real SSH client signing with bob's key (a file, or held by a
real ssh-agent). `journal verify --allowed-signers` must refuse a truncated
journal, a recomputed chain, a decision re-signed with another key and one
signed with an observer's key, each with its message; OpenSSH's own
`ssh-keygen -Y verify` accepts the signatures the session journaled.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest
from share_peers import CLI, NO_AGENT, TWO_STEPS, Lab, allowed_signers, awaiting, confirm_next, journal, journal_verify, of_type, until, write_recomputed

from runbook_tui.share.client import Endpoint, ShareClient
from runbook_tui.trust import statements
from runbook_tui.trust.allowed_signers import read_allowed_signers
from runbook_tui.trust.check import check
from runbook_tui.trust.sshsig import file_signer

pytestmark = pytest.mark.asyncio

#: Step one is a checkpoint: the journal is sealed there and at the end.
CHECKPOINTED = TWO_STEPS.replace("        undo: echo undo-one\n", "        undo: echo undo-one\n        checkpoint: true\n")


async def _signed_run(lab: Lab, client: ShareClient | None = None, **keys: Path) -> tuple[Path, ShareClient]:
    """alice assigns (signing with her key file), bob verifies both steps; returns the journal and bob's client."""
    shared = await lab.share(
        lab.runbook(CHECKPOINTED),
        "--verifier-key",
        f"{keys['bob']}.pub",
        "--observer-key",
        f"{keys['dave']}.pub",
        "--identity",
        str(keys["alice"]),
        env=NO_AGENT,
    )
    await lab.trust(shared.fingerprint, shared.port)
    bob = client or lab.client(keys["bob"], shared.port)
    if client is not None:
        bob.endpoint = Endpoint(bob.endpoint.host, shared.port, str(lab.known_hosts), None)
    follow = asyncio.create_task(bob.run())
    try:
        assert await confirm_next(bob) == "one"
        assert bob.unsigned == "", "alice signs: the welcome says nothing about unsigned decisions"
        assert await confirm_next(bob) == "two"
        assert await shared.exit_code() == 0, shared.stderr()
        await asyncio.wait_for(follow, 10)
    finally:
        await bob.close()
    return shared.journal, bob


@pytest.fixture
def people(lab: Lab) -> dict[str, Path]:
    return {name: lab.key(name) for name in ("alice", "bob", "carol", "dave")}


@pytest.mark.peers
async def test_a_signed_shared_run_verifies_and_ssh_keygen_agrees(lab: Lab, people: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSH_AUTH_SOCK", "")
    path, bob = await _signed_run(lab, **people)
    allowed = allowed_signers(lab, ("alice", people["alice"]), ("bob", people["bob"]))
    result = journal_verify(lab, path, allowed)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "signatures hold and the end is sealed" in result.stdout
    assert re.search(r"decisions: \d+ signed and verified, 0 unsigned, 0 failing; sealed by alice, bob", result.stdout), result.stdout
    events = journal(path)
    confirmations = [e for e in of_type(events, "decision_signed") if e["statement"]["by"] == "bob"]
    assert [(e["statement"]["action"], e["statement"]["step"], e["statement"]["phase"]) for e in confirmations] == [
        ("confirm", "one", "after"),
        ("confirm", "two", "after"),
    ]
    for signed in confirmations:  # the statement names the event that showed bob the commands
        shown = events[[e["hash"] for e in events].index(signed["statement"]["shown"])]
        assert shown["step"] == signed["statement"]["step"] and shown["type"] in ("step_ready", "step_started")
        message, sig = lab.root / "statement", lab.root / "statement.sig"
        message.write_bytes(statements.encode(signed["statement"]))
        sig.write_text(signed["signature"])
        good = subprocess.run(
            ["ssh-keygen", "-Y", "verify", "-f", str(allowed), "-I", "bob", "-n", "runbook-tui", "-s", str(sig)],
            input=message.read_bytes(),
            capture_output=True,
        )
        assert good.returncode == 0, good.stderr
    assert bob.diverged is None and bob.trust is not None and len(bob.trust.ledger.hashes) >= len(events) - 2
    without = journal_verify(lab, path, None)
    assert without.returncode == 0 and "NOT checked: signatures, who signed, and the seal" in without.stdout
    report = subprocess.run([*CLI, "report", str(path)], cwd=lab.root, env=lab.env(**NO_AGENT), capture_output=True, text=True)
    assert re.search(r"signed by bob", report.stdout), report.stdout

    # A truncated journal: the failure and its end cut off.
    cut = lab.root / "cut.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    last_seal = max(i for i, e in enumerate(events) if e["type"] == "seal" and e["statement"]["seq"] < [x["type"] for x in events].index("session_finished"))
    cut.write_text("".join(lines[: last_seal + 3]))
    truncated = journal_verify(lab, cut, allowed)
    assert truncated.returncode == 1 and f"not sealed: last seal at line {last_seal + 1}" in truncated.stdout, truncated.stdout

    # A recomputed chain: step one's output changed, every hash recomputed.
    edited = [dict(e) for e in events]
    for event in edited:
        if event["type"] == "output" and event.get("step") == "one":
            event["text"] = "something else\n"
    forged = lab.root / "forged.jsonl"
    write_recomputed(forged, edited)
    assert journal_verify(lab, forged, None).returncode == 0  # the chain alone holds...
    refused = journal_verify(lab, forged, allowed)
    assert refused.returncode == 1 and "the journal was rewritten" in refused.stdout, refused.stdout  # ...its seals do not

    # bob's decision re-signed by carol's key, and by dave's (the observer), both in allowed_signers under their names.
    for other in ("carol", "dave"):
        resigned = [dict(e) for e in events]
        target = next(e for e in resigned if e["type"] == "decision_signed" and e["statement"]["by"] == "bob")
        signer = file_signer(str(people[other]))
        target["signature"] = await signer.sign(statements.encode(target["statement"]))
        target["key"] = signer.fingerprint
        forged = lab.root / f"resigned-{other}.jsonl"
        write_recomputed(forged, resigned)
        everyone = allowed_signers(lab, ("alice", people["alice"]), ("bob", people["bob"]), (other, people[other]))
        result = journal_verify(lab, forged, everyone)
        assert result.returncode == 1, result.stdout
        assert f"gives to {other}, not to bob" in result.stdout, result.stdout

    # alice, who writes the file, rewrites step two's output, drops bob's seal of the end and seals the rewritten end alone.
    signers = read_allowed_signers(str(allowed))
    end = [e["type"] for e in events].index("session_finished")
    edited = [dict(e) for e in events if not (e["type"] == "seal" and e["statement"]["seq"] == end)]
    for event in edited:
        if event["type"] == "output" and event.get("step") == "two":
            event["text"] = "what alice wanted it to say\n"
    alone = await _sealed_by(lab, people["alice"], edited, end)
    result = journal_verify(lab, alone, allowed)
    assert result.returncode == 1, result.stdout
    assert "not sealed by bob, who verified this run: the end is sealed by alice alone (bob's last seal is at line" in result.stdout, result.stdout
    assert "sealed by alice\n" in result.stdout, result.stdout  # not "alice, bob": bob sealed only the checkpoint

    # A sealed end followed by a reopened session and a second, unsealed end (the same outcome: a rolled-back end with no
    # rollback begun is itself an impossible journal, which `journal verify` says before any seal).
    reopened = [*events, events[end] | {"type": "session_reopened", "actor": "alice", "reason": "x"}, dict(events[end])]
    write_recomputed(lab.root / "reopened.jsonl", [e | {"seq": n} for n, e in enumerate(reopened)])
    checked = check(journal_lines_of(lab.root / "reopened.jsonl"), signers)
    assert not checked.sealed_end and f"not sealed: last seal at line {len(events)}" in checked.problems[-1], checked.problems


async def _sealed_by(lab: Lab, key: Path, events: list[dict[str, Any]], end: int) -> Path:
    """`events` with their chain recomputed and the end (line `end` + 1) sealed with `key` as the assignee."""
    path = lab.root / "resealed.jsonl"
    write_recomputed(path, events)
    head = journal_lines_of(path)[end]
    signer = file_signer(str(key))
    statement = statements.seal(events[0]["session"], "alice", head)
    seal = {"type": "seal", "actor": "alice", "role": "assignee", "statement": statement, "ts": head["ts"], "seq": len(events)}
    seal |= {"signature": await signer.sign(statements.encode(statement)), "key": signer.fingerprint}
    write_recomputed(path, [*journal_lines_of(path), seal])
    return path


@pytest.mark.peers
async def test_the_verifier_signs_with_a_key_held_by_ssh_agent(lab: Lab, people: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    started = subprocess.run(["ssh-agent", "-s"], capture_output=True, text=True, check=True).stdout
    sock = re.search(r"SSH_AUTH_SOCK=([^;]+);", started).group(1)  # type: ignore[union-attr]
    pid = int(re.search(r"SSH_AGENT_PID=(\d+);", started).group(1))  # type: ignore[union-attr]
    try:
        subprocess.run(["ssh-add", str(people["bob"])], env={**os.environ, "SSH_AUTH_SOCK": sock}, check=True, capture_output=True)
        monkeypatch.setenv("SSH_AUTH_SOCK", sock)
        monkeypatch.setenv("HOME", str(lab.root))  # no ~/.ssh/id_* to fall back on: only the agent holds bob's key
        client = ShareClient(Endpoint("127.0.0.1", 0, str(lab.known_hosts), None), reconnect_delays=(0.1, 0.2))
        path, bob = await _signed_run(lab, client, **people)
        assert bob.trust is not None and bob.trust.signer is not None and bob.trust.signer.source == "ssh-agent"
    finally:
        os.kill(pid, signal.SIGTERM)
    result = journal_verify(lab, path, allowed_signers(lab, ("alice", people["alice"]), ("bob", people["bob"])))
    assert result.returncode == 0 and "sealed by alice, bob" in result.stdout, result.stdout


@pytest.mark.peers
async def test_the_session_refuses_a_decision_signed_with_another_key(lab: Lab, people: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSH_AUTH_SOCK", "")
    shared = await lab.share(lab.runbook(), "--verifier-key", f"{people['bob']}.pub", env=NO_AGENT)
    await lab.trust(shared.fingerprint, shared.port)
    bob = lab.client(people["bob"], shared.port)
    follow = asyncio.create_task(bob.run())
    try:
        await until(lambda: awaiting(bob) == "one", what="'one' waiting for bob")
        # alice has no key: the welcome tells bob what her screen's foot says (before: only her screen said it)
        assert bob.unsigned == "decisions unsigned: no --identity key, no agent key", bob.unsigned
        assert bob.trust is not None
        bob.trust.signer = file_signer(str(people["carol"]))  # bob's client signing with carol's key
        reply = await bob.send("confirm")
        assert not reply.ok and "not by the key you joined with" in reply.message, reply.message
        bob.trust.signer = file_signer(str(people["bob"]))
        bob.trust.ledger.shown["one"] = "0" * 64  # bob signs commands the session never showed
        reply = await bob.send("confirm")
        assert not reply.ok and "shown" in reply.message, reply.message
        bob.trust.signer = None  # unsigned
        reply = await bob.send("confirm")
        assert not reply.ok and "must be signed" in reply.message, reply.message
        bob.trust.signer = file_signer(str(people["bob"]))
        reply = await bob.send("hold", "lag")  # urgent: taken although bob's view of the step is stale
        assert reply.ok, reply.message
        assert await shared.exit_code() == 1
    finally:
        follow.cancel()
        await bob.close()
        shared.stop()
    events = journal_lines_of(shared.journal)
    assert not of_type(events, "step_confirmed")
    [signed] = of_type(events, "decision_signed")
    assert events[signed["decision"]]["type"] == "hold_requested" and signed["statement"]["by"] == "bob"
    allowed = allowed_signers(lab, ("bob", people["bob"]))
    report = subprocess.run(
        [*CLI, "report", str(shared.journal), "--allowed-signers", str(allowed)], cwd=lab.root, env=lab.env(**NO_AGENT), capture_output=True, text=True
    )
    assert re.search(r"\| hold\\_requested \| signed by bob \| `SHA256:[^`]+` \| verified \|", report.stdout), report.stdout


def journal_lines_of(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


async def _resigned(events: list[dict[str, Any]], keys: dict[str, Path], path: Path) -> Path:
    """What alice can do with the file and a key that signs for more than her: every statement by a name in `keys` re-signed
    with that key, the chain recomputed, each seal's head and each decision's `shown` made to fit the new hashes."""
    out: list[dict[str, Any]] = []
    for event in events:
        event = {k: v for k, v in event.items() if k != "hash"} | {"prev": out[-1]["hash"] if out else ""}
        statement = event.get("statement")
        if isinstance(statement, dict) and statement.get("by") in keys:
            statement = dict(statement)
            if event["type"] == "seal":
                statement["head"] = out[statement["seq"]]["hash"]
            elif statement.get("shown"):
                key = statements.shown_key(statement.get("step"))
                statement["shown"] = [e["hash"] for e in out[: event["decision"]] if statements.shows(e) == key][-1]
            signer = file_signer(str(keys[statement["by"]]))
            event |= {"statement": statement, "signature": await signer.sign(statements.encode(statement)), "key": signer.fingerprint}
        event["hash"] = hashlib.sha256(json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()
        out.append(event)
    path.write_text("".join(json.dumps(e, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n" for e in out))
    return path


@pytest.mark.peers
async def test_a_key_the_file_gives_to_the_assignee_too_signs_for_no_verifier(lab: Lab, people: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """An allowed_signers file that gives alice's key to bob too (one key listed for two people): alice, who writes the
    file, re-signs bob's confirmations and seals with it. OpenSSH takes such a signature for bob; the two-person rule does
    not (before: `signatures hold and the end is sealed`, exit 0)."""
    monkeypatch.setenv("SSH_AUTH_SOCK", "")
    path, _ = await _signed_run(lab, **people)
    events = journal_lines_of(path)
    forged = await _resigned(events, {"alice": people["alice"], "bob": people["alice"]}, lab.root / "alice-as-bob.jsonl")
    shared_key = allowed_signers(lab, ("alice,bob", people["alice"]), ("bob", people["bob"]))
    confirmation = next(e for e in journal_lines_of(forged) if e["type"] == "decision_signed" and e["statement"]["by"] == "bob")
    (lab.root / "statement.sig").write_text(confirmation["signature"])
    openssh = subprocess.run(
        ["ssh-keygen", "-Y", "verify", "-f", str(shared_key), "-I", "bob", "-n", "runbook-tui", "-s", str(lab.root / "statement.sig")],
        input=statements.encode(confirmation["statement"]),
        capture_output=True,
    )
    assert openssh.returncode == 0, openssh.stderr
    result = journal_verify(lab, forged, shared_key)
    assert result.returncode == 1, result.stdout
    line = confirmation["seq"] + 1
    assert (
        f"line {line}: the signature of the decision at line {line - 1} fails: signed as bob by {confirmation['key']}, a key {shared_key}"
        " gives to alice too, the assignee then: the two-person rule needs the verifier's own key" in result.stdout
    ), result.stdout
    assert re.search(r"line \d+: the seal fails: signed as bob by .* gives to alice too", result.stdout), result.stdout
    honest = journal_verify(lab, path, shared_key)  # bob's own key signed the real journal: that still holds
    assert honest.returncode == 0, honest.stdout


@pytest.mark.peers
@pytest.mark.forged_sequence  # alice-confirms.jsonl: the assignee's confirmations of her own steps (journal verify says so)
async def test_the_assignee_confirming_her_own_steps_is_impossible(lab: Lab, people: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """bob's confirmations and seals turned into alice's own, signed with her own key, the chain recomputed: the program
    never journals a verifier's decision by the assignee; with or without --allowed-signers it says so (before: intact,
    `4 signed and verified … signatures hold and the end is sealed`, exit 0)."""
    monkeypatch.setenv("SSH_AUTH_SOCK", "")
    path, _ = await _signed_run(lab, **people)
    events = journal_lines_of(path)
    mine = [e | {"actor": "alice"} if e.get("actor") == "bob" else e for e in events]
    mine = [e | {"statement": e["statement"] | {"by": "alice"}} if e.get("statement", {}).get("by") == "bob" else e for e in mine]
    forged = await _resigned(mine, {"alice": people["alice"]}, lab.root / "alice-confirms.jsonl")
    own = allowed_signers(lab, ("alice", people["alice"]), ("bob", people["bob"]))
    for allowed in (None, own):
        result = journal_verify(lab, forged, allowed)
        assert result.returncode == 1, result.stdout
        confirmed = [e["seq"] + 1 for e in events if e["type"] == "step_confirmed"]
        for line in confirmed:
            assert f"line {line}: step_confirmed by 'alice', the assignee: only the verifier decides this (two-person rule)" in result.stdout, result.stdout


def renumbered(kept: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`kept` numbered again from 0, each seq a signature or a seal names moved to where that event now stands."""
    moved = {e["seq"]: n for n, e in enumerate(kept)}
    out = []
    for n, event in enumerate(kept):
        event = dict(event, seq=n)
        if event["type"] == "decision_signed":
            event["decision"] = moved[event["decision"]]
        elif event["type"] == "seal":
            event["statement"] = dict(event["statement"], seq=moved[event["statement"]["seq"]])
        out.append(event)
    return out
