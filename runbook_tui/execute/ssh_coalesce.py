"""A direct TCP connection for asyncssh whose writes go out once per event-loop turn.

asyncssh hands the transport every packet as a write of its own, and an
IGNORE packet before every packet after the key exchange, so each channel
message costs two `send`s and, at the other end, two wake-ups of sshd. Here
the writes of one loop turn are joined into one `send`: the same bytes, in
the same order, on the same socket, just fewer segments. With hundreds of
hosts on one event loop that is client and host CPU saved for every
message (`bench/fanout.py`). A host behind a bastion goes through the
bastion's connection instead (asyncssh's own tunnel), unchanged.
"""

from __future__ import annotations

import asyncio
from typing import Any


class _CoalescingTransport(asyncio.Transport):
    """Buffers the writes of one loop turn and hands them to the socket transport as one."""

    def __init__(self, transport: asyncio.Transport) -> None:
        super().__init__()
        self._transport = transport
        self._loop = asyncio.get_running_loop()
        self._pending: list[bytes] = []

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not self._pending:
            self._loop.call_soon(self._flush)
        self._pending.append(bytes(data))

    def _flush(self) -> None:
        if not self._pending:
            return
        data = b"".join(self._pending)
        self._pending.clear()
        if not self._transport.is_closing():
            self._transport.write(data)

    def close(self) -> None:
        """Send what is buffered, then close (as a socket transport closes after its buffer)."""
        self._flush()
        self._transport.close()

    def abort(self) -> None:
        self._pending.clear()
        self._transport.abort()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._transport.get_extra_info(name, default)

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + sum(len(data) for data in self._pending)

    def pause_reading(self) -> None:
        self._transport.pause_reading()

    def resume_reading(self) -> None:
        self._transport.resume_reading()

    def is_reading(self) -> bool:
        return self._transport.is_reading()


class _Relay(asyncio.Protocol):
    """Stands between the socket transport and asyncssh's connection: the connection gets the coalescing transport."""

    def __init__(self, inner: asyncio.Protocol) -> None:
        self.inner = inner

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.inner.connection_made(_CoalescingTransport(transport))

    def data_received(self, data: bytes) -> None:
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()


class CoalescedTcp:
    """What asyncssh's `tunnel=` takes: opens a plain TCP connection to (host, port) for the SSH connection's protocol."""

    async def create_connection(self, session_factory: Any, host: str, port: int) -> tuple[asyncio.BaseTransport, Any]:
        inner: list[asyncio.Protocol] = []

        def relay() -> _Relay:
            inner.append(session_factory())
            return _Relay(inner[0])

        transport, _ = await asyncio.get_running_loop().create_connection(relay, host, port)
        return transport, inner[0]
