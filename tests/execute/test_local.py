"""LocalExecutor against real processes: exit codes, streams, env/cwd, chunking, timeouts, start failures."""

from __future__ import annotations

import asyncio
import os
import shlex
import subprocess
import time
import uuid
from itertools import pairwise
from pathlib import Path

import pytest
from collect import Collect
from waiting import until, wait_until

from runbook_tui.engine.ports import Command, Result
from runbook_tui.execute.local import BULK_CHUNK_SIZE, BULK_PIPE_SIZE, CHUNK_SIZE, LocalExecutor, build_argv, exit_code
from runbook_tui.runbook.model import Host, Mark

LOCAL = Host(name="local", address="localhost", mark=Mark("<test>", 1, 1))


def run(command: str, executor: LocalExecutor | None = None, **kw: object) -> tuple[Result, Collect, list[str]]:
    sink = Collect()
    notes: list[str] = []
    cmd = Command(host=LOCAL, command=command, **kw)  # type: ignore[arg-type]
    result = asyncio.run((executor or LocalExecutor()).run(cmd, sink, notes.append))
    return result, sink, notes


def alive(marker: str) -> list[str]:
    """Live processes whose command line contains `marker` (zombies have none, so they do not count)."""
    proc = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True)
    return proc.stdout.split()


def wait_gone(marker: str, seconds: float = 5.0) -> list[str]:
    end = time.monotonic() + seconds
    while (left := alive(marker)) and time.monotonic() < end:
        time.sleep(0.05)
    return left


def unique_sleep() -> str:
    """A `sleep` argument no other process has, so pgrep finds only ours."""
    return f"{60 + uuid.uuid4().int % 10**6 / 10**7:.7f}"


@pytest.mark.parametrize("code", [0, 1, 3, 255])
def test_exit_code_is_reported_as_ok(code: int) -> None:
    result, _, _ = run(f"exit {code}")
    assert result == Result("ok", code)


def test_stdout_and_stderr_arrive_on_their_streams() -> None:
    result, sink, _ = run("echo out; echo err >&2; echo out2")
    assert result == Result("ok", 0)
    assert sink.data("stdout") == b"out\nout2\n"
    assert sink.data("stderr") == b"err\n"


def test_killed_by_signal_reads_like_the_shell() -> None:
    result, _, _ = run("kill -9 $$")
    assert result == Result("ok", 137)
    assert exit_code(-15) == 143


def test_env_is_merged_over_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RBT_INHERITED", "from-parent")
    monkeypatch.setenv("RBT_OVERRIDDEN", "old")
    result, sink, _ = run(
        'printf "%s|%s|%s" "$RBT_INHERITED" "$RBT_OVERRIDDEN" "$RBT_NEW"',
        env=(("RBT_OVERRIDDEN", "new"), ("RBT_NEW", "fresh")),
    )
    assert result == Result("ok", 0)
    assert sink.data("stdout") == b"from-parent|new|fresh"


def test_cwd(tmp_path: Path) -> None:
    result, sink, _ = run("pwd", cwd=str(tmp_path))
    assert result == Result("ok", 0)
    assert Path(sink.data("stdout").decode().strip()).resolve() == tmp_path.resolve()


def test_a_value_too_long_for_linux_names_itself_and_the_limit() -> None:
    """A 200 KB parameter value (passed as an env variable) or command text: the step said `cannot start 'sh': Argument
    list too long`, which names neither what is long nor what to do."""
    result, _, _ = run('printf %s "$BIG" | wc -c', env=(("BIG", "x" * 200_000),))
    assert result.status == "error"
    assert result.error == (
        "cannot start the command: the value in $BIG is 200,000 bytes, and Linux passes at most 131,071 in one argument or"
        " environment variable; keep data this large in a file the command reads"
    )
    result, _, _ = run("true " + "y" * 140_000)
    assert result.error is not None and result.error.startswith("cannot start the command: the command text is 140,005 bytes"), result
    result, sink, _ = run('printf %s "$BIG" | wc -c', env=(("BIG", "x" * 100_000),))
    assert result == Result("ok", 0) and sink.data("stdout").strip() == b"100000", "under the limit it runs"


