"""Run commands on this machine with asyncio subprocesses.

Each command gets its own session and process group, so a timeout or an
abort can kill everything it started (a `cmd &` grandchild included), not
just the shell. Output is read in fixed-size chunks, never line by line and
never whole: a step printing a million lines costs bounded memory here, and
the sink (journal, screen) decides how to split it.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import os
import signal
from collections.abc import Iterable, Sequence
from typing import Any

from runbook_tui.engine.keys_first import KEYS, settle
from runbook_tui.engine.ports import KILL_GRACE_SECONDS, NO_RUN_TO_FOLLOW, Command, OutputSink, Result, StatusSink, Stream
from runbook_tui.execute.sudo_probe import local_refusal
from runbook_tui.runbook.arg_limit import ONE_STRING_LIMIT, size, too_long
from runbook_tui.runbook.model import Host

#: Bytes asked for per read; what the sink gets at most per call. A slow command's output comes in whatever has arrived;
#: a flood in chunks this big: every chunk is an `output` event (journaled, hashed, folded into the state, shown).
#: On a screen a person uses, a chunk is work the event loop does before the next key (a 64 KiB chunk took up to 13 ms
#: of it): 16 KiB keeps a key's wait during a flood to a few ms (`bench/keypress.py`).
CHUNK_SIZE = 16 * 1024
#: Headless (`exec`): nobody presses keys, so fewer, larger events cost less per line (`bench/output.py`): chunks this
#: big, and each output pipe asked for BULK_PIPE_SIZE (Linux's default is 64 KiB, its unprivileged maximum 1 MiB),
#: room for a flood to queue a whole chunk, and more, while the last one is being journaled.
BULK_CHUNK_SIZE = 256 * 1024
BULK_PIPE_SIZE = 1024 * 1024
#: Seconds to wait for end-of-output after the shell exited: a background
#: process (`daemon &`) that keeps stdout open must not hang the step forever.
EOF_GRACE_SECONDS = 2.0
#: Said when that wait ran out (here, and over SSH: `ssh_scripts.DRAIN`).
HELD_OPEN = "the command exited but a background process still holds its output open: stopped reading"


def build_argv(command: Command, *, euid: int | None = None) -> list[str]:
    """The argv for `command`: `sh -c TEXT`, behind `sudo -n` when it needs root and we are not.

    `-n` because there is no terminal to type a password into: sudo fails at
    once with its own message instead of waiting. Environment variables are
    passed by name (`--preserve-env=A,B`), so their values (maybe secrets)
    never show in argv, where `ps` would see them.
    """
    as_root = (os.geteuid() if euid is None else euid) == 0
    shell = ["sh", "-c", command.command]
    if not command.sudo or as_root:
        return shell
    argv = ["sudo", "-n"]
    if command.env:
        argv.append("--preserve-env=" + ",".join(name for name, _ in command.env))
    return [*argv, "--", *shell]


def exit_code(returncode: int) -> int:
    """A shell's view of how a process ended: killed by signal N reads as 128+N, as `$?` shows it."""
    return 128 - returncode if returncode < 0 else returncode


