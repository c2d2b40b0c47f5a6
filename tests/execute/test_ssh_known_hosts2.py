"""`~/.ssh/known_hosts2`: ssh's default `UserKnownHostsFile` is `~/.ssh/known_hosts ~/.ssh/known_hosts2` (`ssh -G`
shows it), so a host key kept in the second (older setups, some provisioning tools) is trusted. runbook-tui reads it
when neither the settings (`ssh.known_hosts`, as `-o UserKnownHostsFile=FILE`) nor the ssh config name the file.
Before: never read; such a host was refused `host key ... not verified` where `ssh` connects.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from peers import Sshd, public_line
from ssh_helpers import arun, cmd, run_one

from runbook_tui.app.executors import Executors
from runbook_tui.app.plan_connections import connections
from runbook_tui.app.settings import Settings, load_settings
from runbook_tui.engine.ports import Result
from runbook_tui.runbook.loader import load_text
from runbook_tui.runbook.model import Runbook

pytestmark = pytest.mark.peers


def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    return home


def _run(sshd: Sshd, tmp_path: Path, settings: Settings) -> Result:
    async def go() -> Result:
        executors = Executors(settings, passphrase_lookup=None)
        try:
            host = sshd.host("db1")
            result, _, _ = await run_one(executors(host), cmd(host, f"touch {tmp_path / 'ran'}"))  # type: ignore[arg-type]
        finally:
            await executors.close()
        return result

    return arun(go)


def test_ssh_reads_known_hosts2_by_default() -> None:
    done = subprocess.run(["ssh", "-G", "-F", "/dev/null", "db1"], capture_output=True, text=True, timeout=30, check=True)
    files = next(line for line in done.stdout.splitlines() if line.startswith("userknownhostsfile "))
    assert [path.rpartition("/.ssh/")[2] for path in files.split()[1:]] == ["known_hosts", "known_hosts2"], files


def test_a_key_kept_in_known_hosts2_is_trusted_with_the_default_files(sshd: Sshd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = _home(tmp_path, monkeypatch)
    (home / ".ssh" / "known_hosts2").write_text(f"[{sshd.address}]:{sshd.port} {public_line(sshd.host_key)}\n")
    result = _run(sshd, tmp_path, Settings(ssh_config=None))
    assert result.status == "ok", result
    assert (tmp_path / "ran").exists()


def test_a_known_hosts_file_the_settings_name_is_read_alone(sshd: Sshd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`ssh -o UserKnownHostsFile=FILE`: FILE alone, the key in known_hosts2 not trusted."""
    home = _home(tmp_path, monkeypatch)
    (home / ".ssh" / "known_hosts2").write_text(f"[{sshd.address}]:{sshd.port} {public_line(sshd.host_key)}\n")
    settings_file = tmp_path / "settings.yaml"
    settings_file.write_text(f"ssh:\n  known_hosts: {home / '.ssh' / 'known_hosts'}\n  config: false\n")
    result = _run(sshd, tmp_path, load_settings(settings_file))
    assert result.status == "error" and not result.started, result
    assert not (tmp_path / "ran").exists()


def _runbook() -> Runbook:
    text = "runbook: 1\nid: r\ntitle: R\nhosts:\n  db: [{name: db1}]\nsections:\n  - id: main\n    kind: precheck\n    steps:\n      - {id: look, on: db, run: 'true'}\n"
    runbook = load_text(text.encode(), "r.yaml").runbook
    assert runbook is not None
    return runbook


def test_plan_lists_known_hosts2_when_it_is_there(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = _home(tmp_path, monkeypatch)
    hops = connections(_runbook(), Settings())["db1"]
    assert isinstance(hops, list) and hops[0]["known_hosts_files"] == [str(home / ".ssh" / "known_hosts")], hops
    (home / ".ssh" / "known_hosts2").write_text("")
    hops = connections(_runbook(), Settings())["db1"]
    assert isinstance(hops, list), hops
    assert hops[0]["known_hosts_files"] == [str(home / ".ssh" / "known_hosts"), str(home / ".ssh" / "known_hosts2")], hops
    assert hops[0]["sources"]["known_hosts"] == "default", hops
