"""What the engine needs from an executor, and nothing more.

Executors only run commands and stream what comes back: they know nothing
about steps, checkpoints, verifiers or journals. The controller hands them a
fully rendered `Command` and a sink for output bytes, and gets a `Result`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal, Protocol

from runbook_tui.runbook.lean_dataclass import dataclass
from runbook_tui.runbook.model import Host

Stream = Literal["stdout", "stderr"]
#: Called with each chunk as it arrives (not per line: chunks are cheaper to journal).
OutputSink = Callable[[Stream, bytes], None]
#: Called with human-readable progress that is not command output (reconnecting, re-attached).
StatusSink = Callable[[str], None]


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


@dataclass(frozen=True, slots=True)
class Result:
    """How a command ended.

    status `ok`: it ran to completion (whatever its exit code); `timeout`: it
    was killed at its limit; `error`: it could not run or its end is unknown
    (connection refused, host key not verified, lost and not re-attached).
    """

    status: Literal["ok", "timeout", "error"]
    exit_code: int | None = None
    error: str | None = None


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
