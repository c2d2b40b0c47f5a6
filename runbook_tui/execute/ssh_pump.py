"""One stream of a follow session fed to its framer (`ssh.SshExecutor._follow`): keys first, as the local reader does.

While a person's key is being handled (`KEYS`: its action, the decision's durable write, its frame) no output is read or
fed, bounded by HOLD_SECONDS: delayed, never lost (asyncssh's window keeps the rest on the host's side meanwhile). Before,
a key during an SSH flood waited behind every chunk buffered (each one journaled, hashed, folded, queued for the pane),
and a chunk read as the key came was journaled before the key's decision, whose fsync, the chain kept in order, waited
for it too: local output had been held back since issue 18's first pass, SSH output never.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import asyncssh

from runbook_tui.engine.keys_first import KEYS
from runbook_tui.execute.ssh_framing import CHUNK_SIZE, Framed


async def pump(reader: asyncssh.SSHReader[bytes], framed: Framed, on_header: Callable[[str], None] | None, headed: Callable[[], None] | None) -> None:
    """Feed one stream to its framer until its trailer (or EOF); once its header is in, call `on_header` with it (stdout's:
    the follow script's first line) and `headed` (if any)."""
    seen = False
    while framed.tail is None:
        await KEYS.clear()
        data = await reader.read(CHUNK_SIZE)
        if not data:
            return
        await KEYS.clear()  # read as a key came: fed after the key's frame, as the next read would be
        framed.feed(data)
        if framed.head is not None and not seen:
            seen = True
            if on_header is not None:
                on_header(framed.head)
            if headed is not None:
                headed()
        await asyncio.sleep(0)  # the loop's other work (a key's hop) between two chunks: `read` returns at once while data waits
