"""`Match final` in the ssh config: ssh reads the config a second time once the first has given the HostName, `final`
true then, `host` matched on that HostName, the values of the first reading kept (the first value obtained wins)."""

from __future__ import annotations

from pathlib import Path

from ssh_g import ssh_says

from runbook_tui.execute.ssh_config import SshConfigResolver
from runbook_tui.runbook.model import Host, Mark

MARK = Mark("rb.yaml", 1, 1)


def test_a_match_final_block_is_taken_as_ssh_takes_it(tmp_path: Path) -> None:
    """`Match final host 10.0.0.5` (the address `Host db1` gives after it) with `User fin` and a `ProxyJump`, a bare
    `Match final` adding an `IdentityFile` and a `User` (taken for db2 alone: db1's first reading gave one). Before: never
    taken (asyncssh reads the file once, `final` false): the step went to db1 directly without `/k/b`, where `ssh db1`
    goes through the bastion, and logged in to db2 as this machine's user."""
    config = tmp_path / "config"
    config.write_text(
        "Match final host 10.0.0.5\n  User fin\n  ProxyJump ops@bastion\n"
        "Host db1\n  HostName 10.0.0.5\n  User first\n  IdentityFile /k/a\n"
        "Match final\n  IdentityFile /k/b\n  User last\n"
        "Host db2\n  HostName 10.0.0.6\n  UserKnownHostsFile /kh/%%k-%h\n"
    )
    one = SshConfigResolver(str(config), "/kh").endpoint(Host("db1", "db1", MARK))
    assert (one.user, one.identities, one.via and one.via.target) == ("first", ("/k/a", "/k/b"), "bastion (bastion:22)")
    assert [one.user] == ssh_says(config, "db1", "user") and ssh_says(config, "db1", "identityfile") == list(one.identities)
    assert ssh_says(config, "db1", "proxyjump") == ["ops@bastion"]
    two = SshConfigResolver(str(config), "/kh").endpoint(Host("db2", "db2", MARK))
    assert (two.user, two.via, two.known_hosts) == ("last", None, "/kh/%k-10.0.0.6") and ssh_says(config, "db2", "user") == ["last"]
    assert ssh_says(config, "db2", "userknownhostsfile") == [two.known_hosts]  # `%%` read once, not twice
