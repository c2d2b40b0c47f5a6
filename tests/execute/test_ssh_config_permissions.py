"""A config file others may write, read as ssh reads it: ssh refuses `Bad owner or permissions on FILE` for an included
file (any Include, in any config) and for the default ~/.ssh/config, when it is writable by others or owned by another
user than root or you (readconf.c's SSHCONF_CHECKPERM; Debian's ssh lets a group write it when that group is yours
alone). Another user could otherwise change where your hosts are reached (a HostName, a ProxyJump to their machine). A
config named with `-F` (here: by the settings) and the system's /etc/ssh/ssh_config itself are not checked, as ssh does
not check them. This machine's `ssh -G` is the judge where it can be (it reads the default config from the passwd
home, which the tests leave alone). Before: read whatever its mode.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from runbook_tui.execute import ssh_config_system
from runbook_tui.execute.ssh_config import SshConfigError, SshConfigResolver
from runbook_tui.runbook.model import Host, Mark

pytestmark = pytest.mark.peers  # the real ssh client judges

MARK = Mark("rb.yaml", 1, 1)


def _ssh_user(config: Path) -> str:
    done = subprocess.run(["ssh", "-G", "-F", str(config), "db1"], capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        return "REFUSED " + done.stderr.strip()
    return next(line.split()[1] for line in done.stdout.splitlines() if line.startswith("user "))


def _our_user(config: Path, *, default: bool = False) -> str:
    try:
        return SshConfigResolver(str(config), "/kh", system_config=default).endpoint(Host("db1", "db1", MARK)).user
    except SshConfigError as exc:
        return f"REFUSED {exc}"


@pytest.mark.parametrize("mode", [0o666, 0o646, 0o620, 0o644, 0o600])
def test_an_included_file_others_may_write_is_refused_as_ssh_refuses_it(tmp_path: Path, mode: int) -> None:
    included = tmp_path / "inc.conf"
    included.write_text("Host db1\n  User deploy\n  ProxyJump ops@bastion\n")
    included.chmod(mode)
    config = tmp_path / "config"
    config.write_text(f"Include {included}\n")
    ssh, ours = _ssh_user(config), _our_user(config)
    assert ssh.startswith("REFUSED") == ours.startswith("REFUSED"), (oct(mode), ssh, ours)
    if mode & 0o002:  # world-writable: refused by every ssh
        assert f"Bad owner or permissions on {included}" in ssh and f"Bad owner or permissions on {included}" in ours, ours
        assert f"chmod go-w {included}" in ours, ours
    if mode in (0o644, 0o600):
        assert ours == ssh == "deploy"


def test_a_config_named_as_with_f_is_not_checked_the_default_one_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ssh_config_system, "SYSTEM_CONFIG", str(tmp_path / "no-system-config"))
    config = tmp_path / "config"
    config.write_text("Host db1\n  User deploy\n")
    config.chmod(0o666)
    assert _ssh_user(config) == _our_user(config) == "deploy"  # `ssh -F FILE` reads it whatever its mode
    refused = _our_user(config, default=True)  # as ~/.ssh/config: ssh checks it
    assert refused.startswith("REFUSED") and f"Bad owner or permissions on {config}" in refused, refused
    config.chmod(0o644)
    assert _our_user(config, default=True) == "deploy"


def test_a_file_made_writable_by_others_mid_run_is_refused_at_the_next_host(tmp_path: Path) -> None:
    """The checks are kept while the files are unchanged: a chmod is a change (before: only content, size and inode
    were, so a file opened to everyone after the first host was read again unchecked for the others)."""
    included = tmp_path / "inc.conf"
    included.write_text("Host db*\n  User deploy\n")
    config = tmp_path / "config"
    config.write_text(f"Include {included}\n")
    resolver = SshConfigResolver(str(config), "/kh")
    assert resolver.endpoint(Host("db1", "db1", MARK)).user == "deploy"
    included.chmod(0o666)
    with pytest.raises(SshConfigError, match="Bad owner or permissions on"):
        resolver.endpoint(Host("db2", "db2", MARK))
