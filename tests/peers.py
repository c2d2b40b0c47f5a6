"""Real peers for integration tests: OpenSSH's sshd on loopback, started once per test session.

No mocks: the SSH executor is tested against the same server it meets in
production. The fixture gives each session its own host key, client key,
authorized_keys and known_hosts in a temp dir, and can stop and restart
sshd on the same port so a test can drop connections mid-command.

`make_sshd(directory, options=...)` works outside pytest too (the benchmarks
start their own sshd with it); problems raise `PeerError`, which the fixture
turns into a test failure.
"""

from __future__ import annotations

import getpass
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

import asyncssh

try:
    import pytest
except ImportError:  # the benchmarks import this module; pytest comes with the test extras only
    pytest = None  # type: ignore[assignment]

from runbook_tui.runbook.model import Host, Mark

SSHD = "/usr/sbin/sshd"
_MARK = Mark("<peers>", 1, 1)

#: sshd_config options beyond the paths; `make_sshd(options=...)` overrides or adds to them.
DEFAULT_OPTIONS: dict[str, str] = {
    "PasswordAuthentication": "no",
    "KbdInteractiveAuthentication": "no",
    "PermitRootLogin": "prohibit-password",
    "StrictModes": "no",  # temp dirs are world-writable
    "UsePAM": "no",
    "MaxSessions": "100",
    "MaxStartups": "200:30:400",  # the defaults refuse 40 of 50 concurrent sessions
    "SetEnv": "SHLVL=1",  # skips root's slow .bashrc
}


class PeerError(RuntimeError):
    """A peer could not be set up or started; the message says why and how to fix it."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _accepts(port: int, address: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((address, port), timeout=0.2):
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


def spawn_logged(argv: list[str], log_path: Path) -> subprocess.Popen[bytes]:
    """A peer's process in a session of its own, stdin closed, stdout and stderr appended to `log_path`."""
    log = open(log_path, "ab")  # handed to the child, closed here
    try:
        return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    finally:
        log.close()


