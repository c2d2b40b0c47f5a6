"""Practice plays the night's output back chunk by chunk; `k` stops the playback as it stops a real command."""

from __future__ import annotations

import asyncio

from runbook_tui.engine.ports import Command, Result, StopSignal
from runbook_tui.engine.recording import Recording, Take
from runbook_tui.execute.recorded import RecordedExecutor
from runbook_tui.runbook.model import Host, Mark

WEB1 = Host(name="web1", address="10.0.0.1", mark=Mark("<test>", 1, 1))


def test_a_stop_ends_the_playback_of_the_nights_output() -> None:
    take = Take(chunks=[("stdout", f"line {i}\n") for i in range(500)], status="ok", exit_code=0)
    executor = RecordedExecutor(Recording(takes={("run", "drain", "web1"): [take]}))
    stop = StopSignal()
    chunks: list[bytes] = []

    def sink(stream: str, data: bytes) -> None:
        chunks.append(data)
        if len(chunks) == 3:
            stop.stop("stopped by alice")

    result = asyncio.run(executor.run(Command(WEB1, "drain", key="s/drain/web1/run1", stop=stop), sink))
    assert result == Result("stopped", error="stopped by alice")
    assert chunks == [b"line 0\n", b"line 1\n", b"line 2\n"], "nothing of the night plays after the stop"
