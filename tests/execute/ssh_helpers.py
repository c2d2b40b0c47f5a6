"""Helpers for the SshExecutor tests against a real sshd: an output sink, a loop per run, an executor trusting the sshd."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from collect import Collect
from peers import Sshd

from runbook_tui.engine.ports import Command, Result
from runbook_tui.execute.ssh import SshExecutor
from runbook_tui.runbook.model import Host

T = TypeVar("T")


def arun(make: Callable[[], Awaitable[T]]) -> T:
    """Run one coroutine on a fresh loop (connections belong to the loop that opened them)."""
    return asyncio.run(make())  # type: ignore[arg-type]


def executor(sshd: Sshd, tmp_path: Path, **kw: object) -> SshExecutor:
    """An executor trusting this sshd, keeping its runs under tmp_path (same machine as the 'remote')."""
    kw.setdefault("known_hosts", str(sshd.known_hosts))
    return SshExecutor(remote_dir=str(tmp_path / "runs"), **kw)  # type: ignore[arg-type]


def cmd(host: Host, text: str, **kw: object) -> Command:
    return Command(host=host, command=text, key=kw.pop("key", f"t/{uuid.uuid4().hex[:8]}/1"), **kw)  # type: ignore[arg-type]


async def run_one(ex: SshExecutor, command: Command) -> tuple[Result, Collect, list[str]]:
    sink, notes = Collect(), []
    result = await ex.run(command, sink, notes.append)
    return result, sink, notes


def run_alone(sshd: Sshd, tmp_path: Path, command: Command) -> tuple[Result, Collect, list[str]]:
    """`command` on an executor of its own, closed after it."""

    async def main() -> tuple[Result, Collect, list[str]]:
        ex = executor(sshd, tmp_path)
        try:
            return await run_one(ex, command)
        finally:
            await ex.close()

    return arun(main)


def runs_left(tmp_path: Path) -> list[str]:
    """Runs still on the 'host' (this machine, under tmp_path): the names their files (NAME.out, ...) share."""
    runs = tmp_path / "runs"
    return sorted({p.name.rsplit(".", 1)[0] for p in runs.iterdir()}) if runs.exists() else []


def path_without_flock(folder: Path, flock: str | None = None) -> str:
    """A `PATH` (a command's env) holding `sh` and `sleep` and no `flock`, or a `flock` of this script text.

    The wrapper exports it before the command, so its wait for the output after the command (`ssh_drain.DRAIN`) finds
    that `flock` too: a host without util-linux, or whose `flock` cannot lock there.
    """
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    for name in ("sh", "sleep"):
        found = shutil.which(name)
        assert found, f"{name} is not installed"
        (bin_dir / name).symlink_to(found)
    if flock is not None:
        (bin_dir / "flock").write_text(flock, encoding="utf-8")
        (bin_dir / "flock").chmod(0o755)
    return str(bin_dir)
