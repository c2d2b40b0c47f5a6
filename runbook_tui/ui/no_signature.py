"""Callbacks whose arguments Textual is told, so it reads no `inspect.signature` for them at each call.

Textual calls a callback with as many of its arguments as the callable takes, and counts them at each call of a
`partial` (the one `call_later` makes; a `Signal` posts one for a subscriber not told at once: the footer is): `inspect.signature` of the
method, ~20 us (more on a loaded machine), several times on each key's way to its frame.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Later:
    """`call_later(function, *args)`'s callback, said to take no arguments (`_param_count`, which Textual reads first)."""

    __slots__ = ("_args", "_function")
    _param_count = 0

    def __init__(self, function: Callable[..., object], *args: object) -> None:
        self._function = function
        self._args = args

    def __call__(self) -> Any:  # None, or the awaitable of an async method (Textual awaits it)
        return self._function(*self._args)
