"""A host's route from an ssh config read already stats the config and every file it includes once per resolution (a
command's, a release's), its bastion hops included; a change to any of them is still read again at the next one."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from runbook_tui.execute import ssh_config
from runbook_tui.execute.ssh_connect import Connector
from runbook_tui.runbook.model import Host, Mark

MARK = Mark("rb.yaml", 1, 1)


def test_a_route_read_already_stats_its_files_once_and_a_change_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "conf.d"
    folder.mkdir()
    for n in range(5):
        (folder / f"{n:02d}.conf").write_text(f"Host other{n}\n  User u{n}\n")
    (folder / "db.conf").write_text("Host db1\n  User deploy\n  ProxyJump ops@jump:2201\n")
    config = tmp_path / "config"
    config.write_text(f"Include {folder}/*.conf\nHost jump\n  HostName 10.9.9.9\n")
    connector = Connector("/kh", ssh_config=str(config), connect_timeout=5, keepalive_interval=15, passphrase_lookup=None)
    host = Host("db1", "db1", MARK)
    first = asyncio.run(connector.endpoint_off_loop(host))  # read (in a thread)
    assert (first.user, first.via and first.via.address, first.via and first.via.port) == ("deploy", "10.9.9.9", 2201)

    stamps: list[int] = []
    real = ssh_config.stamp

    def counted(paths: tuple[str, ...]) -> tuple[object, ...]:
        stamps.append(len(paths))
        return real(paths)

    monkeypatch.setattr(ssh_config, "stamp", counted)
    assert asyncio.run(connector.endpoint_off_loop(host)) == first
    # before: once to tell it was read (`known`), once more for the host, once for its bastion
    assert stamps == [len(ssh_config.include_tree(config))] == [8], stamps

    (folder / "db.conf").write_text("Host db1\n  User postgres\n  ProxyJump ops@jump:2201\n")
    again = asyncio.run(connector.endpoint_off_loop(host))
    assert again.user == "postgres" and again.via == first.via


def test_the_files_are_checked_once_per_change_not_for_every_host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every line of every file read is checked (keywords, Port, ProxyJump) as ssh checks it; for 20 hosts of an
    unchanged config (the system's after the user's) once, not 20 times; again after a change, and a typo then refused."""
    config = tmp_path / "config"
    config.write_text("Host db*\n  User deploy\n")
    checked: list[int] = []
    real = ssh_config.check_keywords

    def counted(paths: object) -> None:
        checked.append(1)
        real(paths)  # type: ignore[arg-type]

    monkeypatch.setattr(ssh_config, "check_keywords", counted)
    resolver = ssh_config.SshConfigResolver(str(config), "/kh")
    assert {resolver.endpoint(Host(f"db{n}", f"db{n}", MARK)).user for n in range(20)} == {"deploy"}
    assert len(checked) == 1, checked
    config.write_text("Host db*\n  User postgres\n  ProxyJmp jump\n")
    with pytest.raises(ssh_config.SshConfigError, match="Bad configuration option 'ProxyJmp'"):
        resolver.endpoint(Host("db1", "db1", MARK))
    with pytest.raises(ssh_config.SshConfigError, match="Bad configuration option 'ProxyJmp'"):
        resolver.endpoint(Host("db2", "db2", MARK))
    config.write_text("Host db*\n  User postgres\n")
    assert resolver.endpoint(Host("db3", "db3", MARK)).user == "postgres"
