"""ctrl-c while a command still reads (a long journal, before any screen or run): a line of words, never Python's
KeyboardInterrupt traceback; and the exit a shell expects.

Before: `journal verify`, `report` and `replay` of a 20 MB journal, interrupted while reading it, printed a traceback
ending in `KeyboardInterrupt` (from deep inside the event checks). Now: `runbook-tui: journal stopped by ctrl-c`, and the
process ends by SIGINT as Python's own handler ends it (a shell loop around it stops too); `replay` exits 0, the
spec's one code for it, as when its screen is closed by a signal.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from waiting import wait_until


@pytest.fixture(scope="module")
def long_journal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real `exec` journal, its output event repeated 100,000 times and the chain recomputed (about 30 MB)."""
    folder = tmp_path_factory.mktemp("long")
    (folder / "r.yaml").write_text(
        "runbook: 1\nid: big\ntitle: Big\nsections:\n  - id: s\n    title: S\n    kind: precheck\n    steps:\n      - {id: a, title: A, run: echo hi}\n",
        encoding="utf-8",
    )
    env = {**os.environ, "XDG_STATE_HOME": str(folder / "state"), "XDG_CONFIG_HOME": str(folder / "config")}
    subprocess.run(
        [sys.executable, "-m", "runbook_tui", "exec", "r.yaml", "--solo", "t", "--journal", "short.jsonl"],
        cwd=folder,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    events = [json.loads(line) for line in (folder / "short.jsonl").read_text(encoding="utf-8").splitlines()]
    output = next(event for event in events if event["type"] == "output")
    at = events.index(output)
    many = [*events[:at], *({**output, "text": f"line {n}\n", "chunk": n} for n in range(100_000)), *events[at + 1 :]]
    path, prev = folder / "long.jsonl", ""
    with path.open("w", encoding="utf-8") as out:
        for seq, event in enumerate(many):
            body = {key: value for key, value in event.items() if key != "hash"} | {"seq": seq, "prev": prev}
            prev = hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")).hexdigest()
            out.write(json.dumps({**body, "hash": prev}, ensure_ascii=False) + "\n")
    return path


def _reading(process: subprocess.Popen[str], path: Path) -> bool:
    """Whether `process` has `path` open (it is reading it)."""
    folder = f"/proc/{process.pid}/fd"
    try:
        return any(os.readlink(f"{folder}/{fd}") == str(path) for fd in os.listdir(folder))
    except OSError:
        return False


@pytest.mark.parametrize(("argv", "code"), [(["journal", "verify"], -signal.SIGINT), (["report"], -signal.SIGINT), (["replay"], 0)])
def test_ctrl_c_while_a_long_journal_is_read_says_so_in_words(long_journal: Path, argv: list[str], code: int) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "runbook_tui", *argv, str(long_journal)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "XDG_CONFIG_HOME": str(long_journal.parent / "config")},
    )  # fmt: skip
    try:
        wait_until(lambda: _reading(process, long_journal), "the command to open the journal", timeout=60, alive=process)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        process.kill()
        process.wait()
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert f"runbook-tui: {argv[0]} stopped by ctrl-c" in err, err
    assert process.returncode == code, err


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["sigterm", "sighup"])
def test_replay_stopped_by_a_signal_while_it_reads_ends_with_0_in_words(long_journal: Path, sig: signal.Signals) -> None:
    """The spec gives replay one code, 0, and a signal that closes its screen ends it so (session 33); before its screen
    was up (reading a long journal) SIGTERM and a hang-up killed it by their default action (-15, -1), saying nothing."""
    process = subprocess.Popen(
        [sys.executable, "-m", "runbook_tui", "replay", str(long_journal)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "XDG_CONFIG_HOME": str(long_journal.parent / "config")},
    )  # fmt: skip
    try:
        wait_until(lambda: _reading(process, long_journal), "replay to open the journal", timeout=60, alive=process)
        process.send_signal(sig)
        _, err = process.communicate(timeout=60)
    finally:
        process.kill()
        process.wait()
    assert "Traceback" not in err, err
    assert f"runbook-tui: replay stopped by {sig.name}" in err, err
    assert process.returncode == 0, err


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["sigterm", "sighup"])
def test_resume_stopped_by_a_signal_before_its_run_ends_with_1_in_words(long_journal: Path, sig: signal.Signals) -> None:
    """run/exec/resume: a signal before the run began (a long journal still read) was their default action (-15, -1),
    saying nothing; now the words ctrl-c has there, and 1 (the spec's `aborted`), as once the run has begun."""
    process = subprocess.Popen(
        [sys.executable, "-m", "runbook_tui", "resume", str(long_journal), "--headless"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "XDG_CONFIG_HOME": str(long_journal.parent / "config"), "XDG_STATE_HOME": str(long_journal.parent / "state")},
    )  # fmt: skip
    try:
        wait_until(lambda: _reading(process, long_journal), "resume to open the journal", timeout=60, alive=process)
        process.send_signal(sig)
        _, err = process.communicate(timeout=60)
    finally:
        process.kill()
        process.wait()
    assert "Traceback" not in err, err
    assert f"runbook-tui: resume stopped by {sig.name}" in err, err
    assert process.returncode == 1, err
