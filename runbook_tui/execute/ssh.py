"""Run commands on remote hosts over SSH (asyncssh), detached so they survive a dropped connection.

A remote step may run for minutes while the laptop's Wi-Fi or a VPN drops.
So the command is not tied to the SSH session: it is started detached on the
host (`setsid`) with its output, pid and exit status in files under
`$HOME/<remote_dir>/<run name>/`, and the client follows those files from
the byte offsets it has already delivered; after a reconnect it re-attaches
from the same offsets, so no byte is lost or repeated.

One SSH session per command in the common case (`_follow_script`): the
script takes the run directory (`mkdir` is the lock), writes the wrapper it
reads from stdin, starts it detached, and follows it in the same session.
It is the detached wrapper's parent, so it `wait`s for it instead of
polling. A command that ends within `STREAM_AFTER` seconds has its output
sent in one go (`cat`, only for a non-empty file); a longer one is streamed
live by `tail -f` from the moment the client asks for it (a `t` line on
stdin, which interrupts the `wait`). Only a re-attach after a drop needs
another session; it polls, since the command is no longer its child.

Remote layout of one run (the directory is mode 700: output may hold secrets):

    run.sh   the wrapper: removes itself, cd, export env, (sudo -n) sh -c CMD, then write rc
    pid      pid of the wrapper, which leads its own session and process group
    out err  the command's stdout and stderr
    rc       its exit status, one line, written when it ends

The directory is removed once the client has received the whole result (it
acknowledges on the session's stdin), or after a timeout killed the command;
it stays while the command runs or its output is not yet drained, so a
dropped connection or a killed client can re-attach (the engine gives every
attempt, retry and rollback its own key, so a finished run is never needed
again), and when no exit status was recorded, for a look.

The session's stdout and stderr each carry the command's bytes between a
header and a trailer line `\\0TOKEN ...\\n` (TOKEN is random per session and
sent on stdin, never in argv); bytes before the header are login noise and
dropped; the stdout trailer holds the exit status. See `_Framed`.

A `true` costs the host one session and 7 program starts (the login
shell, `sh`, `mkdir`, `setsid`, `sh run.sh`, `sh -c true`, then `rm` once
acknowledged); it used to cost two sessions and 17.

Host keys are always checked against a known_hosts file: an unknown or
changed key is an error with a plain message, never a silent accept.
The remote side needs a POSIX sh, util-linux `setsid` and coreutils
(`mkdir`, `rm`, `cat`, `head`, GNU `tail` for `--pid`), as any Linux host has.
"""

from __future__ import annotations

import asyncio
import getpass
import hashlib
import logging
import os
import re
import shlex
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import asyncssh

from runbook_tui.engine.ports import Command, OutputSink, Result, StatusSink, Stream
from runbook_tui.execute.known_hosts import changed_key_message
from runbook_tui.runbook.model import Host

log = logging.getLogger(__name__)

#: Bytes asked for per read; what the sink gets at most per call.
CHUNK_SIZE = 65536
#: Seconds between SIGTERM and SIGKILL of the remote process group on timeout.
KILL_GRACE_SECONDS = 2.0
#: Reconnect backoff: first delay, then doubling up to the cap.
BACKOFF_FIRST = 0.5
BACKOFF_CAP = 5.0
#: Seconds the remote `tail`s and the re-attach waiter sleep between checks (bounds the end-of-command latency of a streamed command).
POLL_SECONDS = 0.1
#: Seconds after the start before the client asks for live output: a command done sooner costs no `tail` on the host.
STREAM_AFTER = 0.2
#: Seconds `close()` waits for the sessions still acknowledging their results (the cue to remove run directories).
CLOSE_GRACE = 5.0

#: (host name, address, port, user): one SSH connection per host entry, so aliases of one machine fan out like distinct hosts.
ConnKey = tuple[str, str, int, str]

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def run_dir_name(key: str) -> str:
    """The remote directory name for a command key: readable, filesystem-safe and collision-free.

    The readable part alone could collide (`a/b` and `a_b`), hence the hash
    suffix; the same key always maps to the same name, which is what lets a
    later process re-attach to a run by its key.
    """
    if not key:
        return uuid.uuid4().hex
    safe = _UNSAFE.sub("_", key).strip("._-")[:80]
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return f"{safe}-{digest}" if safe else digest


