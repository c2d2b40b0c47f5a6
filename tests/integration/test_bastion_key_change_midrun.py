"""A host key that changes between two steps of one run: a ProxyJump bastion restarted with a new key, and a step host
restarted with a new key behind a bastion that stays up. The real `runbook-tui exec`, real sshds on loopback; a local
step between the two remote steps waits while the test restarts the sshd, so the second step must connect anew."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import asyncssh
import pytest
import yaml
from integration_cli import Cli, events, of_type
from peers import PeerError, Sshd, make_sshd
from waiting import wait_until

pytestmark = pytest.mark.peers


@pytest.fixture
def bastion(tmp_path: Path) -> Iterator[Sshd]:
    (tmp_path / "bastion").mkdir()
    try:
        server = make_sshd(tmp_path / "bastion", {"AllowTcpForwarding": "yes", "LogLevel": "DEBUG1"})
    except PeerError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


def rekey(server: Sshd) -> str:
    """Restart `server` with a new host key (every connection to it dropped); its new key's SHA256 fingerprint."""
    server.stop()
    key = asyncssh.generate_private_key("ssh-ed25519")
    key.write_private_key(str(server.dir / "host_key"))
    key.write_public_key(str(server.dir / "host_key.pub"))
    (server.dir / "host_key").chmod(0o600)
    server.host_key = key
    server.start()
    return key.get_fingerprint("sha256")


def night(cli: Cli, bastion: Sshd, config: str) -> Path:
    """Two remote steps on db1 (behind the bastion), a local step between them that waits for the file `go`."""
    ssh_config = cli.dir / "ssh_config"
    ssh_config.write_text(config.format(b=bastion, key=bastion.client_key), encoding="utf-8")
    known = cli.dir / "known"
    known.write_text(bastion.known_hosts.read_text() + cli.sshd.known_hosts.read_text(), encoding="utf-8")
    cli.settings.write_text(yaml.safe_dump({"ssh": {"known_hosts": str(known), "config": str(ssh_config)}}), encoding="utf-8")
    db1 = {**cli.hosts(1)[0], "name": "db1"}
    steps = [
        {"id": "first", "on": "db", "run": f"echo first >> {cli.dir}/ledger"},
        {"id": "wait", "run": f"touch {cli.dir}/ready; while [ ! -e {cli.dir}/go ]; do sleep 0.05; done"},
        {"id": "second", "on": "db", "run": f"echo second >> {cli.dir}/ledger"},
    ]
    doc = {"runbook": 1, "id": "rekey", "title": "rekey", "hosts": {"db": [db1]}, "sections": [{"id": "impl", "kind": "implement", "steps": steps}]}
    path = cli.dir / "rekey.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, width=1000), encoding="utf-8")
    return path


PROXYJUMP = "Host db1 127.0.0.1\n  ProxyJump jumpy\nHost jumpy\n  HostName {b.address}\n  Port {b.port}\n  User {b.user}\n  IdentityFile {key}\n"


@pytest.mark.parametrize("changed", ["bastion", "target"])
def test_a_host_key_changed_between_two_steps_refuses_the_second_in_words_and_runs_nothing(cli: Cli, bastion: Sshd, tmp_path: Path, changed: str) -> None:
    """The first step connects through the bastion; the bastion (or db1 behind it, the bastion staying up) is restarted
    with a new key while the run waits; the second step must connect anew and refuse that hop, naming it and the new
    key's fingerprint, in the journal and on exec's lines, and nothing of it runs."""
    (tmp_path / "target").mkdir()
    try:
        target = make_sshd(tmp_path / "target")
    except PeerError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        cli.sshd = target
        path = night(cli, bastion, PROXYJUMP)
        proc, lines = cli.start("exec", str(path), "--solo", "probe", "--journal", "j.jsonl")
        wait_until((cli.dir / "ready").exists, "the wait step", 20)
        fingerprint = rekey(bastion if changed == "bastion" else target)
        (cli.dir / "go").touch()
        assert proc.wait(60) == 1, lines.text() + cli.stderr()
    finally:
        target.stop()
    out = lines.text()
    assert "Traceback" not in cli.stderr() + out, cli.stderr()
    assert (cli.dir / "ledger").read_text() == "first\n"  # the second step ran nowhere
    hop = f"through bastion jumpy: host key for jumpy (127.0.0.1:{bastion.port})" if changed == "bastion" else f"host key for db1 (127.0.0.1:{target.port})"
    [finished] = of_type(events(cli.dir / "j.jsonl"), "step_finished", step="second")
    error = finished["hosts"]["db1"]["error"]
    assert finished["status"] == "failed" and error.startswith(hop + " not verified: WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!"), finished
    assert f"has fingerprint {fingerprint};" in error, error
    assert f"   ✗ db1: {hop} not verified" in out, out
