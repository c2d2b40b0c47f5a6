"""A host's key is looked up under the name the runbook connects to, not under the address that name resolves to, as
ssh does (CheckHostIP is off by default since OpenSSH 8.5): checked with the installed ssh against the same sshd.

The harm: known_hosts lines written by an older ssh hold `name,address` (`prod,10.0.0.5 KEY`); when `staging` resolves
to 10.0.0.5 (a DNS record changed by mistake or by an attacker), ssh refuses `staging` (no key is known for that name),
where asyncssh took prod's line by its address and the staging change ran on prod.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import subprocess
from pathlib import Path

import pytest
from peers import Sshd, public_line
from ssh_helpers import arun, cmd, run_one

from runbook_tui.engine.ports import Result
from runbook_tui.execute.ssh import SshExecutor

pytestmark = pytest.mark.peers


def _run(sshd: Sshd, tmp_path: Path, known_lines: str, address: str) -> Result:
    known = tmp_path / "known_hosts"
    known.write_text(known_lines)

    async def main() -> Result:
        ex = SshExecutor(remote_dir=str(tmp_path / "runs"), known_hosts=str(known), ssh_config=None, connect_timeout=10)
        try:
            result, _, _ = await run_one(ex, cmd(sshd.host("staging", address=address), "true"))
        finally:
            await ex.close()
        return result

    return arun(main)


def _ssh_logs_in(sshd: Sshd, tmp_path: Path, address: str) -> bool:
    strict = ["-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", f"UserKnownHostsFile={tmp_path / 'known_hosts'}"]
    argv = ["ssh", "-F", "/dev/null", *strict, "-o", "GlobalKnownHostsFile=/dev/null", "-i", str(sshd.client_key), "-p", str(sshd.port)]
    return subprocess.run([*argv, f"{sshd.user}@{address}", "true"], capture_output=True, timeout=60).returncode == 0


def test_a_key_listed_only_under_the_address_a_name_resolves_to_is_not_the_names(sshd: Sshd, tmp_path: Path) -> None:
    """`localhost` resolves to 127.0.0.1, whose key (and another name's) is listed; `localhost` is not. Before: ran."""
    line = f"[prod.example]:{sshd.port},[127.0.0.1]:{sshd.port} {public_line(sshd.host_key)}\n"
    result = _run(sshd, tmp_path, line, "localhost")
    assert result.status == "error" and result.final and not result.started, result
    fingerprint = sshd.host_key.get_fingerprint()
    assert result.error == (
        f"host key for staging (localhost:{sshd.port}) not verified: No ssh-ed25519 host key is known for [localhost]:{sshd.port}"
        f" (the host offers fingerprint {fingerprint}); expected it in {tmp_path / 'known_hosts'}"
    ), result.error  # as ssh says it, with what to check out of band (before: `Host key is not trusted for host localhost`)
    assert not _ssh_logs_in(sshd, tmp_path, "localhost")


def test_the_key_listed_under_the_name_is_taken(sshd: Sshd, tmp_path: Path) -> None:
    line = f"[localhost]:{sshd.port} {public_line(sshd.host_key)}\n"
    assert _run(sshd, tmp_path, line, "localhost") == Result("ok", exit_code=0)
    assert _ssh_logs_in(sshd, tmp_path, "localhost")


@pytest.mark.parametrize("names", ["[prod.example]:{port},", ",[prod.example]:{port}", "[prod.example]:{port},,[db9]:{port}"])
def test_a_line_with_an_empty_name_in_its_list_names_no_other_host(sshd: Sshd, tmp_path: Path, names: str) -> None:
    """`prod, KEY` (a trailing comma, a doubled one: a hand edit) lists prod alone for ssh; asyncssh filed the line under
    the empty name too, which the lookup under the name alone (no address) asked for: every host was trusted on prod's
    key. Before: staging ran."""
    line = f"{names.format(port=sshd.port)} {public_line(sshd.host_key)}\n"
    result = _run(sshd, tmp_path, line, "localhost")
    assert result.status == "error" and result.final and not result.started, result
    assert f"No ssh-ed25519 host key is known for [localhost]:{sshd.port}" in (result.error or ""), result.error
    assert not _ssh_logs_in(sshd, tmp_path, "localhost")


def test_a_hashed_line_of_the_empty_name_names_no_host(sshd: Sshd, tmp_path: Path) -> None:
    """The same hole through a hashed line (`|1|SALT|HMAC("")`, as `ssh-keygen -H` never writes one, but a hand can)."""
    salt = os.urandom(20)
    empty = hmac.new(salt, b"", hashlib.sha1).digest()
    line = f"|1|{base64.b64encode(salt).decode()}|{base64.b64encode(empty).decode()} {public_line(sshd.host_key)}\n"
    result = _run(sshd, tmp_path, line, "localhost")
    assert result.status == "error" and result.final and not result.started, result
    assert not _ssh_logs_in(sshd, tmp_path, "localhost")


@pytest.mark.parametrize("address", ["LOCALHOST", "LocalHost"])
def test_a_name_in_capitals_is_looked_up_in_lower_case_as_ssh_looks_it_up(sshd: Sshd, tmp_path: Path, address: str) -> None:
    """ssh lowercases a host name before it connects and looks its key up (`ssh -G DB1` says `hostname db1`). Before
    (session 37): asyncssh matched the known_hosts line case by case, and a runbook's `address: DB1.EXAMPLE.COM` was
    refused as not trusted where ssh logs in."""
    result = _run(sshd, tmp_path, f"[localhost]:{sshd.port} {public_line(sshd.host_key)}\n", address)
    assert _ssh_logs_in(sshd, tmp_path, address)
    assert result.status == "ok", result
