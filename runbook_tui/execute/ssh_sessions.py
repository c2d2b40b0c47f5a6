"""Opening an SSH session on a connection that may allow only one at a time.

Commands share one connection per host: a step's follow session, the background end of the one before it (its
`done` and the removal of its files, see `SshExecutor._finish_later`), a stop's kill session, the sudo probe. An sshd
with `MaxSessions 1` (hardened hosts) refuses a second channel while another is open: before, the next step on such
a host failed at random with `ssh session failed on db0: open failed`, counted as started though nothing ran. Now a
refused open waits for the connection's sessions still ending and tries again a few times; when it is still refused
the words say why and that nothing ran.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from typing import TypeVar

import asyncssh

from runbook_tui.execute.ssh_scripts import STOPPED
from runbook_tui.runbook import lazy_re

T = TypeVar("T")
#: Seconds after the start before the client asks for live output: a command done sooner costs no `tail` on the host.
STREAM_AFTER = 0.2
_STOPPED_LINE = lazy_re.compile(STOPPED.encode() + rb" ([0-9]{1,3})\r?\n?\Z")
log = logging.getLogger(__name__)

#: Tries of one open; between them the connection's ending sessions are waited for (at most ENDING_WAIT) and a pause.
OPEN_TRIES = 4
ENDING_WAIT = 5.0
PAUSE = 0.1


async def opened(make: Callable[[], Awaitable[T]], ending: Callable[[], Collection[asyncio.Task[None]]]) -> T:
    """`make()` (a session's open), tried again while the server refuses the channel; `ending()`: the connection's
    sessions still ending, waited for before the next try. Raises the last ChannelOpenError."""
    for attempt in range(OPEN_TRIES):
        try:
            return await make()
        except asyncssh.ChannelOpenError:
            if attempt + 1 == OPEN_TRIES:
                raise
            if tasks := set(ending()):
                await asyncio.wait(tasks, timeout=ENDING_WAIT)
            await asyncio.sleep(PAUSE * 2**attempt)
    raise AssertionError("unreachable")  # the loop returns or raises


async def open_process(
    conn: asyncssh.SSHClientConnection, command: str, ending: Callable[[], Collection[asyncio.Task[None]]]
) -> asyncssh.SSHClientProcess[bytes]:
    """A session running `command` (bytes streams), opened as `opened` tries."""
    return await opened(lambda: conn.create_process(command, encoding=None), ending)


def ending_of(
    acknowledging: Mapping[asyncssh.SSHClientConnection, Collection[asyncio.Task[None]]], conn: asyncssh.SSHClientConnection
) -> Callable[[], set[asyncio.Task[None]]]:
    """The sessions of `conn` still ending (their `done` sent), as `opened` asks for them."""
    return lambda: set(acknowledging.get(conn, ()))


def refused_words(host: str, exc: asyncssh.ChannelOpenError) -> str:
    """A session the host would not open, after the tries: nothing ran there."""
    return (
        f"could not start the command on {host}: its sshd refused to open a session ({exc.reason or 'open failed'}) {OPEN_TRIES}"
        " times: it may allow fewer sessions per connection than runbook-tui uses (MaxSessions in its sshd_config; 2 or"
        " more is needed), or forbid sessions for this user"
    )


async def finished(
    proc: asyncssh.SSHClientProcess[bytes], journaled: asyncio.Future[None] | None, host: str, grace: float, leftovers: Sequence[str] = ()
) -> None:
    """A follow session whose result is in: once its end is journaled (`journaled` set, or None), `done` on its stdin
    removes the run's files and ends it (at most `grace` seconds). Before, `done` went as soon as the result came in: a
    `kill -9` before the runner journaled the host's end left it `unknown` with no run left to follow, and `resume
    --rerun` started the command a second time. `journaled` cancelled (it never will be): the session is closed
    without it, and EOF keeps the files. `leftovers`: names of other runs to clear there (`tidy`, ssh_scripts.TIDY)."""
    try:
        if journaled is not None:
            await asyncio.shield(journaled)
        proc.stdin.write((f"tidy {' '.join(leftovers)}\n" if leftovers else "").encode() + b"done\n")
        await asyncio.wait_for(proc.wait_closed(), grace)
    except (Exception, asyncio.CancelledError) as exc:  # best effort: at worst the run's files stay on the host
        log.debug("%s: the run's files stay there (end not journaled, or the session did not end cleanly)", host, exc_info=True)
        proc.close()
        if isinstance(exc, asyncio.CancelledError) and not (journaled is not None and journaled.cancelled()):
            raise  # this task itself was cancelled


async def read_rest(follow: Awaitable[int] | None, grace: float) -> None:
    """Follow a run once more after its stop, at most `grace` seconds, for what it wrote as it ended (a TERM trap's
    `cleaning up`, a migration saying what it rolled back), as the local executor reads its pipes after the kill. Before,
    the output ended where the stop began, and those words stayed in the run's files, removed unread. Best effort: the
    follow ends without an exit status (`_Failed`), and a host that allows one session (the stop's still open) says no.
    None: the run's pid was never known (it may not have begun), so there is nothing to follow."""
    if follow is None:
        return
    try:
        async with asyncio.timeout(grace):
            await follow
    except Exception:  # the step was stopped regardless: at worst those last words are missing
        log.debug("reading what a stopped command wrote as it ended failed", exc_info=True)


async def stopped_status(proc: asyncssh.SSHClientProcess[bytes]) -> int | None:
    """The kill script's exit status from a stop session's `stopped N` line (`stop_script`), past any login noise (a
    login's `printf` without a newline puts it at the end of that line); else (the session ended without it) the
    session's own exit status."""
    while line := await proc.stdout.readline():
        if found := _STOPPED_LINE.search(line):
            return int(found.group(1))
    await proc.wait_closed()
    return proc.exit_status


class Ticker:
    """Asks for live output (`t` on stdin) `STREAM_AFTER` seconds after the run was sent, and again until `stop()`.

    A run that ends sooner sends its whole result at once (no `tail` on the
    host); `t` lines that come after it are ignored. A timer, not a task:
    most runs end before it fires.
    """

    def __init__(self, proc: asyncssh.SSHClientProcess[bytes]) -> None:
        self._proc = proc
        self._loop = asyncio.get_running_loop()
        self._timer: asyncio.TimerHandle | None = self._loop.call_later(STREAM_AFTER, self._tick)

    def _tick(self) -> None:
        try:
            self._proc.stdin.write(b"t\n")
        except (asyncssh.Error, OSError):  # the session is gone: the pumps will tell
            self._timer = None
            return
        self._timer = self._loop.call_later(STREAM_AFTER, self._tick)

    def stop(self) -> None:
        """The host streams (its stderr header is in) or the session is over: no more `t`."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
