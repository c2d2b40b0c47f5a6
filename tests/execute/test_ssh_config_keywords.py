"""A keyword OpenSSH does not know in the ssh config (`ProxyJmp`): ssh refuses the whole config (`Bad configuration
option`), in any block of any file it reads, unless an `IgnoreUnknown` pattern names it; so do we, at FILE:LINE:COL.
Keywords OpenSSH knows and runbook-tui does not act on (`SendEnv`, `HashKnownHosts`, `GSSAPIAuthentication`, deprecated
ones such as `Protocol`) are accepted, as ssh accepts them. This machine's `ssh -G` is the judge.

Before: asyncssh skipped any keyword it did not know, so a typo'd `ProxyJump` connected directly and ran the step on a
machine `ssh NAME` never reaches that way.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from peers import Sshd
from ssh_helpers import arun, cmd, run_one

from runbook_tui.engine.ports import Result
from runbook_tui.execute.ssh import SshExecutor
from runbook_tui.execute.ssh_config import SshConfigError, SshConfigResolver
from runbook_tui.execute.ssh_config_keywords import ELSEWHERE, KEYWORDS
from runbook_tui.runbook.model import Host, Mark

pytestmark = pytest.mark.peers  # the real ssh client judges

MARK = Mark("rb.yaml", 1, 1)


def _ssh_refuses(config: Path) -> bool:
    done = subprocess.run(["ssh", "-G", "-F", str(config), "db1"], capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    return "Bad configuration option" in done.stderr


def _resolve(config: Path) -> str:
    """What the resolver says of db1: its route, or why it cannot be used."""
    try:
        return SshConfigResolver(str(config), str(config.parent / "known_hosts")).endpoint(Host("db1", "db1", MARK)).describe()
    except SshConfigError as exc:
        return f"REFUSED {exc}"


@pytest.mark.parametrize(
    "text, line, col",
    [
        ("Host db1\n  HostName 10.0.0.5\n  ProxyJmp bastion\n", 3, 3),  # the typo in the host's own block
        ("Host other\n  ProxyJmp=bastion\nHost db1\n  HostName 10.0.0.5\n", 2, 3),  # in another host's block: ssh refuses too
        ("IgnoreUnknown UseKeychain\nHost db1\n  ProxyJunp bastion\n", 3, 3),  # IgnoreUnknown names another one
        ("Host db1\n\tHostname 10.0.0.5 # the db\n\tStrictHostKeyCheckin yes\n", 3, 2),
    ],
)
def test_a_keyword_ssh_does_not_know_refuses_the_config_at_its_place(tmp_path: Path, text: str, line: int, col: int) -> None:
    config = tmp_path / "config"
    config.write_text(text)
    assert _ssh_refuses(config)
    said = _resolve(config)
    assert said.startswith("REFUSED ") and f"{config}:{line}:{col}: Bad configuration option" in said, said
    assert "ssh refuses the whole config" in said and "IgnoreUnknown" in said, said


def test_the_refusal_suggests_the_keyword_meant(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text("Host db1\n  ProxyJmp bastion\n")
    assert "'ProxyJmp'" in _resolve(config) and "did you mean ProxyJump?" in _resolve(config)


def test_an_included_file_and_the_line_of_its_own_are_named(tmp_path: Path) -> None:
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "a.conf").write_text("# site\nHost *.corp\n  Usr deploy\n")
    config = tmp_path / "config"
    config.write_text(f"Include {tmp_path / 'conf.d'}/*.conf\nHost db1\n  HostName 10.0.0.5\n")
    assert _ssh_refuses(config)
    said = _resolve(config)
    assert f"{tmp_path / 'conf.d' / 'a.conf'}:3:3: Bad configuration option 'Usr'" in said, said


@pytest.mark.parametrize(
    "text",
    [
        "IgnoreUnknown UseKeychain,Foo*\nHost db1\n  UseKeychain yes\n  FooBar 1\n  HostName 10.0.0.5\n",
        "Host *\n  SendEnv LANG LC_*\n  HashKnownHosts yes\n  GSSAPIAuthentication yes\n  GSSAPIKeyExchange no\n",
        "Host db1\n  Protocol 2\n  UseRoaming no\n  KeepAlive yes\n  PubkeyAcceptedKeyTypes +ssh-rsa\n  ChallengeResponseAuthentication no\n",
        "Host db1\n  hostNAME 10.0.0.5\n  ServerAliveInterval=30\n  ControlMaster auto\n",
    ],
)
def test_keywords_ssh_knows_are_accepted_though_not_acted_on(tmp_path: Path, text: str) -> None:
    config = tmp_path / "config"
    config.write_text(text)
    assert not _ssh_refuses(config)
    assert not _resolve(config).startswith("REFUSED"), _resolve(config)


def test_every_keyword_we_accept_is_one_this_machines_ssh_knows_or_a_newer_one(tmp_path: Path) -> None:
    """The list is not looser than ssh: each keyword is known to this OpenSSH, save those only other builds know (added
    after Debian 12's 9.2, or macOS's `UseKeychain`: accepted, not to refuse a config the ssh there reads)."""
    config = tmp_path / "config"
    refused = []
    for keyword in sorted(KEYWORDS):
        config.write_text(f"Host no-such-host\n  {keyword} x\n")
        if _ssh_refuses(config):
            refused.append(keyword)
    assert set(refused) <= ELSEWHERE, refused


def test_a_typod_proxyjump_never_connects_directly(sshd: Sshd, tmp_path: Path) -> None:
    """Real sshd reachable directly: before, the step ran there (the bastion skipped); now nothing runs."""
    config = tmp_path / "config"
    config.write_text(
        f"Host db1\n  HostName {sshd.address}\n  Port {sshd.port}\n  User {sshd.user}\n  IdentityFile {sshd.client_key}\n  ProxyJmp ops@bastion.invalid\n"
    )

    async def go() -> Result:
        ex = SshExecutor(str(sshd.known_hosts), remote_dir=str(tmp_path / "runs"), ssh_config=str(config), connect_timeout=20)
        try:
            result, _, _ = await run_one(ex, cmd(Host("db1", "db1", MARK), f"touch {tmp_path / 'ran'}"))
        finally:
            await ex.close()
        return result

    result = arun(go)
    assert result.status == "error" and not result.started, result
    assert result.error is not None and "Bad configuration option 'ProxyJmp'" in result.error, result.error
    assert not (tmp_path / "ran").exists()


@pytest.mark.parametrize(
    "text, line, keyword",
    [
        ("Host other\n  User\nHost db1\n  HostName 10.0.0.5\n", 2, "User"),  # in another host's block: asyncssh skipped it
        ("Host db1\n  HostName 10.0.0.5\nMatch originalhost other\n  ProxyJump=\n", 4, "ProxyJump"),
        ("Host db1\n  HostName 10.0.0.5\nHost other\n  IdentityFile # the key\n", 4, "IdentityFile"),
    ],
)
def test_a_keyword_without_its_value_refuses_the_config_in_any_block(tmp_path: Path, text: str, line: int, keyword: str) -> None:
    """ssh: `no argument after keyword "user"`, whichever host the block is for (every keyword takes one)."""
    config = tmp_path / "config"
    config.write_text(text)
    done = subprocess.run(["ssh", "-G", "-F", str(config), "db1"], capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    assert done.returncode != 0, done.stdout
    said = _resolve(config)
    assert said.startswith("REFUSED ") and f"{config}:{line}:3: no value after keyword {keyword!r}" in said, said
