"""The system's ssh client config (/etc/ssh/ssh_config, and what it `Include`s: /etc/ssh/ssh_config.d/*.conf), read as
OpenSSH reads it: after the user's ~/.ssh/config, the first value obtained winning, and not at all when the config file
is named (`ssh -F FILE`: here a settings file's `ssh.config`), nor when the config is off (`ssh.config: false`).

A stand-in for the system file is used (`ssh_config_system.SYSTEM_CONFIG`, a constant no runbook or setting reaches);
the machine's own is never read by the tests. Before: never read, so a company-wide `Host *.corp` / `ProxyJump bastion`
there was ignored and the host reached directly, where `ssh` goes through the bastion.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from peers import Sshd
from ssh_helpers import arun, cmd, run_one

from runbook_tui.app.plan_connections import connections
from runbook_tui.app.settings import Settings, load_settings
from runbook_tui.engine.ports import Result
from runbook_tui.execute import ssh_config_system
from runbook_tui.execute.ssh import SshExecutor
from runbook_tui.execute.ssh_config import SshConfigResolver
from runbook_tui.runbook.loader import load_text
from runbook_tui.runbook.model import Host, Mark, Runbook

pytestmark = pytest.mark.peers

MARK = Mark("rb.yaml", 1, 1)


def _system(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> Path:
    """A stand-in for /etc/ssh/ssh_config holding `text`, in a folder of its own (its relative Includes are read there)."""
    folder = tmp_path / "etc-ssh"
    folder.mkdir(exist_ok=True)
    system = folder / "ssh_config"
    system.write_text(text)
    monkeypatch.setattr(ssh_config_system, "SYSTEM_CONFIG", str(system))
    return system


def _block(sshd: Sshd, name: str, port: int) -> str:
    return f"Host {name}\n  HostName {sshd.address}\n  Port {port}\n  User {sshd.user}\n  IdentityFile {sshd.client_key}\n"


def _run(sshd: Sshd, tmp_path: Path, user_config: Path) -> Result:
    async def go() -> Result:
        ex = SshExecutor(str(sshd.known_hosts), remote_dir=str(tmp_path / "runs"), ssh_config=str(user_config), system_config=True, connect_timeout=20)
        try:
            result, _, _ = await run_one(ex, cmd(Host("db1", "db1", MARK), f"touch {tmp_path / 'ran'}"))
        finally:
            await ex.close()
        return result

    return arun(go)


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_host_block_of_the_system_config_takes_effect_as_ssh_reads_it(sshd: Sshd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No ~/.ssh/config at all, the host's HostName, Port, User and key in the system file: `ssh db1` gets there."""
    _system(tmp_path, monkeypatch, _block(sshd, "db1", sshd.port))
    result = _run(sshd, tmp_path, tmp_path / "no-user-config")
    assert result.status == "ok", result
    assert (tmp_path / "ran").exists()


def test_the_users_value_wins_over_the_system_files(sshd: Sshd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The user's `Port` is read first and wins; the system file's other values (HostName, User, key) still fill in."""
    system = _system(tmp_path, monkeypatch, _block(sshd, "db1", _dead_port()))
    user = tmp_path / "config"
    user.write_text(f"Host db1\n  Port {sshd.port}\n")
    result = _run(sshd, tmp_path, user)
    assert result.status == "ok", result
    said = SshConfigResolver(str(user), str(sshd.known_hosts), system_config=True).endpoint(Host("db1", "db1", MARK)).describe()
    assert f"port {sshd.port} ({user})" in said and f"user {sshd.user} ({system})" in said, said


def _runbook() -> Runbook:
    text = "runbook: 1\nid: r\ntitle: R\nhosts:\n  db: [{name: app.corp}]\nsections:\n  - id: main\n    kind: precheck\n    steps:\n      - {id: look, on: db, run: 'true'}\n"
    runbook = load_text(text.encode(), "r.yaml").runbook
    assert runbook is not None
    return runbook


def test_a_company_wide_proxyjump_is_taken_with_the_default_config_not_with_a_named_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`Host *.corp` / `ProxyJump ops@bastion.corp` in a file the system config includes (relative to its folder, as
    Debian's `Include /etc/ssh/ssh_config.d/*.conf`): the default ~/.ssh/config reads it; a settings file naming the
    config (ssh -F) does not, nor `ssh.config: false`."""
    system = _system(tmp_path, monkeypatch, "Include ssh_config.d/*.conf\nHost *\n  SendEnv LANG LC_*\n  HashKnownHosts yes\n")
    (system.parent / "ssh_config.d").mkdir()
    company = system.parent / "ssh_config.d" / "10-company.conf"
    company.write_text("Host *.corp !bastion.corp\n  ProxyJump ops@bastion.corp\n  User deploy\n")
    user = tmp_path / "config"
    user.write_text("Host app.corp\n  User me\n")
    hops = connections(_runbook(), Settings(ssh_config=str(user)))["app.corp"]
    assert isinstance(hops, list), hops
    assert [(hop["name"], hop["user"]) for hop in hops] == [("app.corp", "me"), ("bastion.corp", "ops")], hops
    assert hops[0]["sources"]["via"] == f"{company} ProxyJump", hops[0]["sources"]
    settings_file = tmp_path / "settings.yaml"
    settings_file.write_text(f"ssh:\n  config: {user}\n")
    named = connections(_runbook(), load_settings(settings_file))["app.corp"]
    assert isinstance(named, list) and [hop["name"] for hop in named] == ["app.corp"] and named[0]["user"] == "me", named
    settings_file.write_text("ssh:\n  config: false\n")
    off = connections(_runbook(), load_settings(settings_file))["app.corp"]
    assert isinstance(off, list) and [hop["name"] for hop in off] == ["app.corp"], off


def test_the_users_tokens_are_expanded_once_though_the_system_file_is_read_after_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`%%` is a `%`, once: asyncssh expands at each file's end, and the system file's reading would expand the user's
    values a second time (`%%h` -> `%h` -> the host)."""
    _system(tmp_path, monkeypatch, "Host *\n  IdentityFile /keys/system-%h\n")
    user = tmp_path / "config"
    user.write_text("Host db1\n  IdentityFile /keys/%%h-%h\n")
    said = SshConfigResolver(str(user), str(tmp_path / "known_hosts"), system_config=True).endpoint(Host("db1", "db1", MARK))
    assert said.identities == ("/keys/%h-db1", "/keys/system-db1"), said.identities
