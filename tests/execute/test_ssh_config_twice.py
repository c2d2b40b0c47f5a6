"""A value ssh adds once, named twice in the ssh config (a host's block and `Host *`): read once here too."""

from __future__ import annotations

from pathlib import Path

from ssh_g import ssh_says

from runbook_tui.execute.ssh_config import SshConfigResolver
from runbook_tui.runbook.model import Host, Mark

MARK = Mark("rb.yaml", 1, 1)


def test_an_identity_file_named_twice_is_offered_once_as_ssh_offers_it(tmp_path: Path) -> None:
    """`IdentityFile /k/a` under `Host db1` and again under `Host *` (a common default): ssh adds it once. Before: listed
    twice, plan said `/k/a, /k/a, /k/b` and the key was offered twice, each refusal counting against sshd's MaxAuthTries."""
    config = tmp_path / "config"
    config.write_text(
        "Host db1\n  IdentityFile /k/a\n  CertificateFile /k/a-cert.pub\nHost *\n  IdentityFile /k/a\n  IdentityFile /k/b\n  CertificateFile /k/a-cert.pub\n"
    )
    route = SshConfigResolver(str(config), "/kh").endpoint(Host("db1", "db1", MARK))
    assert list(route.identities) == ["/k/a", "/k/b"] == ssh_says(config, "db1", "identityfile")
    assert list(route.certificates) == ["/k/a-cert.pub"] == ssh_says(config, "db1", "certificatefile")
