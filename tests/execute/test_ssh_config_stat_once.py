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
