"""`Port ssh` in the ssh config: ssh reads a service name as the port /etc/services gives it (tcp), and says `Bad port`
with the file and line for a name it does not know. Judged by the real `ssh -G` (scripts/test installs netbase, which
gives /etc/services). Before: `Invalid Port integer value: ssh`, every host of the config refused where ssh connects."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from ssh_g import ssh_says

from runbook_tui.cli import main
from runbook_tui.execute.ssh_config import SshConfigError, SshConfigResolver
from runbook_tui.runbook.model import Host, Mark

MARK = Mark("rb.yaml", 1, 1)


@pytest.mark.parametrize(("name", "port"), [("ssh", 22), ("http", 80), ("domain", 53)])
def test_a_service_name_is_the_port_ssh_reads_it_as(tmp_path: Path, name: str, port: int) -> None:
    config = tmp_path / "config"
    config.write_text(f"Host db1\n  HostName 10.0.0.5\n  Port {name}  # by name\n")
    assert ssh_says(config, "db1", "port") == [str(port)]
    endpoint = SshConfigResolver(str(config), "/kh").endpoint(Host("db1", "db1", MARK))
    assert endpoint.port == port and dict(endpoint.sources)["port"] == str(config)


def test_a_name_no_service_has_is_refused_naming_the_line_as_ssh_does(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text("Host *\n  User deploy\nHost db1\n  Port no-such-service\n")
    said = subprocess.run(["ssh", "-G", "-F", str(config), "db1"], capture_output=True, text=True, timeout=30)
    assert said.returncode != 0 and f"{config} line 4: Bad port 'no-such-service'" in said.stderr, said.stderr
    with pytest.raises(SshConfigError) as raised:
        SshConfigResolver(str(config), "/kh").endpoint(Host("db1", "db1", MARK))
    assert str(raised.value) == (
        f"cannot use the ssh config {config}: {config}:4:8: Bad port 'no-such-service': expected a number from 1 to 65535,"
        " or a tcp service name this machine's services database (/etc/services) knows; ssh refuses the whole config for it,"
        " whichever host its block is for"
    )


def test_plan_shows_the_port_a_service_name_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config"
    config.write_text("Host db1\n  HostName 10.0.0.5\n  Port ssh\n")
    (tmp_path / "settings.yaml").write_text(f"ssh: {{config: {config}}}\n")
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(tmp_path / "settings.yaml"))
    runbook = tmp_path / "rb.yaml"
    runbook.write_text("runbook: 1\nid: t\ntitle: t\nhosts:\n  g: [{name: db1}]\nsections:\n  - id: s\n    steps:\n      - {id: a, run: 'true', on: g}\n")
    assert main(["plan", str(runbook)]) == 0
    out = capsys.readouterr().out
    assert f"db1: address 10.0.0.5 ({config}); port 22 ({config});" in out, out
