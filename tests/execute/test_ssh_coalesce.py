"""The direct TCP connection under each SSH connection: one socket write per loop turn, same bytes, same order, nothing lost at close."""

from __future__ import annotations

import asyncio

from runbook_tui.execute.ssh_coalesce import CoalescedTcp


class _Client(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.lost = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost.set_result(exc)


async def _exchange(burst: list[bytes], *, then: str) -> tuple[bytes, int, bool]:
    """Write `burst` in one loop turn, then `close` or `abort`; what the server read until EOF, socket writes, EOF seen."""
    received = bytearray()
    done = asyncio.get_running_loop().create_future()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while chunk := await reader.read(65536):
                received.extend(chunk)
            done.set_result(True)
        except ConnectionError:
            done.set_result(False)
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        raw, client = await CoalescedTcp().create_connection(_Client, "127.0.0.1", port)
        assert isinstance(client, _Client) and client.transport is not None
        writes = 0
        socket_write = raw.write  # type: ignore[attr-defined]

        def counting(data: bytes) -> None:
            nonlocal writes
            writes += 1
            socket_write(data)

        raw.write = counting  # type: ignore[attr-defined]
        for data in burst:
            client.transport.write(data)
        assert client.transport.get_write_buffer_size() >= sum(map(len, burst)), "held until the turn ends"
        if then == "close":
            client.transport.close()
        else:
            await asyncio.sleep(0)  # the turn ends: the burst goes out
            client.transport.abort()
        eof = await asyncio.wait_for(done, 5)
        await asyncio.wait_for(client.lost, 5)
        return bytes(received), writes, eof
    finally:
        server.close()
        await server.wait_closed()


def test_writes_of_one_turn_leave_as_one_socket_write_in_order_and_close_sends_them_first() -> None:
    burst = [b"ignore-packet|", b"data-packet|", b"x" * 100_000]
    received, writes, eof = asyncio.run(_exchange(burst, then="close"))
    assert received == b"".join(burst), "every byte, in order, before the end of the stream"
    assert writes == 1
    assert eof


def test_abort_after_the_turn_has_sent_the_burst() -> None:
    burst = [b"disconnect|", b"bye"]
    received, writes, _ = asyncio.run(_exchange(burst, then="abort"))
    assert received == b"disconnect|bye"
    assert writes == 1
