"""Replicas that miss nothing: a verifier whose TCP connection is cut mid-step, and twenty observers at once.

The assignee is `runbook-tui exec --share` in its own process; the replicas
are `ShareClient`s in the test. At the end each replica must equal the
journal folded with the same `apply()`: same seq, same step statuses.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from share_peers import HOST, TWO_STEPS, Cutter, Lab, confirm_next, free_port, journal, journal_lines, journal_state, of_type, statuses, until

from runbook_tui.app.session import ShareOptions, load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine.events import Event
from runbook_tui.engine.state import RunState
from runbook_tui.share.client import Endpoint, ShareClient
from runbook_tui.share.participants import from_key_file

pytestmark = [pytest.mark.peers, pytest.mark.asyncio]

#: Step one prints a line every 20 ms for about 1.2 s: events keep coming while the verifier is cut off.
STREAMING = TWO_STEPS.replace("run: echo one", "run: for i in $(seq 1 60); do echo line $i; sleep 0.02; done")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


async def test_a_verifier_cut_off_mid_step_catches_up_with_nothing_missed(lab: Lab) -> None:
    bob = lab.key("bob")
    shared = await lab.share(lab.runbook(STREAMING), "--verifier-key", f"{bob}.pub")
    cutter = Cutter(shared.port)
    await cutter.restore()
    await lab.trust(shared.fingerprint, cutter.port)  # the known_hosts entry names the relay's port
    client = lab.client(bob, cutter.port, delays=(0.1, 0.2, 0.3))
    seen: list[int] = []
    outputs: list[int] = []

    def record(event: Event, state: RunState) -> None:
        seen.append(event["seq"])
        if event["type"] == "output":
            outputs.append(event["seq"])

    client.subscribe(record)
    said: list[str] = []
    client.on_status(said.append)
    follow = asyncio.create_task(client.run())
    try:
        await until(lambda: len(outputs) >= 3, what="the step's first lines on the replica")
        cut_at, seq_at_cut = _now(), client.state.seq
        await cutter.cut()  # both TCP sockets reset: no SSH goodbye
        await until(lambda: not client.connected, 5, "the replica to notice the cut")
        await asyncio.sleep(0.5)  # reconnect attempts are refused meanwhile; the step keeps printing
        restored_at = _now()
        await cutter.restore()
        await until(lambda: client.connected, 5, "the replica to reconnect")
        assert client.state.seq >= seq_at_cut
        await confirm_next(client)
        await confirm_next(client)
        assert await shared.exit_code() == 0, shared.stderr()
        await asyncio.wait_for(follow, 5)
    finally:
        await client.close()
        await cutter.close()
    events = journal(shared.journal)
    missed = [e["seq"] for e in events if cut_at < e["ts"] < restored_at]
    assert missed, "nothing happened while the verifier was cut off; the test proves nothing"
    assert seen == list(range(len(events)))  # every event once, in order, none twice
    assert client.state == journal_state(shared.journal)
    assert client.state.seq == events[-1]["seq"]
    assert statuses(client.state) == {"one": "done", "two": "done"}
    assert cutter.accepted >= 2
    # Said once at the drop and once when back, not at each refused retry (a toast every few seconds stacked up).
    link = ["reconnecting" if "reconnecting" in words else words for words in said if "reconnecting" in words or "joined" in words]
    assert link == ["joined as verifier bob", "reconnecting", "rejoined as verifier bob"], said
    bob_sessions = [(e["type"], e["name"]) for e in events if e["type"] in ("participant_joined", "participant_left")]
    assert bob_sessions == [("participant_joined", "bob"), ("participant_left", "bob"), ("participant_joined", "bob")]
    assert "Traceback" not in shared.stderr() and "never retrieved" not in shared.stderr(), shared.stderr()


async def test_twenty_observers_all_receive_every_event(lab: Lab) -> None:
    bob = lab.key("bob")
    watchers = [lab.key(f"obs{i:02d}") for i in range(20)]
    people = lab.root / "participants.yaml"
    people.write_text(
        "".join(f'- {{name: obs{i:02d}, role: observer, key: "{key.with_suffix(".pub").read_text().strip()}"}}\n' for i, key in enumerate(watchers)),
        encoding="utf-8",
    )
    runbook = lab.runbook(TWO_STEPS.replace("run: echo one", "run: for i in $(seq 1 30); do echo line $i; sleep 0.01; done"))
    shared = await lab.share(runbook, "--verifier-key", f"{bob}.pub", "--participants", str(people))
    await lab.trust(shared.fingerprint, shared.port)
    observers = [lab.client(key, shared.port) for key in watchers]
    received: dict[str, list[int]] = {}
    for observer, key in zip(observers, watchers):
        seqs = received[key.name] = []
        observer.subscribe(lambda event, state, seqs=seqs: seqs.append(event["seq"]))
    await asyncio.gather(*(o.connect() for o in observers))  # twenty at once
    verifier = lab.client(bob, shared.port)
    clients = [*observers, verifier]
    tasks = [asyncio.create_task(c.run()) for c in clients]
    try:
        assert {o.role for o in observers} == {"observer"}
        await confirm_next(verifier)
        await confirm_next(verifier)
        assert await shared.exit_code() == 0, shared.stderr()
        await asyncio.wait_for(asyncio.gather(*tasks), 10)
    finally:
        for client in clients:
            await client.close()
    events = journal(shared.journal)
    everything = [e["seq"] for e in events]
    assert len(of_type(events, "output")) >= 2
    assert {name: seqs == everything for name, seqs in received.items()} == {key.name: True for key in watchers}
    final = journal_state(shared.journal)
    assert all(o.state == final for o in observers)
    assert len(of_type(events, "participant_joined")) == 21


async def test_a_silently_dead_connection_is_noticed_and_replaced(lab: Lab) -> None:
    """No reset, no FIN: the link just stops carrying bytes. SSH keepalives notice it; the replica reconnects and catches up."""
    bob = lab.key("bob")
    shared = await lab.share(lab.runbook(STREAMING), "--verifier-key", f"{bob}.pub")
    cutter = Cutter(shared.port)
    await cutter.restore()
    await lab.trust(shared.fingerprint, cutter.port)
    client = ShareClient(Endpoint(HOST, cutter.port, str(lab.known_hosts), str(bob)), reconnect_delays=(0.1,), keepalive=(0.2, 2))
    outputs: list[int] = []
    client.subscribe(lambda event, state: outputs.append(event["seq"]) if event["type"] == "output" else None)
    follow = asyncio.create_task(client.run())
    try:
        await until(lambda: len(outputs) >= 3, what="the step's first lines on the replica")
        links, frozen_at = cutter.accepted, len(outputs)
        cutter.freeze()
        await until(lambda: cutter.accepted > links and client.connected, 5, "the replica to give up the dead link and reconnect")
        await until(lambda: len(outputs) > frozen_at, 5, "output after the reconnection")
        await confirm_next(client)
        await confirm_next(client)
        assert await shared.exit_code() == 0, shared.stderr()
        await asyncio.wait_for(follow, 5)
    finally:
        await client.close()
        await cutter.close()
    assert client.state == journal_state(shared.journal)


async def test_the_assignee_sees_a_silently_vanished_verifier_leave(lab: Lab) -> None:
    """In process (to shorten the server's keepalive): the header's "verifier connected" must not outlive the link."""
    bob = lab.key("bob")
    port = free_port()
    options = ShareOptions(f"{HOST}:{port}", (from_key_file(f"{bob}.pub", "verifier"),), lab.host_key_path)
    session = open_session(load(str(lab.runbook()), {}), journal=str(lab.root / "J.jsonl"), settings=Settings(), share=options)
    assert session.share is not None
    session.share.keepalive = (0.2, 2)
    cutter = Cutter(port)
    client = ShareClient(Endpoint(HOST, cutter.port, str(lab.known_hosts), str(bob)), keepalive=(60, 3))  # the client stays unaware
    follow = None
    try:
        await session.start()
        await cutter.restore()
        await lab.trust(session.share.fingerprint, cutter.port)
        follow = asyncio.create_task(client.run())

        def participants() -> dict[str, str]:
            return dict(session.controller.state.participants)

        await until(lambda: participants() == {"bob": "verifier"}, what="bob to join")
        cutter.freeze()
        await until(lambda: participants() == {}, 5, "the assignee's side to notice bob is gone")
    finally:
        if follow is not None:
            follow.cancel()
        await client.close()
        await cutter.close()
        await session.close()
    # bob's leave as the keepalive noticed it, said once: not again when the share closed
    assert [e["type"] for e in journal_lines(lab.root / "J.jsonl")][-3:] == ["participant_joined", "participant_left", "share_closed"]