def test_stdin_is_dev_null() -> None:
    result, sink, _ = run("cat; echo done", timeout=10)
    assert result == Result("ok", 0)
    assert sink.data("stdout") == b"done\n"


def test_output_comes_in_chunks_not_lines() -> None:
    """On a screen (the default), chunks of at most 64 KiB: each is work done before the next key is answered."""
    result, sink, _ = run("seq 200000")
    assert result == Result("ok", 0)
    expected = "".join(f"{i}\n" for i in range(1, 200001)).encode()
    assert sink.data("stdout") == expected
    assert sink.count("stdout") < 1000
    assert max(len(d) for _, d in sink.chunks) <= CHUNK_SIZE


def test_a_headless_flood_writes_ahead_into_a_wide_pipe_and_arrives_in_large_chunks(tmp_path: Path) -> None:
    """Headless (`bulk`, as `exec`): while the sink works on a chunk (journal, state), the command goes on writing: into
    a pipe of BULK_PIPE_SIZE, not Linux's 64 KiB; and what queued meanwhile comes in chunks of up to BULK_CHUNK_SIZE, so a
    flood makes fewer events."""
    written = tmp_path / "written"
    size = 3 * BULK_CHUNK_SIZE
    assert size < BULK_PIPE_SIZE
    chunks: list[bytes] = []

    def slow_sink(stream: str, data: bytes) -> None:
        if not chunks:  # the event loop is held here, so nothing is read until the command has written it all
            wait_until(written.exists, f"the command writing {size} bytes ahead of the reader (the pipe widened)", timeout=20)
        chunks.append(data)

    command = Command(host=LOCAL, command=f"head -c {size} /dev/zero; touch {shlex.quote(str(written))}")
    result = asyncio.run(LocalExecutor(bulk=True).run(command, slow_sink))
    assert result == Result("ok", 0)
    assert b"".join(chunks) == bytes(size)
    assert max(len(c) for c in chunks) == BULK_CHUNK_SIZE  # what queued came in chunks as large as a read gives, not 64 KiB


def test_on_a_screen_the_event_loop_gets_a_turn_between_two_chunks(tmp_path: Path) -> None:
    """A read returns at once while the reader's buffer holds data: what queued while the sink worked (here: the whole
    output) was handed on chunk after chunk in one step of the reader's task, and a key's next hop on the same event
    loop waited for all of them. Now another task runs between any two chunks."""
    written = tmp_path / "written"
    size = 60 * 1024  # fits Linux's 64 KiB pipe: the command writes it all while the first chunk is in the sink
    turns = 0
    seen: list[int] = []  # the other task's turns when each chunk came

    def slow_sink(stream: str, data: bytes) -> None:
        if not seen:  # the event loop is held here, so nothing more is read until the command has written it all
            wait_until(written.exists, f"the command writing all {size} bytes", timeout=20)
        seen.append(turns)

    async def main() -> Result:
        async def ticking() -> None:
            nonlocal turns
            while True:
                turns += 1
                await asyncio.sleep(0)

        ticker = asyncio.create_task(ticking())
        try:
            command = Command(host=LOCAL, command=f"head -c {size} /dev/zero; touch {shlex.quote(str(written))}")
            return await LocalExecutor().run(command, slow_sink)
        finally:
            ticker.cancel()

    assert asyncio.run(main()) == Result("ok", 0)
    assert len(seen) >= 3, seen
    assert all(before < after for before, after in pairwise(seen)), f"chunks handed on in one turn of the loop: {seen}"


def test_large_stdout_and_stderr_together_do_not_deadlock() -> None:
    result, sink, _ = run("seq 300000; seq 300000 >&2", timeout=30)
    assert result == Result("ok", 0)
    assert sink.data("stdout").count(b"\n") == 300000
    assert sink.data("stderr").count(b"\n") == 300000


def test_timeout_kills_the_whole_group_grandchild_included() -> None:
    arg = unique_sleep()
    started = time.monotonic()
    inner = f"sleep {arg} & sleep {arg}"
    result, _, notes = run(f"sh -c {shlex.quote(inner)}", timeout=0.5)
    assert result == Result("timeout")
    assert time.monotonic() - started < 5
    assert any("timed out" in n for n in notes)
    assert wait_gone(f"sleep {arg}") == []


