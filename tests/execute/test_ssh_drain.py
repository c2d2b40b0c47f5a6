"""Output written after the command's exit, by a child it left in the background: over SSH as on this machine.

The local executor reads each stream to its end (every writer gone), at most `EOF_GRACE_SECONDS` after the shell
exited; the SSH executor ended a host's output at the wrapper's exit: `(sleep 0.5; echo late) & echo early` read
`early` alone over SSH and `early late` locally, in the quick path (`cat` at the end) and the streamed one (`tail
--pid`) alike. Now the remote wrapper waits, as long, for every other writer of the run's output files to close them.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from collect import Collect
from peers import Sshd
from ssh_helpers import arun, cmd, executor, path_without_flock, run_alone, run_one
from waiting import until

from runbook_tui.engine.ports import Command, Result, StopSignal
from runbook_tui.execute.local import LocalExecutor
from runbook_tui.execute.ssh_sessions import STREAM_AFTER

pytestmark = pytest.mark.peers


def _both(sshd: Sshd, tmp_path: Path, text: str) -> tuple[tuple[Result, Collect, list[str]], tuple[Result, Collect, list[str]]]:
    """`text` run by the local executor and over SSH; each (result, output, notes)."""

    async def main() -> tuple[tuple[Result, Collect, list[str]], tuple[Result, Collect, list[str]]]:
        local = LocalExecutor()
        ex = executor(sshd, tmp_path)
        try:
            here = Collect(), []
            result = await local.run(Command(host=sshd.host("db1"), command=text, key="l/1"), here[0], here[1].append)
            there = await run_one(ex, cmd(sshd.host("db1"), text))
            return (result, *here), there
        finally:
            await ex.close()
            await local.close()

    return arun(main)


@pytest.mark.parametrize("before", ["", f"sleep {STREAM_AFTER * 5}; "], ids=["quick", "streamed"])
def test_output_a_background_child_writes_after_the_exit_arrives_as_locally(sshd: Sshd, tmp_path: Path, before: str) -> None:
    text = before + "(sleep 0.6; echo late; echo late-err >&2) & echo early"
    (local, here, _), (remote, there, notes) = _both(sshd, tmp_path, text)
    assert local == remote == Result("ok", exit_code=0), (local, remote)
    assert here.data("stdout") == b"early\nlate\n"
    assert there.data("stdout") == here.data("stdout"), notes
    assert there.data("stderr") == here.data("stderr") == b"late-err\n"
    assert not any("background" in note for note in notes), notes


@pytest.mark.parametrize(
    ("text", "stream", "late"),
    [
        ("(sleep 0.6; echo late) 2>/dev/null & echo early", "stdout", b"early\nlate\n"),
        ("(sleep 0.6; echo late >&2) >/dev/null & echo early", "stderr", b"late\n"),
    ],
    ids=["stdout only", "stderr only"],
)
def test_a_child_that_kept_one_of_the_two_outputs_is_waited_for(sshd: Sshd, tmp_path: Path, text: str, stream: str, late: bytes) -> None:
    """The wait is for each of the two files: a child holding the command's stderr alone (or its stdout alone) still
    writes into the result, as locally."""
    (local, here, _), (remote, there, notes) = _both(sshd, tmp_path, text)
    assert local == remote == Result("ok", exit_code=0), (local, remote)
    assert here.data(stream) == late
    assert (there.data("stdout"), there.data("stderr")) == (here.data("stdout"), here.data("stderr")), notes
    assert not any("background" in note for note in notes), notes


def test_a_child_that_kept_neither_output_is_not_waited_for(sshd: Sshd, tmp_path: Path) -> None:
    """`server >/dev/null 2>&1 &`, the usual way to leave a daemon: it holds nothing of the run's output (whatever else
    it inherited), so the step ends with the command, says nothing of a held output, and the child runs on."""
    arg = f"{30 + uuid.uuid4().int % 1000 / 1000:.3f}"
    try:
        result, sink, notes = run_alone(sshd, tmp_path, cmd(sshd.host("db1"), f"sleep {arg} >/dev/null 2>&1 & echo started"))
        alive = subprocess.run(["pgrep", "-f", f"sleep {arg}"], capture_output=True, check=False).returncode == 0
    finally:
        subprocess.run(["pkill", "-f", f"sleep {arg}"], check=False)
    assert result == Result("ok", exit_code=0), result
    assert sink.data("stdout") == b"started\n"
    assert not any("background" in note for note in notes), notes
    assert alive, "the child the command left running was killed"


@pytest.mark.parametrize("flock", [None, "#!/bin/sh\nexit 1\n"], ids=["no flock", "a flock that cannot lock"])
def test_without_a_flock_that_locks_the_wait_looks_in_proc(sshd: Sshd, tmp_path: Path, flock: str | None) -> None:
    """A host without util-linux `flock`, or whose `flock` fails there (a file system without flock locks, NFS's
    emulation wanting the file open for reading, a lock another process took first): the late output still arrives and
    a child that outlives the wait is still said, through the look at every process's fd 1 and 2 in /proc."""
    env = (("PATH", path_without_flock(tmp_path, flock)),)
    arg = f"{30 + uuid.uuid4().int % 1000 / 1000:.3f}"

    async def main() -> tuple[tuple[Result, Collect, list[str]], tuple[Result, Collect, list[str]]]:
        ex = executor(sshd, tmp_path)
        try:
            late = await run_one(ex, cmd(sshd.host("db1"), "(sleep 0.6; echo late; echo late-err >&2) & echo early", env=env))
            held = await run_one(ex, cmd(sshd.host("db1"), f"sleep {arg} & echo started", env=env))
            return late, held
        finally:
            await ex.close()

    try:
        (late, sink, notes), (held, sink_held, notes_held) = arun(main)
    finally:
        subprocess.run(["pkill", "-f", f"sleep {arg}"], check=False)
    assert late == held == Result("ok", exit_code=0), (late, held)
    assert (sink.data("stdout"), sink.data("stderr")) == (b"early\nlate\n", b"late-err\n"), notes
    assert not any("background" in note for note in notes), notes
    assert sink_held.data("stdout") == b"started\n"
    assert any("background process still holds its output open" in note for note in notes_held), notes_held


