"""The follow script on its own, under each `sh` a host may have: dash (Debian, Ubuntu) and bash as `sh` (RHEL, Fedora).

No sshd: the script gets its stdin and gives its streams as over a session,
so what is checked is the shell's part: a quick command's whole result comes
back without the client asking for live output (`t`), whichever shell runs
it. (A SIGCHLD trap interrupts dash's `read` but not bash's: a design that
relied on it made every quick command on a bash host wait for the client's
next `t`.)
"""

from __future__ import annotations

import os
import selectors
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from runbook_tui.engine.ports import Command
from runbook_tui.execute.ssh_scripts import dir_expr, follow_script, wrapper_script
from runbook_tui.runbook.model import Host, Mark

#: What runs the script: `sh` is dash on Debian and Ubuntu, bash (in POSIX mode, as when started as `sh`) on RHEL and Fedora.
SHELLS = ("dash", "bash --posix")


def _read_until(proc: subprocess.Popen[bytes], marks: dict[str, bytes], within: float) -> dict[str, bytes]:
    """Both streams until each holds its trailer, or fail after `within` seconds."""
    assert proc.stdout is not None and proc.stderr is not None
    got = {"stdout": b"", "stderr": b""}
    streams = selectors.DefaultSelector()
    streams.register(proc.stdout, selectors.EVENT_READ, "stdout")
    streams.register(proc.stderr, selectors.EVENT_READ, "stderr")
    deadline = time.monotonic() + within
    while not all(marks[name] in got[name] for name in marks):
        left = deadline - time.monotonic()
        assert left > 0, f"no whole result within {within} s without the client's `t`: {got}"
        for key, _ in streams.select(left):
            chunk = os.read(key.fd, 65536)
            if not chunk:
                streams.unregister(key.fileobj)
            got[key.data] += chunk
    return got


@pytest.mark.parametrize("shell", SHELLS)
def test_a_quick_result_comes_whole_without_asking_for_live_output(shell: str, tmp_path: Path) -> None:
    words = shell.split()
    path = shutil.which(words[0])
    assert path, f"{words[0]} is not installed (scripts/test installs dash and bash)"
    runs = tmp_path / "runs"
    runs.mkdir(mode=0o700)
    host = Host(name="h", address="127.0.0.1", mark=Mark("<test>", 1, 1))
    wrapper = wrapper_script(Command(host=host, command="echo out; echo err >&2; exit 3", key="s/quick/1")).encode()
    script = follow_script(dir_expr(str(runs), "quick"), start=True, wrapper_size=len(wrapper))
    token = uuid.uuid4().hex
    proc = subprocess.Popen([path, *words[1:], "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdin is not None
    try:
        proc.stdin.write(f"{token}\n".encode() + wrapper + f"{token}\n".encode())
        proc.stdin.flush()
        mark = b"\0" + token.encode()
        got = _read_until(proc, {"stdout": mark + b" end 3\n", "stderr": mark + b" end\n"}, within=10)
        proc.stdin.write(b"done\n")
        proc.stdin.close()
        assert proc.wait(timeout=10) == 0
    finally:
        proc.kill()
        proc.wait()
    assert got["stdout"].split(b"\n", 1)[1] == b"out\n" + mark + b" end 3\n"
    assert got["stderr"] == mark + b" err\nerr\n" + mark + b" end\n"
    assert list(runs.iterdir()) == [], "the run's files are removed once acknowledged"
