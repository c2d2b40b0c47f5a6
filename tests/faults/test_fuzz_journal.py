"""Hostile journals: random bytes, cut lines, random JSON, forged chains, very long and very deep lines.
`read_events`, `verify` and `runbook-tui journal verify` always answer (exit 0, 1 or 2 with a message),
never with a traceback.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runbook_tui import cli
from runbook_tui.engine.journal import JournalRead, JournalWriter, event_hash, read_events, verify

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def good_journal(path: Path) -> bytes:
    writer = JournalWriter(path, clock=lambda: "2026-11-23T02:00:00.000Z")
    writer.append(
        "session_started", "alice", {"runbook": "x", "mode": "live", "params": {"a": "é"}, "plan": {"sections": [{"kind": "main", "steps": [{"id": "s"}]}]}}
    )
    writer.append("step_started", "alice", {"step": "s", "hosts": ["local"], "attempt": 1})
    writer.append("output", "system", {"step": "s", "host": "local", "stream": "stdout", "text": "hello\n\ufffd\n"})
    writer.append("step_finished", "system", {"step": "s", "status": "done", "exit": {"local": 0}})
    writer.append("session_finished", "system", {"outcome": "done"})
    writer.close()
    return path.read_bytes()


GOOD = good_journal(Path(tempfile.mkdtemp(prefix="rbt-journal-")) / "good.jsonl")


def on_alarm(signum: int, frame: object) -> None:
    raise TimeoutError("journal verify took more than 10 s")


def check(data: bytes) -> tuple[int, str]:
    """Verify `data` three ways; every way must answer sanely. Returns (exit code, what the CLI said)."""
    with tempfile.TemporaryDirectory(prefix="rbt-jf-") as folder:
        path = Path(folder) / "j.jsonl"
        path.write_bytes(data)
        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.alarm(10)
        try:
            for read in (read_events(path), verify(path)):
                assert isinstance(read, JournalRead)
                assert read.intact or read.problems or read.unreadable
                assert all(isinstance(p, str) and p for p in read.problems)
            out, err = io.StringIO(), io.StringIO()
            with redirect_stdout(out), redirect_stderr(err):
                code = cli.main(["journal", "verify", str(path)])
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
    said = out.getvalue() + err.getvalue()
    assert code in (0, 1, 2)
    assert said.strip(), "journal verify said nothing"
    assert "Traceback" not in said
    if code == 0:
        assert ("intact" in said and data == GOOD) or verify_intact(data)
    return code, said


def verify_intact(data: bytes) -> bool:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "j.jsonl"
        path.write_bytes(data)
        return verify(path).intact


def test_the_good_journal_verifies() -> None:
    code, said = check(GOOD)
    assert code == 0 and "intact: 5 events" in said


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes(data: bytes) -> None:
    code, _ = check(data)
    assert code in (1, 2) or data == GOOD


@FUZZ
@given(st.integers(0, len(GOOD) - 1), st.binary(max_size=8))
def test_truncated_and_spliced(cut: int, junk: bytes) -> None:
    data = GOOD[:cut] + junk
    code, said = check(data)
    # Anything cut from an intact journal is not intact, except a cut exactly after a whole line:
    # that is the journal as it stood at that event (a chain cannot tell its later lines are missing).
    at_a_line_end = data.endswith(b"\n") and GOOD.startswith(data)  # (also: a line cut before its newline, and the newline back)
    assert code in (1, 2) or at_a_line_end, said


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
FIELD = st.sampled_from(["seq", "ts", "type", "actor", "prev", "hash", "text", "outcome"])


@FUZZ
@given(st.integers(0, 4), JSON)
def test_a_line_replaced_by_random_json(index: int, value: Any) -> None:
    lines = GOOD.splitlines(keepends=True)
    lines[index] = json.dumps(value).encode() + b"\n"
    code, said = check(b"".join(lines))
    assert code in (1, 2), said


@FUZZ
@given(st.lists(st.dictionaries(FIELD, JSON, max_size=8), min_size=1, max_size=6), st.booleans())
def test_forged_chains_of_random_events(objects: list[dict[str, Any]], well_formed: bool) -> None:
    """Random events, chained with correct seq, prev and hash: only the values are hostile."""
    lines, prev = [], ""
    for seq, obj in enumerate(objects):
        if well_formed:
            obj.update(seq=seq, prev=prev)
            obj.setdefault("ts", "x")
            obj.setdefault("actor", "x")
            obj.setdefault("type", "session_started" if seq == 0 else "note")
        try:
            obj["hash"] = event_hash(obj)
        except ValueError:  # a lone surrogate: cannot be hashed (nor written)
            obj["hash"] = "0" * 64
        prev = obj["hash"]
        lines.append(json.dumps(obj, ensure_ascii=False).encode("utf-8", "surrogatepass") + b"\n")
    check(b"".join(lines))


@pytest.mark.parametrize(
    "data, codes",
    [
        (b"", (2,)),
        (b"\n", (2,)),
        (b"\xff\xfe\x00\x00garbage\n", (2,)),
        (b"[" * 100_000 + b"]" * 100_000 + b"\n", (2,)),
        (GOOD + b"[" * 100_000 + b"]" * 100_000 + b"\n", (1,)),
        (GOOD + b'{"seq": ' + b"9" * 5000 + b"}\n", (1,)),
        (GOOD + b"x" * (8 * 1024 * 1024) + b"\n", (1,)),
        (GOOD.replace(b'"hello', b'"\\ud800hello'), (1,)),
        (GOOD.replace(b'"seq":1,', b'"seq":true,'), (1,)),
        (GOOD.replace(b'"type":"step_started"', b'"type":["step_started"]'), (1,)),
        (GOOD[:-1], (1,)),
        (GOOD + GOOD, (1,)),
        (GOOD.replace(b"\n", b"\r\n"), (0, 1)),
    ],
    ids=[
        "empty",
        "blank-line",
        "binary",
        "deep-json-first",
        "deep-json-later",
        "huge-int",
        "8MiB-line",
        "lone-surrogate",
        "bool-seq",
        "list-type",
        "cut-last-newline",
        "doubled",
        "crlf",
    ],
)
def test_hostile_journals_by_hand(data: bytes, codes: tuple[int, ...]) -> None:
    code, said = check(data)
    assert code in codes, said


@pytest.mark.parametrize(
    "data",
    [
        b"\x00\x01\x02\xff" * 1000,
        GOOD[: len(GOOD) // 2],
        GOOD + b"[" * 100_000 + b"\n",
        GOOD.replace(b'"hello', b'"\\ud800hello'),
        b'{"seq":0}\n' + os.urandom(2048) + b"\n",
    ],
    ids=["binary", "truncated", "deep", "surrogate", "random-tail"],
)
def test_the_installed_command_never_shows_a_traceback(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "j.jsonl"
    path.write_bytes(data)
    done = subprocess.run([sys.executable, "-m", "runbook_tui", "journal", "verify", str(path)], capture_output=True, timeout=60)
    said = (done.stdout + done.stderr).decode("utf-8", "replace")
    assert done.returncode in (1, 2), said
    assert said.strip() and "Traceback" not in said, said


def test_a_missing_or_directory_journal_is_unreadable(tmp_path: Path) -> None:
    for target in (tmp_path / "nope.jsonl", tmp_path):
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            assert cli.main(["journal", "verify", str(target)]) == 2
        assert "unreadable" in err.getvalue()
