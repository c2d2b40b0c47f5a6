"""The two-person rule over a real shared session: `runbook-tui exec --share` in its own process, the test as the verifier.

The verifier is `ShareClient`, a real asyncssh client on loopback; every
decision is the assignee's controller's, journaled by the other process.
"""

from __future__ import annotations

import asyncio
import subprocess

import asyncssh
import pytest
from share_peers import (
    CLI,
    HOST,
    Lab,
    allowed_signers,
    awaiting,
    bob_and_carol,
    confirm_next,
    free_port,
    journal,
    journal_lines,
    journal_verify,
    of_type,
    until,
    write_recomputed,
)

from runbook_tui.app.session import load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine.controller import Actor
from runbook_tui.engine.journal import verify
from runbook_tui.share.client import JoinError
from runbook_tui.share.protocol import CIPHERS

pytestmark = pytest.mark.asyncio  # tests that start `runbook-tui` processes are marked peers one by one


@pytest.mark.peers
async def test_confirmations_run_the_change_to_done(lab: Lab) -> None:
    bob = lab.key("bob", "bob@laptop")
    shared = await lab.share(lab.runbook(), "--verifier-key", f"{bob}.pub")
    await lab.trust(shared.fingerprint, shared.port)
    client = lab.client(bob, shared.port)
    follow = asyncio.create_task(client.run())
    try:
        assert await confirm_next(client) == "one"
        assert client._conn is not None
        # AES-GCM, offered first by the client, is what the session runs (a catch-up decrypts tens of MB; OpenSSH's
        # sshd and asyncssh's server take the client's first choice they have).
        assert (client._conn.get_extra_info("send_cipher"), client._conn.get_extra_info("recv_cipher")) == (CIPHERS[0], CIPHERS[0])
        assert await confirm_next(client) == "two"
        assert await shared.exit_code() == 0, shared.stderr()
        await asyncio.wait_for(follow, 5)  # the replica saw the end and stopped following
    finally:
        await client.close()
    assert (client.name, client.role) == ("bob", "verifier")  # the name is the key's comment, before the @
    events = journal(shared.journal)
    confirmed = of_type(events, "step_confirmed")
    assert [(e["step"], e["actor"], e["phase"]) for e in confirmed] == [("one", "bob", "after"), ("two", "bob", "after")]
    assert of_type(events, "participant_joined")[0].items() >= {"name": "bob", "role": "verifier"}.items()
    assert of_type(events, "session_finished")[-1]["outcome"] == "done"
    lines = journal_lines(shared.journal)
    end = [e["type"] for e in lines].index("session_finished")
    after = [e for e in lines[end + 1 :] if e["type"] not in ("decision_signed", "seal")]  # after the end: signatures, seals,
    # bob's leave (exec ended and its share dropped him; before: the journal said bob joined and never left), the counts
    assert [(e["type"], e.get("name"), e.get("role")) for e in after] == [("participant_left", "bob", "verifier"), ("share_closed", None, None)], after
    assert verify(shared.journal).intact
    assert "step_confirmed     one confirmed by bob" in shared.stdout()


@pytest.mark.peers
async def test_a_rejection_stops_exec_with_the_reason(lab: Lab) -> None:
    bob = lab.key("bob")
    shared = await lab.share(lab.runbook(), "--verifier-key", f"{bob}.pub")
    await lab.trust(shared.fingerprint, shared.port)
    client = lab.client(bob, shared.port)
    follow = asyncio.create_task(client.run())
    try:
        await until(lambda: awaiting(client) == "one", what="'one' waiting for the verifier")
        assert not (await client.send("reject", "  ")).ok  # a rejection needs a reason
        reply = await client.send("reject", "replication lag is 40 s, stop here")
        assert reply.ok, reply.message
        assert await shared.exit_code() == 1
        await asyncio.wait_for(follow, 5)
    finally:
        await client.close()
    events = journal(shared.journal)
    [rejected] = of_type(events, "step_rejected")
    assert rejected.items() >= {"step": "one", "actor": "bob", "reason": "replication lag is 40 s, stop here", "phase": "after"}.items()
    assert not of_type(events, "step_started")[1:]  # 'two' never ran
    assert of_type(events, "session_finished")[-1]["outcome"] == "failed"
    assert "step_rejected      one rejected by bob: replication lag is 40 s, stop here" in shared.stdout()
    assert client.state.steps["one"].status == "rejected"


