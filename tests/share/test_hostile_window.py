"""A participant's client that grants the session an SSH window without end, then stops reading its socket.

The SSH window is how much a side may send before the other says it took it; asyncssh sends whatever the window allows
into the connection's socket buffer, and ignores the socket's own back-pressure. A real `runbook-tui exec --share`
process; the test speaks SSH to it with asyncssh as a hostile client would.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import asyncssh
import pytest
from asyncssh.packet import UInt32
from share_peers import HOST, TWO_STEPS, Lab, until

from runbook_tui.share.channels import CHANNELS_PER_CONNECTION, SMALLEST_PACKET

pytestmark = [pytest.mark.peers, pytest.mark.asyncio]

#: Step one prints 16 MB (the journal then holds them); 'two' waits for the verifier: the run stands still.
PRINTED = TWO_STEPS.replace("run: echo one", "run: head -c 16000000 /dev/zero | tr '\\\\0' y | fold -w 8000").replace(
    "undo: echo undo-two\n", "undo: echo undo-two\n        verify: before\n", 1
)
#: 'one' waits for the verifier's go-ahead: the run stands still.
WAITING = TWO_STEPS.replace("undo: echo undo-one\n", "undo: echo undo-one\n        verify: before\n", 1)
#: Sessions carol opens on her one connection (SESSIONS_PER_PARTICIPANT allows 4).
SESSIONS = 4


class _Appended:
    """Whether `needle` was appended to the file since the last call (the journal is large: only what came is read)."""

    def __init__(self, path: Path, needle: bytes, at: int = 0) -> None:
        self.path, self.needle, self.at, self.rest = path, needle, at, b""

    def __call__(self) -> bool:
        with self.path.open("rb") as handle:
            handle.seek(self.at)
            new = handle.read()
        text, self.at = self.rest + new, self.at + len(new)
        self.rest = text[-len(self.needle) :]
        return self.needle in text


def _rss_mb(pid: int, field: str) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(f"{field}:")) / 1024


async def test_a_window_without_end_and_a_socket_never_read_hold_bounded_memory(lab: Lab) -> None:
    """Before: the share sent each catch-up as far as the client's window allowed, and a window of 4 GiB (or adjusted
    without end) let every catch-up land in the socket's buffer in the assignee's process: four sessions catching up on
    a 92 MB journal, their socket never read, took its peak RSS up by more than the journal's size (the test stops
    there; 229 MB for a 229 MB journal) until the keepalive dropped them. Now: under 1 MB."""
    bob, carol = lab.key("bob"), lab.key("carol")
    shared = await lab.share(lab.runbook(PRINTED), "--verifier-key", f"{bob}.pub", "--observer-key", f"{carol}.pub")
    await lab.trust(shared.fingerprint, shared.port)
    await until(_Appended(shared.journal, b'"type":"step_finished"'), 120, "step one's 16 MB journaled")
    size = shared.journal.stat().st_size / 2**20
    async with asyncssh.connect(HOST, shared.port, known_hosts=str(lab.known_hosts), client_keys=[str(carol)], username="runbook") as conn:
        processes = [await conn.create_process(encoding="utf-8", window=2**32 - 1) for _ in range(SESSIONS)]
        for process in processes:
            assert json.loads(await asyncio.wait_for(process.stdout.readline(), 10))["kind"] == "welcome"
            process.channel.send_packet(93, UInt32(2**32 - 1))  # MSG_CHANNEL_WINDOW_ADJUST: more window on top
        before = _rss_mb(shared.proc.pid, "VmRSS")
        transport = conn._transport
        assert transport is not None
        transport.pause_reading()  # from here on nothing of the session's is read: its bytes stay in the assignee's buffers
        at = shared.journal.stat().st_size
        for process in processes:
            process.stdin.write(json.dumps({"kind": "hello", "since": -1}) + "\n")
        await until(_Appended(shared.journal, b'"type":"participant_joined"', at), 30, "carol joined")
        # until the session drops her (its keepalive goes unanswered), or it holds more than the journal's size for her
        left = _Appended(shared.journal, b'"type":"participant_left"', at)
        await until(lambda: left() or _rss_mb(shared.proc.pid, "VmHWM") - before > size, 60, "carol dropped, or the RSS grown")
        grown = _rss_mb(shared.proc.pid, "VmHWM") - before
        transport.resume_reading()
    assert grown < size, f"the assignee's peak RSS grew {grown:.0f} MB for catch-ups of a {size:.0f} MB journal nobody read"
    shared.stop()


async def test_a_channel_taking_only_tiny_packets_is_refused_as_it_opens(lab: Lab) -> None:
    """Before: a client could open its session saying it takes packets of one byte at most, and the share then sent each
    byte of a catch-up as an SSH packet of its own, encrypted one by one on the run's event loop (256 KiB a write:
    ~260,000 packets without a pause): with an observer's key catching up on an 11 MB journal that way, the verifier's
    note went unanswered for over 30 s, again and again."""
    bob, carol = lab.key("bob"), lab.key("carol")
    shared = await lab.share(lab.runbook(WAITING), "--verifier-key", f"{bob}.pub", "--observer-key", f"{carol}.pub")
    await lab.trust(shared.fingerprint, shared.port)
    async with asyncssh.connect(HOST, shared.port, known_hosts=str(lab.known_hosts), client_keys=[str(carol)], username="runbook") as conn:
        for tiny in (1, SMALLEST_PACKET - 1):
            with pytest.raises(asyncssh.ChannelOpenError, match=f"packets of {tiny:,} bytes at most: too small"):
                await conn.create_process(encoding="utf-8", max_pktsize=tiny)
        for _ in range(CHANNELS_PER_CONNECTION):  # the refused ones hold no place: every place is still free
            process = await conn.create_process(encoding="utf-8", max_pktsize=SMALLEST_PACKET)
            assert json.loads(await asyncio.wait_for(process.stdout.readline(), 10))["kind"] in ("welcome", "bye")
    shared.stop()