def _dir_expr(remote_dir: str, name: str) -> str:
    """Shell text for the run directory: relative paths are under `$HOME` (expanded remotely)."""
    path = f"{remote_dir.rstrip('/')}/{name}"
    if path.startswith("/"):
        return shlex.quote(path)
    if path.startswith("~/"):
        path = path[2:]
    return '"$HOME"/' + shlex.quote(path)


def _path_word(path: str) -> str:
    """Quote a path for sh, keeping a leading `~/` meaning the remote home."""
    if path == "~":
        return '"$HOME"'
    if path.startswith("~/"):
        return '"$HOME"/' + shlex.quote(path[2:])
    return shlex.quote(path)


def wrapper_script(command: Command) -> str:
    """The detached script: run the command as asked, then record its exit status.

    It reaches the host on the session's stdin and is written to a file, so
    environment values (maybe secrets, and every templated value: see
    `runbook.shell_values`) never show in the remote `ps`; the file removes
    itself as it starts. Under
    `sudo -n` the variables are passed by name (`--preserve-env=`), as the
    local executor does. `rc` is written with one `write` (`echo`); readers
    take it only once the wrapper is gone or the line is complete.
    """
    # The shell has read the whole compound command before it runs any of it: the file can go at
    # once, so the values it exports (maybe secrets) are not left on the host's disk, even when
    # the client is killed mid-run.
    steps: list[str] = ['rm -f -- "$d/run.sh"']
    if command.cwd:
        steps.append(f"cd -- {_path_word(command.cwd)}")
    if command.env:
        steps.append("export " + " ".join(f"{name}={shlex.quote(value)}" for name, value in command.env))
    shell = f"sh -c {shlex.quote(command.command)}"
    if command.sudo:
        sudo = "sudo -n"
        if command.env:
            sudo += " --preserve-env=" + ",".join(name for name, _ in command.env)
        shell = f'if [ "$(id -u)" = 0 ]; then {shell}; else {sudo} -- {shell}; fi'
    steps.append(shell)
    # One compound command: a wrapper cut short in transit is a syntax error, so it never runs half.
    return '{ d=$1\n' + " && ".join(steps) + '\necho $? > "$d/rc"\n}\n'


#: Wrappers up to this many bytes are read with the `read` builtin (a byte per system call); longer ones by `head -c`.
_READ_MAX = 1024


