"""The client's line reader: a catch-up arrives as many lines per read, and a peer cannot make it hold an endless line."""

from __future__ import annotations

import pytest

from runbook_tui.share import protocol


class Pieces:
    """A stream that returns the given pieces, one per read, then end of stream."""

    def __init__(self, *pieces: str) -> None:
        self.pieces = list(pieces)

    async def read(self, n: int = -1) -> str:
        return self.pieces.pop(0) if self.pieces else ""


async def lines_of(stream: Pieces) -> list[list[str]]:
    return [lines async for lines in protocol.read_lines(stream)]


@pytest.mark.asyncio
async def test_lines_split_across_reads_come_out_whole_and_in_order() -> None:
    reads = await lines_of(Pieces('{"a":1}\n{"b":', "2}\n{", '"c":3}\n{"d":4}\n', '{"e"', ":5}\n"))
    assert reads == [['{"a":1}'], ['{"b":2}'], ['{"c":3}', '{"d":4}'], ['{"e":5}']]


@pytest.mark.asyncio
async def test_an_unfinished_last_line_is_not_a_message() -> None:
    assert await lines_of(Pieces('{"a":1}\n{"b":')) == [['{"a":1}']]


@pytest.mark.asyncio
async def test_a_line_longer_than_the_limit_is_refused_before_it_is_all_held(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(protocol, "MAX_LINE", 1000)
    endless = Pieces(*["x" * 400] * 10_000)  # 4 MB with no newline: a hostile peer
    with pytest.raises(protocol.ProtocolError, match="over 1000 characters without its end"):
        await lines_of(endless)
    assert len(endless.pieces) > 9_990  # refused after a few reads, not at the end of the stream


def test_an_event_message_is_the_event_s_own_text_framed_and_parses_to_the_object() -> None:
    line = protocol.event({"seq": 1, "type": "note"})
    assert line == protocol.EVENT_PREFIX + '{"seq":1,"type":"note"}' + "}\n"
    assert protocol.event_object(b'{"seq":1,"type":"note"}') == protocol.event_object('{"seq":1,"type":"note"}') == {"seq": 1, "type": "note"}
    assert protocol.event_object('{"seq":1} {"seq":2}') is None  # one object and nothing else
    assert protocol.event_object("[1]") is None and protocol.event_object("{") is None


def test_a_message_nested_too_deep_is_refused_as_a_protocol_error() -> None:
    """Before: RecursionError, which ended the share server's listener for that session (no reply, session closed)."""
    with pytest.raises(protocol.ProtocolError, match="nested deeper than this program reads"):
        protocol.decode('{"kind":"intent","text":' + "[" * 200_000 + "]" * 200_000 + "}")
