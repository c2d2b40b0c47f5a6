"""Whether `sudo -n` will run a step's command as root, asked before the command is started, in sudo's own words.

A `sudo: true` step whose user needs a password (or is not in sudoers) failed with exit code 1 and nothing else in
its words: the command's own exit 1 and sudo's refusal read the same. So before a sudo step's command starts on a
host, `sudo -n true` is run there on its own (once per connection: a success is remembered): when it fails, the
command is not started, and the host's error says that sudo refused, with the first line sudo wrote (shown as text,
controls made visible; nothing in it is interpreted). The command's own output is never parsed for this.

On a host allowing one session per connection (`MaxSessions 1`) the probe's session is opened as the command's is
(`ssh_sessions.opened`: after the connection's ending sessions, tried again): before, a refused probe counted as
passed, the command started under `sudo -n` and sudo's refusal read as the command's exit 1. A probe that still
cannot open a session fails the step unstarted; one that fails otherwise (no answer in time) says so beside the run.
"""

from __future__ import annotations

import asyncio
import getpass
import logging
import os
import weakref
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING

from runbook_tui.runbook.safe_text import visible_line

if TYPE_CHECKING:  # a plain local run loads no SSH (tests/engine/test_exec_output_path.py)
    import asyncssh

log = logging.getLogger(__name__)

#: Exit code of the probe when there is no sudo on the host.
NO_SUDO = 127
#: Root needs no sudo (the executors run its commands directly); anyone else needs `sudo -n` to work.
SUDO_PROBE = f'[ "$(id -u)" = 0 ] && exit 0; command -v sudo >/dev/null 2>&1 || exit {NO_SUDO}; sudo -n true'
#: Seconds the probe may take; longer, the command is started as before (its own failure says the rest).
PROBE_SECONDS = 15.0
#: Characters of sudo's words kept.
SAID_MAX = 300


def refusal_words(user: str, exit_code: int | None, stderr: bytes) -> str | None:
    """`sudo -n refused to run the command as root for alice: sudo: a password is required; the command was not
    started`, or None when the probe passed."""
    if exit_code == 0:
        return None
    if exit_code == NO_SUDO:
        return f"the step asks for sudo, but sudo is not installed for {visible_line(user)}; the command was not started"
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    said = visible_line(lines[0])[:SAID_MAX] if lines else f"`sudo -n true` exited {exit_code}"
    return f"sudo -n refused to run the command as root for {visible_line(user)}: {said}; the command was not started"


class SshSudoProbe:
    """The probe over SSH, remembered per connection once it passed (a new connection asks again)."""

    def __init__(self) -> None:
        self._passed: weakref.WeakSet[asyncssh.SSHClientConnection] = weakref.WeakSet()

    async def refusal(
        self,
        conn: asyncssh.SSHClientConnection,
        user: str,
        host: str,
        ending: Callable[[], Collection[asyncio.Task[None]]],
        note: Callable[[str], None],
    ) -> str | None:
        """Why sudo will not run a command as root for `user` on `host`; None when it will. A session the host will
        not open (after the tries of `opened`, waiting for `ending`) is a reason; a probe that fails otherwise is
        `note`d and the command then starts (its own failure says the rest)."""
        import asyncssh  # loaded already by the SSH executor that asks

        from runbook_tui.execute.ssh_sessions import opened, refused_words

        if conn in self._passed:
            return None
        try:
            probe = await asyncio.wait_for(opened(lambda: conn.run(SUDO_PROBE, check=False, encoding=None), ending), PROBE_SECONDS)
        except asyncssh.ChannelOpenError as exc:
            return refused_words(host, exc)
        except (asyncssh.Error, OSError, TimeoutError) as exc:
            log.debug("the sudo probe did not run", exc_info=True)
            why = f"no answer in {PROBE_SECONDS:g}s" if isinstance(exc, TimeoutError) else visible_line(str(exc))[:SAID_MAX] or type(exc).__name__
            note(
                f"{host}: could not check that sudo -n works for {visible_line(user)} ({why}); starting the command:"
                " a refusal by sudo would read as its exit status"
            )
            return None
        stderr = probe.stderr if isinstance(probe.stderr, bytes) else b""
        words = refusal_words(user, probe.exit_status, stderr)
        if words is None:
            self._passed.add(conn)
        return words


async def local_refusal() -> str | None:
    """Why `sudo -n` will not run a local command as root; None when it will (or we are root: no sudo is used)."""
    if os.geteuid() == 0:
        return None
    probe = SUDO_PROBE.split("; ", 1)[1]  # (not root: that is known here)
    try:
        proc = await asyncio.create_subprocess_exec(
            "sh", "-c", probe, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
        )
    except OSError:
        log.debug("the sudo probe did not start", exc_info=True)
        return None
    try:
        _, stderr = await asyncio.wait_for(proc.communicate(), PROBE_SECONDS)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        return None
    try:
        user = getpass.getuser()
    except Exception:  # no name for this uid (a container's): say the uid
        user = f"uid {os.geteuid()}"
    return refusal_words(user, proc.returncode, stderr)