def terminate(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL if it has not ended within 10 s."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


@dataclass
class Sshd:
    """A running sshd (on 127.0.0.1 unless `address` says otherwise) and the files a client needs to talk to it.

    `wrapper` prefixes the sshd command line, e.g. `ip netns exec NS` to run it in a network namespace.
    """

    dir: Path
    port: int
    host_key: asyncssh.SSHKey
    client_key: Path
    known_hosts: Path
    config: Path
    user: str = field(default_factory=getpass.getuser)
    address: str = "127.0.0.1"
    wrapper: tuple[str, ...] = ()
    #: False when this process cannot connect to the address (e.g. loopback inside a namespace): readiness is read from the log.
    reachable: bool = True
    _proc: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def host(self, name: str = "peer", **changes: object) -> Host:
        """A Host pointing at this sshd; `name` is an alias, the address stays the sshd's."""
        fields: dict[str, object] = dict(name=name, address=self.address, mark=_MARK, port=self.port, user=self.user, identity=str(self.client_key))
        fields.update(changes)
        return Host(**fields)  # type: ignore[arg-type]

    def hosts(self, n: int) -> tuple[Host, ...]:
        """`n` host aliases (peer01, peer02, ...), all served by this one sshd."""
        return tuple(self.host(f"peer{i:02d}") for i in range(1, n + 1))

    def start(self) -> None:
        """Start sshd (again) on the same port and wait until it accepts connections."""
        if self.running:
            return
        log_path = self.dir / "sshd.log"
        listening = log_path.read_bytes().count(b"Server listening on") if log_path.exists() else 0
        self._proc = spawn_logged([*self.wrapper, SSHD, "-D", "-e", "-f", str(self.config)], log_path)
        deadline = time.monotonic() + 10
        while not (_accepts(self.port, self.address) if self.reachable else log_path.read_bytes().count(b"Server listening on") > listening):
            if self._proc.poll() is not None or time.monotonic() > deadline:
                text = (self.dir / "sshd.log").read_text(errors="replace")[-2000:]
                raise PeerError(f"sshd did not start on {self.address}:{self.port}:\n{text}")
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
        while self.reachable and _accepts(self.port, self.address) and time.monotonic() < deadline:
            time.sleep(0.02)


def _require_sshd() -> None:
    """Never skip: a missing sshd would hide every SSH test. Say how to get it instead."""
    if os.access(SSHD, os.X_OK):
        return
    if os.environ.get("CI"):
        raise PeerError(f"{SSHD} is missing on this CI machine: run the suite with scripts/test, which installs openssh-server")
    raise PeerError(f"{SSHD} is missing: run scripts/test (it installs openssh-server), or apt-get install -y openssh-server")


def make_sshd(
    directory: Path,
    options: Mapping[str, str] | None = None,
    *,
    address: str = "127.0.0.1",
    port: int | None = None,
    wrapper: tuple[str, ...] = (),
    reachable: bool = True,
) -> Sshd:
    """Write keys and config into `directory` and start sshd on a free loopback port.

    `options` override or add to `DEFAULT_OPTIONS` (sshd takes the first value
    of a keyword, so overrides replace the line rather than append one).
    `address`, `port` and `wrapper` serve an sshd elsewhere than on loopback,
    e.g. `ip netns exec NS` with the namespace's address (a port is needed then:
    a free one here says nothing about the namespace).
    """
    _require_sshd()
    os.makedirs("/run/sshd", exist_ok=True)  # privilege separation dir; sshd refuses to start without it
    port = port or _free_port()
    host_key = _write_key(directory / "host_key")
    client = _write_key(directory / "client_key")
    (directory / "authorized_keys").write_text(public_line(client) + "\n")
    known_hosts = directory / "known_hosts"
    known_hosts.write_text(f"[{address}]:{port} {public_line(host_key)}\n")
    config = directory / "sshd_config"
    lines = [
        f"Port {port}",
        f"ListenAddress {address}",
        f"HostKey {directory / 'host_key'}",
        f"PidFile {directory / 'sshd.pid'}",
        f"AuthorizedKeysFile {directory / 'authorized_keys'}",
    ]
    # The sessions get this process's HOME (under pytest a temp dir), so nothing lands in the real home.
    defaults = {**DEFAULT_OPTIONS, "SetEnv": f"{DEFAULT_OPTIONS['SetEnv']} HOME={Path.home()}"}
    lines += [f"{key} {value}" for key, value in {**defaults, **(options or {})}.items()]
    config.write_text("\n".join(lines) + "\n")
    check = subprocess.run([SSHD, "-t", "-f", str(config)], capture_output=True, text=True)
    if check.returncode != 0:
        raise PeerError(f"sshd rejected the config {config}: {check.stderr.strip()}")
    server = Sshd(
        dir=directory,
        port=port,
        host_key=host_key,
        client_key=directory / "client_key",
        known_hosts=known_hosts,
        config=config,
        address=address,
        wrapper=tuple(wrapper),
        reachable=reachable,
    )
    server.start()
    return server


class _Stoppable(Protocol):
    def stop(self) -> None: ...


PeerT = TypeVar("PeerT", bound=_Stoppable)


def _session_peer(name: str, make: Callable[[Path], PeerT]) -> Any:
    """A session fixture NAME: one peer made by `make` in a temp folder, stopped at the end; a peer that
    cannot start fails the test that asked for it (never a skip). Tests that stop it must start it again."""

    def fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PeerT]:
        try:
            server = make(tmp_path_factory.mktemp(name))
        except PeerError as exc:
            pytest.fail(str(exc), pytrace=False)
        try:
            yield server
        finally:
            server.stop()

    return pytest.fixture(scope="session", name=name)(fixture)


if pytest is not None:
    sshd = _session_peer("sshd", make_sshd)


# -- Prometheus on loopback -----------------------------------------------------------------

PROMETHEUS = "/usr/bin/prometheus"
#: What the exporter serves (the test sets the values): a gauge with a label, and a counter.
GAUGE = "rbt_test_value"
COUNTER = "rbt_test_requests"  # exposed as rbt_test_requests_total


class Exporter:
    """A prometheus_client exporter on 127.0.0.1 whose values the test sets (`set`, `add`).

    Its own registry, so nothing else in the process leaks into /metrics.
    """

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Gauge, start_http_server

        self.registry = CollectorRegistry()
        self.gauge = Gauge(GAUGE, "a value the test moves", ["service"], registry=self.registry)
        self.counter = Counter(COUNTER, "a counter the test increments", ["code"], registry=self.registry)
        self.gauge.labels(service="api").set(1)
        self.gauge.labels(service="batch").set(0)
        self.counter.labels(code="200").inc(0)
        self.counter.labels(code="500").inc(0)
        self.port = _free_port()
        self._server, self._thread = start_http_server(self.port, addr="127.0.0.1", registry=self.registry)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/metrics"

    def set(self, value: float, service: str = "api") -> None:
        self.gauge.labels(service=service).set(value)

    def add(self, amount: float, code: str = "500") -> None:
        self.counter.labels(code=code).inc(amount)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@dataclass