@pytest.mark.peers
async def test_a_key_of_no_participant_is_refused(lab: Lab) -> None:
    bob, mallory = lab.key("bob"), lab.key("mallory")
    shared = await lab.share(lab.runbook(), "--verifier-key", f"{bob}.pub")
    await lab.trust(shared.fingerprint, shared.port)
    with pytest.raises(asyncssh.PermissionDenied):
        await lab.client(mallory, shared.port).connect()
    with pytest.raises(JoinError):
        await lab.client(mallory, shared.port).run()  # the follower gives up at once: retrying will not help
    joined = await asyncio.to_thread(lab.join, f"{HOST}:{shared.port}", "--identity", str(mallory), "--accept-fingerprint", shared.fingerprint, terminal=True)
    assert joined.returncode == 2
    assert f"refused your key ({mallory}): it is not one of this session's participants. What to do: join with" in joined.stderr
    assert f"send them your public key ({mallory}.pub): they name it with --verifier-key" in joined.stderr
    shared.stop()
    assert not of_type(journal(shared.journal), "participant_joined")


@pytest.mark.peers
async def test_observers_cannot_decide_anything(lab: Lab) -> None:
    bob, olive = lab.key("bob"), lab.key("olive")
    shared = await lab.share(lab.runbook(), "--verifier-key", f"{bob}.pub", "--observer-key", f"{olive}.pub")
    await lab.trust(shared.fingerprint, shared.port)
    observer = lab.client(olive, shared.port)
    bob_watching = lab.client(bob, shared.port, observe=True)  # a verifier's key, joined with --observe
    verifier = lab.client(bob, shared.port)
    tasks = [asyncio.create_task(c.run()) for c in (observer, bob_watching, verifier)]
    try:
        await until(lambda: awaiting(observer) == "one" and bob_watching.connected, what="the observers to see 'one' waiting")
        assert observer.role == "observer" and bob_watching.role == "observer"
        for watcher in (observer, bob_watching):
            for action, text in (("confirm", ""), ("reject", "no"), ("request_rollback", "no"), ("hold", "wait"), ("note", "hi")):
                reply = await watcher.send(action, text)
                assert not reply.ok, (watcher.name, action, reply.message)
        assert "only the verifier can confirm" in (await observer.send("confirm")).message
        await confirm_next(verifier)
        await confirm_next(verifier)
        assert await shared.exit_code() == 0
        await asyncio.wait_for(asyncio.gather(*tasks), 5)
    finally:
        for client in (observer, bob_watching, verifier):
            await client.close()
    events = journal(shared.journal)
    assert {e["actor"] for e in of_type(events, "step_confirmed")} == {"bob"}
    assert not of_type(events, "step_rejected") + of_type(events, "rollback_requested") + of_type(events, "hold_requested")
    assert not [e for e in of_type(events, "note") if e["actor"] != "system" and e.get("text") == "hi"]
    roles = sorted((e["name"], e["role"]) for e in of_type(events, "participant_joined"))
    assert roles == [("bob", "observer"), ("bob", "verifier"), ("olive", "observer")]


async def test_the_assignee_cannot_confirm_their_own_step(lab: Lab) -> None:
    """In process: the assignee's actor, and anyone named like the assignee, is refused by the controller."""
    runbook = lab.runbook()
    session = open_session(load(str(runbook), {}), journal=str(lab.root / "own.jsonl"), settings=Settings(), verifier_in_process=True)
    controller = session.controller
    try:
        assert controller.run_current(session.actor).ok
        await controller.wait_idle()
        assert controller.state.steps["one"].status == "awaiting_verification"
        for actor in (session.actor, Actor(session.actor.name, "verifier")):
            reply = controller.confirm(actor)
            assert not reply.ok and "two-person rule" in reply.message, reply
            assert not controller.reject(actor, "mine").ok
        assert controller.state.steps["one"].status == "awaiting_verification"
    finally:
        await session.close()
    assert not of_type(journal(lab.root / "own.jsonl"), "step_confirmed")