def _follow_script(dir_expr: str, *, start: bool, out_offset: int = 0, err_offset: int = 0, wrapper_size: int = 0) -> str:
    """Start (when `start` and the run directory is new) and follow one run in this session.

    Reads from stdin: a token line, then (when `start`) the wrapper: its
    lines up to a token line, or `wrapper_size` bytes when that is over
    `_READ_MAX`. Writes `\\0TOKEN start PID DIR` (or `\\0TOKEN fail
    WHY`) on stdout, `\\0TOKEN err` on stderr, the command's bytes from the
    given offsets, then `\\0TOKEN end` on stderr and `\\0TOKEN end RC` on
    stdout (RC `-` when none was recorded: killed). Then it waits for `done`
    on stdin and removes the run directory; EOF (the client is gone) keeps it.

    The fresh run is this shell's child: `wait` ends with it, or earlier when
    the client sends `t` (a subshell reading stdin turns it into USR1), and
    only then are the `tail`s started. A run found already there (re-attach)
    is not our child: a waiter polls for `rc` (a zombie counts as gone: some
    container inits reap late or never). Every diagnostic of the script goes
    to /dev/null; fd 3 is the session's stderr, fd 4 its stdin.
    """
    big = wrapper_size > _READ_MAX
    fresh = f"""\
  cd "$D" || fail "cannot enter $D"
  {f"head -c {wrapper_size} > run.sh" if big else 'printf %s "$W" > run.sh'} || fail "cannot write $D/run.sh"
  setsid sh ./run.sh "$D" </dev/null >out 2>err 3>&- 4<&- &
  P=$!
  echo "$P" > pid || fail "cannot write $D/pid"
  new=1"""
    if start:
        read = "" if big else """\
W= ok=
while IFS= read -r l; do [ "$l" = "$T" ] && { ok=1; break; }; W="$W$l
"; done
[ -n "$ok" ] || exit 122
"""
        take = f"""\
{read}if mkdir -m 700 "$D" || {{ [ ! -e "$D" ] && (umask 077 && mkdir -p "${{D%/*}}") && mkdir -m 700 "$D"; }}; then
{fresh}
else
  {f"head -c {wrapper_size} >/dev/null; " if big else ""}cd "$D" || fail "cannot create the run directory $D"
fi"""
    else:
        take = 'cd "$D" || fail "the run directory $D is gone"'
    return f"""\
exec 3>&2 2>/dev/null 4<&0
IFS= read -r T || exit 120
D={dir_expr}
say() {{ printf '\\000%s %s\\n' "$T" "$*"; }}
fail() {{ say fail "$*"; exit 121; }}
new=
{take}
if [ -n "$new" ]; then
  trap : USR1
  ( while IFS= read -r l && [ "$l" = t ]; do kill -USR1 $$; done ) <&4 >/dev/null 3>&- &
  t=$!
  say start "$P" "$D"
  wait "$P"
  kill "$t"; while kill -0 "$t"; do wait "$t"; done; trap '' USR1
  if kill -0 "$P"; then
    tail -c +1 -s {POLL_SECONDS} -f --pid="$P" out 4<&- &
    printf '\\000%s err\\n' "$T" >&3
    tail -c +1 -s {POLL_SECONDS} -f --pid="$P" err >&3 4<&- &
    wait "$P"; wait
  else
    [ -s out ] && cat out 4<&-
    printf '\\000%s err\\n' "$T" >&3
    [ -s err ] && cat err >&3 4<&-
  fi
else
  i=0
  until [ -s pid ] && read -r P < pid; do
    i=$((i+1)); [ "$i" -le 100 ] || fail "no pid file appeared in $D"
    sleep 0.05
  done
  say start "$P" "$D"
  alive() {{
    kill -0 "$P" || return 1
    [ -r /proc/"$P"/stat ] || return 0
    read -r _ _ s _ < /proc/"$P"/stat; [ "$s" != Z ]
  }}
  ( while [ ! -s rc ] && alive; do sleep {POLL_SECONDS}; done ) 4<&- &
  w=$!
  tail -c +{out_offset + 1} -s {POLL_SECONDS} -f --pid="$w" out 4<&- &
  printf '\\000%s err\\n' "$T" >&3
  tail -c +{err_offset + 1} -s {POLL_SECONDS} -f --pid="$w" err >&3 4<&- &
  wait
fi
rc=-
[ -s rc ] && read -r r < rc && rc=$r
printf '\\000%s end\\n' "$T" >&3
say end "$rc"
while IFS= read -r a <&4; do
  [ "$a" = done ] && exec rm -rf -- "$D" </dev/null >/dev/null 3>&- 4<&-
done
"""


def _kill_script(grace: float) -> str:
    """TERM the run's process group ($1 is the run directory), KILL it if still there after `grace` seconds; then remove the directory.

    Takes the directory as an argument, so `sudo -n sh -c` does not resolve
    it against root's `$HOME`. Exits 0 when the group is gone or never
    started; the directory is kept when no pid ever appeared (a start may
    still be under way).
    """
    rounds = max(1, int(grace / POLL_SECONDS))
    return f"""D=$1
[ -d "$D" ] || exit 0
i=0
while [ ! -s "$D/pid" ] && [ "$i" -lt 20 ]; do sleep 0.1; i=$((i+1)); done
[ -s "$D/pid" ] || exit 0
read -r P < "$D/pid"
if kill -TERM -"$P" 2>/dev/null; then
  i=0
  while [ "$i" -lt {rounds} ] && kill -0 -"$P" 2>/dev/null; do sleep {POLL_SECONDS}; i=$((i+1)); done
  kill -KILL -"$P" 2>/dev/null
fi
rm -rf -- "$D"
exit 0
"""