@pytest.mark.parametrize("keeps", ["", ">/dev/null", "2>/dev/null"], ids=["both", "stderr only", "stdout only"])
def test_a_background_child_holding_the_output_ends_the_wait_and_says_so(sshd: Sshd, tmp_path: Path, keeps: str) -> None:
    """As locally: the step ends a bounded time after the exit, with what came by then, and a word that reading stopped;
    whichever of the two outputs the child kept."""
    arg = f"{30 + uuid.uuid4().int % 1000 / 1000:.3f}"

    async def main() -> tuple[Result, Collect, list[str]]:
        ex = executor(sshd, tmp_path)
        try:
            return await run_one(ex, cmd(sshd.host("db1"), f"sleep {arg} {keeps} & echo started"))
        finally:
            await ex.close()

    started = time.monotonic()
    try:
        result, sink, notes = arun(main)
        took = time.monotonic() - started
    finally:
        subprocess.run(["pkill", "-f", f"sleep {arg}"], check=False)
    assert result == Result("ok", exit_code=0)
    assert sink.data("stdout") == b"started\n"
    assert took < 15, took
    assert any("background process still holds its output open" in note for note in notes), notes


def test_the_wait_for_a_held_output_never_turns_a_command_done_in_time_into_a_timeout(sshd: Sshd, tmp_path: Path) -> None:
    """`nohup server &` under `timeout: 1.5s`: done at once, as locally (ok, the held output said, the child left
    running); the wait for the output stops short of the step's deadline instead of running into it (a timeout that
    killed the server the step had just started)."""
    arg = f"{30 + uuid.uuid4().int % 1000 / 1000:.3f}"

    async def main() -> tuple[Result, Collect, list[str]]:
        ex = executor(sshd, tmp_path)
        try:
            return await run_one(ex, cmd(sshd.host("db1"), f"sleep {arg} & echo started", timeout=1.5))
        finally:
            await ex.close()

    try:
        result, sink, notes = arun(main)
        alive = subprocess.run(["pgrep", "-f", f"sleep {arg}"], capture_output=True, check=False).returncode == 0
    finally:
        subprocess.run(["pkill", "-f", f"sleep {arg}"], check=False)
    assert result == Result("ok", exit_code=0), result
    assert sink.data("stdout") == b"started\n"
    assert any("background process still holds its output open" in note for note in notes), notes
    assert alive, "the child the command left running was killed"


@pytest.mark.parametrize("how", ["timeout", "stop"])
def test_what_a_command_writes_as_it_is_stopped_arrives_as_locally(sshd: Sshd, tmp_path: Path, how: str) -> None:
    """A TERM trap's words (`cleaning up`, a migration saying what it rolled back) at a timeout or a person's stop:
    the local executor reads its pipes after the kill; over SSH the output ended where the stop began, and those
    words stayed in the run's files, removed unread."""
    text = "trap 'echo cleaning up; echo err-cleanup >&2; exit 143' TERM; echo started; sleep 60 & wait"

    async def main() -> tuple[tuple[Result, Collect], tuple[Result, Collect]]:
        local, ex = LocalExecutor(), executor(sshd, tmp_path)
        outcomes = []
        try:
            for run in (local.run, ex.run):
                stop, sink = StopSignal(), Collect()
                task = asyncio.create_task(run(cmd(sshd.host("db1"), text, stop=stop, timeout=60 if how == "stop" else 2), sink))
                if how == "stop":
                    await until(lambda: b"started" in sink.data("stdout"), "the command saying it started, before the stop", 20)  # noqa: B023
                    stop.stop("stopped by alice")
                async with asyncio.timeout(30):
                    outcomes.append((await task, sink))
        finally:
            await ex.close()
            await local.close()
        return outcomes[0], outcomes[1]

    (local, here), (remote, there) = arun(main)
    assert local == remote, (local, remote)
    assert here.data("stdout") == b"started\ncleaning up\n" and here.data("stderr") == b"err-cleanup\n"
    assert (there.data("stdout"), there.data("stderr")) == (here.data("stdout"), here.data("stderr"))