def test_timeout_sigkills_what_ignores_sigterm() -> None:
    arg = unique_sleep()
    inner = f'trap "" TERM; sleep {arg} & sleep {arg}; echo survived'
    started = time.monotonic()
    result, sink, _ = run(f"sh -c {shlex.quote(inner)}", LocalExecutor(kill_grace=0.3), timeout=0.3)
    assert result == Result("timeout")
    assert time.monotonic() - started < 5
    assert b"survived" not in sink.data("stdout")
    assert wait_gone(f"sleep {arg}") == []


def test_output_before_a_timeout_is_kept() -> None:
    result, sink, _ = run("echo before; sleep 30", timeout=0.5)
    assert result == Result("timeout")
    assert sink.data("stdout") == b"before\n"


def test_missing_cwd_is_an_error_result(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    result, _, _ = run("true", cwd=str(missing))
    assert result.status == "error" and result.exit_code is None
    assert str(missing) in (result.error or "") and "does not exist" in (result.error or "")


def test_nul_byte_is_an_error_result_not_an_exception() -> None:
    result, _, _ = run("true", env=(("BAD", "a\0b"),))
    assert result.status == "error"
    assert "null byte" in (result.error or "")


def test_a_background_process_holding_stdout_does_not_hang_the_step() -> None:
    arg = unique_sleep()
    started = time.monotonic()
    result, _, notes = run(f"sleep {arg} & echo started", LocalExecutor(eof_grace=0.3))
    try:
        assert result == Result("ok", 0)
        assert time.monotonic() - started < 5
        assert any("background" in n for n in notes)
    finally:
        subprocess.run(["pkill", "-f", f"sleep {arg}"])


@pytest.mark.parametrize("via", ["env", "quoted"])
def test_hostile_values_stay_inert(tmp_path: Path, via: str) -> None:
    value = "x; touch pwned"
    if via == "env":
        result, sink, _ = run('printf "%s" "$VALUE"', cwd=str(tmp_path), env=(("VALUE", value),))
    else:
        result, sink, _ = run(f"printf '%s' {shlex.quote(value)}", cwd=str(tmp_path))
    assert result == Result("ok", 0)
    assert sink.data("stdout") == value.encode()
    assert not (tmp_path / "pwned").exists()


def test_cancelling_a_run_kills_its_group() -> None:
    arg = unique_sleep()

    async def scenario() -> None:
        executor = LocalExecutor()
        task = asyncio.create_task(executor.run(Command(LOCAL, f"sleep {arg} & sleep {arg}"), lambda s, d: None))
        for _ in range(100):
            if alive(f"sleep {arg}"):
                break
            await asyncio.sleep(0.02)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())
    assert wait_gone(f"sleep {arg}") == []


