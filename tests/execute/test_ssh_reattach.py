"""SshExecutor against a real sshd when things go wrong mid-run: a killed wrapper, re-attaching to a run (same key, an
older version's run, sshd stopped and started), a connection lost for good, and a timeout's kill of the remote group."""

from __future__ import annotations

import asyncio
import contextlib
import random
import subprocess
import time
from pathlib import Path

import asyncssh
import pytest
from peers import Sshd, public_line
from ssh_helpers import Collect, arun, cmd, executor, run_alone, run_one, runs_left

from runbook_tui.engine.ports import Result
from runbook_tui.execute.ssh_scripts import run_dir_name

pytestmark = pytest.mark.peers


def test_a_killed_wrapper_is_an_error_not_an_exit_code(sshd: Sshd, tmp_path: Path) -> None:
    """No exit status recorded (the wrapper was killed): say so, and keep the directory to look at."""

    async def main() -> Result:
        ex = executor(sshd, tmp_path)
        try:
            return (await run_one(ex, cmd(sshd.host("db1"), "echo going; kill -KILL $PPID")))[0]
        finally:
            await ex.close()

    result = arun(main)
    assert result.status == "error"
    assert result.error is not None and result.error.startswith("the command ended without recording an exit status")
    assert len(runs_left(tmp_path)) == 1


def test_same_key_reattaches_while_the_run_is_not_drained(sshd: Sshd, tmp_path: Path) -> None:
    """A key names one detached run until its result is received: a second client asking for it re-attaches, it does not start another."""
    marker = tmp_path / "ran"

    async def main() -> tuple[bytes, Result, bytes]:
        command = cmd(sshd.host("db1"), f"echo ran >> {marker}; echo $$; sleep 0.6; echo end", key="session/step/1")
        first, sink = executor(sshd, tmp_path), Collect()
        task = asyncio.create_task(first.run(command, sink))
        deadline = time.monotonic() + 10
        while not sink.data("stdout"):
            assert time.monotonic() < deadline and not task.done(), "no output from the first client"
            await asyncio.sleep(0.02)
        task.cancel()  # the first client dies mid-run: it never acknowledges the result
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await first.close()
        assert runs_left(tmp_path), "the run directory must stay while the run is not drained"
        second = executor(sshd, tmp_path)
        try:
            result, again, _ = await run_one(second, command)
        finally:
            await second.close()
        return sink.data("stdout"), result, again.data("stdout")

    seen, result, again = arun(main)
    assert result == Result("ok", exit_code=0)
    assert again == seen + b"end\n" and seen.strip().isdigit()
    assert marker.read_text() == "ran\n"
    assert runs_left(tmp_path) == []


def test_a_run_started_by_an_older_version_is_reattached_and_removed(sshd: Sshd, tmp_path: Path) -> None:
    """An older version kept a run's pid and exit status in `NAME.pid` and `NAME.rc`: a client of today re-attaches to such a run."""
    command = cmd(sshd.host("db1"), "never run: the run is already there", key="session/step/7")
    runs = tmp_path / "runs"
    runs.mkdir(mode=0o700)
    gone = subprocess.run(["sh", "-c", "echo $$"], capture_output=True, text=True, check=True).stdout.strip()
    prefix = runs / run_dir_name(command.key)
    for suffix, text in ((".run", "0022\n"), (".pid", f"{gone}\n"), (".out", "from before\n"), (".err", "warned\n"), (".rc", "5\n")):
        prefix.with_name(prefix.name + suffix).write_text(text)

    result, sink, _ = run_alone(sshd, tmp_path, command)
    assert result == Result("ok", exit_code=5), result
    assert (sink.data("stdout"), sink.data("stderr")) == (b"from before\n", b"warned\n")
    assert runs_left(tmp_path) == [], "all five files of the old layout are removed once drained"


