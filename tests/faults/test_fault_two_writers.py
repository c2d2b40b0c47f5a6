"""A second writer of one journal: `resume` while the run is still going, and two resumes at once.

Nothing stopped it before: both processes appended from their own idea of the next seq (the hash chain forked,
`journal verify` failed, `report` refused the journal) and every remaining step ran twice. The process writing a
journal holds its lock until it ends; a resume of it meanwhile is refused and changes nothing.
"""

from __future__ import annotations

import os
import select
import subprocess
import time
from pathlib import Path

from fault_helpers import RUNBOOK_TUI, env_for, run, write_runbook


def _started(run: subprocess.Popen[str], step: str, seconds: float = 30) -> None:
    """Read exec's event lines until it says `step` started (`HH:MM:SS step_started  STEP ...`).

    Reads the pipe's descriptor with `os.read`: a buffered `readline` after `select` can hold the awaited line in
    Python's buffer while `select` waits for bytes that never come.
    """
    assert run.stdout is not None
    descriptor = run.stdout.fileno()
    deadline = time.monotonic() + seconds
    pending = b""
    while (left := deadline - time.monotonic()) > 0 and select.select([descriptor], [], [], left)[0]:
        chunk = os.read(descriptor, 65536)
        if not chunk:
            break  # exec ended
        *lines, pending = (pending + chunk).split(b"\n")
        if any(line.split()[1:3] == [b"step_started", step.encode()] for line in lines):
            return
    raise AssertionError(f"'{step}' did not start within {seconds:g} s")


def gated_steps(gate: Path, one: str = "echo one >> ledger") -> list[dict[str, str]]:
    """Three steps writing their names into `ledger`; the second waits for `gate` to exist."""
    return [
        {"id": "one", "title": "One", "run": one},
        {"id": "two", "title": "Two", "run": f"echo two >> ledger; while [ ! -e {gate} ]; do sleep 0.05; done"},
        {"id": "three", "title": "Three", "run": "echo three >> ledger"},
    ]


def start(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    """`runbook-tui ARGS` started in tmp_path, its output piped, stdin closed (headless)."""
    return subprocess.Popen(
        [*RUNBOOK_TUI, *args], cwd=tmp_path, env=env_for(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
    )  # fmt: skip


def test_resume_of_a_run_still_going_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    runbook = write_runbook(tmp_path, "writers", gated_steps(gate))
    journal = tmp_path / "J.jsonl"
    first = start(tmp_path, "exec", str(runbook), "--solo", "t", "--journal", str(journal))
    try:
        _started(first, "two")
        before = journal.read_bytes()
        for args in (["--headless"], ["--rerun", "--continue", "--solo", "t2"]):
            second = run(tmp_path, "resume", str(journal), *args)
            assert second.returncode == 1, (args, second.stdout, second.stderr)
            assert "is being written by another runbook-tui process" in second.stderr, second.stderr
            assert "Traceback" not in second.stderr
        assert journal.read_bytes()[: len(before)] == before, "the refused resume changed the journal"
    finally:
        gate.touch()
        assert first.wait(30) == 0, first.stderr.read() if first.stderr else ""
    assert (tmp_path / "ledger").read_text().split() == ["one", "two", "three"], "a step ran twice"
    verify = run(tmp_path, "journal", "verify", str(journal))
    assert verify.returncode == 0, verify.stdout + verify.stderr
    finished = run(tmp_path, "resume", str(journal), "--headless")  # the writer is gone: the lock went with it
    assert finished.returncode == 0 and "already finished (done)" in finished.stderr, finished.stderr  # exits as run: done


def test_resume_of_a_copy_of_a_run_still_going_is_refused_naming_the_process(tmp_path: Path) -> None:
    """The lock is on the journal the run writes, not on a copy of it (`cp J K` while the step runs): the resume of the
    copy said "the run's process was found stopped" and `--rerun --continue` ran the step a second time beside the first."""
    gate = tmp_path / "gate"
    steps = [
        {"id": "one", "title": "One", "run": f"echo one >> ledger; while [ ! -e {gate} ]; do sleep 0.05; done"},
        {"id": "two", "title": "Two", "run": "echo two >> ledger"},
    ]
    runbook = write_runbook(tmp_path, "copied", steps)
    journal, copy = tmp_path / "J.jsonl", tmp_path / "K.jsonl"
    first = start(tmp_path, "exec", str(runbook), "--solo", "t", "--journal", str(journal))
    try:
        _started(first, "one")
        copy.write_bytes(journal.read_bytes())
        before = copy.read_bytes()
        for args in (["--headless"], ["--rerun", "--continue", "--solo", "t2"]):
            second = run(tmp_path, "resume", str(copy), *args)
            assert second.returncode == 1, (args, second.stdout, second.stderr)
            assert f"written by runbook-tui process {first.pid} on " in second.stderr and "which still runs" in second.stderr, second.stderr
            assert "end that one first" in second.stderr and "found stopped" not in second.stdout + second.stderr
        assert copy.read_bytes() == before, "the refused resume changed the copy"
        assert (tmp_path / "ledger").read_text().split() == ["one"], "the step ran a second time beside the first"
    finally:
        gate.touch()
        assert first.wait(30) == 0, first.stderr.read() if first.stderr else ""
    # The run's process has ended: the copy, where step one still runs, is resumed as any journal whose process died.
    looked = run(tmp_path, "resume", str(copy), "--headless")
    assert "the run's process was found stopped" in looked.stdout, looked.stdout + looked.stderr


def test_two_resumes_of_one_journal_at_once_one_acts_the_other_is_refused_in_words(tmp_path: Path) -> None:
    """Two assignees at two terminals `resume` the same stopped run: the second, while the first still acts, is
    refused and changes nothing; each remaining step runs once."""
    gate = tmp_path / "gate"
    runbook = write_runbook(tmp_path, "resumers", gated_steps(gate, "echo one >> ledger; kill -9 $PPID"))
    journal = tmp_path / "J.jsonl"
    assert run(tmp_path, "exec", str(runbook), "--solo", "t", "--journal", str(journal)).returncode == -9
    first = start(tmp_path, "resume", str(journal), "--headless", "--mark-done", "saw it", "--continue", "--solo", "alice")
    try:
        _started(first, "two")
        before = journal.read_bytes()
        for args in (["--headless"], ["--headless", "--rerun", "--continue", "--solo", "bob"], ["--headless", "--mark-done", "me too", "--continue"]):
            second = run(tmp_path, "resume", str(journal), *args)
            assert second.returncode == 1, (args, second.stdout, second.stderr)
            assert "is being written by another runbook-tui process (the run, or a resume of it, is still going)" in second.stderr, second.stderr
            assert "Traceback" not in second.stdout + second.stderr
        assert journal.read_bytes()[: len(before)] == before, "the refused resume changed the journal"
    finally:
        gate.touch()
        assert first.wait(30) == 0, first.stderr.read() if first.stderr else ""
    assert (tmp_path / "ledger").read_text().split() == ["one", "two", "three"], "a step ran twice"
    assert run(tmp_path, "journal", "verify", str(journal)).returncode == 0
