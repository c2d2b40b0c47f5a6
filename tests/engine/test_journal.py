"""The journal as an auditor, a crash and a tamperer meet it: line format, hash chain, fsync, `journal verify`."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import os
import re
import stat
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from runbook_tui import cli
from runbook_tui.engine import journal
from runbook_tui.engine.journal import JournalWriter
from runbook_tui.engine.keys_first import KEYS
from runbook_tui.engine.redact import Redactor

RUNBOOK = """\
    runbook: 1
    id: journal-demo
    title: Journal demo
    sections:
      - id: pre
        title: Pre
        kind: precheck
        steps:
          - id: look
            title: Look around
            run: printf 'hello\\nworld\\n'; echo warn >&2
      - id: impl
        title: Change
        kind: implement
        steps:
          - id: change
            title: Change something
            run: echo changed > state.txt
            undo: rm -f state.txt
            checkpoint: true
          - id: after
            title: Look again
            run: cat state.txt
"""

ISO_UTC_MS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(Z|\+00:00)$")


def independent_check(path: Path) -> int | None:
    """The spec's "ten lines of Python", written from the spec alone: the first bad line number, or None."""
    prev = ""
    for number, line in enumerate(path.read_bytes().splitlines(), start=1):
        obj = json.loads(line)
        body = {k: v for k, v in obj.items() if k != "hash"}
        digest = hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")).hexdigest()
        if obj["seq"] != number - 1 or obj["prev"] != prev or obj["hash"] != digest:
            return number
        prev = obj["hash"]
    return None


