"""What the engine needs from an executor, and nothing more.

Executors only run commands and stream what comes back: they know nothing
about steps, checkpoints, verifiers or journals. The controller hands them a
fully rendered `Command` and a sink for output bytes, and gets a `Result`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Literal, Protocol

from runbook_tui.runbook.lean_dataclass import dataclass
from runbook_tui.runbook.model import Host

Stream = Literal["stdout", "stderr"]
#: Called with each chunk as it arrives (not per line: chunks are cheaper to journal).
OutputSink = Callable[[Stream, bytes], None]
#: Called with human-readable progress that is not command output (reconnecting, re-attached).
StatusSink = Callable[[str], None]
#: Seconds between SIGTERM and SIGKILL of a command's process group (a timeout, a person's stop), on every executor.
KILL_GRACE_SECONDS = 2.0
#: How a `Command.follow_only`'s error begins where its host answered and holds no run of that key (it ended and was
#: collected, or was never there): the host was reached; any other error leaves the run's end unknown.
NO_RUN_TO_FOLLOW = "found no run of the command"


class StopSignal:
    """A person's word to stop a running step: every executor running one of its commands ends it as a timeout would
    (TERM to its process group, KILL after a grace) and returns `stopped`."""

    __slots__ = ("_callbacks", "reason")

    def __init__(self) -> None:
        self.reason: str | None = None
        self._callbacks: list[Callable[[], None]] = []

    def stop(self, reason: str) -> None:
        """Once: later calls keep the first reason."""
        if self.reason is not None:
            return
        self.reason = reason
        for callback in self._callbacks:
            callback()

    def on_stop(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call `callback` at the stop (at once if it came already); returns what forgets it."""
        if self.reason is not None:
            callback()
            return lambda: None
        self._callbacks.append(callback)

        def forget() -> None:
            if callback in self._callbacks:
                self._callbacks.remove(callback)

        return forget


@dataclass(frozen=True, slots=True)
class Command:
    """One command on one host, rendered and quoted already."""

    host: Host
    command: str  # text for `sh -c`
    env: tuple[tuple[str, str], ...] = ()
    cwd: str | None = None
    sudo: bool = False
    timeout: float | None = None  # seconds; None = no limit
    key: str = ""  # unique per attempt ("<session>/<step>/<attempt>"): names a detached remote run
    shown: str = ""  # the command as people read it, values inline (the text refers to them in `env`)
    stop: StopSignal | None = None  # the step's: a person stopped it
    #: Set once the command's end is on disk in the journal (cancelled: it never will be); until then an executor keeps
    #: what lets a later process find the run and its end (the SSH executor's remote files). None: nothing to wait for.
    journaled: asyncio.Future[None] | None = None
    #: Keys of runs an earlier process of this session left on this host whose ends are journaled (a kill between that
    #: write and their removal): once this command's end is journaled too, an executor removes what is left of them,
    #: never of a run still going (engine/ends_journaled.py).
    leftovers: tuple[str, ...] = ()
    #: Only follow the run `key` names, left on the host by a lost link (a rollback waits for it to end before its undo):
    #: never start it; where no such run is there, an error with `started` False that begins `NO_RUN_TO_FOLLOW`.
    follow_only: bool = False


@dataclass(frozen=True, slots=True)
class Result:
    """How a command ended.

    status `ok`: it ran to completion (whatever its exit code); `timeout`: it
    was killed at its limit; `stopped`: a person stopped it (`error` says
    who, and what became of it); `error`: it could not run or its end is
    unknown (connection refused, host key not verified, lost and not
    re-attached); `unknown`: only a practice's recorded executor says it, for
    a command the night's process died in (engine/night_stopped.py).
    `started` False: the command certainly never began there (no connection, no process): nothing to undo there.
    `final` True: the host must not be tried again under `retries:` (its host key did not verify: a security
    failure, where a retry only offers the credentials again to whoever answers).
    `assumed` True: only a practice's recorded executor says it, for a command the night never ran (nothing was
    recorded): it counts as succeeded, its exit code and stdout not judged against what the step expects.
    """

    status: Literal["ok", "timeout", "stopped", "error", "unknown"]
    exit_code: int | None = None
    error: str | None = None
    started: bool = True
    final: bool = False
    assumed: bool = False


class Executor(Protocol):
    async def run(self, command: Command, output: OutputSink, status: StatusSink | None = None) -> Result:
        """Run one command to its end, streaming output; never raises for command or network failures."""
        ...

    async def release(self, hosts: Sequence[Host]) -> None:
        """The run names these hosts in no later step: let go of what is held for them (a later command connects again)."""
        ...

    async def close(self) -> None:
        """Release connections and processes."""
        ...
