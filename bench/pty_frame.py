"""Shared by bench/first_paint.py and bench/long_run.py: time a child's first painted frame in a real pty.

The child runs in a pseudo-terminal of 140x45 (the real Linux driver; the
parent drains what it writes), and marks its first frame by writing
`{"ts": time.time(), "cpu": time.process_time()}` to a marker file
(`mark_and_exit`, called from the screen's `call_after_refresh`), then exits
at once: tearing down is not part of the measurement. `cpu` is the child's
process time (all threads, the interpreter's start included) at the mark:
on a machine shared with other work it moves far less than the wall time.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import struct
import subprocess
import termios
import time
from pathlib import Path

COLUMNS, ROWS = 140, 45


def mark_and_exit(marker: str) -> None:
    """In the child, at the marked frame: write the time and the process time, and leave."""
    Path(marker).write_text(json.dumps({"ts": time.time(), "cpu": time.process_time()}))
    os._exit(0)  # the measurement is taken; tearing down is not part of it


def first_frame_in_pty(argv: list[str], env: dict[str, str], marker: Path, timeout: float = 120) -> float:
    """Seconds from spawning `argv` in a 140x45 pty (output drained) to the time it wrote to `marker`.

    A child still running after `timeout` seconds is killed (the bench then says it painted no frame)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
    env = {**env, "TERM": "xterm-256color", "COLUMNS": str(COLUMNS), "LINES": str(ROWS)}
    started = time.time()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True, close_fds=True)
    os.close(slave)
    seen = b""
    try:
        while proc.poll() is None:
            if time.time() - started > timeout:
                proc.kill()  # never marked: the bench says so below
                break
            if select.select([master], [], [], 0.1)[0]:
                try:
                    seen = (seen + os.read(master, 65536))[-4000:]
                except OSError:
                    break
        proc.wait(timeout=timeout)
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    if not marker.exists():
        raise SystemExit(f"{' '.join(argv[-3:])}: exited {proc.returncode} without painting a frame:\n{seen.decode(errors='replace')[-2000:]}")
    return float(json.loads(marker.read_text())["ts"]) - started


def frame_cpu(marker: Path) -> float:
    """The child's process time (s) at its marked frame, read from `marker` after `first_frame_in_pty`."""
    return float(json.loads(marker.read_text())["cpu"])
