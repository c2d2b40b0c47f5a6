"""Keys first over SSH too: while a person's key is being handled (`KEYS`), a remote step's output waits, as a local
step's does; released, every byte comes, in order. Before, a key during an SSH flood waited behind every chunk
buffered, and a chunk read as the key came was journaled before the key's decision (whose fsync then waited for it)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from peers import Sshd
from ssh_helpers import Collect, arun, cmd, executor

from runbook_tui.engine import keys_first
from runbook_tui.engine.ports import Result
from tests.waiting import until

pytestmark = pytest.mark.peers


def _unblock_reader(fifo: Path) -> None:
    """A reader still blocked on `fifo` (the command never wrote to it) gets end-of-file, so its thread ends."""
    try:
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    except OSError:  # no reader left: nothing to unblock
        pass


def _unblock_writer(fifo: Path) -> None:
    """A command still blocked writing to `fifo` (the test ended before reading it) can go on."""
    try:
        fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return
    os.close(fd)


def test_remote_output_waits_while_a_key_is_handled_and_none_is_lost(sshd: Sshd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keys_first, "HOLD_SECONDS", 60.0)
    printed = tmp_path / "printed"
    os.mkfifo(printed)
    sink = Collect()

    async def main() -> tuple[Result, list[tuple[str, bytes]]]:
        ex = executor(sshd, tmp_path)
        keys_first.KEYS.hold()
        try:
            command = cmd(sshd.host("db1"), f"seq 3; echo printed > {printed}; seq 4 6")
            task = asyncio.create_task(ex.run(command, sink, lambda _note: None))
            said = await asyncio.wait_for(asyncio.to_thread(printed.read_text), 30)  # the command has printed its first lines
            assert said == "printed\n", said
            await asyncio.wait({task}, timeout=0.5)  # what must not happen (its lines handed on): bounded by time
            during = list(sink.chunks)
            keys_first.KEYS.release()
            return await asyncio.wait_for(task, 30), during
        finally:
            keys_first.KEYS.release()
            await ex.close()

    try:
        result, during = arun(main)
    finally:
        _unblock_writer(printed)
    assert during == [], f"output was handed on while a key was being handled: {during}"
    assert result == Result("ok", exit_code=0) and sink.data("stdout") == b"1\n2\n3\n4\n5\n6\n"


def test_a_remote_chunk_read_as_a_key_arrives_waits_for_the_key(sshd: Sshd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader already waiting for data when the key comes: the chunk that arrives follows the key's frame."""
    monkeypatch.setattr(keys_first, "HOLD_SECONDS", 60.0)
    late = tmp_path / "late"
    os.mkfifo(late)
    sink = Collect()

    async def main() -> tuple[Result, bytes]:
        ex = executor(sshd, tmp_path)
        try:
            task = asyncio.create_task(ex.run(cmd(sshd.host("db1"), f"echo first; cat {late}"), sink, lambda _note: None))
            await until(lambda: sink.data("stdout") == b"first\n", "the first line handed on", 30)
            await asyncio.wait({task}, timeout=0.2)  # the reader back in `read`, waiting for more: bounded by time
            keys_first.KEYS.hold()
            await asyncio.wait_for(asyncio.to_thread(late.write_text, "late\n"), 30)  # printed while the key is handled
            await asyncio.wait({task}, timeout=1.0)  # what must not happen (the chunk handed on): bounded by time
            during = sink.data("stdout")
            keys_first.KEYS.release()
            _unblock_reader(late)
            return await asyncio.wait_for(task, 30), during
        finally:
            keys_first.KEYS.release()
            _unblock_reader(late)
            await ex.close()

    result, during = arun(main)
    assert during == b"first\n", f"a chunk was handed on while a key was being handled: {during!r}"
    assert result == Result("ok", exit_code=0) and sink.data("stdout") == b"first\nlate\n"
