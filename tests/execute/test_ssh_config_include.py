"""`Include` in the ssh config read as OpenSSH reads it, with the real `ssh -G` as the judge: the files a glob names in
sorted order, no hidden file for a `*`, and the `%` tokens of an included file's values expanded with the values the
whole config gives (a HostKeyAlias or HostName written after the Include)."""

from __future__ import annotations

import os
from pathlib import Path

from ssh_g import ssh_says

from runbook_tui.execute.ssh_config import SshConfigResolver
from runbook_tui.runbook.model import Host, Mark

MARK = Mark("rb.yaml", 1, 1)


def test_a_glob_include_takes_its_files_in_sorted_order_as_ssh_does(tmp_path: Path) -> None:
    """`Include conf.d/*` with `01-first.conf` … `99-last.conf` each giving `User`: ssh reads them sorted, so the first
    file's user wins. Before: read in the directory's own order (ext4's hash order: `10-a.conf` first), another user."""
    folder = tmp_path / "conf.d"
    folder.mkdir()
    names = ["01-first", "05-x", "10-a", "20-b", "40-q", "50-z", "99-last"]
    for name in names:
        (folder / f"{name}.conf").write_text(f"Host db1\n  User {name.partition('-')[2]}\n")
    config = tmp_path / "config"
    config.write_text(f"Include {folder}/*\n")
    route = SshConfigResolver(str(config), "/kh").endpoint(Host("db1", "db1", MARK))
    assert route.user == "first" == ssh_says(config, "db1", "user")[0], [entry.name for entry in os.scandir(folder)]


def test_a_hidden_file_is_not_included_by_a_star_as_ssh_leaves_it(tmp_path: Path) -> None:
    """An editor's `.db.conf.swp` or a `.disabled.conf` beside the others: ssh's glob leaves a name starting with `.` out
    of `*`. Before: included (its `User` and `ProxyJump` taken, a route `ssh db1` never takes)."""
    folder = tmp_path / "conf.d"
    folder.mkdir()
    (folder / ".disabled.conf").write_text("Host db1\n  User old\n  ProxyJump retired-bastion\n")
    (folder / "db.conf").write_text("Host db1\n  User deploy\n")
    config = tmp_path / "config"
    config.write_text(f"Include {folder}/*\n")
    route = SshConfigResolver(str(config), "/kh").endpoint(Host("db1", "db1", MARK))
    assert (route.user, route.via) == ("deploy", None)
    assert ssh_says(config, "db1", "user") == ["deploy"] and ssh_says(config, "db1", "proxyjump") == []


def test_an_included_files_tokens_take_the_values_of_the_whole_config(tmp_path: Path) -> None:
    """`Include common` at the top (`Host *` with `UserKnownHostsFile DIR/%k DIR/%h`, `IdentityFile DIR/%h.key`), then
    `Host db1` giving `HostKeyAlias` and `HostName`: ssh expands the tokens with those (a known_hosts file per alias).
    Before: expanded at the end of the included file, before the lines after the Include were read: `%k` and `%h` were
    `db1`, the host key was looked for in a file that does not hold it and the host refused, the key file not found."""
    common = tmp_path / "common"
    common.write_text(f"Host *\n  UserKnownHostsFile {tmp_path}/kh.d/%k {tmp_path}/kh2/%h\n  IdentityFile {tmp_path}/keys/%h.key\n")
    config = tmp_path / "config"
    config.write_text(f"Include {common}\nHost db1\n  HostKeyAlias dbkey\n  HostName 10.9.9.9\n")
    route = SshConfigResolver(str(config), "/kh").endpoint(Host("db1", "db1", MARK))
    assert route.known_files == (f"{tmp_path}/kh.d/dbkey", f"{tmp_path}/kh2/10.9.9.9")
    assert " ".join(route.known_files) == ssh_says(config, "db1", "userknownhostsfile")[0]
    assert route.identities == (f"{tmp_path}/keys/10.9.9.9.key",)


def test_a_value_from_an_included_file_is_credited_to_that_file(tmp_path: Path) -> None:
    """plan says where each value came from: a User and ProxyJump from `conf.d/db.conf` are that file's, a Port written in
    the config itself the config's, in the Match final reading too. Before: every value was credited to the config
    itself, and a user looking for the `User` plan showed found no such line there."""
    folder = tmp_path / "conf.d"
    folder.mkdir()
    included = folder / "db.conf"
    included.write_text("Host db1\n  User deploy\n  ProxyJump ops@jump\n  IdentitiesOnly yes\n")
    config = tmp_path / "config"
    config.write_text(f"Include {folder}/*.conf\nHost db1\n  Port 2200\nMatch final\n  HostKeyAlias dbkey\n")
    route = SshConfigResolver(str(config), "/kh").endpoint(Host("db1", "db1", MARK))
    origin = dict(route.sources)
    assert (origin["user"], origin["via"], origin["identities_only"]) == (str(included), f"{included} ProxyJump", str(included))
    assert (origin["port"], origin["host_key_alias"], origin["address"]) == (str(config), str(config), "default")
    assert route.describe().startswith(f"db1: address db1 (default); port 2200 ({config}); user deploy ({included});")


def test_an_included_file_changed_during_a_run_is_read_again(tmp_path: Path) -> None:
    """A step failed as `deploy`; the engineer fixes `User` in `conf.d/db.conf` (and adds `00-first.conf`), then re-runs.
    Before: the config was read again only when the config file itself changed, so the re-run logged in as the old
    user, where `ssh db1` takes the fix at once; `known()` said there was nothing to read."""
    folder = tmp_path / "conf.d"
    folder.mkdir()
    included = folder / "db.conf"
    included.write_text("Host db1\n  User deploy\n")
    config = tmp_path / "config"
    config.write_text(f"Include {folder}/*.conf\n")
    resolver = SshConfigResolver(str(config), "/kh")
    host = Host("db1", "db1", MARK)
    assert resolver.endpoint(host).user == "deploy" and resolver.known(host)
    included.write_text("Host db1\n  User postgres\n")
    assert not resolver.known(host)
    assert resolver.endpoint(host).user == "postgres" and resolver.known(host)
    (folder / "00-first.conf").write_text("Host db1\n  Port 2200\n")
    assert not resolver.known(host)
    assert resolver.endpoint(host).port == 2200


def test_tokens_of_a_file_that_itself_includes_one_wait_for_the_whole_config(tmp_path: Path) -> None:
    """`Include a.conf`, which includes `b.conf` and then gives `UserKnownHostsFile DIR/%k`; `HostKeyAlias` after the
    Include. Before: the inner Include's end let the outer included file expand `%k` at its own end, as `db1`."""
    (tmp_path / "b.conf").write_text("Host other\n  User x\n")
    (tmp_path / "a.conf").write_text(f"Include {tmp_path}/b.conf\nHost *\n  UserKnownHostsFile {tmp_path}/kh/%k\n")
    config = tmp_path / "config"
    config.write_text(f"Include {tmp_path}/a.conf\nHost db1\n  HostKeyAlias dbkey\n")
    route = SshConfigResolver(str(config), "/kh").endpoint(Host("db1", "db1", MARK))
    assert route.known_files == (f"{tmp_path}/kh/dbkey",) and ssh_says(config, "db1", "userknownhostsfile") == [f"{tmp_path}/kh/dbkey"]
