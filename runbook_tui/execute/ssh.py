"""Run commands on remote hosts over SSH (asyncssh), detached so they survive a dropped connection.

A remote step may run for minutes while the laptop's Wi-Fi or a VPN drops.
So the command is not tied to the SSH session: it is started detached on the
host (`setsid nohup`) with its output, pid and exit status in files under
`$HOME/<remote_dir>/<run name>/`. The executor then follows those files from
the byte offsets it has already delivered; after a reconnect it re-attaches
from the same offsets, so no byte is lost or repeated.

Remote layout of one run (the directory is mode 700: output may hold secrets):

    run.sh   the wrapper: cd, export env, (sudo -n) sh -c CMD, then write rc
    pid      pid of the wrapper, which leads its own session and process group
    out err  the command's stdout and stderr
    rc       its exit status, written atomically (rc.tmp + mv) when it ends

Host keys are always checked against a known_hosts file: an unknown or
changed key is an error with a plain message, never a silent accept.
The remote side needs a POSIX sh, `setsid`, `nohup` and GNU `tail`
(`--pid`), as any Linux host with coreutils and util-linux has.
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
from runbook_tui.runbook.model import Host

log = logging.getLogger(__name__)

#: Bytes asked for per read; what the sink gets at most per call.
CHUNK_SIZE = 65536
#: Seconds between SIGTERM and SIGKILL of the remote process group on timeout.
KILL_GRACE_SECONDS = 2.0
#: Reconnect backoff: first delay, then doubling up to the cap.
BACKOFF_FIRST = 0.5
BACKOFF_CAP = 5.0
#: Seconds the remote `tail`s and waiter sleep between checks (bounds the end-of-command latency).
POLL_SECONDS = 0.1

#: (host name, address, port, user): one SSH connection per host entry, so aliases of one machine fan out like distinct hosts.
ConnKey = tuple[str, str, int, str]

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
#: Exit status of the follow script when it cannot tell the command's status itself.
_UNSURE = 255


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
    """The detached script: run the command as asked, then record its exit status atomically.

    It is written to a file rather than passed in argv, so environment values
    (maybe secrets) do not show in the remote `ps`. Under `sudo -n` the
    variables are passed by name (`--preserve-env=`), as the local executor does.
    """
    steps: list[str] = []
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
    return 'd=$1\n' + " && ".join(steps) + '\necho $? > "$d/rc.tmp" && mv -f "$d/rc.tmp" "$d/rc"\n'


def _start_script(dir_expr: str) -> str:
    """Create the run directory and start the wrapper (read from stdin) detached, once.

    `mkdir` of the run directory is the lock: if it exists already, this key
    was started before (a retry after a drop, or another process re-attaching)
    and we only report its pid. Prints `PID ABSOLUTE_DIR`.
    """
    return f"""D={dir_expr}
mkdir -p "${{D%/*}}" || exit 120
if mkdir -m 700 "$D" 2>/dev/null; then
  cat > "$D/run.sh" || exit 121
  setsid nohup sh "$D/run.sh" "$D" </dev/null >"$D/out" 2>"$D/err" &
  echo $! > "$D/pid.tmp" && mv -f "$D/pid.tmp" "$D/pid" || exit 122
else
  cat >/dev/null
fi
i=0
while [ ! -s "$D/pid" ]; do
  i=$((i+1)); [ "$i" -le 100 ] || {{ echo "no pid file appeared in $D" >&2; exit 123; }}
  sleep 0.05
done
cd "$D" && printf '%s %s\\n' "$(cat pid)" "$(pwd -P)"
"""


def _follow_script(directory: str, pid: int, out_offset: int, err_offset: int) -> str:
    """Stream `out` to stdout and `err` to stderr from the given offsets until the command ended and both are drained.

    A waiter loop lives until `rc` exists or the wrapper is gone (a zombie
    counts as gone: some container inits reap late or never); the two
    `tail -f --pid=WAITER` then read what is left and exit. The script exits
    with the command's status, or 255 when it cannot tell (checked separately).
    Only the tails may write to the channel: every other diagnostic goes to
    /dev/null, or it would end up in the command's stderr.
    """
    return f"""exec 3>&2 2>/dev/null
