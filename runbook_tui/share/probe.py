"""Before `join` trusts or logs in: is what answers at the address a runbook-tui share at all?

A tired verifier types the host's own SSH port (22), a web port, or a port nothing listens on. Before this, a plain
sshd was offered for trust as "the session" (its fingerprint shown, `yes` writing it to known_hosts as the session's
key) and then refused the key as if the person were not a participant; an HTTP server read as "Connection lost";
a closed port as `[Errno 111] Connect call failed ('127.0.0.1', 1)`. The probe reads the server's identification
line (RFC 4253 4.2: the server sends `SSH-2.0-SOFTWARE` first, maybe after other lines) and says what is there.
"""

from __future__ import annotations

import asyncio
import socket

import asyncssh

from runbook_tui.runbook.safe_text import visible_line
from runbook_tui.share import client

#: Our identification line: the share answers it; a web server answers it with an error page's status line.
_HELLO = b"SSH-2.0-runbook_tui_probe\r\n"
#: Lines read at most before the server's `SSH-` line (RFC 4253 allows others before it).
_LINES = 20
#: What a share's identification line holds: the share is an asyncssh server.
_SHARE_SOFTWARE = ("AsyncSSH", "runbook")


async def not_a_share(host: str, port: int, tunnel: asyncssh.SSHClientConnection | None = None) -> str | None:
    """Why what answers at host:port is no runbook-tui share, in words; None when it may be one (or could not be
    reached for another reason: the join then goes on and says what it finds). Through `tunnel`, the bastion's
    connection, when the verifier's ssh config reaches it through one."""
    seconds = client.CONNECT_SECONDS
    reader: asyncio.StreamReader | asyncssh.SSHReader[bytes]
    writer: asyncio.StreamWriter | asyncssh.SSHWriter[bytes]
    try:
        opening = tunnel.open_connection(host, port, encoding=None) if tunnel is not None else asyncio.open_connection(host, port)
        reader, writer = await asyncio.wait_for(opening, seconds)
    except ConnectionRefusedError:
        return "nothing listens there (connection refused)"
    except socket.gaierror:
        return f"the host name {visible_line(host)} is not known (mistyped?)"
    except asyncssh.ChannelOpenError as exc:  # the bastion's words: `Connection refused`, a name it cannot resolve
        return f"the bastion could not reach it ({visible_line(exc.reason)})"
    except (OSError, TimeoutError, asyncssh.Error):
        return None
    try:
        return await asyncio.wait_for(_identified(reader, writer), seconds)
    except TimeoutError:  # it took the connection and says nothing: as the join's own connection would find
        return client.words(TimeoutError())
    except (OSError, ValueError):
        return None
    finally:
        writer.close()


async def _identified(reader: asyncio.StreamReader | asyncssh.SSHReader[bytes], writer: asyncio.StreamWriter | asyncssh.SSHWriter[bytes]) -> str | None:
    writer.write(_HELLO)
    await writer.drain()
    first = ""
    for _ in range(_LINES):
        line = (await reader.readline()).decode("utf-8", "replace").strip()
        if line.startswith("SSH-"):
            software = line.split("-", 2)[-1]
            if any(name in software for name in _SHARE_SOFTWARE):
                return None
            return f"an SSH server answers there, but not a runbook-tui session (it is {visible_line(software[:60])}, perhaps the host's own sshd)"
        if not line and reader.at_eof():
            break
        first = first or line
    said = f"it answered '{visible_line(first[:60])}'" if first else "it closed the connection without a word"
    return f"what listens there does not speak SSH ({said}), so it is not a runbook-tui session"