class _ConnectFailed(Exception):
    """Connecting failed; `permanent` when retrying cannot help (host key, authentication, identity)."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


class _Lost(Exception):
    """The connection dropped while a command was being started or followed."""


class _Failed(Exception):
    """The command could not be started or its end could not be read; the message is for the user."""


@dataclass
class _Run:
    """What we know of one detached run: enough to re-attach after a reconnect."""

    name: str
    dir_expr: str
    where: str  # for messages: the absolute directory once known
    pid: int | None = None
    offsets: dict[Stream, int] = field(default_factory=lambda: {"stdout": 0, "stderr": 0})

    @property
    def progress(self) -> tuple[int | None, int, int]:
        return self.pid, self.offsets["stdout"], self.offsets["stderr"]


class _Framed:
    """One stream of a follow session: login noise, a header line, the command's bytes, a trailer line.

    Marker lines start with NUL and the session's random token, so the
    command cannot produce one by accident. Bytes that might be the start of
    a marker (a chunk ending in NUL, ...) are held back until the next chunk
    tells; everything else goes to the sink as it comes, and only what went
    there counts toward the offset a re-attach resumes from.
    """

    def __init__(self, token: bytes, stream: Stream, run: _Run, output: OutputSink) -> None:
        self.mark = b"\0" + token + b" "
        self.stream = stream
        self.run = run
        self.output = output
        self.buf = b""
        self.head: str | None = None  # the header line after the mark, once seen
        self.tail: str | None = None  # the trailer line after the mark, once seen
        self.noise = b""  # the last bytes before the header, for error messages

    def feed(self, data: bytes) -> None:
        self.buf += data
        if self.head is None:
            at = self.buf.find(self.mark)
            end = self.buf.find(b"\n", at) if at >= 0 else -1
            if end < 0:  # no complete header yet: keep only what could be (the start of) one
                cut = at if at >= 0 else max(0, len(self.buf) - len(self.mark) + 1)
                self.noise = (self.noise + self.buf[:cut])[-1024:]
                self.buf = self.buf[cut:]
                return
            self.noise = (self.noise + self.buf[:at])[-1024:]
            self.head = self.buf[at + len(self.mark) : end].decode(errors="replace")
            self.buf = self.buf[end + 1 :]
        if self.tail is not None:
            return
        at = self.buf.find(self.mark)
        if at < 0:
            held = self._partial()
            self._deliver(self.buf[: len(self.buf) - held])
            self.buf = self.buf[len(self.buf) - held :]
            return
        self._deliver(self.buf[:at])
        self.buf = self.buf[at:]
        end = self.buf.find(b"\n")
        if end >= 0:
            self.tail = self.buf[len(self.mark) : end].decode(errors="replace")
            self.buf = b""

    def _partial(self) -> int:
        """How many bytes at the end of the buffer could begin a marker."""
        buf, mark = self.buf, self.mark
        at = buf.find(b"\0", max(0, len(buf) - len(mark) + 1))
        while at >= 0:
            if mark.startswith(buf[at:]):
                return len(buf) - at
            at = buf.find(b"\0", at + 1)
        return 0

    def _deliver(self, data: bytes) -> None:
        for at in range(0, len(data), CHUNK_SIZE):
            piece = data[at : at + CHUNK_SIZE]
            self.run.offsets[self.stream] += len(piece)
            self.output(self.stream, piece)


def _ignore(_message: str) -> None:
    pass


async def _changed_key(known_hosts: str, host: Host) -> str | None:
    """OpenSSH's warning when known_hosts holds another key for this host (fetched once more to name it)."""
    try:
        offered = await asyncio.wait_for(asyncssh.get_server_host_key(host.address, host.port), 10)
    except (asyncssh.Error, OSError, TimeoutError):
        return None
    return changed_key_message(known_hosts, host.address, host.port, offered) if offered else None


def _reason(exc: BaseException) -> str:
    """A one-line reason for an exception, without a traceback."""
    text = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or str(exc)
    return str(text).strip() or type(exc).__name__


