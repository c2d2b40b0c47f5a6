"""The writer thread appends a group of lines with `writev` (no joined copy), in order, all of it, then fsyncs."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

import pytest

from runbook_tui.engine import journal_file
from runbook_tui.engine.journal import JournalWriter, event_hash
from runbook_tui.engine.journal_file import WRITEV_MAX, write_all


def lines(count: int) -> list[bytes]:
    return [b"%d:%s\n" % (n, b"x" * (n % 5000)) for n in range(count)]


def test_more_lines_than_one_writev_takes_land_whole_and_in_order(tmp_path: Path) -> None:
    path = tmp_path / "j"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        write_all(fd, [b"first\n"])
        many = lines(2 * WRITEV_MAX + 7)
        write_all(fd, many)
        write_all(fd, [b"last\n"])
    finally:
        os.close(fd)
    assert path.read_bytes() == b"first\n" + b"".join(many) + b"last\n"


def test_a_writev_cut_short_is_finished(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The kernel may write less than asked (a signal during a large write): the rest follows, nothing twice."""
    real = os.writev

    def short(fd: int, buffers: Sequence[bytes]) -> int:
        first = bytes(buffers[0])
        return real(fd, [first[: len(first) // 2 + 1]])  # half of the first line, as an interrupted write leaves it

    monkeypatch.setattr(journal_file.os, "writev", short)
    path = tmp_path / "j"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        many = lines(WRITEV_MAX + 3)
        write_all(fd, many)
    finally:
        os.close(fd)
    assert path.read_bytes() == b"".join(many)


def test_a_flood_of_commits_reads_back_whole(tmp_path: Path) -> None:
    """Each commit lets the kernel drop the pages it made durable; the page an append goes on filling is kept by it,
    and every line reads back, chained, whatever page it began on."""
    writer = JournalWriter(tmp_path / "j.jsonl")
    texts = [f"{n}\n" * (n * 37 % 9000 + 1) for n in range(60)]
    try:
        for text in texts:
            writer.queue("output", "system", {"step": "s", "host": "local", "stream": "stdout", "text": text})
            writer.flush()  # one commit (write, fsync, drop) per line: most end inside a page
    finally:
        writer.close()
    events = [json.loads(line) for line in (tmp_path / "j.jsonl").read_bytes().splitlines()]
    assert [event["text"] for event in events] == texts
    assert all(event["hash"] == event_hash(event) for event in events)
    assert [event["prev"] for event in events] == ["", *(event["hash"] for event in events[:-1])]
