"""A verifier on a slow link (a hotel's, a phone's: ~1.3 KB/s) sees the run's first events promptly on joining, not after
the first quarter megabyte of its catch-up.

The catch-up went out in writes of 256 KiB, each one SSH packet (the client asks for packets that large, for a fast
link's sake): a packet is decrypted only once it is whole, so at 1.3 KB/s the screen showed nothing for over three
minutes. The first writes are small now and grow to that size. Measured in bytes through a throttling relay (how much
had to come down before the first event could be shown), not in seconds: the machine's load does not change it."""

from __future__ import annotations

import asyncio

import pytest
from share_peers import HOST, Lab, free_port, until

from runbook_tui.share.client import Endpoint, ShareClient, fetch_host_key, trust

pytestmark = [pytest.mark.peers, pytest.mark.asyncio]

#: One step printing ~700 KB: a catch-up of several 256 KiB writes.
FLOOD = """\
runbook: 1
id: slow-link
title: Slow link
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - id: flood
        title: Print a lot
        run: head -c 520000 /dev/zero | base64 -w 76
        undo: echo undo
"""


class Throttle:
    """A loopback TCP relay passing the session's bytes to the client at `rate` bytes a second, counting them."""

    def __init__(self, target: int, rate: float) -> None:
        self.target, self.rate, self.port, self.down = target, rate, free_port(), 0
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._relay, HOST, self.port)

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(HOST, self.target)

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter, down: bool) -> None:
            try:
                while data := await src.read(1024 if down else 65536):
                    if down:
                        await asyncio.sleep(len(data) / self.rate)  # the link's pace: the slow peer is the scenario
                        self.down += len(data)
                    dst.write(data)
                    await dst.drain()
            except OSError:
                pass
            finally:
                dst.close()

        await asyncio.gather(pipe(reader, up_writer, False), pipe(up_reader, writer, True))

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()


async def test_the_first_events_of_a_large_catch_up_come_before_its_first_quarter_megabyte(lab: Lab) -> None:
    bob = lab.key("bob")
    shared = await lab.share(lab.runbook(FLOOD), "--verifier-key", f"{bob}.pub")
    await shared.wait_for_output(r"waiting for verifier", timeout=60)
    key = await fetch_host_key(HOST, shared.port)
    assert key is not None
    throttle = Throttle(shared.port, 128 * 1024)
    await throttle.start()
    trust(str(lab.known_hosts), HOST, throttle.port, key)
    client = ShareClient(Endpoint(HOST, throttle.port, str(lab.known_hosts), str(bob), observe=True))
    first: list[int] = []
    client.subscribe(lambda _event, _state: first or first.append(throttle.down))
    following = asyncio.create_task(client.run())
    try:
        await until(lambda: "flood" in client.state.steps and client.state.steps["flood"].status == "awaiting_verification", 120, "the whole catch-up")
        assert first and first[0] < 64 * 1024, f"{first[0]:,} bytes came down before the first event could be shown (before: over 256 KiB)"
        assert throttle.down > 600_000  # the catch-up was large: the first events did not wait for it
    finally:
        following.cancel()
        await client.close()
        await throttle.close()
