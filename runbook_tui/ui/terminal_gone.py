"""Noticing a terminal that went away without a SIGHUP, so the app leaves as it does on one.

A closed terminal usually sends SIGHUP (ui/base_app.py handles it). Not always: a program whose terminal is not its
controlling terminal (started under `setsid`, by a supervisor, from a script that opened the pty itself), or a
terminal emulator that just closed the pty's master, gets no signal. Textual's input thread then reads end of input
at once, again and again: the app spun at a core's worth of CPU forever, the step's command left running unwatched,
and the journal said nothing. The kernel marks such a terminal hung up (POLLHUP on stdin), which a thread can wait
for without reading a byte of the keys Textual reads; the app is then told once, on its own loop.
"""

from __future__ import annotations

import asyncio
import errno
import os
import select
import termios
import threading
from collections.abc import Callable

#: What the journal's note says stopped the run, as it names a signal ("run was stopped by SIGHUP ...").
TERMINAL_GONE = "its terminal going away (as a SIGHUP would; none came)"


class TerminalWatch:
    """Waits, on a thread, for `fd` (the terminal the app reads) to hang up; then calls `gone` on `loop`, once."""

    def __init__(self, fd: int, loop: asyncio.AbstractEventLoop, gone: Callable[[], None]) -> None:
        self._fd, self._loop, self._gone = fd, loop, gone
        self._wake_r, self._wake_w = os.pipe()  # written to by stop(): the thread wakes and ends (no periodic wake-ups)
        self._thread = threading.Thread(target=self._watch, name="terminal-watch", daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        poller = select.poll()
        poller.register(self._fd, 0)  # no POLLIN: only a hang-up or an error is reported, and no key is taken from Textual
        poller.register(self._wake_r, select.POLLIN)
        try:
            while True:
                for fd, _mask in poller.poll():
                    if fd == self._wake_r:
                        return
                    try:
                        self._loop.call_soon_threadsafe(self._gone)
                    except RuntimeError:  # the loop closed while this thread woke: the app is gone already
                        pass
                    return
        finally:
            os.close(self._wake_r)

    def stop(self) -> None:
        """The app is leaving: the thread ends without telling it anything."""
        try:
            os.write(self._wake_w, b"x")
        except OSError:  # the thread ended first (it told the app) and closed its end
            pass
        finally:
            os.close(self._wake_w)


def watch_terminal(gone: Callable[[], None]) -> TerminalWatch | None:
    """A watch on stdin when it is a terminal (the app draws on one), or was one and hung up already; None otherwise (a
    test's headless app). `isatty` says False for a terminal that hung up (its ioctl fails, EIO): the watch starts after
    the first frame, and a terminal closed before then was taken for a pipe and never watched (`join` stayed joined)."""
    fd = 0
    try:
        termios.tcgetattr(fd)
    except termios.error as exc:
        if exc.args[0] != errno.EIO:  # ENOTTY: a pipe, a file, /dev/null; EBADF: no stdin
            return None
    return TerminalWatch(fd, asyncio.get_running_loop(), gone)