cd {shlex.quote(directory)} || exit {_UNSURE}
alive() {{
  kill -0 {pid} 2>/dev/null || return 1
  [ -r /proc/{pid}/stat ] || return 0
  read -r _ _ s _ < /proc/{pid}/stat; [ "$s" != Z ]
}}
( while [ ! -e rc ] && alive; do sleep {POLL_SECONDS}; done ) & w=$!
tail -c +{out_offset + 1} -s {POLL_SECONDS} -f --pid=$w out 2>/dev/null &
tail -c +{err_offset + 1} -s {POLL_SECONDS} -f --pid=$w err >&3
wait
[ -e rc ] || exit {_UNSURE}
exit "$(cat rc)"
"""


def _kill_script(dir_expr: str, grace: float) -> str:
    """TERM the run's process group, KILL it if still there after `grace` seconds."""
    rounds = max(1, int(grace / POLL_SECONDS))
    return f"""D={dir_expr}
[ -d "$D" ] || exit 0
i=0
while [ ! -s "$D/pid" ] && [ "$i" -lt 20 ]; do sleep 0.1; i=$((i+1)); done
[ -s "$D/pid" ] || exit 0
P=$(cat "$D/pid")
kill -TERM -"$P" 2>/dev/null || exit 0
i=0
while [ "$i" -lt {rounds} ] && kill -0 -"$P" 2>/dev/null; do sleep {POLL_SECONDS}; i=$((i+1)); done
kill -KILL -"$P" 2>/dev/null
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
    directory: str | None = None
    offsets: dict[Stream, int] = field(default_factory=lambda: {"stdout": 0, "stderr": 0})

    @property
    def progress(self) -> tuple[int | None, int, int]:
        return self.pid, self.offsets["stdout"], self.offsets["stderr"]


def _ignore(_message: str) -> None:
    pass


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

    @property
    def connections(self) -> dict[ConnKey, asyncssh.SSHClientConnection]:
        """The open connections by (name, address, port, user): a copy, for diagnostics and tests."""
        return {key: conn for key, conn in self._conns.items() if not conn.is_closed()}

    async def run(self, command: Command, output: OutputSink, status: StatusSink | None = None) -> Result:
        """Run `command` detached on its host and stream its output; failures come back as a `Result`."""
        host = command.host
        for name, _ in command.env:
            if not _ENV_NAME.match(name):
                return Result("error", error=f"invalid environment variable name {name!r}")
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
        """Close every connection (detached commands keep running on their hosts)."""
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
                if run.pid is None:
                    await self._start(conn, command, run)
                code = await self._follow(conn, run, output)
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

    async def _start(self, conn: asyncssh.SSHClientConnection, command: Command, run: _Run) -> None:
        """Start the command detached (idempotent per key) and learn its pid and directory."""
        try:
            done = await conn.run(
                f"sh -c {shlex.quote(_start_script(run.dir_expr))}", input=wrapper_script(command), check=False
            )
        except (asyncssh.Error, OSError) as exc:
            raise self._lost_or_failed(conn, command.host, exc, "could not start the command") from exc
        if done.exit_status is None:
            raise self._lost_or_failed(conn, command.host, None, "could not start the command")
        lines = str(done.stdout or "").strip().splitlines()
        stdout = lines[-1] if lines else ""  # the last line: a chatty login shell may print before it
        if done.exit_status != 0 or " " not in stdout or not stdout.split(" ", 1)[0].isdigit():
            detail = str(done.stderr or "").strip() or f"exit status {done.exit_status}"
            raise _Failed(f"could not start the command on {command.host.name} in {run.where}: {detail}")
        pid, directory = stdout.split(" ", 1)
        run.pid, run.directory, run.where = int(pid), directory, directory
        log.debug("%s: started detached pid %s in %s", command.host.name, pid, directory)

    async def _follow(self, conn: asyncssh.SSHClientConnection, run: _Run, output: OutputSink) -> int:
        """Stream new bytes of `out` and `err` to the sink until the command ended; return its exit code."""
        assert run.pid is not None and run.directory is not None
        script = _follow_script(run.directory, run.pid, run.offsets["stdout"], run.offsets["stderr"])
        proc: asyncssh.SSHClientProcess[bytes] | None = None
        pumps: list[asyncio.Task[None]] = []
        try:
            proc = await conn.create_process(f"sh -c {shlex.quote(script)}", encoding=None)
            proc.stdin.write_eof()
            pumps = [
                asyncio.create_task(self._pump(proc.stdout, "stdout", run, output)),
                asyncio.create_task(self._pump(proc.stderr, "stderr", run, output)),
            ]
            await asyncio.gather(*pumps)
            await proc.wait_closed()
            code = proc.exit_status
        except (asyncssh.Error, OSError) as exc:
            raise self._lost_or_failed(conn, None, exc, "") from exc
        finally:
            for pump in pumps:
                pump.cancel()
            if proc is not None:
                proc.close()
        if code is None:
            raise _Lost("the output stream ended without an exit status")
        if code == _UNSURE:
            return await self._read_rc(conn, run)
        return code

    @staticmethod
    async def _pump(reader: asyncssh.SSHReader[bytes], stream: Stream, run: _Run, output: OutputSink) -> None:
        """Hand chunks to the sink as they come, counting what was delivered: the offset to resume from."""
        while True:
            data = await reader.read(CHUNK_SIZE)
            if not data:
                return
            run.offsets[stream] += len(data)
            output(stream, data)

    async def _read_rc(self, conn: asyncssh.SSHClientConnection, run: _Run) -> int:
        """Tell a real exit status 255 from 'no status recorded' (the follow script uses 255 for both)."""
        assert run.directory is not None
        try:
            done = await conn.run(f"cat {shlex.quote(run.directory + '/rc')}", check=False)
        except (asyncssh.Error, OSError) as exc:
            raise self._lost_or_failed(conn, None, exc, "") from exc
        text = str(done.stdout or "").strip()
        if done.exit_status == 0 and text.isdigit():
            return int(text)
        if done.exit_status is None:
            raise _Lost("connection dropped while reading the exit status")
        raise _Failed(f"the command ended without recording an exit status (killed?); see {run.where}")

    async def _stop(self, command: Command, user: str, run: _Run) -> Result:
        """Kill the run's remote process group after a timeout; the result is `timeout` either way."""
        host = command.host
        script = f"sh -c {shlex.quote(_kill_script(run.dir_expr, self._kill_grace))}"
        if command.sudo:
            script = f'if [ "$(id -u)" = 0 ]; then {script}; else sudo -n {script}; fi'
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
            raise _ConnectFailed(
                f"host key for {target} not verified: {_reason(exc)}; expected it in {self.known_hosts}",
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
