"""`replay J --practice --speed X`: the night's output plays X times as fast (the spec's synopsis takes both options)."""

from __future__ import annotations

import asyncio

import pytest

from runbook_tui.engine.ports import Command, Result
from runbook_tui.engine.recording import Recording, Take
from runbook_tui.execute import recorded
from runbook_tui.execute.recorded import CHUNK_PAUSE, RecordedExecutor
from runbook_tui.runbook.model import Host, Mark

WEB1 = Host(name="web1", address="10.0.0.1", mark=Mark("<test>", 1, 1))


@pytest.mark.parametrize("pace", [1.0, 4.0])
def test_the_nights_chunks_come_at_the_pace_asked(pace: float, monkeypatch: pytest.MonkeyPatch) -> None:
    pauses: list[float] = []
    real_sleep = asyncio.sleep

    async def noted(seconds: float) -> None:
        pauses.append(seconds)
        await real_sleep(0)

    monkeypatch.setattr(recorded.asyncio, "sleep", noted)
    take = Take(chunks=[("stdout", f"line {i}\n") for i in range(3)], status="ok", exit_code=0)
    executor = RecordedExecutor(Recording(takes={("run", "drain", "web1"): [take]}, pace=pace))
    chunks: list[bytes] = []
    result = asyncio.run(executor.run(Command(WEB1, "drain", key="s/drain/web1/run1"), lambda _stream, data: chunks.append(data)))
    assert result == Result("ok", 0)
    assert chunks == [b"line 0\n", b"line 1\n", b"line 2\n"], "every line of the night plays, whatever the pace"
    assert pauses == [CHUNK_PAUSE / pace] * 3, "a pause between chunks, shortened by the pace"
