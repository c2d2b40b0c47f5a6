"""A host whose sshd allows one session per connection (`MaxSessions 1`), or none, against the real sshd."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from local_users import key_login_user
from peers import make_sshd
from ssh_helpers import arun, cmd, executor, run_one, runs_left

from runbook_tui.engine.ports import Result
from runbook_tui.execute.ssh import SshExecutor

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


def test_one_session_per_connection_still_asks_sudo_before_each_sudo_step(tmp_path: Path) -> None:
    """A `sudo: true` step right after another step on a `MaxSessions 1` host: its sudo check's session was refused
    while the step before still ended in the background. Before: the refused check counted as passed, the command
    started under `sudo -n` and failed with exit 1, sudo's own refusal lost (and the host counted as started)."""
    import os
    import pwd
    import shutil
    import tempfile

    directory = Path(tempfile.mkdtemp(prefix="rbt-sudo-"))  # sshd's StrictModes: not under pytest's private folder
    directory.chmod(0o755)
    bin_dir = directory / "bin"
    bin_dir.mkdir(mode=0o755)
    (bin_dir / "sudo").write_text("#!/bin/sh\necho 'sudo: a password is required' >&2\nexit 1\n", encoding="utf-8")
    (bin_dir / "sudo").chmod(0o755)
    user = pwd.getpwuid(os.getuid()).pw_name
    if os.geteuid() == 0:  # root needs no sudo: the step runs as a user who does
        user = key_login_user("rbt-preflight")
    host = make_sshd(directory, {"SetEnv": f"SHLVL=1 PATH={bin_dir}:/usr/local/bin:/usr/bin:/bin", "MaxSessions": "1"})
    (directory / "authorized_keys").chmod(0o644)
    db1 = host.host("db1", user=user)
    runs = directory / "runs"
    runs.mkdir(mode=0o700)
    shutil.chown(runs, user=user)  # the login's own: a folder shared with others is refused (test_ssh_hostile.py)

    async def main() -> list[Result]:
        ex = SshExecutor(known_hosts=str(host.known_hosts), remote_dir=str(runs))
        try:
            results = []
            for n in range(6):
                results.append((await run_one(ex, cmd(db1, f"echo {n}")))[0])
                results.append((await run_one(ex, cmd(db1, "echo should-not-run", sudo=True)))[0])
            return results
        finally:
            await ex.close()

    try:
        results = arun(main)
    finally:
        host.stop()
        shutil.rmtree(directory, ignore_errors=True)
    refused = f"sudo -n refused to run the command as root for {user}: sudo: a password is required; the command was not started"
    assert results[0::2] == [Result("ok", exit_code=0)] * 6, results
    assert results[1::2] == [Result("error", error=refused, started=False)] * 6, results