def _stop_sshd_midway(sshd: Sshd, tmp_path: Path, text: str, drop_after_lines: int, down_for: float) -> tuple[Result, Collect, list[str]]:
    async def main() -> tuple[Result, Collect, list[str]]:
        ex = executor(sshd, tmp_path)
        sink, notes = Collect(), []
        try:
            task = asyncio.create_task(ex.run(cmd(sshd.host("db1"), text), sink, notes.append))
            deadline = time.monotonic() + 10
            while sink.data("stdout").count(b"\n") < drop_after_lines:
                assert time.monotonic() < deadline and not task.done(), "no output before the drop"
                await asyncio.sleep(0.02)
            await asyncio.to_thread(sshd.stop)
            await asyncio.sleep(down_for)
            await asyncio.to_thread(sshd.start)
            result = await asyncio.wait_for(task, 20)
            return result, sink, notes
        finally:
            await asyncio.to_thread(sshd.start)  # leave it running for the other tests, whatever happened
            await ex.close()

    return arun(main)


def test_dropped_connection_reattaches_without_loss_or_duplicates(sshd: Sshd, tmp_path: Path) -> None:
    text = "for i in $(seq 1 30); do echo $i; sleep 0.1; done"
    result, sink, notes = _stop_sshd_midway(sshd, tmp_path, text, drop_after_lines=5, down_for=1.0)
    assert result == Result("ok", exit_code=0), (result, notes)
    assert sink.data("stdout") == "".join(f"{i}\n" for i in range(1, 31)).encode()
    assert any(
        note.startswith("db1: its connection (db1 (127.0.0.1:") and note.endswith(") dropped (Connection lost); reconnecting (1/5)...") for note in notes
    ), notes
    assert any("re-attaching" in note for note in notes), notes


def test_command_that_ended_while_disconnected_is_drained(sshd: Sshd, tmp_path: Path) -> None:
    text = "for i in $(seq 1 8); do echo $i; echo e$i >&2; sleep 0.05; done; exit 7"
    result, sink, notes = _stop_sshd_midway(sshd, tmp_path, text, drop_after_lines=2, down_for=1.0)
    assert result == Result("ok", exit_code=7), (result, notes)
    assert sink.data("stdout") == "".join(f"{i}\n" for i in range(1, 9)).encode()
    assert sink.data("stderr") == "".join(f"e{i}\n" for i in range(1, 9)).encode()


def test_lost_for_good_says_where_the_command_is(sshd: Sshd, tmp_path: Path) -> None:
    async def main() -> tuple[Result, list[str]]:
        ex = executor(sshd, tmp_path, reconnect_attempts=2)
        sink, notes = Collect(), []
        try:
            task = asyncio.create_task(ex.run(cmd(sshd.host("db1"), "echo go; sleep 3"), sink, notes.append))
            while not sink.data("stdout"):
                await asyncio.sleep(0.02)
            await asyncio.to_thread(sshd.stop)
            return await asyncio.wait_for(task, 10), notes
        finally:
            await asyncio.to_thread(sshd.start)
            await ex.close()

    result, notes = arun(main)
    assert result.status == "error"
    assert result.error is not None
    lost = f"its connection (db1 (127.0.0.1:{sshd.port})) dropped (Connection lost)"
    assert result.error.startswith(
        f"lost connection to db1: {lost}; could not reconnect (2 attempts; the last: cannot connect to db1 (127.0.0.1:{sshd.port}): "
    )
    assert "); the command may still be running there (detached in " in result.error
    assert str(tmp_path / "runs") in result.error
    assert len(runs_left(tmp_path)) == 1, "the command may still run: its directory stays"
    assert notes[:2] == [f"db1: {lost}; reconnecting (1/2)...", f"db1: {lost}; reconnecting (2/2)..."]


