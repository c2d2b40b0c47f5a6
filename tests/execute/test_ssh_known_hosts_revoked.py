"""A step host whose key known_hosts marks `@revoked` is refused as ssh refuses it: "REVOKED HOST KEY DETECTED", the
fingerprint, the file:line of the @revoked line; `preflight` says the same and never advises adding the key.

Checked with the installed ssh against the same sshd. Before: asyncssh's bare `Host key is revoked for host localhost`,
and preflight's advice was to check the fingerprint and add it to known_hosts.
"""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pytest
from peers import Sshd, public_line
from ssh_helpers import arun, cmd, run_one

from runbook_tui.app.preflight_hosts import host_findings
from runbook_tui.app.settings import Settings
from runbook_tui.engine.ports import Result
from runbook_tui.execute.ssh import SshExecutor
from runbook_tui.runbook.loader import load_text

pytestmark = pytest.mark.peers

#: known_hosts texts revoking the sshd's key, and the line the @revoked one is on
REVOKED = [
    ("# stolen laptop\n@revoked * {key}\n", 2),
    ("[localhost]:{port} {key}\n@revoked * {key}\n", 2),
    ("@revoked [localhost]:{port} {key}\nlocalhost {key}\n", 1),
]


def _ssh_says(sshd: Sshd, known: Path) -> subprocess.CompletedProcess[str]:
    strict = ["-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", f"UserKnownHostsFile={known}", "-o", "CheckHostIP=no"]
    argv = ["ssh", "-F", "/dev/null", *strict, "-o", "GlobalKnownHostsFile=/dev/null", "-i", str(sshd.client_key), "-p", str(sshd.port)]
    return subprocess.run([*argv, f"{sshd.user}@localhost", "true"], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def _known(sshd: Sshd, tmp_path: Path, text: str) -> Path:
    known = tmp_path / "known_hosts"
    known.write_text(text.format(port=sshd.port, key=public_line(sshd.host_key)))
    return known


@pytest.mark.parametrize(("text", "line"), REVOKED)
def test_a_revoked_step_host_key_is_refused_in_ssh_s_words(sshd: Sshd, tmp_path: Path, text: str, line: int) -> None:
    known = _known(sshd, tmp_path, text)
    ssh = _ssh_says(sshd, known)
    assert ssh.returncode == 255 and "REVOKED HOST KEY DETECTED" in ssh.stderr, ssh.stderr

    async def main() -> Result:
        ex = SshExecutor(remote_dir=str(tmp_path / "runs"), known_hosts=str(known), ssh_config=None, connect_timeout=20)
        try:
            result, _, _ = await run_one(ex, cmd(sshd.host("db1", address="localhost"), "touch ran"))
        finally:
            await ex.close()
        return result

    result = arun(main)
    assert result.status == "error" and result.final and not result.started, result
    assert result.error is not None
    assert result.error.startswith(f"host key for db1 (localhost:{sshd.port}) not verified: WARNING: REVOKED HOST KEY DETECTED!"), result.error
    assert f"fingerprint {sshd.host_key.get_fingerprint()}" in result.error, result.error
    assert f"revoked in {known}:{line}" in result.error and "Refusing to connect" in result.error, result.error
    assert not (tmp_path / "ran").exists()


def test_preflight_says_the_key_is_revoked_and_never_to_add_it(sshd: Sshd, tmp_path: Path) -> None:
    known = _known(sshd, tmp_path, REVOKED[0][0])
    text = f"""\
runbook: 1
id: revoked
title: Revoked
hosts:
  db:
    - {{name: db1, address: localhost, port: {sshd.port}, user: {sshd.user}, identity: "{sshd.client_key}"}}
sections:
  - id: main
    kind: precheck
    steps:
      - {{id: look, on: db, run: "true"}}
"""
    runbook = load_text(text.encode(), "revoked.yaml").runbook
    assert runbook is not None
    found = asyncio.run(host_findings(runbook, Settings(known_hosts=str(known), ssh_config=None)))
    assert len(found) == 1 and found[0].cause == "host key", [str(f) for f in found]
    said = str(found[0])
    assert "REVOKED HOST KEY DETECTED" in said and f"revoked in {known}:2" in said, said
    assert "add it" not in found[0].todo and "ssh-keygen -R" not in found[0].todo, found[0].todo
    assert str(known) in found[0].todo and "revoked" in found[0].todo, found[0].todo


def test_a_run_names_the_revoked_key_in_the_row_and_never_retries_it(tmp_path: Path, sshd: Sshd, monkeypatch: pytest.MonkeyPatch) -> None:
    """The status row says why the host never started (before: `'push' FAILED (never started)`, only the pane saying why)."""
    from test_ssh_refusals import failed_row, run_step  # the run and its row, as the TUI folds them

    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    known = tmp_path / "known_hosts"
    known.write_text(f"@revoked * {public_line(sshd.host_key)}\n[{sshd.address}]:{sshd.port} {public_line(sshd.host_key)}\n")
    events = run_step(tmp_path, sshd, {"id": "push", "run": "echo should-not-run", "retries": 2, "retry_delay": 0.1, "verify": "none"}, known)
    assert not [e for e in events if e["type"] == "note" and "retry" in e.get("text", "")], "a revoked host key was retried"
    [finished] = [e for e in events if e["type"] == "step_finished"]
    [problem] = finished["problems"]
    assert "REVOKED HOST KEY DETECTED" in problem and f"revoked in {known}:1" in problem, problem
    assert not [e for e in events if e["type"] == "output"]
    assert failed_row(events) == "'push' FAILED (host key REVOKED)", failed_row(events)
