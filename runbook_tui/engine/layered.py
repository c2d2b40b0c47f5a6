"""A read-only mapping that takes one changed entry in time that does not grow with its size.

The fold copies a step's per-host results for every host that ends (`host_finished`): a new dict of every host each
time, so a step on N hosts cost N^2 entry copies (1,000 hosts: 74 ms; 5,000: 2.3 s, and the young dicts made each
collection of the garbage collector longer). `Layered` keeps the hosts' dict as it was and the changed entries in a
small dict on top; only that is copied per change, and it is folded into a new base once it holds `TOP` entries, so a
change costs about `N / TOP + TOP` on average. Order and contents are those of the dict the copies made.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TypeVar

V = TypeVar("V")

#: Entries kept on top before they are folded into the base (sqrt of a large fan-out's size is about right).
TOP = 48


class Layered(Mapping[str, V]):
    """`base` with `top`'s entries over it; immutable (`with_` returns a new one sharing what did not change)."""

    __slots__ = ("_added", "_base", "_top")

    def __init__(self, base: Mapping[str, V], top: Mapping[str, V] | None = None) -> None:
        self._base = base
        self._top: Mapping[str, V] = top or {}
        self._added = tuple(key for key in self._top if key not in base)  # keys the base never had, in the order they came

    def with_(self, key: str, value: V) -> Layered[V]:
        """A copy with `key` set to `value`."""
        if len(self._top) < TOP or key in self._top:
            return Layered(self._base, {**self._top, key: value})
        return Layered({**self._base, **self._top, key: value})

    def __getitem__(self, key: str) -> V:
        if key in self._top:
            return self._top[key]
        return self._base[key]

    def __contains__(self, key: object) -> bool:
        return key in self._top or key in self._base

    def __iter__(self) -> Iterator[str]:
        yield from self._base
        yield from self._added

    def __len__(self) -> int:
        return len(self._base) + len(self._added)

    def __repr__(self) -> str:
        return f"Layered({dict(self.items())!r})"


def with_entry(mapping: Mapping[str, V], key: str, value: V) -> Layered[V]:
    """`mapping` with `key` set to `value`, in time that does not grow with its size (see `Layered`)."""
    return (mapping if isinstance(mapping, Layered) else Layered(mapping)).with_(key, value)
