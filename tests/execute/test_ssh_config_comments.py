"""A comment at a line's end in the ssh config (`User deploy  # the deploy account`), read as ssh reads it: a word
starting with `#` ends the line; a `#` inside a word, a quoted one, and the whole rest of a ProxyCommand stay."""

from __future__ import annotations

from pathlib import Path

import pytest
from ssh_g import ssh_says

from runbook_tui.execute.ssh_config import SshConfigError, SshConfigResolver
from runbook_tui.runbook.model import Host, Mark

MARK = Mark("rb.yaml", 1, 1)


def test_a_comment_at_a_lines_end_is_left_out_as_ssh_leaves_it(tmp_path: Path) -> None:
    """Before: the whole config was refused (`Extra data at end: # the deploy account`): every host CANNOT RESOLVE, where
    `ssh db1` logs in; and `Host db1 # the db` made `the` and `db` patterns of the block, applied to a host named db."""
    config = tmp_path / "config"
    config.write_text(
        "Host db1 # the db\n  User deploy  # the deploy account\n  IdentityFile /keys/k#1 #work key\n"
        '  HostName "10.0.0.1"\t#primary\n  ProxyJump ops@jump # through the jump\n'
        "Host db\n  User other\n"
    )
    route = SshConfigResolver(str(config), "/kh").endpoint(Host("db1", "db1", MARK))
    assert (route.user, route.identities, route.address) == ("deploy", ("/keys/k#1",), "10.0.0.1")
    assert route.via is not None and (route.via.name, route.via.user) == ("jump", "ops")
    for option, value in (("user", "deploy"), ("identityfile", "/keys/k#1"), ("hostname", "10.0.0.1"), ("proxyjump", "ops@jump")):
        assert ssh_says(config, "db1", option) == [value], option
    other = SshConfigResolver(str(config), "/kh").endpoint(Host("db", "db", MARK))
    assert other.user == "other" == ssh_says(config, "db", "user")[0]


def test_a_value_that_is_only_a_comment_is_missing(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text("Host db1\n  User # nobody yet\n")
    with pytest.raises(SshConfigError, match="config:2:3: no value after keyword 'User'"):
        SshConfigResolver(str(config), "/kh").endpoint(Host("db1", "db1", MARK))


def test_a_quote_inside_a_comment_and_a_quoted_hash_word_read_as_ssh_reads_them(tmp_path: Path) -> None:
    """Before: `HostName 10.0.0.5  # don't touch` refused the whole config (`No closing quotation`: asyncssh split the
    comment as words), and `User "#ops"` was read as a comment (`Missing User value`), where ssh logs in as `#ops`."""
    config = tmp_path / "config"
    config.write_text(
        "# the team's hosts\nHost db1  # it's the primary\n  HostName 10.0.0.5  # don't touch\n  User \"#ops\"  # quoted: a name\n"
        "  IdentityFile '/keys/#1 key' # it's quoted\n"
    )
    route = SshConfigResolver(str(config), "/kh").endpoint(Host("db1", "db1", MARK))
    assert (route.address, route.user, route.identities) == ("10.0.0.5", "#ops", ("/keys/#1 key",)), route
    for option, value in (("hostname", "10.0.0.5"), ("user", "#ops"), ("identityfile", "/keys/#1 key")):
        assert ssh_says(config, "db1", option) == [value], option