class Prometheus:
    """Debian's Prometheus on 127.0.0.1, scraping `exporter` every second."""

    dir: Path
    port: int
    exporter: Exporter
    _proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def query(self, promql: str) -> list[dict[str, object]]:
        """An instant query straight through the HTTP API (for fixtures: no code under test)."""
        import requests

        response = requests.get(f"{self.url}/api/v1/query", params={"query": promql}, timeout=2)
        response.raise_for_status()
        return list(response.json()["data"]["result"])

    def wait_for(self, promql: str, predicate: object = None, timeout: float = 20.0) -> float:
        """Poll until `promql` has a value (that `predicate(value)` accepts); returns it. Raises PeerError on timeout."""
        deadline = time.monotonic() + timeout
        last: object = "no answer"
        while time.monotonic() < deadline:
            try:
                result = self.query(promql)
            except Exception as exc:  # not up yet
                last = exc
            else:
                if result:
                    value = float(result[0]["value"][1])  # type: ignore[index]
                    last = value
                    if predicate is None or predicate(value):  # type: ignore[operator]
                        return value
            time.sleep(0.2)
        raise PeerError(f"Prometheus at {self.url}: {promql} did not reach the expected value in {timeout:g}s (last: {last})")

    def start(self) -> None:
        """Start (or restart, same port and data) and wait until the exporter's gauge is queryable (~6 s the first time)."""
        if self.running:
            return
        argv = [
            PROMETHEUS,
            f"--config.file={self.dir / 'prometheus.yml'}",
            f"--storage.tsdb.path={self.dir / 'data'}",
            f"--web.listen-address=127.0.0.1:{self.port}",
            "--log.level=warn",
        ]
        self._proc = spawn_logged(argv, self.dir / "prometheus.log")
        try:
            self.wait_for(f'{GAUGE}{{service="api"}}', timeout=30)
        except PeerError as exc:
            text = (self.dir / "prometheus.log").read_text(errors="replace")[-2000:]
            self.stop()
            raise PeerError(f"{exc}\n{text}") from None

    def stop(self) -> None:
        if self._proc is None:
            return
        terminate(self._proc)
        self._proc = None
        deadline = time.monotonic() + 5
        while _accepts(self.port) and time.monotonic() < deadline:
            time.sleep(0.02)


def _require_prometheus() -> None:
    """Never skip: a missing Prometheus would hide every metrics test. Say how to get it instead."""
    if os.access(PROMETHEUS, os.X_OK):
        return
    raise PeerError(f"{PROMETHEUS} is missing: run scripts/test (it installs Debian's prometheus), or apt-get install -y --no-install-recommends prometheus")


def make_prometheus(directory: Path, exporter: Exporter | None = None) -> Prometheus:
    """Write a config scraping `exporter` (a new one if None) every second and start Prometheus on a free loopback port."""
    _require_prometheus()
    exporter = exporter or Exporter()
    (directory / "prometheus.yml").write_text(
        "global: {scrape_interval: 1s, evaluation_interval: 1s, scrape_timeout: 1s}\n"
        "scrape_configs:\n"
        "  - job_name: exporter\n"
        f"    static_configs: [{{targets: ['127.0.0.1:{exporter.port}']}}]\n"
    )
    server = Prometheus(dir=directory, port=_free_port(), exporter=exporter)
    server.start()
    return server


def _prometheus_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prometheus]:
    """One Prometheus (and its exporter) for the whole session; a test that stops it starts it again."""
    exporter = Exporter()
    try:
        server = make_prometheus(tmp_path_factory.mktemp("prometheus"), exporter)
    except PeerError as exc:
        exporter.stop()
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server
    finally:
        server.stop()
        exporter.stop()


if pytest is not None:
    prometheus = pytest.fixture(scope="session", name="prometheus")(_prometheus_fixture)
