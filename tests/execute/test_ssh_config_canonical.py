"""`CanonicalizeHostname` and `CanonicalDomains` followed as ssh follows them, the real `ssh -G` the judge.

The names resolve through an /etc/hosts of the test's own, bind-mounted in a mount namespace (`unshare -m`, as root)
where `ssh -G` reads it, and the resolver too in the first two tests (a child Python); in the others the resolver, in this
process, is given the same file's answers in place of the system's `getaddrinfo` (a child's imports cost seconds each). Before session 37 these options were ignored: `ssh db`
took the `Host *.corp.example` block (its User, its ProxyJump), and runbook-tui reached `db` directly as another user.
A `Host` line of ssh's second reading (`Match final`, canonicalization) is matched on the HostName the first reading
gave, as ssh matches it (before: on the alias, and such a block was left out).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from netns import cannot_set_up
from ssh_g import ssh_says

from runbook_tui.execute.ssh_config import SshConfigResolver
from runbook_tui.runbook.model import Host, Mark

HOSTS = "127.0.0.1 db.corp.example db.corp.example.\n127.0.0.1 real.corp.example alias.corp.example alias.corp.example.\n"

CANON = "CanonicalizeHostname {mode}\nCanonicalDomains corp.example\n"

#: What the resolver says, as JSON on one line (run in the namespace).
RESOLVE = """
import json, sys
from runbook_tui.execute.ssh_config import SshConfigError, SshConfigResolver
from runbook_tui.runbook.model import Host, Mark
try:
    e = SshConfigResolver(sys.argv[1], "/kh").endpoint(Host(sys.argv[2], sys.argv[2], Mark("rb.yaml", 1, 1)))
except SshConfigError as exc:
    print(json.dumps({"refused": str(exc)}))
else:
    print(json.dumps({"hostname": e.address, "user": e.user, "port": e.port, "via": e.via and e.via.hostport,
                      "from": dict(e.sources)["address"]}))
"""


def _in_namespace(tmp_path: Path, *command: str) -> subprocess.CompletedProcess[str]:
    """`command` with `tmp_path/hosts` as /etc/hosts, in a mount namespace of its own."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        cannot_set_up("a mount namespace needs root and unshare (util-linux)")
    hosts = tmp_path / "hosts"
    hosts.write_text(HOSTS)
    script = 'mount --bind "$0" /etc/hosts && exec "$@"'
    done = subprocess.run(["unshare", "-m", "sh", "-c", script, str(hosts), *command], capture_output=True, text=True, timeout=60)
    if "mount" in done.stderr and done.returncode != 0 and not done.stdout:
        cannot_set_up(done.stderr.strip())
    return done


def _both(tmp_path: Path, text: str, alias: str) -> tuple[dict[str, str], dict[str, object]]:
    """(what `ssh -G` resolves, what the resolver does in a child) for `ssh alias` with the config `text`."""
    config = tmp_path / "config"
    config.write_text(text)
    ours = _in_namespace(tmp_path, sys.executable, "-c", RESOLVE, str(config), alias)
    assert ours.returncode == 0, ours.stderr
    return _ssh_g(tmp_path, config, alias), json.loads(ours.stdout)


def _ssh_g(tmp_path: Path, config: Path, *args: str) -> dict[str, str]:
    said = _in_namespace(tmp_path, "ssh", "-G", "-F", str(config), *args)
    return {k: v for k, _, v in (line.partition(" ") for line in said.stdout.splitlines())} if said.returncode == 0 else {"refused": said.stderr}


def _from_hosts(name: str, port: int, *args: object, **kw: object) -> list[tuple[object, ...]]:
    """`getaddrinfo` answered from HOSTS alone, as glibc answers from a hosts file: the line's first name is the canonical."""
    for line in HOSTS.splitlines():
        address, canonical, *aliases = line.split()
        if name.lower() in (canonical, *aliases):
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, canonical, (address, port))]
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