def test_cancelled_while_its_shell_starts_a_run_leaves_nothing_running(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A SIGTERM (or q) that cancels the run while asyncio is still connecting the new shell's pipes: asyncio's clean-up
    killed the shell alone, and the shell's own child ran on, orphaned (`sleep` of `sleep 30; echo done`, about one
    SIGTERM in fifteen sent as `step_started` printed). Now the start is shielded and then its whole group is killed."""
    from asyncio import unix_events

    arg = unique_sleep()
    child = tmp_path / "child"
    original = unix_events._UnixSubprocessTransport._start
    runs: list[asyncio.Task[Result]] = []

    def start(self: object, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        deadline = time.monotonic() + 10
        while not child.exists():  # the shell has started its child: the cancel comes in the window before the pipes connect
            assert time.monotonic() < deadline, "the shell never started its child"
            time.sleep(0.01)
        runs[0].cancel()

    monkeypatch.setattr(unix_events._UnixSubprocessTransport, "_start", start)

    async def scenario() -> None:
        runs.append(asyncio.create_task(LocalExecutor().run(Command(LOCAL, f"sleep {arg} >/dev/null 2>&1 & echo $! > {child}; wait"), lambda s, d: None)))
        with pytest.raises(asyncio.CancelledError):
            await runs[0]

    asyncio.run(scenario())
    assert wait_gone(f"sleep {arg}") == []


def test_close_while_a_shell_starts_kills_what_it_started(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The program stops (SIGTERM, q) and closes its executor while a step's shell is still being started: close()
    knew only the groups already started, so that shell and its child ran on after the program (one exec in about ten,
    SIGTERM sent as `step_started` printed). Now close() waits for the start and kills the new group too."""
    from asyncio import unix_events

    arg = unique_sleep()
    child = tmp_path / "child"
    original = unix_events._UnixSubprocessTransport._start
    executor = LocalExecutor()
    closing: list[asyncio.Task[None]] = []

    def start(self: object, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        deadline = time.monotonic() + 10
        while not child.exists():  # the shell has started its child, and its pipes are not connected yet
            assert time.monotonic() < deadline, "the shell never started its child"
            time.sleep(0.01)
        closing.append(asyncio.get_running_loop().create_task(executor.close()))

    monkeypatch.setattr(unix_events._UnixSubprocessTransport, "_start", start)

    async def scenario() -> list[str]:
        run = asyncio.create_task(executor.run(Command(LOCAL, f"sleep {arg} >/dev/null 2>&1 & echo $! > {child}; wait"), lambda s, d: None))
        for _ in range(500):
            if closing:
                break
            await asyncio.sleep(0.01)
        await closing[0]
        left = await asyncio.to_thread(wait_gone, f"sleep {arg}")  # right after close(), before anything else ends it
        run.cancel()
        await asyncio.gather(run, return_exceptions=True)
        return left

    assert asyncio.run(scenario()) == []


def test_a_raising_sink_propagates_and_kills_the_group() -> None:
    arg = unique_sleep()

    def sink(stream: str, data: bytes) -> None:
        raise RuntimeError("sink bug")

    with pytest.raises(RuntimeError, match="sink bug"):
        asyncio.run(LocalExecutor().run(Command(LOCAL, f"echo hi; sleep {arg}"), sink))
    assert wait_gone(f"sleep {arg}") == []


def test_sudo_prefix_only_when_not_root() -> None:
    cmd = Command(LOCAL, "id -u", env=(("A", "1"), ("TOKEN", "s3cret")), sudo=True)
    assert build_argv(cmd, euid=0) == ["sh", "-c", "id -u"]
    argv = build_argv(cmd, euid=1000)
    assert argv == ["sudo", "-n", "--preserve-env=A,TOKEN", "--", "sh", "-c", "id -u"]
    assert not any("s3cret" in a for a in argv)
    assert build_argv(Command(LOCAL, "id -u", sudo=True), euid=1000) == ["sudo", "-n", "--", "sh", "-c", "id -u"]
    assert build_argv(Command(LOCAL, "id -u"), euid=1000) == ["sh", "-c", "id -u"]


@pytest.mark.skipif(os.geteuid() != 0, reason="runs as root only")
def test_sudo_as_root_runs_directly() -> None:
    result, sink, _ = run("id -u", sudo=True)
    assert result == Result("ok", 0)
    assert sink.data("stdout") == b"0\n"


def test_a_sudo_that_refuses_is_said_in_its_own_words_and_the_command_never_starts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not root, with a `sudo` on PATH that wants a password (this machine has none to refuse): before, `exit 1` and
    sudo's line among the command's output; now the command is not started and the error says that sudo refused."""
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "sudo").write_text("#!/bin/sh\necho 'sudo: a password is required' >&2\nexit 1\n", encoding="utf-8")
    (fake / "sudo").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}:{os.environ['PATH']}")
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    marker = tmp_path / "ran"
    result, sink, _ = run(f"touch {marker}", sudo=True)
    assert result.status == "error" and result.started is False, result
    assert result.error is not None and result.error.startswith("sudo -n refused to run the command as root for "), result.error
    assert result.error.endswith(": sudo: a password is required; the command was not started"), result.error
    assert sink.chunks == [] and not marker.exists()


def test_close_with_nothing_running() -> None:
    asyncio.run(LocalExecutor().close())


@pytest.mark.asyncio
async def test_output_waits_while_a_key_is_handled_and_none_is_lost(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The screen holds output back while a key's action and frame run (`KEYS`); released, every byte comes, in order."""
    from runbook_tui.engine import keys_first

    monkeypatch.setattr(keys_first, "HOLD_SECONDS", 60.0)
    printed = tmp_path / "printed"
    os.mkfifo(printed)
    sink = Collect()
    keys_first.KEYS.hold()
    try:
        command = f"seq 3; echo printed > {shlex.quote(str(printed))}; seq 4 6"
        task = asyncio.create_task(LocalExecutor().run(Command(host=LOCAL, command=command), sink))
        said = await asyncio.wait_for(asyncio.to_thread(printed.read_text), 30)  # the command has printed its first lines
        assert said == "printed\n", said
        await asyncio.wait({task}, timeout=0.2)  # what must not happen (a read of those lines): bounded by time
        assert sink.chunks == [], "output was read while a key was being handled"
    finally:
        keys_first.KEYS.release()
        _unblock_reader(printed)
    result = await asyncio.wait_for(task, 30)
    assert result.status == "ok" and sink.data("stdout") == b"1\n2\n3\n4\n5\n6\n"


@pytest.mark.asyncio
async def test_a_chunk_read_as_a_key_arrives_waits_for_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A reader already waiting in `read` when a key arrives got its chunk after the key's hold began, and handed it on:
    journaled before the key's decision, whose fsync then waited for that chunk too (a flooding `p`: 256 KiB more to
    write and sync). The chunk now waits for the key's frame as the next read would; released, every byte comes, in order."""
    from runbook_tui.engine import keys_first

    monkeypatch.setattr(keys_first, "HOLD_SECONDS", 60.0)
    late = tmp_path / "late"
    os.mkfifo(late)
    sink = Collect()
    command = f"echo first; cat {shlex.quote(str(late))}"
    task = asyncio.create_task(LocalExecutor().run(Command(host=LOCAL, command=command), sink))
    try:
        await until(lambda: sink.data("stdout") == b"first\n", "the first line handed on")
        await asyncio.wait({task}, timeout=0.1)  # the reader back in `read`, waiting for more: bounded by time
        keys_first.KEYS.hold()
        await asyncio.wait_for(asyncio.to_thread(late.write_text, "late\n"), 30)  # printed while the key is handled
        await asyncio.wait({task}, timeout=0.3)  # what must not happen (the chunk handed on): bounded by time
        assert sink.data("stdout") == b"first\n", "a chunk was handed on while a key was being handled"
    finally:
        keys_first.KEYS.release()
        _unblock_reader(late)
    result = await asyncio.wait_for(task, 30)
    assert result.status == "ok" and sink.data("stdout") == b"first\nlate\n"


