"""A host whose sshd allows one session per connection (`MaxSessions 1`), or none, against the real sshd."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from peers import make_sshd
from ssh_helpers import arun, cmd, executor, run_one, runs_left

from runbook_tui.engine.ports import Result

pytestmark = pytest.mark.peers


def test_one_session_per_connection_runs_every_step_and_stops_a_timed_out_one(tmp_path: Path) -> None:
    """Consecutive commands on one connection, and a timeout's kill. Before: the next command's session was refused
    while the one before still ended in the background (its `done`, its files removed): `ssh session failed on db1:
    open failed` at random, counted as started though nothing ran; a timeout's kill session was refused while the
    follow session stayed open: `could not stop the command on db1 (open failed); it may still be running there`."""
    (tmp_path / "sshd").mkdir()
    host = make_sshd(tmp_path / "sshd", {"SetEnv": "SHLVL=1", "MaxSessions": "1"})

    async def main() -> list[Result]:
        ex = executor(host, tmp_path)
        try:
            results = [(await run_one(ex, cmd(host.host("db1"), f"echo {n}")))[0] for n in range(12)]
            results.append((await run_one(ex, cmd(host.host("db1"), "sleep 30", timeout=1.0)))[0])
            results.append((await run_one(ex, cmd(host.host("db1"), "echo after")))[0])
            return results
        finally:
            await ex.close()

    try:
        results = arun(main)
    finally:
        host.stop()
    assert results[:12] == [Result("ok", exit_code=0)] * 12, results
    assert results[12] == Result("timeout"), "stopped: its kill session had a connection of its own"
    assert results[13] == Result("ok", exit_code=0), results[13]
    assert not runs_left(tmp_path), "the stopped run's files were removed"


def test_a_host_that_opens_no_session_says_so_and_nothing_ran(tmp_path: Path) -> None:
    """`MaxSessions 0`: every session refused. Before: `ssh session failed on db1: open failed`, the host started."""
    (tmp_path / "sshd").mkdir()
    host = make_sshd(tmp_path / "sshd", {"SetEnv": "SHLVL=1", "MaxSessions": "0"})
    marker = tmp_path / "ran"

    async def main() -> Result:
        ex = executor(host, tmp_path)
        try:
            return (await asyncio.wait_for(run_one(ex, cmd(host.host("db1"), f"touch {marker}")), 60))[0]
        finally:
            await ex.close()

    try:
        result = arun(main)
    finally:
        host.stop()
    assert result.status == "error" and result.started is False, result
    assert result.error == (
        "could not start the command on db1: its sshd refused to open a session (open failed) 4 times: it may allow fewer"
        " sessions per connection than runbook-tui uses (MaxSessions in its sshd_config; 2 or more is needed), or forbid"
        " sessions for this user"
    )
    assert not marker.exists()
