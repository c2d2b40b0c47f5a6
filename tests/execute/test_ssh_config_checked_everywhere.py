"""A `Port` or `ProxyJump` ssh cannot read refuses the whole config, in any block, as ssh refuses it: ssh checks every
line of every file it reads, the blocks that do not apply to the host included. The real `ssh -G` is the judge.
Before: a bad value in another host's block was skipped (asyncssh reads only the blocks that apply), and `plan` and the
run went on with a config `ssh NAME` refuses for every host."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from runbook_tui.execute.ssh_config import SshConfigError, SshConfigResolver
from runbook_tui.runbook.model import Host, Mark

MARK = Mark("rb.yaml", 1, 1)

EXPECTED = "expected a number from 1 to 65535, or a tcp service name this machine's services database (/etc/services) knows"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("Host other\n  Port abc\n", 2, f"Bad port 'abc': {EXPECTED}"),
        ("Host other  # the team's\n  Port 2x  # don't\n", 2, f"Bad port '2x': {EXPECTED}"),
        ("Host db1\n  User ops\nHost other\n  Port=0\n", 4, f"Bad port '0': {EXPECTED}"),
        ("Match host other\n  Port 99999\n", 2, f"Bad port '99999': {EXPECTED}"),
        ("Host other\n  ProxyJump a:b:c\n", 2, "Invalid ProxyJump 'a:b:c': expected [user@]host[:port], comma-separated"),
        ("Host db1\n  ProxyJump ops@::1\n", 2, "Invalid ProxyJump 'ops@::1': expected [user@]host[:port], comma-separated"),
        ("Host db1\n  Port 0\n", 2, f"Bad port '0': {EXPECTED}"),
    ],
)
def test_a_value_ssh_refuses_anywhere_refuses_the_config_naming_its_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    config = tmp_path / "config"
    config.write_text(text)
    said = subprocess.run(["ssh", "-G", "-F", str(config), "db1"], capture_output=True, text=True, timeout=30)
    assert said.returncode == 255 and f"{config} line {line}: " in said.stderr and "terminating" in said.stderr, said.stderr
    with pytest.raises(SshConfigError) as raised:
        SshConfigResolver(str(config), "/kh").endpoint(Host("db1", "db1", MARK))
    assert str(raised.value) == f"cannot use the ssh config {config}: {config} line {line}: {words}"


def test_an_included_file_is_checked_too(tmp_path: Path) -> None:
    included = tmp_path / "other.conf"
    included.write_text("# another team's hosts\nHost other\n  Port 2x\n")
    config = tmp_path / "config"
    config.write_text(f"Host db1\n  HostName 10.0.0.5\nMatch host nothing\n  Include {included}\n")
    said = subprocess.run(["ssh", "-G", "-F", str(config), "db1"], capture_output=True, text=True, timeout=30)
    assert said.returncode == 255 and f"{included} line 3: Bad port '2x'" in said.stderr, said.stderr
    with pytest.raises(SshConfigError, match=f"{included} line 3: Bad port '2x'"):
        SshConfigResolver(str(config), "/kh").endpoint(Host("db1", "db1", MARK))


@pytest.mark.parametrize("value", ["ssh", "2222", "none", "ops@jump:2222,[::1]:22"])
def test_good_values_elsewhere_are_no_obstacle(tmp_path: Path, value: str) -> None:
    config = tmp_path / "config"
    keyword = "ProxyJump" if not value.isalnum() or value == "none" else "Port"
    config.write_text(f"Host other\n  {keyword} {value}  # fine\nHost db1\n  HostName 10.0.0.5\n")
    assert subprocess.run(["ssh", "-G", "-F", str(config), "db1"], capture_output=True, timeout=30).returncode == 0
    assert SshConfigResolver(str(config), "/kh").endpoint(Host("db1", "db1", MARK)).address == "10.0.0.5"
