"""The verifier's own copy of the events received (`received/SESSION-NAME.jsonl`) is read at every `join` of the session.

Its folder is the verifier's, but the path is predictable: whatever was planted there (a FIFO, a folder, a link) must
not hang `join` before its first screen nor be read; the copy is then kept no more, and the screen says why
(`Ledger.failed`)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from runbook_tui.engine.journal import canonical, event_hash
from runbook_tui.trust.ledger import Ledger


def _load_within(path: Path, seconds: float) -> Ledger | None:
    """Ledger(path) on a thread: None when it had not returned after `seconds` (then the FIFO's reader is released)."""
    made: list[Ledger] = []
    reader = threading.Thread(target=lambda: made.append(Ledger(path)), daemon=True)
    reader.start()
    reader.join(seconds)
    if not made:  # hung on the FIFO: a writer end opened and closed releases it, so the test ends
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(seconds)
        return None
    return made[0]


def test_a_fifo_where_the_copy_goes_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "s1-bob.jsonl"
    os.mkfifo(fifo, 0o600)
    ledger = _load_within(fifo, 10)
    assert ledger is not None, "Ledger() on a FIFO did not return within 10 s: join would hang before its first screen"
    ledger.close()
    assert ledger.failed == f"{fifo}: not a regular file", ledger.failed
    assert ledger.hashes == [] and fifo.is_fifo()


def test_a_link_to_a_readable_file_is_not_read_through(tmp_path: Path) -> None:
    """A link to another file of events: read through, its events were taken as seen in this session."""
    event: dict[str, object] = {"seq": 0, "prev": "", "type": "note", "ts": "2026-12-05T21:00:00.000Z", "actor": "alice", "text": "x"}
    event["hash"] = event_hash(event)
    elsewhere = tmp_path / "other.jsonl"
    elsewhere.write_bytes(canonical(event) + b"\n")
    copy = tmp_path / "s1-bob.jsonl"
    copy.symlink_to(elsewhere)
    ledger = Ledger(copy)
    ledger.close()
    assert ledger.failed == f"{copy}: Too many levels of symbolic links", ledger.failed
    assert ledger.hashes == [], "the linked file's events were read as received in this session"
    assert elsewhere.read_bytes() == canonical(event) + b"\n"


def test_a_copy_found_at_0644_is_written_on_only_once_private(tmp_path: Path) -> None:
    """A copy left 0644 (restored from a backup, copied in by hand) holds a session's events: once written to again it
    is 0600, as a new copy is (before: the new events went on under 0644)."""
    first: dict[str, object] = {"seq": 0, "prev": "", "type": "note", "ts": "2026-12-05T21:00:00.000Z", "actor": "alice", "text": "x"}
    first["hash"] = event_hash(first)
    copy = tmp_path / "s1-bob.jsonl"
    copy.write_bytes(canonical(first) + b"\n")
    copy.chmod(0o644)
    ledger = Ledger(copy)
    second: dict[str, object] = {"seq": 1, "prev": first["hash"], "type": "note", "ts": "2026-12-05T21:00:01.000Z", "actor": "alice", "text": "y"}
    second["hash"] = event_hash(second)
    assert ledger.add(second) is None
    ledger.close()
    assert ledger.failed == "", ledger.failed
    assert copy.read_bytes().count(b"\n") == 2, "the second event was written to the copy"
    assert copy.stat().st_mode & 0o777 == 0o600
