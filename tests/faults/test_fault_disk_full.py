"""The disk fills up while the journal is written: the run stops before its next step and says why.

Two ways to fill it: RLIMIT_FSIZE on the `exec` process (SIGXFSZ ignored, so
write() fails with EFBIG) at several sizes, and, where mounting works, a real
64 KiB tmpfs holding the journal (ENOSPC). Either way no later step starts,
nothing crashes with a traceback, and once there is room again `resume`
continues from the last whole event.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fault_helpers import RUNBOOK_TUI, env_for, of_type, raw_events, run, state_of, write_runbook

from runbook_tui.engine.journal import read_events, verify


def steps(tmp_path: Path) -> list[dict[str, str]]:
    """Step one writes ~120 KB the first time of output (grouped journal writes); two and three only leave a marker."""
    return [
        # Only the first run is loud: a re-run after the disk was freed must fit in the small tmpfs.
        {
            "id": "one",
            "title": "Step one",
            "run": f"if [ -e {tmp_path}/m-one ]; then echo again; else touch {tmp_path}/m-one; seq 1 3000 | sed 's/^/padding padding padding line /'; fi",
        },
        {"id": "two", "title": "Step two", "run": f"touch {tmp_path}/m-two"},
        {"id": "three", "title": "Step three", "run": f"touch {tmp_path}/m-three"},
    ]


def limited(size: int) -> Callable[[], None]:
    def preexec() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # write() fails with EFBIG instead of the process dying
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return preexec


def assert_stopped_cleanly(result: subprocess.CompletedProcess[str], tmp_path: Path, why: str) -> None:
    both = result.stdout + result.stderr
    assert result.returncode == 1, both
    assert "Traceback" not in both and "exception was never retrieved" not in both, both
    [said] = [line for line in result.stderr.splitlines() if line.startswith("runbook-tui: ")]
    assert "cannot write the journal" in said and why in said, said
    assert not (tmp_path / "m-two").exists(), "a step started after the journal could not be written"
    assert not (tmp_path / "m-three").exists()


@pytest.mark.parametrize("limit", [600, 6_000, 40_000])
def test_a_full_disk_stops_the_run_before_the_next_step_and_says_why(tmp_path: Path, limit: int) -> None:
    rb = write_runbook(tmp_path, "disk-full", steps(tmp_path))
    journal = tmp_path / "j.jsonl"
    result = run(tmp_path, "exec", str(rb), "--solo", "disk full", "--journal", str(journal), preexec_fn=limited(limit))
    assert journal.stat().st_size <= limit
    if limit < 1_000:  # not even session_started fits: nothing was run at all
        assert_stopped_cleanly(result, tmp_path, "File too large")
        assert "nothing was run" in result.stderr
        assert not (tmp_path / "m-one").exists()
        # Nothing was run, and the same command runs once there is room: before, a cut-short session_started stayed,
        # and it said `j.jsonl exists and is not a journal: refusing to write over it` (resume: `start the run again`).
        assert journal.stat().st_size == 0, journal.read_bytes()[:200]
        again = run(tmp_path, "exec", str(rb), "--solo", "disk full", "--journal", str(journal))
        assert again.returncode == 0 and (tmp_path / "m-three").exists(), again.stdout + again.stderr
        return
    assert_stopped_cleanly(result, tmp_path, "File too large")
    assert (tmp_path / "m-one").exists()
    # What reached the disk holds together up to (at most) a half-written last line.
    read = read_events(journal)
    assert not read.problems or read.truncated_at is not None, read.problems
    events = read.events
    assert of_type(events, "step_started", step="one") and not of_type(events, "step_started", step="two")
    assert not of_type(events, "step_finished", step="one"), "step one's end was not journaled, so it is not shown as done"

    # Room again: resume continues from the last whole event; step one is unknown; re-run it and go on.
    resumed = run(tmp_path, "resume", str(journal), "--headless", "--rerun", "--continue")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "unknown" in resumed.stdout and "one" in resumed.stdout
    assert (tmp_path / "m-two").exists() and (tmp_path / "m-three").exists()
    assert verify(journal).intact
    assert run(tmp_path, "journal", "verify", str(journal)).returncode == 0
    assert state_of(journal).outcome == "done"


def cannot_mount(problem: str) -> None:
    """Where the suite runs as root or in CI (scripts/test does both) mounting must work: failing to is a failure, never a skip."""
    why = f"cannot mount a tmpfs here ({problem})"
    if os.environ.get("CI") or os.geteuid() == 0:
        pytest.fail(f"{why}; as root (or with CI set) the real full-disk case must run", pytrace=False)
    pytest.skip(f"{why}; not root: run scripts/test (as root) for the real full disk; the RLIMIT_FSIZE cases cover it meanwhile")


@contextlib.contextmanager
def small_tmpfs(where: Path) -> Iterator[Path]:
    where.mkdir()
    try:
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(where)], capture_output=True, text=True, timeout=10)
        problem = mounted.stderr.strip() if mounted.returncode != 0 else ""
    except (OSError, subprocess.TimeoutExpired) as exc:
        problem = str(exc)
    if problem:
        cannot_mount(problem)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True, timeout=10)


def test_a_real_full_filesystem_no_space_left(tmp_path: Path) -> None:
    rb = write_runbook(tmp_path, "tmpfs-full", steps(tmp_path))
    with small_tmpfs(tmp_path / "small") as small:
        filler = small / "filler"
        filler.write_bytes(b"\0" * 32 * 1024)
        journal = small / "j.jsonl"
        proc = subprocess.run(
            [*RUNBOOK_TUI, "exec", str(rb), "--solo", "disk full", "--journal", str(journal)],
            cwd=tmp_path, env=env_for(tmp_path), capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        assert_stopped_cleanly(proc, tmp_path, "No space left on device")
        assert not of_type(raw_events(journal), "step_finished", step="one")

        os.unlink(filler)  # someone made room
        resumed = run(tmp_path, "resume", str(journal), "--headless", "--rerun", "--continue")
        assert resumed.returncode == 0, resumed.stdout + resumed.stderr
        assert (tmp_path / "m-three").exists()
        assert run(tmp_path, "journal", "verify", str(journal)).returncode == 0


def test_the_disk_filling_while_a_step_still_prints_stops_the_run_in_words_not_as_a_crash(tmp_path: Path) -> None:
    """The disk fills during a step's output, with the step still printing (the next line comes after the failed group
    commit): before, the failure reached the runner wrapped by the rollout's task group, and exec said `step one
    crashed: ExceptionGroup: unhandled errors in a TaskGroup (an unexpected error; please report it)`."""
    slow = [
        {"id": "one", "title": "Step one", "run": "echo first; sleep 0.6; echo second; sleep 0.6; echo third"},
        {"id": "two", "title": "Step two", "run": f"touch {tmp_path}/m-two"},
    ]
    rb = write_runbook(tmp_path, "disk-full-mid", slow)
    measure = tmp_path / "a.jsonl"  # the same run with room, for where step one's start ends in the file
    assert run(tmp_path, "exec", str(rb), "--solo", "disk full", "--journal", str(measure)).returncode == 0
    (tmp_path / "m-two").unlink()
    lines = measure.read_bytes().splitlines(keepends=True)
    started = next(n for n, line in enumerate(lines) if of_type([json.loads(line)], "step_started", step="one"))
    limit = sum(map(len, lines[: started + 1])) + 40  # the start fits; its first output line does not
    journal = tmp_path / "b.jsonl"
    result = run(tmp_path, "exec", str(rb), "--solo", "disk full", "--journal", str(journal), preexec_fn=limited(limit))
    assert_stopped_cleanly(result, tmp_path, "File too large")
    both = result.stdout + result.stderr
    assert "crashed" not in both and "ExceptionGroup" not in both and "please report" not in both, both
    assert result.stderr.count("journal write failed") <= 1, result.stderr  # (was said again at each of the journal's watches)
    events = raw_events(journal)
    assert of_type(events, "step_started", step="one") and not of_type(events, "step_finished", step="one")
    resumed = run(tmp_path, "resume", str(journal), "--headless")
    assert "UNKNOWN" in resumed.stdout and "Nothing was re-run" in resumed.stdout, resumed.stdout + resumed.stderr
