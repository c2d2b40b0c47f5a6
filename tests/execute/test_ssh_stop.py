"""A person's stop of a step running over SSH: the remote process group gets TERM (then KILL), its files go, and the
result says who stopped it (engine/step_stop.py)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from peers import Sshd
from ssh_helpers import Collect, arun, cmd, executor, runs_left

from runbook_tui.engine.ports import Result, StopSignal

pytestmark = pytest.mark.peers


def test_a_stop_terms_the_remote_process_group_and_says_who(sshd: Sshd, tmp_path: Path) -> None:
    marks = tmp_path / "marks"
    script = f"trap 'echo got-term >> {marks}; exit 143' TERM; echo $$ > {tmp_path}/pid; echo started; sleep 60 & wait"

    async def main() -> tuple[Result, Collect, list[str]]:
        ex = executor(sshd, tmp_path)
        stop = StopSignal()
        sink, notes = Collect(), []
        try:
            task = asyncio.create_task(ex.run(cmd(sshd.host("db1"), script, stop=stop), sink, notes.append))
            end = asyncio.get_running_loop().time() + 15
            while b"started" not in sink.data("stdout"):
                assert not task.done(), f"the command ended before it was stopped: {task.result()}"
                assert asyncio.get_running_loop().time() < end, "the remote command never said it started"
                await asyncio.sleep(0.02)
            stop.stop("stopped by alice")
            async with asyncio.timeout(15):
                return await task, sink, notes
        finally:
            await ex.close()

    result, _, notes = arun(main)
    assert result == Result("stopped", error="stopped by alice")
    assert notes == ["db1: stopped by alice: stopping its process group"]
    assert marks.read_text() == "got-term\n", "the remote shell got TERM"
    pid = int((tmp_path / "pid").read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert runs_left(tmp_path) == [], "the run's files are removed once it is stopped"