@pytest.fixture
def finished_journal(tmp_path: Path, write_runbook: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    """A journal of a finished, successful `exec --solo` run (made in-process through cli.main)."""
    monkeypatch.chdir(tmp_path)
    runbook = write_runbook(RUNBOOK)
    journal = tmp_path / "run.jsonl"
    assert cli.main(["exec", str(runbook), "--solo", "journal tests", "--journal", str(journal)]) == 0
    capsys.readouterr()
    return journal


def verify_cli(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(["journal", "verify", str(path)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def rehash(obj: dict[str, Any]) -> bytes:
    body = {k: v for k, v in obj.items() if k != "hash"}
    obj = {**body, "hash": hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()}
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


# -- the line format ----------------------------------------------------------------------


def test_every_line_has_seq_ts_type_actor_prev_hash(finished_journal: Path) -> None:
    events = [json.loads(line) for line in lines_of(finished_journal)]
    assert [e["seq"] for e in events] == list(range(len(events)))
    assert len(events) > 8
    for event in events:
        assert ISO_UTC_MS.match(event["ts"]), event["ts"]
        moment = dt.datetime.fromisoformat(event["ts"].replace("Z", "+00:00"))
        assert moment.utcoffset() == dt.timedelta(0)
        assert isinstance(event["type"], str) and event["type"]
        assert isinstance(event["actor"], str) and event["actor"]
        assert re.fullmatch(r"[0-9a-f]{64}", event["hash"])
    assert events[0]["prev"] == ""
    assert all(later["prev"] == earlier["hash"] for earlier, later in itertools.pairwise(events))
    timestamps = [dt.datetime.fromisoformat(e["ts"].replace("Z", "+00:00")) for e in events]
    assert timestamps == sorted(timestamps)
    assert events[0]["type"] == "session_started" and events[-1]["type"] == "session_finished"
    assert {e["actor"] for e in events if e["type"] == "step_finished"} == {"system"}


def test_the_hash_chain_checks_with_ten_lines_of_python(finished_journal: Path) -> None:
    assert independent_check(finished_journal) is None


def test_the_independent_checker_catches_an_edit(finished_journal: Path) -> None:
    """The checker above is not vacuous: one changed character in an output line breaks that line."""
    lines = lines_of(finished_journal)
    index = next(i for i, line in enumerate(lines) if b'"type":"output"' in line and b"hello" in line)
    lines[index] = lines[index].replace(b"hello", b"hellO")
    finished_journal.write_bytes(b"".join(lines))
    assert independent_check(finished_journal) == index + 1


def test_the_journal_file_is_readable_by_its_owner_only(finished_journal: Path, tmp_path: Path) -> None:
    assert stat.S_IMODE(finished_journal.stat().st_mode) == 0o600
    old = os.umask(0)  # even a careless umask must not make a journal world-readable
    try:
        writer = JournalWriter(tmp_path / "loose" / "j.jsonl")
        writer.append("session_started", "alice", {"mode": "live"})
        writer.close()
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "loose" / "j.jsonl").stat().st_mode) == 0o600


# -- `journal verify` ---------------------------------------------------------------------


def test_verify_an_intact_journal_exits_0(finished_journal: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = verify_cli(finished_journal, capsys)
    assert code == 0, out
    assert "intact" in out
    assert f"{len(lines_of(finished_journal))} events" in out


def test_verify_an_edited_line_exits_1_and_names_it(finished_journal: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = lines_of(finished_journal)
    index = next(i for i, line in enumerate(lines) if b'"type":"step_finished"' in line and b'"step":"change"' in line)
    lines[index] = lines[index].replace(b'"exit_code":0', b'"exit_code":1', 1)
    assert lines[index] != lines_of(finished_journal)[index]
    finished_journal.write_bytes(b"".join(lines))
    code, out = verify_cli(finished_journal, capsys)
    assert code == 1, out
    assert f"line {index + 1}:" in out
    assert "NOT intact" in out


def test_a_line_written_another_way_is_checked_by_its_object(finished_journal: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Lines are checked from their bytes when written canonically (fast); any other spelling of the same object still
    verifies by the spec's rule (its canonical form), and an edit in such a line is still caught."""
    lines = lines_of(finished_journal)
    index = len(lines) // 2
    obj = json.loads(lines[index])
    lines[index] = json.dumps(obj, indent=1).replace("\n", "").encode() + b"\n"  # spaces, keys in the object's order
    assert lines[index] != lines_of(finished_journal)[index]
    finished_journal.write_bytes(b"".join(lines))
    assert verify_cli(finished_journal, capsys)[0] == 0
    lines[index] = lines[index].replace(b'"actor": "', b'"actor": "x', 1)
    finished_journal.write_bytes(b"".join(lines))
    code, out = verify_cli(finished_journal, capsys)
    assert code == 1 and f"line {index + 1}:" in out, out


def test_verify_an_edited_and_rehashed_line_still_exits_1(finished_journal: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A tamperer who recomputes the edited line's hash breaks the next line's `prev`."""
    lines = lines_of(finished_journal)
    index = next(i for i, line in enumerate(lines) if b'"type":"session_finished"' in line) - 1
    obj = json.loads(lines[index])
    obj["actor"] = "mallory"
    lines[index] = rehash(obj)
    finished_journal.write_bytes(b"".join(lines))
    code, out = verify_cli(finished_journal, capsys)
    assert code == 1, out
    assert f"line {index + 2}:" in out


def test_verify_a_removed_middle_line_exits_1_and_names_where(finished_journal: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = lines_of(finished_journal)
    middle = len(lines) // 2
    del lines[middle]
    finished_journal.write_bytes(b"".join(lines))
    code, out = verify_cli(finished_journal, capsys)
    assert code == 1, out
    assert f"line {middle + 1}:" in out


def test_verify_two_swapped_lines_exit_1(finished_journal: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = lines_of(finished_journal)
    lines[3], lines[4] = lines[4], lines[3]
    finished_journal.write_bytes(b"".join(lines))
    code, out = verify_cli(finished_journal, capsys)
    assert code == 1, out
    assert "line 4:" in out


def test_verify_a_last_line_cut_in_half_exits_1_and_names_it(finished_journal: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = lines_of(finished_journal)
    last = lines[-1]
    lines[-1] = last[: len(last) // 2]
    finished_journal.write_bytes(b"".join(lines))
    code, out = verify_cli(finished_journal, capsys)
    assert code == 1, out
    assert f"line {len(lines)}:" in out
    assert "cut short" in out


def test_verify_an_event_after_session_finished_exits_1(finished_journal: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The sequence rule: a well-chained event appended after the end is still not an intact journal."""
    lines = lines_of(finished_journal)
    last = json.loads(lines[-1])
    extra = {"seq": last["seq"] + 1, "ts": last["ts"], "type": "note", "actor": "mallory", "prev": last["hash"], "text": "added later"}
    finished_journal.write_bytes(b"".join(lines) + rehash(extra))
    assert independent_check(finished_journal) is None  # the chain alone does not catch it
    code, out = verify_cli(finished_journal, capsys)
    assert code == 1, out
    assert "after session_finished" in out


def test_verify_says_when_the_session_has_not_finished(finished_journal: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Lines cut off at a line's end leave a chain that holds: a crash looks the same, so it stays 0, but it is said
    (before: `intact` alone, for a journal whose rollback and end an editor had cut off)."""
    code, out = verify_cli(finished_journal, capsys)
    assert code == 0 and "has not finished" not in out, out
    lines = lines_of(finished_journal)
    finished_journal.write_bytes(b"".join(lines[:-2]))
    code, out = verify_cli(finished_journal, capsys)
    assert code == 0, out
    assert "the session has not finished (no session_finished): still running, stopped (`runbook-tui resume` continues it), or lines cut off" in out


def test_verify_a_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = verify_cli(tmp_path / "no-such.jsonl", capsys)
    assert code == 2
    assert "no-such.jsonl" in out


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"runbook: 1\nid: demo\n", id="a-runbook"),
        pytest.param(b"hello world\n", id="text"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", id="binary"),
        pytest.param(b"", id="empty"),
        pytest.param(b"[1, 2, 3]\n", id="json-array"),
        # One line without an end: was "cut short (power loss ...)", exit 1, as if an event of ours had been torn
        pytest.param(b"hello world", id="text-without-newline"),
        pytest.param(b"\x00\xff\xfe", id="binary-without-newline"),
    ],
)
def test_verify_a_file_that_is_not_a_journal_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes) -> None:
    path = tmp_path / "file"
    path.write_bytes(content)
    code, out = verify_cli(path, capsys)
    assert code == 2, out
    assert "cut short" not in out


@pytest.mark.parametrize("torn", [b"{", b'{"actor":"alice","assignee"'])
def test_a_first_line_torn_as_ours_would_be_is_cut_short_not_unreadable(tmp_path: Path, capsys: pytest.CaptureFixture[str], torn: bytes) -> None:
    """The session's start cut by a crash begins as every event does (`{"`): truncated (1), and resume says the run never began."""
    path = tmp_path / "j.jsonl"
    path.write_bytes(torn)
    code, out = verify_cli(path, capsys)
    assert code == 1 and "line 1: cut short" in out, out


def test_verify_json_objects_that_are_not_events_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "package.json"
    path.write_text('{"name": "left-pad", "version": "1.3.0"}\n')
    code, out = verify_cli(path, capsys)
    assert code == 2, out


# -- writing: fsync and grouping ----------------------------------------------------------


def on_disk(path: Path) -> list[dict[str, Any]]:
    """What another process would read right now (a fresh descriptor; the writer stays open): its complete lines."""
    fd = os.open(path, os.O_RDONLY)
    try:
        data = b""
        while chunk := os.read(fd, 65536):
            data += chunk
    finally:
        os.close(fd)
    # Whole lines only: the writer may be in the middle of one (a flood's line torn at the read), as any reader sees it.
    return [json.loads(line) for line in data.split(b"\n")[:-1]]


def test_every_non_output_event_is_on_disk_when_append_returns(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    writer = JournalWriter(path)
    try:
        first = writer.append("session_started", "alice", {"mode": "live"})
        assert on_disk(path) == [first]
        started = writer.append("step_started", "alice", {"step": "s1", "hosts": ["local"]})
        assert on_disk(path) == [first, started]
        finished = writer.append("step_finished", "system", {"step": "s1", "status": "done"})
        assert on_disk(path)[-1] == finished
    finally:
        writer.close()


def test_output_is_grouped_but_written_before_the_next_other_event(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    writer = JournalWriter(path)
    try:
        writer.append("session_started", "alice", {"mode": "live"})
        writer.append("step_started", "alice", {"step": "s1", "hosts": ["local"]})
        outputs = [writer.append("output", "system", {"step": "s1", "host": "local", "stream": "stdout", "text": f"line {i}\n"}) for i in range(50)]
        assert len(on_disk(path)) < 52, "output events are expected to be committed in groups, not one fsync each"
        finished = writer.append("step_finished", "system", {"step": "s1", "status": "done"})
        lines = on_disk(path)
        assert [e["seq"] for e in lines] == list(range(53))
        assert lines[2:52] == outputs
        assert lines[-1] == finished
    finally:
        writer.close()
    assert independent_check(path) is None


def test_grouped_output_reaches_the_disk_within_a_second_with_nothing_after_it(tmp_path: Path) -> None:
    """A step printing once and then sleeping: its output is on disk soon, not only at the next event."""
    path = tmp_path / "j.jsonl"
    writer = JournalWriter(path)
    try:
        writer.append("session_started", "alice", {"mode": "live"})
        output = writer.append("output", "system", {"step": "s1", "host": "local", "stream": "stdout", "text": "sleeping\n"})
        deadline = time.monotonic() + 1.0
        while on_disk(path)[-1:] != [output]:
            assert time.monotonic() < deadline, "the output event was not committed within a second"
            time.sleep(0.01)
    finally:
        writer.close()


def test_a_flood_of_output_is_written_as_it_comes_not_left_to_the_next_decision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once COMMIT_BYTES of output wait, the writer commits them at once (the clock's commit held off here): the fsync
    the step's end or a decision waits for holds at most that much, not the whole flood."""
    monkeypatch.setattr(journal, "COMMIT_SECONDS", 60.0)
    path = tmp_path / "j.jsonl"
    writer = JournalWriter(path)
    try:
        writer.append("session_started", "alice", {"mode": "live"})
        text = "x" * 1023 + "\n"
        flood = [
            writer.append("output", "system", {"step": "s1", "host": "local", "stream": "stdout", "text": text})
            for _ in range(3 * journal.COMMIT_BYTES // 1024)
        ]
        deadline = time.monotonic() + 10.0
        while len(on_disk(path)) < 1 + 2 * journal.COMMIT_BYTES // 1200:
            assert time.monotonic() < deadline, "output waiting past COMMIT_BYTES was not committed"
            time.sleep(0.01)
        written = on_disk(path)
        assert written[1:] == flood[: len(written) - 1]  # whole events, in order
    finally:
        writer.close()
    assert independent_check(path) is None


def test_a_key_commits_the_output_queued_before_it_so_its_decision_waits_for_its_own_fsync(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A key being handled (`KEYS.hold`) starts the commit of the output waiting (the clock's commit held off here):
    the pause it may journal next is fsynced alone, not behind the output's group commit."""
    monkeypatch.setattr(journal, "COMMIT_SECONDS", 60.0)
    path = tmp_path / "j.jsonl"
    writer = JournalWriter(path)
    try:
        writer.append("session_started", "alice", {"mode": "live"})
        output = writer.append("output", "system", {"step": "s1", "host": "local", "stream": "stdout", "text": "flood\n"})
        assert len(on_disk(path)) == 1
        KEYS.hold()
        with writer._lock:  # the writer thread notifies when a commit is on disk
            committed = writer._lock.wait_for(lambda: writer.durable_seq >= output["seq"], timeout=10.0)
        assert committed, "the output queued before the key was not committed"
        assert on_disk(path)[-1:] == [output]
    finally:
        KEYS.release()
        writer.close()
    assert independent_check(path) is None


def test_secrets_are_masked_before_they_reach_the_file(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    writer = JournalWriter(path, Redactor(["hunter2", "hunter2-long"]))
    writer.append("session_started", "alice", {"params": {"password": "hunter2-long"}})
    written = writer.append("note", "alice", {"text": "the password is hunter2!"})
    writer.close()
    assert written["text"] == "the password is ***!"
    data = path.read_bytes()
    assert b"hunter2" not in data
    assert b'"password":"***"' in data
    assert independent_check(path) is None


def test_an_event_after_close_is_refused_at_once(tmp_path: Path) -> None:
    """Seen in CI: a verifier's leave journaled while the process shut down waited forever for a writer thread that
    had already stopped (the assignee's `exec` never exited). After close an append is refused, not queued."""
    from runbook_tui.engine.journal import JournalError

    writer = JournalWriter(tmp_path / "j.jsonl", Redactor([]))
    writer.append("session_started", "alice", {"runbook": "r"})
    writer.close()
    started = time.monotonic()
    with pytest.raises(JournalError, match="is closed"):
        writer.append("participant_left", "system", {"name": "bob", "role": "verifier"})
    assert time.monotonic() - started < 1.0
    assert len((tmp_path / "j.jsonl").read_text().splitlines()) == 1


def test_a_decision_is_durable_while_every_thread_of_the_loops_executor_is_busy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The writer thread wakes the waiting loop itself: a pause waited for a free thread of the loop's default
    executor (Alertmanager calls, pre-flight checks and key loads run there), so six hung HTTP calls held every key
    that journals a decision. A write that fails wakes the waiter with the error, not never."""
    import asyncio
    import errno
    import threading

    async def scenario() -> None:
        writer = JournalWriter(tmp_path / "j.jsonl")
        gate = threading.Event()
        loop = asyncio.get_running_loop()
        busy = [loop.run_in_executor(None, gate.wait, 30.0) for _ in range(64)]  # more than the executor has threads
        try:
            event = writer.queue("paused", "alice", {"reason": "p"})
            await asyncio.wait_for(writer.durable(event["seq"]), 10.0)
            assert on_disk(tmp_path / "j.jsonl")[-1] == event

            def full(fd: int, lines: Sequence[bytes]) -> None:
                raise OSError(errno.ENOSPC, "No space left on device")

            monkeypatch.setattr(journal, "write_all", full)
            failing = writer.queue("resumed", "alice", {"reason": "p"})
            with pytest.raises(journal.JournalError, match="cannot write the journal"):
                await asyncio.wait_for(writer.durable(failing["seq"]), 10.0)
        finally:
            gate.set()
            await asyncio.gather(*busy)
            with pytest.raises(journal.JournalError):  # closing a broken journal says so
                writer.close()

    asyncio.run(scenario())


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda line: line.replace(b'"prev":""', b'"prev":"\xff"', 1), id="a-byte-not-utf8"),
        pytest.param(lambda line: line.replace(b'"seq":0', b'"seq":0,', 1), id="json-broken"),
    ],
)
def test_a_first_line_of_ours_edited_into_no_json_is_tampered_not_unreadable(
    finished_journal: Path, capsys: pytest.CaptureFixture[str], damage: Callable[[bytes], bytes]
) -> None:
    """The session's start, a whole line as this program writes it, one byte changed: `line 1: not valid JSON (edited or
    damaged)`, exit 1, as the same change on line 2 is (before: exit 2, `line 1 is not JSON: expected a runbook-tui
    journal`, as for a file that never was one)."""
    lines = lines_of(finished_journal)
    lines[0] = damage(lines[0])
    finished_journal.write_bytes(b"".join(lines))
    code, out = verify_cli(finished_journal, capsys)
    assert code == 1 and "line 1: not valid JSON (edited or damaged)" in out, out
