"""ProxyJump and ProxyCommand fill one place, as ssh reads them: the first obtained wins, `none` included, the real
`ssh -G` the judge. Before (session 37) each was read on its own: `ProxyCommand none` for a host, then `Host *`'s
ProxyJump, went through a bastion `ssh db1` leaves out (here into a loop, the bastion matching `Host *` too), and a
host's ProxyJump then a later ProxyCommand was refused where ssh jumps."""

from __future__ import annotations

from pathlib import Path

import pytest
from ssh_g import ssh_says

from runbook_tui.execute.ssh_config import SshConfigError, SshConfigResolver
from runbook_tui.runbook.model import Host, Mark


def _via(config: Path) -> str | None:
    endpoint = SshConfigResolver(str(config), "/kh").endpoint(Host("db1", "db1", Mark("rb.yaml", 1, 1)))
    return None if endpoint.via is None else f"{endpoint.via.user}@{endpoint.via.address}"


@pytest.mark.parametrize(
    ("text", "jump"),
    [
        ("Host db1\n  ProxyCommand none\nHost *\n  ProxyJump ops@bastion\n", None),
        ("Host db1\n  ProxyJump none\nHost *\n  ProxyJump ops@bastion\n", None),
        ("Host db1\n  ProxyJump ops@bastion\nHost db*\n  ProxyCommand nc %h %p\n", "ops@bastion"),
    ],
)
def test_the_first_of_proxyjump_and_proxycommand_is_the_route(tmp_path: Path, text: str, jump: str | None) -> None:
    config = tmp_path / "config"
    config.write_text(text)
    assert ssh_says(config, "db1", "proxyjump") == ([jump] if jump else [])
    assert _via(config) == jump


def test_a_proxycommand_first_is_still_refused_in_words(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text("Host db*\n  ProxyCommand nc %h %p\nHost db1\n  ProxyJump ops@bastion\n")
    assert ssh_says(config, "db1", "proxyjump") == [] and ssh_says(config, "db1", "proxycommand") == ["nc %h %p"]
    with pytest.raises(SshConfigError, match="reaches db1 with a ProxyCommand, which runbook-tui does not run"):
        _via(config)
