"""ProxyJump and ProxyCommand fill one place, as ssh reads them: the first obtained wins, `none` included, the real
`ssh -G` the judge. Before (session 37) each was read on its own: `ProxyCommand none` for a host, then `Host *`'s
ProxyJump, went through a bastion `ssh db1` leaves out (here into a loop, the bastion matching `Host *` too), and a
host's ProxyJump then a later ProxyCommand was refused where ssh jumps. A ProxyJump's tokens are expanded as ssh
expands them (`ssh -vvv`'s proxy command the judge)."""

from __future__ import annotations

import re
import subprocess
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


def _ssh_runs_for_the_jump(config: Path) -> str:
    """The command `ssh db1` runs to reach its ProxyJump (`ssh -vvv`'s `Executing proxy command`), or its refusal; the
    `.invalid` bastion fails at once (RFC 6761), nothing is reached."""
    argv = ["ssh", "-vvv", "-F", str(config), "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", "db1", "true"]
    said = subprocess.run(argv, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL).stderr
    found = re.search(r"Executing proxy command: exec (.*)|(unknown key %\w)", said)
    assert found, said
    return found[1] or found[2]


@pytest.mark.parametrize(
    ("jump", "runs", "via"),
    [
        ("%r@jump.invalid", "ssh -l ops -F {config} -vvv -W '[db1]:2200' jump.invalid", "ops@jump.invalid"),
        ("ops@%n.jump.invalid", "ssh -l ops -F {config} -vvv -W '[db1]:2200' db1.jump.invalid", "ops@db1.jump.invalid"),
        ("%x@jump.invalid", "unknown key %x", "ProxyJump '%x@jump.invalid': %x is no token of a ProxyJump (%h, %n, %p, %r and %% are)"),
    ],
)
def test_a_proxyjumps_tokens_are_the_targets_as_ssh_expands_them(tmp_path: Path, jump: str, runs: str, via: str) -> None:
    """Before (session 37): `%r@bastion` logged in to the bastion as the user `%r`."""
    config = tmp_path / "config"
    config.write_text(f"Host db1\n  ProxyJump {jump}\n  Port 2200\n  User ops\n")
    assert _ssh_runs_for_the_jump(config) == runs.replace("{config}", str(config))
    try:
        assert _via(config) == via
    except SshConfigError as exc:
        assert str(exc) == f"cannot use the ssh config {config}: {via}"
