"""Fixtures of the executor tests."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def agent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An ssh-agent of this test's own (`ssh-agent -s`), its socket in SSH_AUTH_SOCK; killed after."""
    if shutil.which("ssh-agent") is None or shutil.which("ssh-add") is None:
        pytest.fail("ssh-agent/ssh-add are missing: apt-get install -y openssh-client", pytrace=False)
    sock = tmp_path / "agent.sock"
    started = subprocess.run(["ssh-agent", "-s", "-a", str(sock)], capture_output=True, text=True, timeout=10, check=True)
    pid = int(re.search(r"SSH_AGENT_PID=(\d+)", started.stdout).group(1))  # type: ignore[union-attr]
    monkeypatch.setenv("SSH_AUTH_SOCK", str(sock))
    try:
        yield sock
    finally:
        os.kill(pid, signal.SIGTERM)