def test_a_host_key_changed_while_the_connection_was_down_leaves_the_command_unknown_not_failed(sshd: Sshd, tmp_path: Path) -> None:
    """Before: `host key for db1 … not verified`, read as a failure although the command ran on (a rerun ran it twice)."""
    known = tmp_path / "known_hosts"
    known.write_text(sshd.known_hosts.read_text())

    async def main() -> Result:
        ex = executor(sshd, tmp_path, known_hosts=str(known), reconnect_attempts=2)
        sink = Collect()
        try:
            task = asyncio.create_task(ex.run(cmd(sshd.host("db1"), "echo go; sleep 3"), sink))
            deadline = time.monotonic() + 10
            while not sink.data("stdout"):
                assert time.monotonic() < deadline and not task.done(), "no output before the host key changed"
                await asyncio.sleep(0.02)
            known.write_text(f"[127.0.0.1]:{sshd.port} {public_line(asyncssh.generate_private_key('ssh-ed25519'))}\n")
            for conn in ex.connections.values():
                conn.abort()
            return await asyncio.wait_for(task, 10)
        finally:
            await ex.close()

    result = arun(main)
    assert result.status == "error" and "; could not reconnect (host key for db1 " in (result.error or ""), result
    assert "REMOTE HOST IDENTIFICATION HAS CHANGED" in (result.error or "") and "may still be running there (detached in" in (result.error or ""), result
    assert result.final, "a changed host key is never retried (`retries:` would run the command again beside the first)"
    assert len(runs_left(tmp_path)) == 1, "the command may still run: its files stay"


def test_timeout_kills_the_remote_process_group(sshd: Sshd, tmp_path: Path) -> None:
    marker = f"0.{random.randrange(10**8, 10**9)}"  # `sleep 30 0.NNN`: a unique command line to look for

    async def main() -> tuple[Result, float]:
        ex = executor(sshd, tmp_path)
        try:
            started = time.monotonic()
            result, _, _ = await run_one(ex, cmd(sshd.host("db1"), f"sleep 30 {marker}", timeout=1))
            return result, time.monotonic() - started
        finally:
            await ex.close()

    result, elapsed = arun(main)
    assert result.status == "timeout" and result.exit_code is None, result
    assert elapsed < 5
    left = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True)
    assert left.stdout == "", f"still running: {left.stdout}"
    assert runs_left(tmp_path) == []


def test_a_commands_leftovers_are_cleared_once_its_end_is_journaled_but_never_a_running_or_unended_run(sshd: Sshd, tmp_path: Path) -> None:
    """A resumed run hands its first command on a host the keys of runs an earlier process left there with their ends
    journaled (a kill between that write and their removal: engine/leftovers.py). Before, nothing ever removed them:
    the command's output stayed on the host for good. Now, once the command's own end is journaled, the follow session
    removes them; a run whose process still runs, and one that recorded no exit status (kept for a look), stay."""
    runs = tmp_path / "runs"
    runs.mkdir(mode=0o700)
    gone = subprocess.Popen(["true"])
    gone.wait()
    alive = subprocess.Popen(["sleep", "60"])
    leftovers = {
        "s/old/db1/run1": f"0022\npid {gone.pid} {gone.pid}\nrc 0\n",  # ended, its end journaled: cleared
        "s/running/db1/run1": f"0022\npid {alive.pid} {alive.pid}\n",  # still running: kept
        "s/unended/db1/run1": f"0022\npid {gone.pid} {gone.pid}\n",  # no exit status recorded: kept for a look
    }
    for key, text in leftovers.items():
        (runs / f"{run_dir_name(key)}.run").write_text(text)
        (runs / f"{run_dir_name(key)}.out").write_text("old output\n")
        (runs / f"{run_dir_name(key)}.err").write_text("")
    untouched = run_dir_name("s/other/db1/run1")  # not named: another run's, whatever it holds
    (runs / f"{untouched}.run").write_text(f"0022\npid {gone.pid} {gone.pid}\nrc 0\n")

    async def main() -> tuple[Result, list[str]]:
        ex = executor(sshd, tmp_path)
        journaled = asyncio.get_running_loop().create_future()
        try:
            result = await ex.run(cmd(sshd.host("db1"), "echo new", key="s/new/db1/run1", journaled=journaled, leftovers=tuple(leftovers)), Collect())
            kept = runs_left(tmp_path)  # nothing goes before the command's own end is journaled
            journaled.set_result(None)
        finally:
            await ex.close()
        return result, kept

    try:
        result, kept = arun(main)
    finally:
        alive.kill()
        alive.wait()
    assert result == Result("ok", exit_code=0)
    assert len(kept) == 5, kept
    assert runs_left(tmp_path) == sorted([run_dir_name("s/running/db1/run1"), run_dir_name("s/unended/db1/run1"), untouched])
