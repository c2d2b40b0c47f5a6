"""A bastion whose sshd forbids TCP forwarding (`AllowTcpForwarding no`), in front of the session's sshd: real sshd on loopback.

The login to the bastion works; its refusal of the `direct-tcpip` channel is
what stops the hop. The fault and its fix are the bastion's, not the target's.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from peers import PeerError, Sshd, make_sshd
from ssh_helpers import arun, cmd, run_one

from runbook_tui.execute.ssh import SshExecutor

pytestmark = pytest.mark.peers


@pytest.fixture
def closed_bastion(tmp_path: Path) -> Iterator[Sshd]:
    (tmp_path / "bastion").mkdir()
    try:
        server = make_sshd(tmp_path / "bastion", {"AllowTcpForwarding": "no"})
    except PeerError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


def test_a_bastion_that_forbids_forwarding_is_named_as_the_fault_and_nothing_runs(sshd: Sshd, closed_bastion: Sshd, tmp_path: Path) -> None:
    """Before: `bastion bastion1 could not reach db1 (…): open failed (the target refused or is unreachable from the
    bastion)`, retried as if the target were down, and preflight's advice was about the target's address and port."""
    known = tmp_path / "known_both"
    known.write_text(sshd.known_hosts.read_text() + closed_bastion.known_hosts.read_text())
    ran = tmp_path / "ran"
    bastion = closed_bastion.host("bastion1")
    target = sshd.host("db1", via=bastion)

    async def main() -> tuple[str, str | None, bool]:
        ex = SshExecutor(remote_dir=str(tmp_path / "runs"), known_hosts=str(known), connect_timeout=10, reconnect_attempts=3)
        try:
            result, _sink, _notes = await run_one(ex, cmd(target, f"touch {ran}"))
        finally:
            await ex.close()
        return result.status, result.error, result.started

    status, error, started = arun(main)
    assert status == "error" and not started, error
    assert (error or "").startswith(f"bastion bastion1 does not forward connections for {bastion.user}, so db1 (127.0.0.1:{sshd.port})"), error
    assert "AllowTcpForwarding yes" in (error or "") and "unreachable" not in (error or ""), error
    assert not ran.exists(), "the command ran"

    runbook = tmp_path / "rb.yaml"
    entry = {"address": "127.0.0.1", "user": sshd.user}
    runbook.write_text(yaml.safe_dump({
        "runbook": 1, "id": "fw", "title": "Forwarding",
        "hosts": {
            "jump": [{"name": "bastion1", **entry, "port": closed_bastion.port, "identity": str(closed_bastion.client_key)}],
            "db": {"via": "bastion1", "hosts": [{"name": "db1", **entry, "port": sshd.port, "identity": str(sshd.client_key)}]},
        },
        "sections": [{"id": "s", "title": "S", "kind": "implement", "steps": [
            {"id": "a", "title": "A", "run": f"touch {ran}", "on": "db", "verify": "none", "undo": "true"}]}],
    }, sort_keys=False), encoding="utf-8")  # fmt: skip
    settings = tmp_path / "settings.yaml"
    settings.write_text(yaml.safe_dump({"ssh": {"known_hosts": str(known), "config": False}}), encoding="utf-8")
    env = {**os.environ, "RUNBOOK_TUI_SETTINGS": str(settings)}
    preflight = subprocess.run([sys.executable, "-m", "runbook_tui", "preflight", str(runbook)], env=env, capture_output=True, text=True, timeout=60)
    assert preflight.returncode == 1, preflight.stdout + preflight.stderr
    assert "Traceback" not in preflight.stdout + preflight.stderr
    [line] = [line for line in preflight.stdout.splitlines() if line.startswith("host db1 ")]
    assert ": bastion: bastion bastion1 does not forward connections" in line, line
    assert "What to do: on bastion1, allow TCP forwarding" in line, line
    assert not ran.exists(), "preflight ran the step"
