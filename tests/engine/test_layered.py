"""`Layered`: the per-host results a step's fold keeps, one host's end at a time, read exactly as the dict the fold
made before (a copy of every host per host end: N^2 on a large fan-out). Compared with that dict on any sequence of
changes, folds into a new base included."""

from __future__ import annotations

from types import MappingProxyType

from hypothesis import given
from hypothesis import strategies as st

from runbook_tui.engine.layered import TOP, Layered, with_entry

KEYS = st.sampled_from([f"web{i:02d}" for i in range(80)] + ["db1", "new-host"])


@given(start=st.lists(KEYS, unique=True, max_size=60), changes=st.lists(st.tuples(KEYS, st.integers()), max_size=3 * TOP))
def test_it_reads_as_the_dict_copies_made_in_every_way(start: list[str], changes: list[tuple[str, int]]) -> None:
    expected: dict[str, int] = {key: -1 for key in start}
    layered: object = MappingProxyType(dict(expected))
    for key, value in changes:
        expected = {**expected, key: value}
        layered = with_entry(layered, key, value)  # type: ignore[arg-type]
        assert isinstance(layered, Layered)
        assert list(layered) == list(expected), "the hosts' order, a new key last"
        assert dict(layered.items()) == expected and layered == expected and len(layered) == len(expected)
        assert all(key in layered for key in expected) and "absent" not in layered and layered.get("absent") is None


def test_older_versions_are_left_as_they_were() -> None:
    first = with_entry({"a": 1, "b": 2}, "a", 10)
    second = first.with_("b", 20)
    assert dict(first) == {"a": 10, "b": 2} and dict(second) == {"a": 10, "b": 20}, "a state kept by a view never changes under it"
    many = first
    for n in range(3 * TOP):
        many = many.with_(f"h{n}", n)
    assert dict(first) == {"a": 10, "b": 2} and len(many) == 2 + 3 * TOP
