"""`UserKnownHostsFile` with ssh's `%` tokens (`~/.ssh/known_hosts.d/%k`, one file per host), over real sshd.

Before, asyncssh expanded tokens in IdentityFile and the like but not in UserKnownHostsFile: the path was read with
`%k` in it, no such file was there, and every host of such a config was refused (`host key … not verified`), where
`ssh NAME` connects. A host name holding `/` never reaches such a path (`%h` as `../../elsewhere`).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from peers import Sshd
from ssh_helpers import arun, cmd, run_one

from runbook_tui.engine.ports import Result
from runbook_tui.execute.ssh import SshExecutor
from runbook_tui.execute.ssh_config import SshConfigError, SshConfigResolver
from runbook_tui.runbook.model import Host, Mark

MARK = Mark("rb.yaml", 1, 1)


def test_the_known_hosts_files_get_the_hosts_tokens_as_ssh_gives_them(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text("Host db1\n  HostName 10.1.1.1\n  Port 2222\n  User deploy\n  UserKnownHostsFile ~/.ssh/known_hosts.d/%k /kh/%h-%p /kh/%n-%r\n")
    route = SshConfigResolver(str(config), "/kh").endpoint(Host("db1", "db1", MARK))
    assert route.known_files == (str(Path.home() / ".ssh/known_hosts.d/db1"), "/kh/10.1.1.1-2222", "/kh/db1-deploy"), route.describe()


def test_a_host_key_alias_names_the_file_as_ssh_names_it(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text("Host db1\n  HostKeyAlias dbcluster\n  UserKnownHostsFile /kh/%k\n")
    assert SshConfigResolver(str(config), "/kh").endpoint(Host("db1", "db1", MARK)).known_files == ("/kh/dbcluster",)


def test_a_host_name_holding_a_slash_is_refused_before_it_can_name_a_file(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text("UserKnownHostsFile ~/.ssh/kh/%h\n")
    with pytest.raises(SshConfigError) as raised:
        SshConfigResolver(str(config), "/kh").endpoint(Host("x/../../evil", "x/../../evil", MARK))
    assert "'/'" in str(raised.value), raised.value


@pytest.mark.peers
def test_a_step_reaches_the_host_whose_key_is_in_its_own_file(sshd: Sshd, tmp_path: Path) -> None:
    (tmp_path / "known.d").mkdir()
    (tmp_path / "known.d" / "target").write_text(sshd.known_hosts.read_text())
    config = tmp_path / "ssh_config"
    config.write_text(
        f"Host target\n  HostName 127.0.0.1\n  Port {sshd.port}\n  User {sshd.user}\n  IdentityFile {sshd.client_key}\n"
        f"  UserKnownHostsFile {tmp_path}/known.d/%k\n"
    )

    async def main() -> Result:
        ex = SshExecutor(remote_dir=str(tmp_path / "runs"), known_hosts=str(tmp_path / "trusts_nothing"), ssh_config=str(config), connect_timeout=10)
        try:
            result, _, _ = await run_one(ex, cmd(Host("target", "target", MARK), "true"))
        finally:
            await ex.close()
        return result

    result = arun(main)
    assert result == Result("ok", exit_code=0), result


def test_the_runbooks_user_and_port_are_matched_and_expanded_as_ssh_l_and_p_give_them(tmp_path: Path) -> None:
    """`ssh -l deploy -p 2400 db1` matches `Match user deploy` and expands `%r`/`%p` to deploy/2400. Before, the config
    was read as if no user or port had been given (`Match user` saw the local user), so a runbook's `user: deploy`
    took another bastion and another key than ssh takes for the same host."""
    config = tmp_path / "config"
    config.write_text("Host db1\n  HostName 10.1.1.1\n  IdentityFile ~/.ssh/%r-%p\nMatch user deploy\n  ProxyJump deployjump\n")
    resolver = SshConfigResolver(str(config), "/kh")
    route = resolver.endpoint(Host("db1", "db1", MARK, user="deploy", port=2400, given=frozenset({"user", "port"})))
    assert (route.identities, route.via.name if route.via else None) == (("~/.ssh/deploy-2400",), "deployjump"), route.describe()
    other = resolver.endpoint(Host("db1", "db1", MARK, user="ops", given=frozenset({"user"})))  # read again for another user
    assert (other.identities, other.via) == (("~/.ssh/ops-22",), None), other.describe()


def test_a_runbook_user_a_shell_reads_is_refused_before_a_match_exec_gets_it(tmp_path: Path) -> None:
    """`%r` reaches the shell a `Match exec` runs; ssh refuses such a user name on its command line too."""
    marker = tmp_path / "ran"
    config = tmp_path / "config"
    config.write_text('Match exec "true %r"\n  Port 2\n')
    with pytest.raises(SshConfigError) as raised:
        SshConfigResolver(str(config), "/kh").endpoint(Host("db1", "db1", MARK, user=f"x;touch${{IFS}}{marker}", given=frozenset({"user"})))
    assert str(raised.value).startswith("user 'x;touch") and "characters a shell reads" in str(raised.value), raised.value
    assert not marker.exists()
