"""An output sink for the executors' tests: every chunk kept, per stream."""

from __future__ import annotations


class Collect:
    """An output sink that keeps every chunk, per stream."""

    def __init__(self) -> None:
        self.chunks: list[tuple[str, bytes]] = []

    def __call__(self, stream: str, data: bytes) -> None:
        self.chunks.append((stream, data))

    def data(self, stream: str) -> bytes:
        return b"".join(d for s, d in self.chunks if s == stream)

    def count(self, stream: str) -> int:
        return sum(1 for s, _ in self.chunks if s == stream)
