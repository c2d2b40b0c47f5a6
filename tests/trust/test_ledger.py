"""The verifier's own copy: every event checked against the chain it already holds, a rewrite warned about at once."""

from __future__ import annotations

import json
from pathlib import Path

from forged_lines import hashed_as_written

from runbook_tui.engine.events import Event
from runbook_tui.engine.journal import JournalWriter, canonical, event_hash
from runbook_tui.share import protocol
from runbook_tui.share.client import Endpoint, ShareClient
from runbook_tui.trust.ledger import Ledger
from runbook_tui.trust.participant import ParticipantTrust


def _received(client: ShareClient, event: Event) -> None:
    """`event` read by the client as the share server sends it."""
    client._receive([protocol.event(event).removesuffix("\n")])
    client._received()


def _add(ledger: Ledger, line: bytes) -> str | None:
    """`line` recorded as the client records an event received: by its bytes when it is a canonical output event
    following the chain, else by its object."""
    return None if ledger.add_output(line) is not None else ledger.add(json.loads(line))


def _events(path: Path, texts: list[str]) -> list[Event]:
    writer = JournalWriter(path)
    made = [writer.append("session_started", "alice", {"session": "s1", "assignee": "alice"})]
    made += [writer.append("note", "alice", {"text": text}) for text in texts]
    writer.close()
    return made


def test_a_rewrite_seen_while_joined_is_warned_about_at_once(tmp_path: Path) -> None:
    honest = _events(tmp_path / "a.jsonl", ["one", "two failed", "three"])
    rewritten = _events(tmp_path / "b.jsonl", ["one", "two done", "three"])
    client = ShareClient(Endpoint("127.0.0.1", 1, str(tmp_path / "known_hosts"), None))
    copy = tmp_path / "received" / "s1-bob.jsonl"
    client.trust = ParticipantTrust(None, "bob", "s1", Ledger(copy))
    said: list[str] = []
    client.on_status(said.append)
    for event in honest[:3]:
        _received(client, event)
    assert not said and client.state.seq == 2
    _received(client, rewritten[2])  # after a reconnect, the catch-up brings event 2 back changed
    diverged = f"event 2 differs from the one received before: the assignee's history was rewritten; what you saw is kept in {copy}"
    assert said == [f"WARNING: the journal diverges from what you saw: {diverged}"] and client.diverged == diverged
    _received(client, rewritten[3])  # what follows the rewrite does not chain onto what bob saw: not taken, not said again
    assert len(said) == 1 and client.state.seq == 2  # before: one more warning per event (a toast each, a flood while output streams)
    client.trust.ledger.close()
    assert [json.loads(line)["hash"] for line in copy.read_text().splitlines()] == [e["hash"] for e in honest[:3]]
    assert copy.stat().st_mode & 0o777 == 0o600


def test_an_event_whose_hash_does_not_match_its_content_is_refused(tmp_path: Path) -> None:
    events = _events(tmp_path / "a.jsonl", ["one"])
    ledger = Ledger()
    assert ledger.add(events[0]) is None
    forged = dict(events[1], text="something else")
    assert ledger.add(forged) == "event 1: its hash does not match its content"
    forged["hash"] = event_hash(forged)
    assert ledger.add(forged) is None and ledger.head == forged["hash"]  # a consistent new event is fine: it is new to bob


def _output_lines(path: Path, texts: list[str]) -> list[bytes]:
    """A journal of output events, as the share server relays them: each event's own line."""
    writer = JournalWriter(path)
    writer.append("session_started", "alice", {"session": "s1", "assignee": "alice"})
    for text in texts:
        writer.append("output", "system", {"step": "a", "host": "local", "stream": "stdout", "text": text, "phase": "run"})
    writer.close()
    return path.read_bytes().splitlines()


def test_output_events_received_as_their_journal_lines_are_checked_and_copied_byte_for_byte(tmp_path: Path) -> None:
    lines = _output_lines(tmp_path / "a.jsonl", ["one\n", "two\n", "three\n"])
    copy = tmp_path / "copy.jsonl"
    ledger = Ledger(copy)
    assert ledger.add_output(lines[0]) is None and ledger.add(json.loads(lines[0])) is None  # not an output event: by its object
    assert all(ledger.add_output(line) is not None for line in lines[1:])  # output events: by their bytes
    ledger.close()
    assert copy.read_bytes() == b"\n".join(lines) + b"\n"
    edited = lines[2].replace(b"two", b"owt")
    forged_ledger = Ledger()
    for line in lines[:2]:
        assert _add(forged_ledger, line) is None
    assert _add(forged_ledger, edited) == "event 2: its hash does not match its content"
    rewritten = _output_lines(tmp_path / "b.jsonl", ["one\n", "2\n", "three\n"])
    assert _add(ledger, rewritten[2]) == "event 2 differs from the one received before: the assignee's history was rewritten"
    assert _add(ledger, rewritten[3]) == "event 3 differs from the one received before: the assignee's history was rewritten"