def test_a_short_name_takes_its_canonical_names_block_as_ssh_takes_it(tmp_path: Path) -> None:
    text = CANON.format(mode="yes") + "Host *.corp.example\n  User canon\n  ProxyJump ops@127.0.0.1:2222\n"
    ssh, ours = _both(tmp_path, text, "db")
    assert (ssh["hostname"], ssh["user"], ssh["proxyjump"]) == ("db.corp.example", "canon", "ops@[127.0.0.1]:2222")
    config = tmp_path / "config"
    assert ours == {"hostname": "db.corp.example", "user": "canon", "port": 22, "via": "127.0.0.1:2222", "from": f"{config} CanonicalDomains"}


@pytest.mark.parametrize(
    ("text", "alias", "hostname"),
    [
        (CANON.format(mode="yes") + "Host *.corp.example\n  User canon\n", "nowhere", "nowhere"),  # no domain gives it: as it is
        (CANON.format(mode="yes") + "CanonicalizeMaxDots 0\nHost *.corp.example\n  User canon\n", "db", "db.corp.example"),
        (CANON.format(mode="yes") + "CanonicalizeMaxDots 0\n", "db.x", "db.x"),  # more dots than the maximum: as it is
        ("Host db\n  ProxyJump 127.0.0.1\n" + CANON.format(mode="yes"), "db", "db"),  # the bastion resolves it
        ("Host db\n  ProxyJump 127.0.0.1\n" + CANON.format(mode="always"), "db", "db.corp.example"),
        ("Host db\n  HostName DB\n" + CANON.format(mode="yes"), "db", "db.corp.example"),  # its HostName, lower case
        (CANON.format(mode="no") + "Host *.corp.example\n  User canon\n", "db", "db"),
        (CANON.format(mode="yes") + "CanonicalizePermittedCNAMEs *.corp.example:*.corp.example\n", "alias", "real.corp.example"),
        (CANON.format(mode="yes") + "Host real.corp.example\n  User canon\n", "alias", "alias.corp.example"),  # no CNAME allowed
    ],
)
def test_the_name_connected_to_is_the_one_ssh_connects_to(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, alias: str, hostname: str) -> None:
    config = tmp_path / "config"
    config.write_text(text)
    ssh = _ssh_g(tmp_path, config, alias)
    monkeypatch.setattr(socket, "getaddrinfo", _from_hosts)
    ours = SshConfigResolver(str(config), "/kh").endpoint(Host(alias, alias, Mark("rb.yaml", 1, 1)))
    assert ssh["hostname"] == hostname and ours.address == hostname, (ssh, ours)
    assert ours.user == ssh["user"], (ssh, ours)


def test_no_fallback_refuses_a_name_no_domain_gives_as_ssh_does(tmp_path: Path) -> None:
    ssh, ours = _both(tmp_path, CANON.format(mode="yes") + "CanonicalizeFallbackLocal no\n", "nowhere")
    assert 'Could not resolve host "nowhere"' in ssh["refused"]
    config = tmp_path / "config"
    assert ours == {
        "refused": f'cannot use the ssh config {config}: ssh: Could not resolve host "nowhere" with any of its CanonicalDomains (nowhere.corp.example.)'
    }


def test_a_host_block_of_the_second_reading_matches_the_hostname_the_first_gave(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text("Host db1\n  HostName Real.Example\nMatch final\n  User x\nHost real.example\n  Port 2222\n")
    assert ssh_says(config, "db1", "port") == ["2222"]
    endpoint = SshConfigResolver(str(config), "/kh").endpoint(Host("db1", "db1", Mark("rb.yaml", 1, 1)))
    assert (endpoint.port, endpoint.user) == (2222, "x")


def test_a_via_in_the_runbook_leaves_the_name_to_the_bastion_as_ssh_j_does(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text(CANON.format(mode="yes") + "Host *.corp.example\n  User canon\n")
    assert _ssh_g(tmp_path, config, "-J", "127.0.0.1", "db")["hostname"] == "db"
    mark = Mark("rb.yaml", 1, 1)
    endpoint = SshConfigResolver(str(config), "/kh").endpoint(Host("db", "db", mark, via=Host("b", "127.0.0.1", mark)))
    assert endpoint.address == "db"  # (in this process: the name is not even tried)
