"""The guard in conftest.py: a test not marked `peers` cannot start a peer, so `-m 'not peers'` starts none."""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

import asyncssh
import pytest


@pytest.mark.parametrize(
    "argv",
    [
        ["/usr/sbin/sshd", "-D", "-f", "/dev/null"],
        ["prometheus", "--version"],
        ["ip", "netns", "exec", "ns1", "/usr/sbin/sshd", "-D"],
        ["runbook-tui", "exec", "r.yaml", "--share", "127.0.0.1:1"],
        ["tmux", "new-session", "-d", "runbook-tui run r.yaml --share :2222"],
    ],
)
def test_an_unmarked_test_cannot_spawn_a_peer(argv: list[str]) -> None:
    with pytest.raises(pytest.fail.Exception, match=r"not marked @pytest\.mark\.peers"):
        subprocess.Popen(argv)


def test_an_unmarked_test_cannot_open_an_ssh_server() -> None:
    with pytest.raises(pytest.fail.Exception, match=r"not marked @pytest\.mark\.peers"):
        asyncio.run(asyncssh.create_server(asyncssh.SSHServer, "127.0.0.1", 0))


def test_other_programs_still_run() -> None:
    assert subprocess.run(["sh", "-c", "echo sshd is only a word here"], capture_output=True, text=True, check=True).stdout == "sshd is only a word here\n"


def test_the_home_is_a_temp_dir() -> None:
    home = Path.home()
    assert home.name.startswith("runbook-tui-test-home-"), home
    for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        assert Path(os.environ[name]).is_relative_to(home), name