class LocalExecutor:
    """An `Executor` for the machine the program runs on; `bulk`: output in large chunks, for a run nobody watches keys in."""

    def __init__(self, *, bulk: bool = False, kill_grace: float = KILL_GRACE_SECONDS, eof_grace: float = EOF_GRACE_SECONDS) -> None:
        self._bulk = bulk
        self._chunk = BULK_CHUNK_SIZE if bulk else CHUNK_SIZE
        self._kill_grace = kill_grace
        self._eof_grace = eof_grace
        self._groups: set[int] = set()  # process groups still running, for close()
        self._spawning: set[asyncio.Future[Any]] = set()  # shells being started, not yet in _groups, for close()

    async def run(self, command: Command, output: OutputSink, status: StatusSink | None = None) -> Result:
        """Run `command` to its end; a failure to start, a non-zero exit or a timeout is a `Result`, not an exception."""
        if command.follow_only:  # a local command leaves no detached run behind to follow
            return Result("error", error=f"{NO_RUN_TO_FOLLOW} to follow on this machine", started=False)
        argv = build_argv(command)
        if argv[0] == "sudo" and (refused := await local_refusal()):  # sudo's own words, the command not started
            return Result("error", error=refused, started=False)
        env = {**os.environ, **dict(command.env)}
        loop = asyncio.get_running_loop()
        spawn = asyncio.ensure_future(
            loop.subprocess_exec(
                lambda: _Protocol(loop, self._chunk),
                *argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                cwd=local_cwd(command.cwd),
                env=env,
                start_new_session=True,
            )
        )
        self._spawning.add(spawn)
        try:
            transport, protocol = await asyncio.shield(spawn)
        except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the command or env
            return Result("error", error=_cannot_start(command, argv, exc), started=False)
        except asyncio.CancelledError:
            # Cancelled (SIGTERM, q) while the shell was starting: asyncio's own clean-up killed the shell alone, and what it
            # had started (`sleep` in `sleep 30; echo done`) ran on, orphaned. Shielded, the start ends; then its group goes.
            await _kill_spawned(spawn, close_pipes=True)
            raise
        finally:
            self._spawning.discard(spawn)

        proc = asyncio.subprocess.Process(transport, protocol, loop)
        if self._bulk:
            _widen_pipes(transport)
        pgid = proc.pid  # start_new_session: the shell leads its own group
        self._groups.add(pgid)
        assert proc.stdout is not None and proc.stderr is not None
        readers = [
            asyncio.create_task(_pump(proc.stdout, "stdout", output, self._chunk)),
            asyncio.create_task(_pump(proc.stderr, "stderr", output, self._chunk)),
        ]
        try:
            return await self._supervise(proc, protocol.exited, pgid, readers, command, status)
        except BaseException:
            # Cancelled (abort) or a sink raised (a bug): leave nothing running behind us.
            _signal_group(pgid, signal.SIGKILL)
            for task in readers:
                task.cancel()
            raise
        finally:
            self._groups.discard(pgid)
            transport.close()  # the pipes, even if a background process still holds their other end

    async def release(self, hosts: Sequence[Host]) -> None:
        """Nothing is held per host."""

    async def close(self) -> None:
        """Kill whatever is still running (a run left to go on when the program stops: SIGTERM, q); a shell still being
        started is awaited first (its group was not known yet: close() missed it, and it ran on after the program)."""
        for spawn in list(self._spawning):
            await _kill_spawned(spawn, close_pipes=False)  # its run goes on to see it killed, as a run in _groups does
        for pgid in list(self._groups):
            _signal_group(pgid, signal.SIGKILL)
        self._groups.clear()

    async def _supervise(
        self,
        proc: asyncio.subprocess.Process,
        exited: asyncio.Future[None],
        pgid: int,
        readers: list[asyncio.Task[None]],
        command: Command,
        status: StatusSink | None,
    ) -> Result:
        loop = asyncio.get_running_loop()
        timeout = command.timeout
        deadline = None if timeout is None else loop.time() + timeout
        stopped: asyncio.Future[None] = loop.create_future()
        forget = command.stop.on_stop(lambda: settle(stopped)) if command.stop else None
        pending: set[asyncio.Future[None]] = {exited, stopped, *readers}
        try:
            while not exited.done() and not stopped.done():
                remaining = None if deadline is None else deadline - loop.time()
                if remaining is not None and remaining <= 0:
                    break
                done, pending = await asyncio.wait(pending, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
                _raise_first(done)
        finally:
            if forget is not None:
                forget()
            stopped.cancel()

        why = command.stop.reason if command.stop is not None and command.stop.reason else None
        if not exited.done() and why is None and _ended(proc.pid):
            await exited  # it ended before its deadline was seen: this process was stopped meanwhile (ctrl-z, SIGSTOP)
        if not exited.done():
            if status is not None:
                status(f"{why}: stopping its process group" if why else f"timed out after {timeout:g}s: stopping its process group")
            await self._kill(exited, pgid)
            await self._drain(readers, status=None)
            return Result("stopped", error=why) if why else Result("timeout")

        await self._drain(readers, status)
        returncode = proc.returncode
        assert returncode is not None  # set before process_exited runs
        return Result("ok", exit_code(returncode))

    async def _kill(self, exited: asyncio.Future[None], pgid: int) -> None:
        """SIGTERM the whole group, give it `kill_grace` to go, then SIGKILL whatever is left in it.

        The wait is for the group, not just the shell: a child cleaning up
        on SIGTERM gets its grace even when the shell exits at once.
        """
        _signal_group(pgid, signal.SIGTERM)
        loop = asyncio.get_running_loop()
        end = loop.time() + self._kill_grace
        while loop.time() < end:
            if exited.done() and not _group_alive(pgid):
                return
            await asyncio.sleep(0.02)
        _signal_group(pgid, signal.SIGKILL)
        await exited

    async def _drain(self, readers: Iterable[asyncio.Task[None]], status: StatusSink | None) -> None:
        """Read what is left up to end-of-output, but not longer than `eof_grace`."""
        readers = list(readers)
        done, pending = await asyncio.wait(readers, timeout=self._eof_grace)
        _raise_first(done)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
            if status is not None:
                status(HELD_OPEN)


def _ended(pid: int) -> bool:
    """Whether the shell `pid` has exited, its end not yet seen by the event loop (nothing reaped: `WNOWAIT`). A process
    stopped past a step's deadline (ctrl-z then `fg`, a SIGSTOP) woke to the deadline before the exit that came first:
    before, a command that had ended ok well within its timeout was journaled `timed out`, the step failed."""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:  # reaped already: its end is on its way to the loop
        return True


async def _kill_spawned(spawn: asyncio.Future[Any], *, close_pipes: bool) -> None:
    """A command being started: once started, SIGKILL its whole process group (and close its pipes: `close_pipes`)."""
    while not spawn.done():
        with contextlib.suppress(BaseException):  # cancelled again (a second SIGTERM): the start is still shielded
            await asyncio.shield(spawn)
    if spawn.cancelled() or spawn.exception() is not None:  # it did not start: nothing of it runs
        return
    transport, _protocol = spawn.result()
    pid = transport.get_pid()
    if pid is not None:
        _signal_group(pid, signal.SIGKILL)
    if close_pipes:
        transport.close()


class _Protocol(asyncio.subprocess.SubprocessStreamProtocol):
    """The stream protocol `create_subprocess_exec` uses, plus a future set when the shell exits.

    On Python 3.11 `Process.wait()` returns only once the pipes are closed
    too, so a background process holding stdout would hide the exit; the
    `process_exited` callback fires at the exit itself.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, chunk: int) -> None:
        super().__init__(limit=chunk, loop=loop)
        self.exited: asyncio.Future[None] = loop.create_future()

    def process_exited(self) -> None:
        super().process_exited()
        if not self.exited.done():
            self.exited.set_result(None)


def _widen_pipes(transport: asyncio.SubprocessTransport) -> None:
    """Ask for BULK_PIPE_SIZE on the command's stdout and stderr pipes where the system allows it (Linux); as they are otherwise."""
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None)
    for fd in (1, 2):
        pipe = transport.get_pipe_transport(fd)
        handle = pipe.get_extra_info("pipe") if pipe is not None else None
        if set_size is None or handle is None:
            continue
        try:
            fcntl.fcntl(handle.fileno(), set_size, BULK_PIPE_SIZE)
        except (OSError, ValueError):  # over the user's pipe quota, or the pipe already closed (a command done at once)
            continue


