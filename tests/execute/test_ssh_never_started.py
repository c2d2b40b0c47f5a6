"""A host a stop or a timeout reached before its command was sent says it never started (`Result.started` False), so a
rollback leaves it out (nothing to undo there) and the step's words count it as never started.

Before, those results said `the command never started on db9` in words while `started` stayed True: a rollback ran the
step's undo on hosts where nothing had run (a fan-out's hosts still waiting for their turn when `k` came, a host whose
connection was still opening at the timeout)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from collect import Collect
from peers import Sshd
from ssh_helpers import arun, cmd, executor
from waiting import until

from runbook_tui.engine.host_result import host_end
from runbook_tui.engine.ports import Result, StopSignal
from runbook_tui.runbook.loader import load_text

pytestmark = pytest.mark.peers


def test_hosts_still_waiting_for_their_turn_at_a_stop_never_started(sshd: Sshd, tmp_path: Path) -> None:
    async def main() -> list[Result]:
        ex = executor(sshd, tmp_path, max_concurrency=2)
        stop, sinks = StopSignal(), [Collect() for _ in range(4)]
        try:
            tasks = [asyncio.create_task(ex.run(cmd(sshd.host(f"db{i}"), "echo started; sleep 60", stop=stop), sinks[i])) for i in range(4)]
            await until(lambda: sum(b"started" in s.data("stdout") for s in sinks) == 2, "the first two hosts' commands saying they started", 20)
            stop.stop("stopped by alice")
            async with asyncio.timeout(30):
                return list(await asyncio.gather(*tasks))
        finally:
            await ex.close()

    results = arun(main)
    assert [(r.status, r.started) for r in results] == [("stopped", True)] * 2 + [("stopped", False)] * 2, results
    assert all("never started" in (r.error or "") for r in results[2:]), results


def test_a_timeout_while_the_connection_is_still_opening_never_started(sshd: Sshd, tmp_path: Path) -> None:
    async def main() -> Result:
        held: list[asyncio.StreamWriter] = []
        silent = await asyncio.start_server(lambda _r, w: held.append(w), "127.0.0.1", 0)  # takes the connection, says nothing
        ex = executor(sshd, tmp_path, connect_timeout=30)
        try:
            return await ex.run(cmd(sshd.host("db9", port=silent.sockets[0].getsockname()[1]), "true", timeout=0.5), Collect())
        finally:
            await ex.close()
            silent.close()

    result = arun(main)
    assert (result.status, result.started) == ("timeout", False), result


RUNBOOK = b"""\
runbook: 1
id: never
title: never
hosts:
  db: [{name: db1}]
sections:
  - id: main
    kind: implement
    steps:
      - {id: push, on: db, run: "true", undo: "true", timeout: 5s}
"""


@pytest.mark.parametrize("status", ["stopped", "timeout"])
def test_the_journal_keeps_that_a_stopped_or_timed_out_host_never_started(status: str) -> None:
    runbook = load_text(RUNBOOK, "rb.yaml").runbook
    assert runbook is not None
    step = runbook.step("push")
    never = Result(status, error="stopped by alice; the command never started on db1: its connection was not open yet", started=False)  # type: ignore[arg-type]
    assert host_end(step, "db1", never, None).get("started") is False
    assert "started" not in host_end(step, "db1", Result(status, error="stopped by alice"), None)  # type: ignore[arg-type]
