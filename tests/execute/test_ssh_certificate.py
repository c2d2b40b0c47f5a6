"""`CertificateFile` of ~/.ssh/config, over a real sshd that takes user certificates only (`TrustedUserCAKeys`).

A site that signs its users' keys with a CA lists no key in authorized_keys: `ssh db1` logs in with the
certificate its config names. The certificate file here is not `KEY-cert.pub` (the name asyncssh would try by
itself), so only the config's `CertificateFile` can pair it with the key. Every config is a temp file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import asyncssh
import pytest
from peers import PeerError, Sshd, make_sshd
from ssh_helpers import arun, cmd, run_one

from runbook_tui.execute.ssh import SshExecutor
from runbook_tui.execute.ssh_config import SshConfigResolver
from runbook_tui.runbook.model import Host, Mark

pytestmark = pytest.mark.peers

MARK = Mark("rb.yaml", 1, 1)


@pytest.fixture
def ca_sshd(tmp_path: Path) -> Iterator[tuple[Sshd, Path, Path]]:
    """(an sshd trusting a user CA and no authorized key of ours, a key it does not list, that key's certificate)."""
    ca = asyncssh.generate_private_key("ssh-ed25519")
    ca.write_public_key(tmp_path / "user_ca.pub")
    (tmp_path / "server").mkdir()
    try:
        server = make_sshd(tmp_path / "server", {"TrustedUserCAKeys": str(tmp_path / "user_ca.pub")})
    except PeerError as exc:
        pytest.fail(str(exc), pytrace=False)
    user = asyncssh.generate_private_key("ssh-ed25519")
    key = tmp_path / "keys" / "deploy"
    key.parent.mkdir()
    user.write_private_key(key)
    key.chmod(0o600)
    certificate = tmp_path / "certs" / "deploy.signed"
    certificate.parent.mkdir()
    ca.generate_user_certificate(user, "deploy", principals=[server.user]).write_certificate(certificate)
    yield server, key, certificate
    server.stop()


def config_with(server: Sshd, key: Path, tmp_path: Path, certificate: str | None) -> Path:
    path = tmp_path / "ssh_config"
    lines = ["Host db1", "  HostName 127.0.0.1", f"  Port {server.port}", f"  User {server.user}", f"  IdentityFile {key}"]
    lines += [f"  UserKnownHostsFile {server.known_hosts}"] + ([f"  CertificateFile {certificate}"] if certificate else [])
    path.write_text("\n".join(lines) + "\n")
    return path


def run_on_db1(config: Path, tmp_path: Path) -> tuple[str, str | None, str]:
    async def main() -> tuple[str, str | None, str]:
        ex = SshExecutor(remote_dir=str(tmp_path / "runs"), known_hosts=str(tmp_path / "trusts_nothing"), ssh_config=str(config), connect_timeout=10)
        try:
            result, sink, _notes = await run_one(ex, cmd(Host("db1", "db1", MARK), "echo reached"))
        finally:
            await ex.close()
        return result.status, result.error, sink.data("stdout").decode()

    return arun(main)


def test_the_configs_certificate_file_logs_in_where_only_certificates_are_trusted(ca_sshd: tuple[Sshd, Path, Path], tmp_path: Path) -> None:
    """Before: the config's CertificateFile was never read, and the login failed with `tried identity KEY`, though
    `ssh db1` logged in."""
    server, key, certificate = ca_sshd
    config = config_with(server, key, tmp_path, str(certificate))
    assert run_on_db1(config, tmp_path) == ("ok", None, "reached\n")
    said = SshConfigResolver(str(config), "/kh").endpoint(Host("db1", "db1", MARK)).describe()
    assert f"identity {key} ({config}); certificate {certificate} ({config}); known_hosts" in said, said


def test_without_the_certificate_the_refusal_says_what_was_offered(ca_sshd: tuple[Sshd, Path, Path], tmp_path: Path) -> None:
    """No CertificateFile: the key alone is refused. A CertificateFile that is not there is skipped, as ssh skips it,
    and the words say so (the key was offered without it)."""
    server, key, _certificate = ca_sshd
    status, error, _out = run_on_db1(config_with(server, key, tmp_path, None), tmp_path)
    assert status == "error" and (error or "").endswith(f"tried identity {key}"), error
    missing = tmp_path / "certs" / "gone.pub"
    status, error, _out = run_on_db1(config_with(server, key, tmp_path, str(missing)), tmp_path)
    assert status == "error" and (error or "").endswith(f"tried identity {key} (certificate {missing} is not there)"), error
