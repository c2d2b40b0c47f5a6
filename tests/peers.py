"""Real peers for integration tests: OpenSSH's sshd on loopback, started once per test session.

No mocks: the SSH executor is tested against the same server it meets in
production. The fixture gives each session its own host key, client key,
authorized_keys and known_hosts in a temp dir, and can stop and restart
sshd on the same port so a test can drop connections mid-command.
"""

from __future__ import annotations

import getpass
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh
import pytest

from runbook_tui.runbook.model import Host, Mark

SSHD = "/usr/sbin/sshd"
_MARK = Mark("<peers>", 1, 1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def _write_key(path: Path) -> asyncssh.SSHKey:
    """An ed25519 key pair in OpenSSH format (mode 600: sshd and ssh refuse readable private keys)."""
    key = asyncssh.generate_private_key("ssh-ed25519")
    key.write_private_key(str(path))
    key.write_public_key(str(path) + ".pub")
    path.chmod(0o600)
    return key


def public_line(key: asyncssh.SSHKey) -> str:
    """`TYPE BASE64` of a key, as known_hosts and authorized_keys want it."""
    return " ".join(key.export_public_key().decode().split()[:2])


def _descendants(root: int) -> list[int]:
    """Pids of every process below `root`, from /proc (sshd children call setsid, so a process group misses them)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found: list[int] = []
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


@dataclass
class Sshd:
    """A running sshd on 127.0.0.1 and the files a client needs to talk to it."""

    dir: Path
    port: int
    host_key: asyncssh.SSHKey
    client_key: Path
    known_hosts: Path
    config: Path
    user: str = field(default_factory=getpass.getuser)
    _proc: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def host(self, name: str = "peer", **changes: object) -> Host:
        """A Host pointing at this sshd; `name` is an alias, the address stays 127.0.0.1."""
        fields: dict[str, object] = dict(
            name=name, address="127.0.0.1", mark=_MARK, port=self.port, user=self.user, identity=str(self.client_key)
        )
        fields.update(changes)
        return Host(**fields)  # type: ignore[arg-type]

    def hosts(self, n: int) -> tuple[Host, ...]:
        """`n` host aliases (peer01, peer02, ...), all served by this one sshd."""
        return tuple(self.host(f"peer{i:02d}") for i in range(1, n + 1))

    def start(self) -> None:
        """Start sshd (again) on the same port and wait until it accepts connections."""
        if self.running:
            return
        log = open(self.dir / "sshd.log", "ab")  # noqa: SIM115 - handed to the child, closed below
        try:
            self._proc = subprocess.Popen(
                [SSHD, "-D", "-e", "-f", str(self.config)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        finally:
            log.close()
        deadline = time.monotonic() + 10
        while not _accepts(self.port):
            if self._proc.poll() is not None or time.monotonic() > deadline:
                text = (self.dir / "sshd.log").read_text(errors="replace")[-2000:]
                pytest.fail(f"sshd did not start on 127.0.0.1:{self.port}:\n{text}")
            time.sleep(0.02)

    def stop(self) -> None:
        """Kill the listener and every per-connection sshd under it, so open connections really drop.

        Commands started detached by the executor are not sshd children any
        more (setsid, reparented), so they keep running: that is the point.
        """
        if self._proc is None:
            return
        pids = [self._proc.pid] + [pid for pid in _descendants(self._proc.pid) if _comm(pid) == "sshd"]
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._proc.wait(timeout=5)
        self._proc = None
        deadline = time.monotonic() + 5
        while _accepts(self.port) and time.monotonic() < deadline:
            time.sleep(0.02)


def _require_sshd() -> None:
    """Never skip: a missing sshd would hide every SSH test. Say how to get it instead."""
    if os.access(SSHD, os.X_OK):
        return
    if os.environ.get("CI"):
        pytest.fail(f"{SSHD} is missing on this CI machine: run the suite with scripts/test, which installs openssh-server")
    pytest.fail(
        f"{SSHD} is missing: run scripts/test (it installs openssh-server), "
        "or apt-get install -y openssh-server"
    )


def make_sshd(directory: Path) -> Sshd:
    """Write keys and config into `directory` and start sshd on a free loopback port."""
    _require_sshd()
    os.makedirs("/run/sshd", exist_ok=True)  # privilege separation dir; sshd refuses to start without it
    port = _free_port()
    host_key = _write_key(directory / "host_key")
    client = _write_key(directory / "client_key")
    (directory / "authorized_keys").write_text(public_line(client) + "\n")
    known_hosts = directory / "known_hosts"
    known_hosts.write_text(f"[127.0.0.1]:{port} {public_line(host_key)}\n")
    config = directory / "sshd_config"
    config.write_text(
        "\n".join(
            [
                f"Port {port}",
                "ListenAddress 127.0.0.1",
                f"HostKey {directory / 'host_key'}",
                f"PidFile {directory / 'sshd.pid'}",
                f"AuthorizedKeysFile {directory / 'authorized_keys'}",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PermitRootLogin prohibit-password",
                "StrictModes no",
                "UsePAM no",
                "MaxSessions 100",
                "MaxStartups 200:30:400",
                "SetEnv SHLVL=1",
                "",
            ]
        )
    )
    check = subprocess.run([SSHD, "-t", "-f", str(config)], capture_output=True, text=True)
    if check.returncode != 0:
        pytest.fail(f"sshd rejected the test config {config}: {check.stderr.strip()}")
    server = Sshd(
        dir=directory,
        port=port,
        host_key=host_key,
        client_key=directory / "client_key",
        known_hosts=known_hosts,
        config=config,
    )
    server.start()
    return server


@pytest.fixture(scope="session")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sshd]:
    """One sshd for the whole session; tests that stop it must start it again."""
    server = make_sshd(tmp_path_factory.mktemp("sshd"))
    try:
        yield server
    finally:
        server.stop()
