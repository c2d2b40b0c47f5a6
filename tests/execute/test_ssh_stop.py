"""A person's stop of a step running over SSH: the remote process group gets TERM (then KILL), its files go, and the
result says who stopped it (engine/step_stop.py)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from peers import Sshd, make_sshd
from ssh_helpers import Collect, arun, cmd, executor, runs_left
from waiting import until, wait_until

from runbook_tui.engine.ports import Result, StopSignal
from runbook_tui.execute.ssh_scripts import run_dir_name

pytestmark = pytest.mark.peers


def test_a_stop_terms_the_remote_process_group_and_says_who(sshd: Sshd, tmp_path: Path) -> None:
    marks = tmp_path / "marks"
    script = f"trap 'echo got-term >> {marks}; exit 143' TERM; echo $$ > {tmp_path}/pid; echo started; sleep 60 & wait"

    async def main() -> tuple[Result, Collect, list[str]]:
        ex = executor(sshd, tmp_path)
        stop = StopSignal()
        sink, notes = Collect(), []
        try:
            task = asyncio.create_task(ex.run(cmd(sshd.host("db1"), script, stop=stop), sink, notes.append))
            ended = lambda: f"the command ended ({task.result()})" if task.done() else None  # noqa: E731
            await until(lambda: b"started" in sink.data("stdout"), "the remote command saying it started, before the stop", 15, failed=ended)
            stop.stop("stopped by alice")
            async with asyncio.timeout(15):
                return await task, sink, notes
        finally:
            await ex.close()

    result, _, notes = arun(main)
    assert result == Result("stopped", error="stopped by alice")
    assert notes == ["db1: stopped by alice: stopping its process group"]
    assert marks.read_text() == "got-term\n", "the remote shell got TERM"
    pid = int((tmp_path / "pid").read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert runs_left(tmp_path) == [], "the run's files are removed once it is stopped"


def test_a_stop_while_the_connection_is_still_opening_says_the_command_never_started(sshd: Sshd, tmp_path: Path) -> None:
    """A host whose port takes the connection and never greets: stopped (or timed out) while connecting, nothing ran there.

    Before: the stop connected once more to kill a process group that never existed, waited out that connect
    timeout, then said `could not stop the command on db9 (...); it may still be running there`; a timeout the same.
    """

    async def main() -> tuple[Result, list[str], Result, int, float]:
        held: list[asyncio.StreamWriter] = []
        silent = await asyncio.start_server(lambda _r, w: held.append(w), "127.0.0.1", 0)  # takes the connection, says nothing
        host = sshd.host("db9", port=silent.sockets[0].getsockname()[1])
        ex = executor(sshd, tmp_path, connect_timeout=30)
        stop, notes = StopSignal(), []
        try:
            task = asyncio.create_task(ex.run(cmd(host, "true", stop=stop), Collect(), notes.append))
            ended = lambda: f"the run ended ({task.result()})" if task.done() else None  # noqa: E731
            await until(lambda: held, "the connection reaching the silent port", 10, failed=ended)
            stop.stop("stopped by alice")
            async with asyncio.timeout(10):
                stopped = await task
            started = asyncio.get_running_loop().time()
            async with asyncio.timeout(10):
                timed_out = await ex.run(cmd(host, "true", timeout=0.5), Collect())
            return stopped, notes, timed_out, len(held), asyncio.get_running_loop().time() - started
        finally:
            await ex.close()
            silent.close()

    stopped, notes, timed_out, connections, took = arun(main)
    never = "the command never started on db9: its connection was not open yet"
    assert stopped == Result("stopped", error=f"stopped by alice; {never}", started=False)
    assert notes == [], "no process group to stop: nothing reached the host"
    assert timed_out == Result("timeout", error=never, started=False)
    assert connections == 2 and took < 5, "one connection per run, none more to kill what never started"


def test_a_stopped_runs_files_stay_until_its_end_is_journaled(sshd: Sshd, tmp_path: Path) -> None:
    """A timeout (or a person's stop) kills the run's group at once, but its files go only once its end is journaled.

    Before: the kill script removed them as soon as the group was gone, before the program journaled the step's end:
    a `kill -9` in between left `resume` a step `unknown` with nothing on the host to follow, and `--rerun` started the
    command again (tests/integration/test_cli_kill9_stopped.py). A journal that never gets the end keeps them."""

    async def main() -> tuple[Result, Result, list[str], list[str], list[str]]:
        ex = executor(sshd, tmp_path)
        loop = asyncio.get_running_loop()
        journaled, never = loop.create_future(), loop.create_future()
        try:
            first = await ex.run(cmd(sshd.host("db1"), "echo started; sleep 60", timeout=0.5, key="t/a/1", journaled=journaled), Collect())
            second = await ex.run(cmd(sshd.host("db1"), "echo started; sleep 60", timeout=0.5, key="t/b/1", journaled=never), Collect())
            kept = runs_left(tmp_path)  # both killed, neither end journaled yet
            journaled.set_result(None)
            await until(lambda: len(runs_left(tmp_path)) <= 1, lambda: f"the journaled run's files removed (left: {runs_left(tmp_path)})", 10)
            removed = runs_left(tmp_path)
        finally:
            await ex.close()  # `never` is cancelled: that end will not be journaled by this process
        return first, second, kept, removed, runs_left(tmp_path)

    first, second, kept, removed, closed = arun(main)
    assert first == second == Result("timeout")
    assert len(kept) == 2, kept
    assert removed == closed == [run_dir_name("t/b/1")], (removed, closed)


def test_a_login_printing_without_a_newline_does_not_hide_that_the_stop_worked(tmp_path: Path) -> None:
    """A login that prints a word with no newline before the session's own output (a ForceCommand here, a `printf` in
    a ~/.bashrc alike): the stop's `stopped 0` arrives on the same line as that noise. Before it was not recognised:
    the client waited for the line until its limit and said `could not stop the command on db1 (…)` of a command that
    had been stopped."""
    (tmp_path / "sshd").mkdir()
    noisy = make_sshd(tmp_path / "sshd", {"SetEnv": "SHLVL=1", "ForceCommand": 'printf welcome; eval "$SSH_ORIGINAL_COMMAND"'})

    async def main() -> tuple[Result, float]:
        ex = executor(noisy, tmp_path, kill_grace=0.5)
        try:
            started = asyncio.get_running_loop().time()
            result = await ex.run(cmd(noisy.host("db1"), "echo started; sleep 60", timeout=0.5), Collect())
            return result, asyncio.get_running_loop().time() - started
        finally:
            await ex.close()

    try:
        result, took = arun(main)
    finally:
        noisy.stop()
    assert result == Result("timeout"), result
    assert took < 5, f"the stop took {took:.1f}s"
    assert runs_left(tmp_path) == []


@pytest.mark.parametrize("how", ["timeout", "stop"])
def test_a_stop_that_comes_before_a_slow_login_has_begun_the_command_keeps_it_from_ever_starting(tmp_path: Path, how: str) -> None:
    """The host's login takes 4 s for the session that starts the command (an automount, a directory lookup warming up)
    and none for the next: the timeout or the stop comes while the command's session is still in that login, so the
    stop session finds nothing to stop. Before: `timed out` (or `stopped by alice`) and nothing else, and 3 s later the
    late session started the command anyway, which ran to its end unwatched, its files left on the host."""
    (tmp_path / "sshd").mkdir()
    first = tmp_path / "first-login"
    slow = f'if [ ! -e {first} ]; then : > {first}; sleep 4; fi; eval "$SSH_ORIGINAL_COMMAND"'
    host = make_sshd(tmp_path / "sshd", {"ForceCommand": slow})
    began, ended = tmp_path / "began", tmp_path / "ended"

    async def main() -> Result:
        ex = executor(host, tmp_path)
        stop = StopSignal()
        command = cmd(host.host("db1"), f"touch {began}; sleep 2; touch {ended}", timeout=1 if how == "timeout" else None, stop=stop)
        try:
            task = asyncio.create_task(ex.run(command, Collect()))
            await until(first.exists, "the command's session in its slow login", 15, failed=lambda: f"the run ended: {task.result()}" if task.done() else None)
            if how == "stop":
                stop.stop("stopped by alice")
            async with asyncio.timeout(30):
                return await task
        finally:
            await ex.close()

    try:
        result = arun(main)
        never = "the command never started on db1: the host had not begun it yet (a slow login?), and now it never will"
        assert result == (
            Result("timeout", error=never, started=False) if how == "timeout" else Result("stopped", error=f"stopped by alice; {never}", started=False)
        ), result
        wait_until(lambda: runs_left(tmp_path) == [], lambda: f"the late session to find the run stopped and clear it: {runs_left(tmp_path)}", 30)
    finally:
        host.stop()
    assert not began.exists() and not ended.exists(), "the command started after it was said to be stopped"


def test_a_host_that_answers_neither_the_command_nor_the_stop_says_how_long_the_stop_waited(tmp_path: Path) -> None:
    """The host's login never ends (here a ForceCommand that sleeps): the timeout's stop session hangs in it too.
    Before: `could not stop the command on db1 (TimeoutError); …`, a Python class name for words."""
    (tmp_path / "sshd").mkdir()
    host = make_sshd(tmp_path / "sshd", {"ForceCommand": "sleep 30"})

    async def main() -> Result:
        ex = executor(host, tmp_path, kill_grace=0.5, connect_timeout=2)
        try:
            async with asyncio.timeout(60):
                return await ex.run(cmd(host.host("db1"), "true", key="hung/db1/run1", timeout=1), Collect())
        finally:
            await ex.close()

    try:
        result = arun(main)
    finally:
        host.stop()
    where = f"{tmp_path}/runs/{run_dir_name('hung/db1/run1')}.*"
    assert result == Result(
        "timeout",
        error=f"could not stop the command on db1 (the host did not answer the stop within 7.5s); it may still be running there (detached in {where})",
    ), result


def test_a_command_that_removed_its_run_files_is_not_said_stopped_at_its_timeout(sshd: Sshd, tmp_path: Path) -> None:
    """It began (the host said so), removed the runs folder, and runs on: nothing there names its processes any more.
    Before: the stop found no files, took that for nothing left to stop, and the result read as stopped."""
    runs = tmp_path / "runs"

    async def main() -> Result:
        ex = executor(sshd, tmp_path)
        try:
            async with asyncio.timeout(60):
                return await ex.run(cmd(sshd.host("db1"), f"rm -rf {runs}; echo gone; sleep 6", key="gone/db1/run1", timeout=3), Collect())
        finally:
            await ex.close()

    result = arun(main)
    where = f"{runs}/{run_dir_name('gone/db1/run1')}.*"
    said = "its run's files are gone (did the command remove them?), so nothing there names its processes"
    assert result == Result("timeout", error=f"could not stop the command on db1 ({said}); it may still be running there (detached in {where})"), result
    assert runs_left(tmp_path) == [], "no file is made in its place"