def test_an_output_event_claiming_a_hash_with_a_lone_surrogate_is_refused_not_raised(tmp_path: Path) -> None:
    lines = _output_lines(tmp_path / "a.jsonl", ["one\n"])
    ledger = Ledger()
    assert _add(ledger, lines[0]) is None
    forged = lines[1].replace(json.loads(lines[1])["hash"].encode(), b"\\ud800" * 64)
    assert _add(ledger, forged) == "event 1: its hash does not match its content"


def test_an_event_whose_bytes_hash_right_but_are_not_its_canonical_form_is_refused(tmp_path: Path) -> None:
    """A verifier's copy is the chain the spec defines: an event received as bytes that hash right as written (a key
    given twice, read one way by json and another by other readers) is checked by its canonical encoding, and refused."""
    lines = _output_lines(tmp_path / "a.jsonl", ["one", "two"])
    ledger = Ledger()
    assert _add(ledger, lines[0]) is None
    for line in lines[1:]:
        event = json.loads(line)
        del event["hash"]
        spelled = canonical(event)[:-1] + b',"text":"' + event["text"].encode() + b'"}'
        forged = hashed_as_written(spelled).rstrip(b"\n")
        assert _add(ledger, forged) == f"event {event['seq']}: its hash does not match its content"


def test_a_rejoin_holds_what_the_earlier_join_saw_and_writes_the_copy_once(tmp_path: Path) -> None:
    """`q`, then `join` again (or the verifier's laptop restarted): the copy on disk is what they saw. Before, the new
    client started from nothing: the catch-up's rewritten history was taken as new, and appended after the old copy."""
    honest = _events(tmp_path / "a.jsonl", ["one", "two failed", "three"])
    rewritten = [dict(e) for e in honest[:2]]
    for event in honest[2:]:  # "two done", every later hash recomputed
        event = {k: v for k, v in event.items() if k != "hash"} | {"prev": rewritten[-1]["hash"]}
        event["text"] = event["text"].replace("failed", "done")
        rewritten.append(event | {"hash": event_hash(event)})
    copy = tmp_path / "received" / "s1-bob.jsonl"
    first = Ledger(copy)
    assert all(first.add(event) is None for event in honest[:3])
    first.close()
    seen = copy.read_bytes()
    again = Ledger(copy)  # the same person joining the same session again, honest catch-up
    assert again.hashes == [e["hash"] for e in honest[:3]] and again.shown == first.shown
    assert all(again.add(event) is None for event in honest)
    again.close()
    assert copy.read_bytes() == seen + canonical(honest[3]) + b"\n"  # each event once
    with copy.open("ab") as torn:
        torn.write(b'{"seq":4,"type":"no')  # the machine stopped mid-write
    client = ShareClient(Endpoint("127.0.0.1", 1, str(tmp_path / "known_hosts"), None))
    client.trust = ParticipantTrust(None, "bob", "s1", Ledger(copy))
    assert copy.read_bytes() == seen + canonical(honest[3]) + b"\n"  # the torn tail cut off
    said: list[str] = []
    client.on_status(said.append)
    for event in rewritten:  # the catch-up of a history rewritten while bob was away
        _received(client, event)
    assert client.diverged is not None and client.diverged.startswith("event 2 differs from the one received before"), client.diverged
    assert client.state.seq == 1 and len(said) == 1


def test_the_same_person_joined_twice_writes_each_event_once_to_their_copy(tmp_path: Path) -> None:
    """bob joined from two windows (or his laptop and his desktop) at once: both clients appended every event to the one
    copy `received/SESSION-bob.jsonl`, so it held each event twice, interleaved, and `journal verify` of it failed.
    Now the first one writes it; the other says why it keeps no copy (and still checks every event it receives)."""
    from runbook_tui.engine.journal import read_events

    made = _events(tmp_path / "a.jsonl", ["one", "two", "three"])
    copy = tmp_path / "received" / "s1-bob.jsonl"
    window, other = Ledger(copy), Ledger(copy)
    for event in made:
        assert window.add(event) is None and other.add(event) is None
        window.flush()
        other.flush()
    assert other.failed == f"{copy}: another join of yours to this session writes it", other.failed
    assert not window.failed
    other.close()
    with copy.open("ab") as writing:  # the first window writing its next line, not done yet
        writing.write(b'{"seq":4,"type":"no')
    late = Ledger(copy)  # a third join of bob's reads the copy meanwhile: the line being written is not cut under it
    assert copy.read_bytes().endswith(b'{"seq":4,"type":"no') and late.copy is None and late.failed.endswith("writes it")
    window.close()
    late.close()
    with copy.open("rb+") as writing:
        writing.truncate(len(copy.read_bytes()) - len(b'{"seq":4,"type":"no'))
    read = read_events(copy)
    assert [e["seq"] for e in read.events] == [0, 1, 2, 3] and not read.problems, read.problems