async def _pump(stream: asyncio.StreamReader, name: Stream, output: OutputSink, size: int) -> None:
    """Hand the output on chunk by chunk, a loop turn each; none while a person's key is being handled (`KEYS`, bounded).

    `read` returns at once while its buffer holds data, and the pipe's reader fills it up to 256 KiB at a time: without
    the turn, one step of this task handed on up to 16 chunks (each journaled, hashed, folded, queued for the pane)
    while a key's next hop (the driver's message, the app's queue, the binding) waited for all of them.
    """
    while True:
        await KEYS.clear()
        chunk = await stream.read(size)
        if not chunk:
            return
        # A key that came while this read waited: its decision is journaled first (this chunk before it made the
        # decision's fsync wait for the chunk's write too), the chunk after its frame, as the next read would be.
        await KEYS.clear()
        output(name, chunk)
        await asyncio.sleep(0)  # the loop's other work (a key's hop) between two chunks


def _raise_first(done: Iterable[asyncio.Future[Any]]) -> None:
    for task in done:
        if not task.cancelled() and task.exception() is not None:
            task.result()


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    """Signal a process group that may already be gone; lacking permission (a sudo'd child) is not an error here."""
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _group_alive(pgid: int) -> bool:
    """Whether any process of the group still runs; zombies waiting for a slow reaper do not count."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # kill(0) also succeeds on zombies, which linger where PID 1 reaps slowly (containers):
    # on Linux, look at the members' states instead of waiting out the whole grace.
    try:
        entries = os.listdir("/proc")
    except OSError:
        return True
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                fields = f.read().rpartition(b")")[2].split()
        except OSError:
            continue
        if len(fields) > 2 and int(fields[2]) == pgid and fields[0] not in (b"Z", b"X"):
            return True
    return False


def local_cwd(cwd: str | None) -> str | None:
    """A step's `cwd` as the local process takes it: `~` and `~/DIR` are in $HOME, as over SSH (the remote wrapper
    writes them `"$HOME"/DIR`: `ssh_scripts.path_word`); any other text, `~user` too, is a directory of that name."""
    if cwd is not None and (cwd == "~" or cwd.startswith("~/")):
        return os.path.expanduser("~") + cwd[1:]
    return cwd


def _cannot_start(command: Command, argv: list[str], exc: Exception) -> str:
    if command.cwd is not None and not os.path.isdir(local_cwd(command.cwd) or ""):
        return f"cannot start the command: working directory {command.cwd!r} does not exist or is not a directory"
    if isinstance(exc, ValueError):
        return f"cannot start the command: {exc} (in the command text or an environment variable)"
    if isinstance(exc, OSError) and exc.errno == errno.E2BIG:
        return _too_long(command)
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    where = f" in {command.cwd!r}" if command.cwd else ""
    return f"cannot start {argv[0]!r}{where}: {reason}"


def _too_long(command: Command) -> str:
    """E2BIG in words: which text is too long (a parameter's value reaches the shell as an environment variable)."""
    # (what, its size, the size the kernel counts: `NAME=VALUE` and the NUL that ends it)
    sizes = [("the command text", size(command.command), size(command.command) + 1)]
    sizes += [(f"the value in ${name}", size(value), size(name) + size(value) + 2) for name, value in command.env]
    what, shown, counted = max(sizes, key=lambda item: item[2])
    if counted > ONE_STRING_LIMIT:
        return f"cannot start the command: {too_long(what, shown)}; keep data this large in a file the command reads"
    return "cannot start the command: the command and its environment together are more than Linux lets a program start with (ARG_MAX)"
