"""Run commands on remote hosts over SSH (asyncssh), detached so they survive a dropped connection.

A remote step may run for minutes while the laptop's Wi-Fi or a VPN drops.
So the command is not tied to the SSH session: it is started detached on the
host (stdin /dev/null, outliving the session) with its output, pid and exit
status in files `$HOME/<remote_dir>/<run name>.*`, and the client follows those files from the byte offsets it
has already delivered; after a reconnect it re-attaches from the same offsets, so no byte is lost or repeated.

One SSH session per command in the common case (`follow_script`): the
script takes the run (creating `NAME.run` with noclobber is the lock),
starts the wrapper it reads from stdin (or its own text) detached, and follows it in the
same session. It waits for a line on its stdin, without polling: the
wrapper's own, written once the exit status is recorded, or the client's.
A command that ends within `STREAM_AFTER` seconds has its whole result
sent in one go (`cat`, only for a non-empty file); a longer one is
streamed live by `tail -f` from the moment the client asks for it (a `t`
line on stdin). Only a re-attach after a drop (or after the follow session's
shell was killed: `kill -TERM 0` by the command, the OOM killer) needs another
session; it polls, since the command is no longer its child.

The files of one run, in the runs folder (mode 700; `.out` and `.err` are
mode 600 too: output may hold secrets):

    NAME.run   the lock, holding the user's umask (the command runs with it), then
               two lines, in the order written: `pid P G`, the wrapper's pid (umask,
               cd, export env, (sudo -n) sh -c CMD (a plain CMD itself: `ssh_plain`), then record rc; a subshell of
               the follow script, never a file) and the process group a timeout
               kills (the starting session's); `rc N`, the exit status, when it ends
    NAME.out NAME.err   the command's stdout and stderr

(Runs of an older version keep them in `NAME.pid`, `NAME.rc`: still followed, killed and removed.)

A command without `cwd` runs in the remote `$HOME`, as `ssh host CMD` does.
The files are removed once the client has received the whole result (or a
timeout or stop killed the command) and the engine has journaled its end
(`Command.journaled`; then the client acknowledges on the session's stdin); they stay while
the command runs, its output is not yet drained or its end not yet on disk, so a
dropped connection or a killed client can re-attach (the engine gives every
attempt, retry and rollback its own key, so a finished run is never needed
again), and when no exit status was recorded, for a look.

The session's stdout and stderr each carry the command's bytes between a header and a trailer line `\\0TOKEN ...\\n`
(TOKEN is random per session and sent on stdin, never in argv); bytes before the header are login noise and dropped;
the stdout trailer holds the exit status. See `Framed`.

A `true` costs the host one session, 3 program starts (the login shell, `sh`, then `rm` once acknowledged: the wrapper
runs a plain command itself, `ssh_plain`, where a command a shell must read has its `sh -c` too; four `flock`s more when
a process it left may hold its output: `ssh_drain`), a fork (the wrapper), one data packet back; it used to cost two sessions and 17 programs (and `mkdir`, `sh run.sh`, `rm -f run.sh`, `setsid`, `sh -s`).

Host keys are always checked against a known_hosts file, on every hop: an
unknown or changed key is an error with a plain message, never a silent
accept. Where a host is and how it is reached (its bastions, ~/.ssh/config)
is `ssh_config`; opening and sharing connections is `ssh_connect`; the
scripts are `ssh_scripts`, reading their output `ssh_framing` and `ssh_pump` (none while a person's key is handled).
The remote side needs a POSIX sh and coreutils (`mkdir`, `rm`, `cat`, `head`, GNU `tail` for
`--pid`), as any Linux host has (and uses `flock` where there is one); `/proc` names the process group a timeout kills.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shlex
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace

import asyncssh

from runbook_tui.engine.ports import KILL_GRACE_SECONDS, NO_RUN_TO_FOLLOW, Command, OutputSink, Result, StatusSink
from runbook_tui.execute.local import EOF_GRACE_SECONDS
from runbook_tui.execute.ssh_auth_words import reason
from runbook_tui.execute.ssh_connect import ConnectFailed, Connector, ConnKey
from runbook_tui.execute.ssh_ended import end_notes, ended_words, unrecorded_end
from runbook_tui.execute.ssh_endpoint import Endpoint
from runbook_tui.execute.ssh_framing import BadStatus, Framed, RemoteRun, trailer_status
from runbook_tui.execute.ssh_lost import attempts_words, lost_error, lost_words
from runbook_tui.execute.ssh_pump import pump
from runbook_tui.execute.ssh_scripts import ENDED, FILES_GONE, NOT_BEGUN, dir_expr, run_dir_name, stop_script
from runbook_tui.execute.ssh_session_input import session_input
from runbook_tui.execute.ssh_sessions import Ticker, ending_of, finished, open_process, read_rest, refused_words, stopped_status
from runbook_tui.execute.sudo_probe import SshSudoProbe
from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.model import Host

log = logging.getLogger(__name__)

#: Times a run is followed again after its follow session was killed by a signal, before that is an error.
REFOLLOWS = 3
#: Seconds `close()` waits for the sessions still acknowledging their results (the cue to remove run directories).
CLOSE_GRACE = 5.0


_ENV_NAME = lazy_re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class _Lost(Exception):
    """The connection dropped while a command was being started or followed."""


class _Killed(Exception):
    """The follow session's shell was killed by a signal (the command signalled it, the OOM killer): the run itself may live on."""


