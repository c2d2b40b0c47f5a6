"""The executor closed while a remote command runs (exec interrupted by SIGINT or SIGTERM, the TUI quit while a step runs).

Before: `close()` closed the connection under the follow, which took it for a dropped link and reconnected: it said
`db1: … reconnecting (1/5)...` into the run's journal, closed by then, and `exec` printed `runbook-tui: ssh run on db1
failed: JournalError: [Errno 9] the journal j.jsonl is closed (an unexpected error; please report it)`; the new
connection was never closed. Now a closing executor neither reconnects nor says anything: the run ends at once, the
command left running detached on the host (resume decides), and a host whose turn comes after the close starts nothing.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from pathlib import Path

import pytest
from collect import Collect
from peers import Sshd
from ssh_helpers import arun, cmd, executor
from waiting import until

from runbook_tui.engine.ports import Result

pytestmark = pytest.mark.peers


def test_closing_while_a_command_runs_ends_its_follow_quietly_and_leaves_the_command_running(
    sshd: Sshd, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pid_file = tmp_path / "pid"
    said: list[str] = []
    closed = False

    def status(message: str) -> None:
        if closed:
            raise RuntimeError(f"said after close: {message}")  # as the journal, closed by then, does
        said.append(message)

    async def main() -> tuple[Result, Result, int]:
        nonlocal closed
        ex = executor(sshd, tmp_path)
        sink = Collect()
        task = asyncio.create_task(ex.run(cmd(sshd.host("db1"), f"echo $$ > {pid_file}; echo started; exec sleep 60"), sink, status))
        ended = lambda: f"the command ended ({task.result()})" if task.done() else None  # noqa: E731
        await until(lambda: b"started" in sink.data("stdout"), "the remote command saying it started, before the close", 15, failed=ended)
        closed = True
        await ex.close()
        async with asyncio.timeout(10):
            result = await task
        after = await ex.run(cmd(sshd.host("db1"), f"touch {tmp_path / 'after'}"), Collect(), status)
        return result, after, len(ex.connections)

    with caplog.at_level(logging.INFO, logger="runbook_tui"):
        result, after, connections = arun(main)
    pid = int(pid_file.read_text())
    try:
        os.kill(pid, 0)  # still running, detached: the outcome is for resume to learn
    finally:
        os.kill(pid, signal.SIGKILL)
    assert result.status == "error" and result.error is not None, result
    assert result.error.startswith("no longer followed on db1: the program stopped; the command may still be running there"), result
    assert after == Result("error", error="not started on db1: the program is closing", started=False)
    assert not (tmp_path / "after").exists() and connections == 0
    assert said == [] and not [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info], caplog.records
