"""Debian's Alertmanager on loopback for the notify tests: started once per test session, its silences API read
straight (no code under test). Never skipped: a missing binary says how to get it."""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from peers import PeerError, _free_port, _session_peer, spawn_logged, terminate

try:
    import pytest
except ImportError:  # as in peers.py: a benchmark may import this without the test extras
    pytest = None  # type: ignore[assignment]

ALERTMANAGER = "/usr/bin/prometheus-alertmanager"


@dataclass
class Alertmanager:
    """Debian's Alertmanager on 127.0.0.1 with a do-nothing route: its silences API is what the tests use."""

    dir: Path
    port: int
    _proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def silences(self) -> list[dict[str, object]]:
        """Every silence it holds, straight through the API (for assertions: no code under test)."""
        import requests

        response = requests.get(f"{self.url}/api/v2/silences", timeout=2)
        response.raise_for_status()
        return list(response.json())

    def start(self) -> None:
        (self.dir / "am.yml").write_text("route: {receiver: none}\nreceivers: [{name: none}]\n")
        argv = [ALERTMANAGER, f"--config.file={self.dir / 'am.yml'}", f"--storage.path={self.dir / 'data'}", f"--web.listen-address=127.0.0.1:{self.port}"]
        self._proc = spawn_logged([*argv, "--cluster.listen-address=", "--log.level=warn"], self.dir / "alertmanager.log")
        import requests

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                break
            try:
                if requests.get(f"{self.url}/-/ready", timeout=1).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.05)
        text = (self.dir / "alertmanager.log").read_text(errors="replace")[-2000:]
        self.stop()
        raise PeerError(f"Alertmanager did not become ready on {self.url}:\n{text}")

    def stop(self) -> None:
        if self._proc is None:
            return
        terminate(self._proc)
        self._proc = None


def make_alertmanager(directory: Path) -> Alertmanager:
    """Start Alertmanager on a free loopback port; never skip when it is missing: say how to get it."""
    if not os.access(ALERTMANAGER, os.X_OK):
        raise PeerError(
            f"{ALERTMANAGER} is missing: run scripts/test (it installs Debian's prometheus-alertmanager), "
            "or apt-get install -y --no-install-recommends prometheus-alertmanager"
        )
    server = Alertmanager(dir=directory, port=_free_port())
    server.start()
    return server


if pytest is not None:
    alertmanager = _session_peer("alertmanager", make_alertmanager)