class _Failed(Exception):
    """The command could not be started or its end could not be read; the message is for the user."""


class _NotStarted(_Failed):
    """The command is known not to have started on the host (the session ran something else, or read no token)."""


def _ignore(_message: str) -> None:
    pass


class SshExecutor:
    """An `Executor` for remote hosts: one reused SSH connection per host (name, address, port, user)."""

    def __init__(
        self,
        known_hosts: str | None = None,
        *,
        connect_timeout: float = 10,
        max_concurrency: int = 50,
        passphrase_lookup: Callable[[str], str | None] | None = None,
        ssh_config: str | None = None,
        system_config: bool = False,
        known_hosts_given: bool = True,
        reconnect_attempts: int = 5,
        remote_dir: str = ".cache/runbook-tui/runs",
        keepalive_interval: float = 15.0,
        kill_grace: float = KILL_GRACE_SECONDS,
    ) -> None:
        self.known_hosts = os.path.expanduser(known_hosts or "~/.ssh/known_hosts")
        self.connect_timeout = connect_timeout
        self._connector = Connector(
            self.known_hosts,
            ssh_config=ssh_config,
            system_config=system_config,  # /etc/ssh/ssh_config after it, as ssh reads it (`ssh_config_system`)
            known_hosts_given=known_hosts_given,  # else ~/.ssh/known_hosts2 too, as ssh reads it
            connect_timeout=connect_timeout,
            keepalive_interval=keepalive_interval,
            passphrase_lookup=passphrase_lookup,
        )
        self.reconnect_attempts = reconnect_attempts
        self.remote_dir = remote_dir
        self._kill_grace = kill_grace
        self._sem = asyncio.Semaphore(max_concurrency)
        self._sudo = SshSudoProbe()
        self._closing: set[asyncio.Task[None]] = set()
        self._closed = False  # `close()` began: a run no longer reconnects nor says anything (the journal is closed)
        self._unjournaled: set[asyncio.Future[None]] = set()  # the ends the sessions waiting to remove their files wait for
        #: The sessions still acknowledging (removing their runs' files), by connection: `release` closes it after them.
        self._acknowledging: dict[asyncssh.SSHClientConnection, set[asyncio.Task[None]]] = {}

    @property
    def connections(self) -> dict[ConnKey, asyncssh.SSHClientConnection]:
        """The open connections by (name, address, port, user[, bastion's key]): a copy, for diagnostics and tests."""
        return self._connector.connections

    async def endpoint(self, host: Host) -> Endpoint:
        """Where `host` is reached, resolved (runbook, ssh config, defaults; a config read off the event loop, as a run
        reads it: `Connector.endpoint_off_loop`); `ConnectFailed` for a config that cannot be used."""
        return await self._connector.endpoint_off_loop(host)

    async def connect(self, route: Endpoint) -> None:
        """Open (or reuse) the connection of `route`, its bastions' first; `ConnectFailed.hop` is the hop that failed."""
        async with self._sem:
            await self._connector.connection(route)

    async def run(self, command: Command, output: OutputSink, status: StatusSink | None = None) -> Result:
        """Run `command` detached on its host and stream its output; failures come back as a `Result`."""
        host = command.host
        for name, value in command.env:
            if not _ENV_NAME.match(name):
                return Result("error", error=f"invalid environment variable name {name!r}")
            if "\0" in value:
                return Result("error", error=f"environment variable {name} holds a NUL byte")
        if "\0" in command.command:
            return Result("error", error="the command holds a NUL byte")
        async with self._sem:
            if self._closed:  # a host whose turn came as the program closes: it must not start anything now
                return Result("error", error=f"not started on {host.name}: the program is closing", started=False)
            try:
                return await self._run(command, output, status or _ignore)
            except ConnectFailed as exc:  # (from `endpoint`: the host's ssh config cannot be used; `_run` says the rest)
                return Result("error", error=str(exc), started=False)
            except _NotStarted as exc:
                return Result("error", error=str(exc), started=False)
            except _Failed as exc:
                return Result("error", error=str(exc))
            except Exception as exc:  # never raise for network failures: the engine wants a Result
                log.exception("ssh run on %s failed", host.name)
                return Result("error", error=f"{host.name}: {reason(exc)}")

    async def release(self, hosts: Sequence[Host]) -> None:
        """Close the connections of `hosts`, in the background, once the sessions still acknowledging have removed their runs' files.

        A host whose part of the run is over holds no SSH session (nor a
        channel through a bastion) for the rest of the change window; a
        later command on it, a rollback's, connects again. The connections
        are no longer shared from this call on, so a command started
        meanwhile gets a new one.
        """
        forgotten = []
        for host in hosts:
            try:
                conn = self._connector.forget(await self._connector.endpoint_off_loop(host))
            except ConnectFailed:  # a host whose config is bad was never connected
                continue
            if conn is not None:
                forgotten.append(conn)
        if not forgotten:
            return
        acknowledging = {task for conn in forgotten for task in self._acknowledging.get(conn, ())}

        async def let_go() -> None:
            if acknowledging:  # each ends at most CLOSE_GRACE after its end is journaled (or never will be: `close()`)
                await asyncio.wait(acknowledging)
            for conn in forgotten:
                conn.close()
            for conn in forgotten:
                try:
                    await conn.wait_closed()
                except Exception:  # closing is best effort
                    log.debug("closing a released ssh connection failed", exc_info=True)

        self._track(asyncio.create_task(let_go()))

    async def close(self) -> None:
        """Let acknowledged sessions remove their run directories, then close every connection (detached commands keep running)."""
        self._closed = True
        for journaled in list(self._unjournaled):  # ends not journaled by now never will be: their runs' files stay
            journaled.cancel()
        if self._closing:
            await asyncio.wait(set(self._closing), timeout=CLOSE_GRACE)
        await self._connector.close()

    # -- one run ---------------------------------------------------------------------------------------------

    async def _run(self, command: Command, output: OutputSink, status: StatusSink) -> Result:
        host = command.host
        route = await self._connector.endpoint_off_loop(host)
        name = run_dir_name(command.key)
        where = f"{self.remote_dir.rstrip('/')}/{name}.*"
        if not where.startswith(("/", "~/")):
            where = "~/" + where
        deadline = None if command.timeout is None else asyncio.get_running_loop().time() + command.timeout
        run = RemoteRun(name=name, dir_expr=dir_expr(self.remote_dir, name), where=where, deadline=deadline)
        limit = asyncio.timeout_at(deadline)
        forget = None
        try:
            async with limit:
                if command.stop is not None:  # a person's stop ends the wait as the deadline would
                    forget = command.stop.on_stop(lambda: limit.reschedule(asyncio.get_running_loop().time()))
                return await self._attached(command, route, run, output, status)
        except ConnectFailed as exc:  # before the command was sent it never began there; after, it may run on
            return Result("error", error=str(exc), started=run.sent, final=exc.host_key)
        except TimeoutError:
            if not limit.expired():
                raise
        finally:
            if forget is not None:
                forget()
        why = command.stop.reason if command.stop is not None else None
        if not run.sent:  # still connecting: nothing reached the host, there is nothing to stop there
            never = f"the command never started on {host.name}: its connection was not open yet"
            return Result("stopped" if why else "timeout", error=f"{why}; {never}" if why else never, started=False)  # nothing to undo there
        status(f"{host.name}: {why or f'timed out after {command.timeout:g}s'}: stopping its process group")
        ended = await self._stop(command, route, run, output)
        if ended.status == "ok":  # (`ssh_scripts.ENDED`: this process was stopped past the deadline, ctrl-z or SIGSTOP)
            status(f"{host.name}: its command had ended by itself before that (exit {ended.exit_code}): nothing was stopped")
        return Result("stopped", error=f"{why}; {ended.error}" if ended.error else why, started=ended.started) if why else ended

    async def _attached(self, command: Command, route: Endpoint, run: RemoteRun, output: OutputSink, status: StatusSink) -> Result:
        """Start (once) and follow the run, reconnecting and re-attaching as often as the connection drops."""
        host = command.host
        conn = await self._connector.connection(route)
        if (
            command.sudo and not run.sent and (refused := await self._sudo.refusal(conn, route.user, host.name, ending_of(self._acknowledging, conn), status))
        ):  # sudo's words
            return Result("error", error=refused, started=False)
        stalled = killed = 0
        seen = run.progress
        while True:
            try:
                code = await self._follow(conn, command, run, output)
                for note in end_notes(host.name, run):
                    status(note)
                return Result("ok", exit_code=code)
            except _Killed as exc:
                killed += 1
                if killed > REFOLLOWS:
                    raise _Failed(f"the follow session on {host.name} was {exc} {killed} times; see {run.where}") from None
                status(f"{host.name}: the session following the command was {exc}: re-attaching to the command")
            except _Lost as exc:
                if self._closed:  # `close()` closed the connection: no reconnect, no word to a journal that is closed too
                    return Result(
                        "error",
                        error=f"no longer followed on {host.name}: the program stopped; the command may still be running there (detached in {run.where})",
                    )
                log.info("%s: %s", host.name, lost := lost_words(route, self._connector.connections, str(exc)))  # before a reconnect
                stalled = stalled + 1 if run.progress == seen else 1
                seen = run.progress
                why, final = "", False
                if stalled <= self.reconnect_attempts:
                    try:
                        conn = await self._connector.reconnect(route, conn, self.reconnect_attempts, status, lost)
                    except ConnectFailed as exc:  # a changed host key or a refused login ends it at once; either way the command ran
                        tries = "" if exc.permanent else f"{attempts_words(self.reconnect_attempts)}; the last: "
                        why, final = f"; could not reconnect ({tries}{exc})", exc.host_key
                if why or stalled > self.reconnect_attempts:
                    return Result("error", error=lost_error(host.name, lost, why, run.where, route), final=final)
                status(f"{host.name}: reconnected; re-attaching to the command")

    async def _follow(self, conn: asyncssh.SSHClientConnection, command: Command, run: RemoteRun, output: OutputSink) -> int:
        """One follow session: start the run unless its pid is known, stream from the offsets, return the exit code.

        The run directory is removed on the host once both trailers are in
        (the `done` line); that last exchange finishes in the background.
        """
        start = run.pid is None and not command.follow_only
        token = uuid.uuid4().hex
        left = None if run.deadline is None else run.deadline - asyncio.get_running_loop().time()
        offsets = run.offsets["stdout"], run.offsets["stderr"]
        script, stdin = session_input(command if start else None, left, run.dir_expr, offsets, token)
        out = Framed(token.encode(), "stdout", run, output)
        err = Framed(token.encode(), "stderr", run, output)
        proc: asyncssh.SSHClientProcess[bytes] | None = None
        errors: asyncio.Task[None] | None = None
        ticker: Ticker | None = None
        acked = False
        try:
            run.sent, run.starts = run.sent or start, run.starts + start  # from here the command may be running on the host
            proc = await open_process(conn, f"sh -c {shlex.quote(script)}", ending_of(self._acknowledging, conn))
            try:
                proc.stdin.write(stdin)
            except BrokenPipeError:  # closed by the host already (a command= or ForceCommand that ran and ended): its words
                pass  # and exit status still come; a dropped link shows below as it always does (before: taken for one, and retried)
            ticker = Ticker(proc) if start else None
            errors = asyncio.create_task(pump(proc.stderr, err, None, ticker.stop if ticker else None))
            await pump(proc.stdout, out, lambda head: self._on_header(head, command.host, run), None)
            quiet = out.tail is not None and "noerr" in out.tail.split(" ")[2:]  # a quick run with nothing on stderr sends nothing there
            if not quiet:
                await errors
            if out.tail is None or (err.tail is None and not quiet):
                await proc.wait_closed()
                raise self._ended_early(conn, proc, command.host, run, out, err)
            try:
                code, flags = trailer_status(out.tail)
            except BadStatus as exc:  # no `done`: the run's files stay for whoever looks into them
                if not str(exc):  # re-attached to a run that recorded no end: why, when the follow script knows
                    raise _Failed(unrecorded_end(out.tail.split(" ")[2:], run.where)) from None
                raise _Failed(
                    f"the exit status recorded on {command.host.name} is {str(exc)!r}, not a number from 0 to 255:"
                    f" something other than the wrapper wrote it; see {run.where}"
                ) from None
            run.files_removed, run.disk_full, run.held = "gone" in flags, "full" in flags, "held" in flags
            if "cut" in flags:  # no `done`: the files stay for the next follow
                raise _Killed("cut short (a tail sending its output was killed)")
            acked = True  # `done` once the end is journaled (`_finish_later`): the files stay until then, for a re-attach
        except asyncssh.ChannelOpenError as exc:  # refused on every try: no session, so nothing of this one ran
            raise (_NotStarted if start and run.starts == 1 else _Failed)(refused_words(command.host.name, exc)) from exc
        except (asyncssh.Error, OSError) as exc:
            raise self._lost_or_failed(conn, command.host, exc, "ssh session failed") from exc
        finally:
            if ticker is not None:
                ticker.stop()
            if errors is not None:
                errors.cancel()
                if errors.done() and not errors.cancelled():
                    errors.exception()  # retrieved: a pump that failed after the result was complete changes nothing
            if proc is not None:
                if acked:
                    self._finish_later(conn, proc, command)
                else:
                    proc.close()
        return code

    @staticmethod
    def _on_header(head: str, host: Host, run: RemoteRun) -> None:
        """`start PID DIR`, `again PID DIR`, `fail WHY`, `broke WHY` or `lost`: the follow script's first line on stdout."""
        what, _, rest = head.partition(" ")
        if what == "broke":  # started, its pid not recorded
            raise _Failed(f"the command started on {host.name}, but {rest}")
        if what == "fail" and run.starts == 0 and run.pid is None:  # `Command.follow_only`: no run of that key to follow
            raise _NotStarted(f"{NO_RUN_TO_FOLLOW} on {host.name} to follow: {rest}")
        if what == "fail" and run.pid is not None:  # re-attached: it had started, its files went since (`follow_script`'s take)
            raise _Failed(f"{rest} since the command started (removed, or on a disk the host's restart cleared): how it ended is not known")
        if what == "fail":  # refused before the command started: the first start's never began it (a re-attach's did)
            raise (_NotStarted if run.starts == 1 and run.pid is None else _Failed)(f"could not start the command on {host.name} in {run.where}: {rest}")
        if what == "lost":  # re-attached, and the run's files name no process: its wrapper was killed before writing one (`kill 0`)
            raise _Failed(f"the command ended without recording an exit status or its pid (killed?); see {run.where}")
        pid, _, directory = rest.partition(" ")  # directory: the prefix of the run's files
        run.found = run.found or (what == "again" and run.starts == 1)  # not our own start whose reply a drop took
        if what not in ("start", "again") or not pid.isdigit():
            raise _Failed(f"could not start the command on {host.name}: unexpected reply {head!r}")
        if run.pid is None:
            log.debug("%s: started detached pid %s in %s", host.name, pid, directory)
        run.pid, run.where = int(pid), f"{directory}.*" if directory else run.where

    def _finish_later(self, conn: asyncssh.SSHClientConnection, proc: asyncssh.SSHClientProcess[bytes], command: Command) -> None:
        """Let the session remove the run's files once the end is journaled (`finished`), without holding up the result;
        `close()` and `release` wait for it."""
        if command.journaled is not None and not command.journaled.done():
            self._unjournaled.add(command.journaled)
            command.journaled.add_done_callback(self._unjournaled.discard)
        task = self._track(
            asyncio.create_task(finished(proc, command.journaled, command.host.name, CLOSE_GRACE, [run_dir_name(key) for key in command.leftovers]))
        )
        pending = self._acknowledging.setdefault(conn, set())
        pending.add(task)

        def done(_: asyncio.Task[None]) -> None:
            pending.discard(task)
            if not pending and self._acknowledging.get(conn) is pending:
                del self._acknowledging[conn]

        task.add_done_callback(done)

    def _track(self, task: asyncio.Task[None]) -> asyncio.Task[None]:
        """A background task `close()` waits for."""
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)
        return task

    def _ended_early(
        self,
        conn: asyncssh.SSHClientConnection,
        proc: asyncssh.SSHClientProcess[bytes],
        host: Host,
        run: RemoteRun,
        out: Framed,
        err: Framed,
    ) -> Exception:
        """The session ended before both trailers: a dropped connection, or a script that could not run."""
        if conn.is_closed() or proc.exit_status is None:
            return _Lost("the output stream ended without an exit status")
        if proc.exit_signal is not None:  # the run is on its own: its files tell how it ends
            return _Killed(f"killed by signal {proc.exit_signal[0]}")
        words, started = ended_words(host.name, proc.exit_status, out, err, first_start=run.pid is None and run.starts == 1, where=run.where)
        return _Failed(words) if started else _NotStarted(words)

    async def _stop(self, command: Command, route: Endpoint, run: RemoteRun, output: OutputSink) -> Result:
        """Kill the run's process group at a timeout or a person's stop (`timeout`); its files go once the end is journaled."""
        script = f"sh -c {shlex.quote(stop_script(run.dir_expr, self._kill_grace, sudo=command.sudo, begun=run.pid is not None))}"
        proc: asyncssh.SSHClientProcess[bytes] | None = None
        given = self._kill_grace + self.connect_timeout + 5
        try:
            conn = await self._connector.connection(route)
            async with asyncio.timeout(given):
                try:
                    proc = await open_process(conn, script, ending_of(self._acknowledging, conn))
                except asyncssh.ChannelOpenError:  # one session per connection, the follow one still open: a new connection
                    conn = await self._connector.reconnect(route, conn, 1, _ignore, "its sshd refused a second session")
                    proc = await conn.create_process(script, encoding=None)
                if (code := await stopped_status(proc)) == ENDED:  # it had ended by itself: its end, read as a re-attach reads it
                    return Result("ok", exit_code=await self._follow(conn, replace(command, follow_only=True), run, output))
                if code == NOT_BEGUN:  # its session had not begun it: now it never will
                    never = f"the command never started on {command.host.name}: the host had not begun it yet (a slow login?), and now it never will"
                    return Result("timeout", error=never, started=False)
                if code == 0:  # stopped: what it wrote as it ended is read (as locally: `read_rest`), its files go once the end is journaled
                    await read_rest(self._follow(conn, command, run, output) if run.pid is not None else None, EOF_GRACE_SECONDS)
                    self._finish_later(conn, proc, command)
                if code in (0, 3):  # (3: no pid yet, a start may be under way: the files stay; the session has ended)
                    return Result("timeout")
                detail = (
                    "its run's files are gone (did the command remove them?), so nothing there names its processes"
                    if code == FILES_GONE  # begun, its files gone: before, read as stopped
                    else (await proc.stderr.read()).decode(errors="replace").strip() or f"exit status {code}"
                )
        except Exception as exc:  # report, do not raise: the step timed out (or was stopped) regardless
            if proc is not None:
                proc.close()
            detail = f"the host did not answer the stop within {given:g}s" if type(exc) is TimeoutError and not exc.args else reason(exc)
        log.warning("%s: could not stop the command: %s", command.host.name, detail)
        return Result(
            "timeout",
            error=f"could not stop the command on {command.host.name} ({detail}); it may still be running there (detached in {run.where})",
        )

    # -- connections ----------------------------------------------------------------------------------------

    def _lost_or_failed(self, conn: asyncssh.SSHClientConnection, host: Host | None, exc: BaseException | None, what: str) -> Exception:
        """A dropped connection is worth a reconnect; anything else on a live connection is a plain failure."""
        if conn.is_closed() or exc is None or isinstance(exc, (asyncssh.ConnectionLost, ConnectionError)):
            return _Lost(reason(exc) if exc is not None else "connection closed")
        where = f" on {host.name}" if host is not None else ""
        return _Failed(f"{what or 'ssh session failed'}{where}: {reason(exc)}")