@pytest.mark.peers
async def test_a_verifier_key_named_like_the_assignee_is_refused(lab: Lab) -> None:
    """The assignee is alice (RUNBOOK_TUI_USER); a verifier key whose comment says alice would join as a verifier whose
    every confirmation the two-person rule refuses (it did, over the wire, at the first step). The share is refused
    before it starts, naming her; bob's key alone shares it. (The controller still refuses such a verifier: engine tests.)"""
    alice, bob = lab.key("alice-key", "alice@workstation"), lab.key("bob")
    command = [*CLI, "exec", str(lab.runbook()), "--share", f"{HOST}:{free_port()}", "--journal", str(lab.root / "refused.jsonl")]
    refused = subprocess.run(
        [*command, "--verifier-key", f"{alice}.pub", "--verifier-key", f"{bob}.pub"],
        cwd=lab.root, env=lab.env(), capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert refused.returncode == 2, refused.stderr
    assert "the verifier's key names alice, who is the assignee at this keyboard" in refused.stderr, refused.stderr
    assert not (lab.root / "refused.jsonl").exists()
    shared = await lab.share(lab.runbook(), "--verifier-key", f"{bob}.pub")
    await lab.trust(shared.fingerprint, shared.port)
    verifier = lab.client(bob, shared.port)
    task = asyncio.create_task(verifier.run())
    try:
        await confirm_next(verifier)
        await confirm_next(verifier)
        assert await shared.exit_code() == 0
        await asyncio.wait_for(task, 5)
    finally:
        await verifier.close()
    assert {e["actor"] for e in of_type(journal(shared.journal), "step_confirmed")} == {"bob"}


@pytest.mark.peers
async def test_a_second_verifier_takes_over_with_a_handover_event(lab: Lab) -> None:
    shared, first, second, tasks = await bob_and_carol(lab)
    bob, carol = lab.root / "bob", lab.root / "carol"
    try:
        await confirm_next(first, "one")
        await until(lambda: awaiting(second) == "two", what="'two' waiting on carol's replica")
        assert not (await second.send("reject", "")).ok  # refused: nothing changed hands, no handover
        await confirm_next(first, "two")
        await confirm_next(second, "three")  # the shift changes
        assert await shared.exit_code() == 0
        await asyncio.wait_for(asyncio.gather(*tasks), 5)
    finally:
        for client in (first, second):
            await client.close()
    events = journal(shared.journal)
    handovers = of_type(events, "verifier_handover")
    assert [(e["from"], e["to"]) for e in handovers] == [("bob", "carol")]
    following = events[handovers[0]["seq"] + 1]  # right before the confirmation that changed hands
    assert following["type"] == "step_confirmed" and following["actor"] == "carol" and following["step"] == "three"
    assert [e["actor"] for e in of_type(events, "step_confirmed")] == ["bob", "bob", "carol"]
    assert first.state.active_verifier == second.state.active_verifier == "carol"
    # The handover rests on carol's signed confirmation: journal verify checks it, and refuses a handover to someone else.
    allowed = allowed_signers(lab, ("bob", bob), ("carol", carol))
    checked = journal_verify(lab, shared.journal, allowed)
    assert checked.returncode == 0 and "0 failing" in checked.stdout, checked.stdout
    [signed] = [e for e in of_type(events, "decision_signed") if e["decision"] == following["seq"]]
    assert signed["statement"]["by"] == "carol"
    forged = [dict(e) for e in events]
    forged[handovers[0]["seq"]]["to"] = "mallory"
    write_recomputed(lab.root / "forged.jsonl", forged)
    refused = journal_verify(lab, lab.root / "forged.jsonl", allowed)
    assert refused.returncode == 1, refused.stdout
    assert f"line {handovers[0]['seq'] + 1}: a handover to mallory not followed by their decision" in refused.stdout, refused.stdout


async def test_nothing_follows_the_end_of_the_session_but_a_leave(lab: Lab) -> None:
    """A verifier who joins or writes after session_finished adds no line: `journal verify` would call it tampered. Their
    leave is journaled (participant_left may follow session_finished, as the event table says): before, the journal said
    bob joined and never left. Only who joined on the record leaves on it."""
    path = lab.root / "end.jsonl"
    session = open_session(load(str(lab.runbook()), {}), journal=str(path), settings=Settings())
    controller = session.controller
    bob = Actor("bob", "verifier")
    try:
        controller.join("bob", "verifier")
        assert controller.finish(session.actor, "aborted").ok
        for reply in (
            controller.note(bob, "late"),
            controller.request_hold(bob, "wait"),
            controller.request_rollback(bob, "undo"),
            controller.note(session.actor, "late"),
        ):
            assert not reply.ok and "finished" in reply.message
        controller.leave("bob", "verifier")
        controller.join("carol", "observer")
        controller.leave("carol", "observer")  # her join after the end is not on the record: nor is her leave
    finally:
        await session.close()
    events = journal(path)
    assert [e["type"] for e in events][-3:] == ["participant_joined", "session_finished", "participant_left"]
    assert (events[-1]["name"], events[-1]["role"]) == ("bob", "verifier")
    assert not verify(path).problems