def _unblock_reader(fifo: Path) -> None:
    """A reader still blocked on `fifo` (the command never wrote to it) gets end-of-file, so its thread ends."""
    try:
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    except OSError:  # no reader left: nothing to unblock
        pass


def test_a_cwd_starting_with_tilde_is_in_home_as_over_ssh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: `cwd: ~/app` ran over SSH in the remote $HOME/app but locally failed (no folder named `~` in the
    current directory) or, worse, ran in a folder named `~` there. Now `~` and `~/DIR` mean $HOME locally too;
    `~user` is a folder of that name on both (neither shell sees a tilde to expand in a quoted word)."""
    home = tmp_path / "home"
    (home / "app dir").mkdir(parents=True)
    (tmp_path / "work" / "~" / "app dir").mkdir(parents=True)  # the folder the literal reading would have used
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path / "work")
    for cwd, expected in (("~", home), ("~/app dir", home / "app dir"), ("~/", home)):
        result, sink, _ = run("pwd -P", cwd=cwd)
        assert result == Result("ok", 0), (cwd, result)
        assert Path(sink.data("stdout").decode().strip()) == expected.resolve(), cwd
    result, _, _ = run("true", cwd="~nosuchuser/x")
    assert result.status == "error" and "'~nosuchuser/x' does not exist" in (result.error or "")
