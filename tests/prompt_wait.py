"""Wait until a child process sits in read(): the moment after a prompt shows and before input() reads is not it.

A SIGINT sent in that moment is noted by Python's handler and then waits for the read to end: a test that sends
ctrl-c as soon as the prompt shows hangs now and then where no person could be that fast.
"""

from __future__ import annotations

import platform
import time

#: read()'s system call number, as /proc/PID/syscall gives it.
_READ = {"x86_64": "0", "aarch64": "63"}[platform.machine()]


def until_reading(pid: int, timeout: float = 20) -> None:
    """Return once the process's main thread is blocked in read(); AssertionError after `timeout` seconds."""
    end = time.monotonic() + timeout
    said = ""
    while time.monotonic() < end:
        with open(f"/proc/{pid}/syscall", encoding="ascii") as handle:
            said = handle.read()
        if said.split()[:1] == [_READ]:
            return
        time.sleep(0.01)
    raise AssertionError(f"process {pid} not waiting in read() within {timeout:g} s (/proc/{pid}/syscall: {said.strip()})")
