"""Why a run cannot start, in words the person at the keyboard can act on."""

from __future__ import annotations


class StartRefused(Exception):
    """A session could not start. `window` is True when an override reason would let it start."""

    def __init__(self, message: str, code: int = 2, *, window: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.window = window