class SshExecutor:
    """An `Executor` for remote hosts: one reused SSH connection per host (name, address, port, user)."""

    def __init__(
        self,
        known_hosts: str | None = None,
        *,
        connect_timeout: float = 10,
        max_concurrency: int = 50,
        passphrase_lookup: Callable[[str], str | None] | None = None,
        reconnect_attempts: int = 5,
        remote_dir: str = ".cache/runbook-tui/runs",
        keepalive_interval: float = 15.0,
        kill_grace: float = KILL_GRACE_SECONDS,
    ) -> None:
        self.known_hosts = os.path.expanduser(known_hosts or "~/.ssh/known_hosts")
        self.connect_timeout = connect_timeout
        self.reconnect_attempts = reconnect_attempts
        self.remote_dir = remote_dir
        self._passphrase_lookup = passphrase_lookup
        self._keepalive_interval = keepalive_interval
        self._kill_grace = kill_grace
        self._sem = asyncio.Semaphore(max_concurrency)
        self._conns: dict[ConnKey, asyncssh.SSHClientConnection] = {}
        self._locks: dict[ConnKey, asyncio.Lock] = {}
        self._identities: dict[str, Sequence[asyncssh.SSHKeyPair]] = {}
        self._closing: set[asyncio.Task[None]] = set()

    @property
    def connections(self) -> dict[ConnKey, asyncssh.SSHClientConnection]:
        """The open connections by (name, address, port, user): a copy, for diagnostics and tests."""
        return {key: conn for key, conn in self._conns.items() if not conn.is_closed()}

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
            try:
                return await self._run(command, output, status or _ignore)
            except _ConnectFailed as exc:
                return Result("error", error=str(exc))
            except _Failed as exc:
                return Result("error", error=str(exc))
            except Exception as exc:  # never raise for network failures: the engine wants a Result
                log.exception("ssh run on %s failed", host.name)
                return Result("error", error=f"{host.name}: {_reason(exc)}")

    async def close(self) -> None:
        """Let acknowledged sessions remove their run directories, then close every connection (detached commands keep running)."""
        if self._closing:
            await asyncio.wait(set(self._closing), timeout=CLOSE_GRACE)
        conns = list(self._conns.values())
        self._conns.clear()
        for conn in conns:
            conn.close()
        for conn in conns:
            try:
                await conn.wait_closed()
            except Exception:  # closing is best effort
                log.debug("closing an ssh connection failed", exc_info=True)

    # -- one run ---------------------------------------------------------------------------------------------

    async def _run(self, command: Command, output: OutputSink, status: StatusSink) -> Result:
        host = command.host
        user = host.user or getpass.getuser()
        name = run_dir_name(command.key)
        where = f"{self.remote_dir.rstrip('/')}/{name}"
        if not where.startswith(("/", "~/")):
            where = "~/" + where
        run = _Run(name=name, dir_expr=_dir_expr(self.remote_dir, name), where=where)
        deadline = None
        if command.timeout is not None:
            deadline = asyncio.get_running_loop().time() + command.timeout
        limit = asyncio.timeout_at(deadline)
        try:
            async with limit:
                return await self._attached(command, user, run, output, status)
        except TimeoutError:
            if not limit.expired():
                raise
        assert command.timeout is not None
        status(f"{host.name}: timed out after {command.timeout:g} s: stopping its process group")
        return await self._stop(command, user, run)

    async def _attached(
        self, command: Command, user: str, run: _Run, output: OutputSink, status: StatusSink
    ) -> Result:
        """Start (once) and follow the run, reconnecting and re-attaching as often as the connection drops."""
        host = command.host
        conn = await self._connection(host, user)
        stalled = 0
        seen = run.progress
        while True:
            try:
                code = await self._follow(conn, command, run, output)
                return Result("ok", exit_code=code)
            except _Lost as exc:
                log.info("%s: connection lost (%s)", host.name, exc)
                stalled = stalled + 1 if run.progress == seen else 1
                seen = run.progress
                reconnected = None
                if stalled <= self.reconnect_attempts:
                    reconnected = await self._reconnect(host, user, conn, status)
                if reconnected is None:
                    return Result(
                        "error",
                        error=f"lost connection to {host.name}; the command may still be running there "
                        f"(detached in {run.where})",
                    )
                conn = reconnected
                status(f"{host.name}: reconnected; re-attaching to the command")

    async def _follow(self, conn: asyncssh.SSHClientConnection, command: Command, run: _Run, output: OutputSink) -> int:
        """One follow session: start the run unless its pid is known, stream from the offsets, return the exit code.

        The run directory is removed on the host once both trailers are in
        (the `done` line); that last exchange finishes in the background.
        """
        start = run.pid is None
        token = uuid.uuid4().hex
        stdin = (token + "\n").encode()
        wrapper = wrapper_script(command).encode() if start else b""
        script = _follow_script(
            run.dir_expr, start=start, out_offset=run.offsets["stdout"], err_offset=run.offsets["stderr"], wrapper_size=len(wrapper)
        )
        if start:
            stdin += wrapper if len(wrapper) > _READ_MAX else wrapper + (token + "\n").encode()
        out = _Framed(token.encode(), "stdout", run, output)
        err = _Framed(token.encode(), "stderr", run, output)
        started, streaming = asyncio.Event(), asyncio.Event()
        proc: asyncssh.SSHClientProcess[bytes] | None = None
        tasks: list[asyncio.Task[None]] = []
        acked = False
        try:
            proc = await conn.create_process(f"sh -c {shlex.quote(script)}", encoding=None)
            proc.stdin.write(stdin)
            tasks = [
                asyncio.create_task(self._pump(proc.stdout, out, started, command.host, run)),
                asyncio.create_task(self._pump(proc.stderr, err, streaming, command.host, run)),
            ]
            if start:
                tasks.append(asyncio.create_task(self._tick(proc, started, streaming)))
            await asyncio.gather(*tasks[:2])
            if out.tail is None or err.tail is None:
                await proc.wait_closed()
                raise self._ended_early(conn, proc, command.host, run, out, err)
            code = out.tail.split(" ")[-1]
            if not code.isdigit():  # no `done`: the directory stays for whoever looks into it
                raise _Failed(f"the command ended without recording an exit status (killed?); see {run.where}")
            try:
                proc.stdin.write(b"done\n")
                acked = True
            except (asyncssh.Error, OSError):  # the result is complete; only the clean-up is lost (the directory stays)
                log.debug("%s: could not acknowledge the result", command.host.name, exc_info=True)
        except (asyncssh.Error, OSError) as exc:
            raise self._lost_or_failed(conn, command.host, exc, "ssh session failed") from exc
        finally:
            for task in tasks:
                task.cancel()
            if proc is not None:
                if acked:
                    self._finish_later(proc)
                else:
                    proc.close()
        return int(code)

    async def _pump(
        self, reader: asyncssh.SSHReader[bytes], framed: _Framed, headed: asyncio.Event, host: Host, run: _Run
    ) -> None:
        """Feed one stream to its framer until its trailer (or EOF); set `headed` once its header is in."""
        while framed.tail is None:
            data = await reader.read(CHUNK_SIZE)
            if not data:
                return
            framed.feed(data)
            if framed.head is not None and not headed.is_set():
                if framed.stream == "stdout":
                    self._on_header(framed.head, host, run)
                headed.set()

    @staticmethod
    def _on_header(head: str, host: Host, run: _Run) -> None:
        """`start PID DIR` or `fail WHY`, the first line of the follow script on stdout."""
        what, _, rest = head.partition(" ")
        if what == "fail":
            raise _Failed(f"could not start the command on {host.name} in {run.where}: {rest}")
        pid, _, directory = rest.partition(" ")
        if what != "start" or not pid.isdigit():
            raise _Failed(f"could not start the command on {host.name}: unexpected reply {head!r}")
        if run.pid is None:
            log.debug("%s: started detached pid %s in %s", host.name, pid, directory)
        run.pid, run.where = int(pid), directory or run.where

    @staticmethod
    async def _tick(proc: asyncssh.SSHClientProcess[bytes], started: asyncio.Event, streaming: asyncio.Event) -> None:
        """Ask for live output (`t`) once the command has run `STREAM_AFTER` seconds; again until the host starts streaming."""
        await started.wait()
        while True:
            try:
                await asyncio.wait_for(streaming.wait(), STREAM_AFTER)
                return
            except TimeoutError:
                pass
            try:
                proc.stdin.write(b"t\n")
            except (asyncssh.Error, OSError):  # the session is gone: the pumps will tell
                return

    def _finish_later(self, proc: asyncssh.SSHClientProcess[bytes]) -> None:
        """Let the session remove the run directory and end, without holding up the result; `close()` waits for it."""

        async def finish() -> None:
            try:
                await asyncio.wait_for(proc.wait_closed(), CLOSE_GRACE)
            except Exception:  # best effort: at worst the run directory stays on the host
                log.debug("ssh follow session did not end cleanly", exc_info=True)
                proc.close()

        task = asyncio.create_task(finish())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    def _ended_early(
        self,
        conn: asyncssh.SSHClientConnection,
        proc: asyncssh.SSHClientProcess[bytes],
        host: Host,
        run: _Run,
        out: _Framed,
        err: _Framed,
    ) -> Exception:
        """The session ended before both trailers: a dropped connection, or a script that could not run."""
        if conn.is_closed() or proc.exit_status is None:
            return _Lost("the output stream ended without an exit status")
        noise = (err.noise + err.buf).decode(errors="replace").strip()[-500:]
        detail = noise or f"exit status {proc.exit_status}"
        return _Failed(f"the follow session on {host.name} ended early ({detail}); see {run.where}")

    async def _stop(self, command: Command, user: str, run: _Run) -> Result:
        """Kill the run's remote process group after a timeout; the result is `timeout` either way."""
        host = command.host
        kill = f"sh -c {shlex.quote(_kill_script(self._kill_grace))} sh \"$D\""
        if command.sudo:
            kill = f'if [ "$(id -u)" = 0 ]; then {kill}; else sudo -n {kill}; fi'
        script = f"sh -c {shlex.quote(f'D={run.dir_expr}; {kill}')}"
        try:
            conn = await self._connection(host, user)
            async with asyncio.timeout(self._kill_grace + self.connect_timeout + 5):
                done = await conn.run(script, check=False)
            if done.exit_status == 0:
                return Result("timeout")
            detail = str(done.stderr or "").strip() or f"exit status {done.exit_status}"
        except Exception as exc:  # report, do not raise: the step timed out regardless
            detail = _reason(exc)
        log.warning("%s: could not stop timed-out command: %s", host.name, detail)
        return Result(
            "timeout",
            error=f"could not stop the command on {host.name} ({detail}); it may still be running there "
            f"(detached in {run.where})",
        )

    # -- connections ----------------------------------------------------------------------------------------

    def _lost_or_failed(
        self, conn: asyncssh.SSHClientConnection, host: Host | None, exc: BaseException | None, what: str
    ) -> Exception:
        """A dropped connection is worth a reconnect; anything else on a live connection is a plain failure."""
        if conn.is_closed() or exc is None or isinstance(exc, (asyncssh.ConnectionLost, ConnectionError)):
            return _Lost(_reason(exc) if exc is not None else "connection closed")
        where = f" on {host.name}" if host is not None else ""
        return _Failed(f"{what or 'ssh session failed'}{where}: {_reason(exc)}")

    async def _connection(
        self, host: Host, user: str, stale: asyncssh.SSHClientConnection | None = None
    ) -> asyncssh.SSHClientConnection:
        """The live connection for this host, opened on first use; one opener at a time per host."""
        key: ConnKey = (host.name, host.address, host.port, user)
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            conn = self._conns.get(key)
            if conn is not None and conn is not stale and not conn.is_closed():
                return conn
            if conn is not None:
                conn.close()
                del self._conns[key]
            conn = await self._open(host, user)
            self._conns[key] = conn
            return conn

    async def _reconnect(
        self, host: Host, user: str, dead: asyncssh.SSHClientConnection, status: StatusSink
    ) -> asyncssh.SSHClientConnection | None:
        """Reconnect with exponential backoff; None when every attempt failed. A host key or auth failure is final."""
        dead.close()
        delay = BACKOFF_FIRST
        for attempt in range(1, self.reconnect_attempts + 1):
            status(f"{host.name}: connection lost, reconnecting ({attempt}/{self.reconnect_attempts})...")
            await asyncio.sleep(delay)
            delay = min(delay * 2, BACKOFF_CAP)
            try:
                return await self._connection(host, user, stale=dead)
            except _ConnectFailed as exc:
                if exc.permanent:
                    raise
                log.info("%s: reconnect %d failed: %s", host.name, attempt, exc)
        return None

    async def _open(self, host: Host, user: str) -> asyncssh.SSHClientConnection:
        """Connect and authenticate, verifying the host key; errors become one-line messages."""
        target = f"{host.name} ({host.address}:{host.port})"
        client_keys: Sequence[asyncssh.SSHKeyPair] | tuple[()] = ()
        if host.identity:
            client_keys = await self._identity(host.identity)
        try:
            return await asyncssh.connect(
                host.address,
                port=host.port,
                username=user,
                known_hosts=self._known_hosts(),
                client_keys=client_keys,
                connect_timeout=self.connect_timeout,
                keepalive_interval=self._keepalive_interval,
                keepalive_count_max=3,
            )
        except asyncssh.HostKeyNotVerifiable as exc:
            changed = await _changed_key(self.known_hosts, host)
            raise _ConnectFailed(
                f"host key for {target} not verified: {changed or f'{_reason(exc)}; expected it in {self.known_hosts}'}",
                permanent=True,
            ) from None
        except asyncssh.PermissionDenied as exc:
            keys = f"identity {host.identity}" if host.identity else "the SSH agent and default keys"
            raise _ConnectFailed(
                f"authentication as {user} on {target} failed ({_reason(exc)}); tried {keys}", permanent=True
            ) from None
        except (asyncssh.Error, OSError, TimeoutError) as exc:
            raise _ConnectFailed(f"cannot connect to {target}: {_reason(exc)}", permanent=False) from None

    def _known_hosts(self) -> str | asyncssh.SSHKnownHosts:
        """The known_hosts file; a missing file means no host is trusted (never `None`, which trusts all)."""
        if os.path.exists(self.known_hosts):
            return self.known_hosts
        return asyncssh.import_known_hosts("")

    async def _identity(self, path: str) -> Sequence[asyncssh.SSHKeyPair]:
        """Load `host.identity` once, asking `passphrase_lookup` (in a thread: keyring blocks) if it is encrypted."""
        path = os.path.expanduser(path)
        if path not in self._identities:
            self._identities[path] = await asyncio.to_thread(self._load_identity, path)
        return self._identities[path]

    def _load_identity(self, path: str) -> Sequence[asyncssh.SSHKeyPair]:
        try:
            return asyncssh.load_keypairs(path)
        except OSError as exc:
            raise _ConnectFailed(f"cannot read identity {path}: {_reason(exc)}", permanent=True) from None
        except (asyncssh.KeyImportError, asyncssh.KeyEncryptionError) as exc:
            if "passphrase" not in str(exc).lower():
                raise _ConnectFailed(f"cannot use identity {path}: {_reason(exc)}", permanent=True) from None
        if self._passphrase_lookup is None:
            raise _ConnectFailed(f"identity {path} is encrypted and no passphrase source is set up", permanent=True)
        try:
            passphrase = self._passphrase_lookup(path)
        except Exception as exc:  # a keyring backend can fail in many ways; say which secret we wanted
            raise _ConnectFailed(f"looking up the passphrase for identity {path} failed: {exc}", permanent=True) from None
        if passphrase is None:
            raise _ConnectFailed(f"identity {path} is encrypted and no passphrase was found for it", permanent=True)
        try:
            return asyncssh.load_keypairs(path, passphrase)
        except (asyncssh.KeyImportError, asyncssh.KeyEncryptionError, OSError) as exc:
            raise _ConnectFailed(f"cannot decrypt identity {path}: {_reason(exc)}", permanent=True) from None
