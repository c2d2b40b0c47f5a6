"""One stream of a follow session fed to its framer (`ssh.SshExecutor._follow`)."""

from __future__ import annotations

from collections.abc import Callable

import asyncssh

from runbook_tui.execute.ssh_framing import CHUNK_SIZE, Framed


async def pump(reader: asyncssh.SSHReader[bytes], framed: Framed, on_header: Callable[[str], None] | None, headed: Callable[[], None] | None) -> None:
    """Feed one stream to its framer until its trailer (or EOF); once its header is in, call `on_header` with it (stdout's:
    the follow script's first line) and `headed` (if any)."""
    seen = False
    while framed.tail is None:
        data = await reader.read(CHUNK_SIZE)
        if not data:
            return
        framed.feed(data)
        if framed.head is not None and not seen:
            seen = True
            if on_header is not None:
                on_header(framed.head)
            if headed is not None:
                headed()
