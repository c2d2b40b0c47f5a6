"""Output waiting for the pane is kept as it came and split only when the pane takes it (`PendingLines`): the pane gets
exactly the lines it got when every chunk was split as it came (the last `keep` (prefix, line) pairs, as
`str.splitlines` splits), and chunks wholly older than the last `keep` lines are dropped as they come, never split."""

from __future__ import annotations

from collections import deque
from itertools import repeat

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runbook_tui.ui.pending_lines import PendingLines

# Every line break `str.splitlines` knows, and text around them.
_TEXT = st.text(alphabet=st.sampled_from(list("ab \t\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029é")), max_size=24)
_PART = st.one_of(
    st.tuples(st.sampled_from(["", "web │ ", "db1 │ "]), _TEXT),
    st.lists(st.text(max_size=8), max_size=4),
)


def _as_before(parts: list[tuple[str, str] | list[str]], keep: int) -> deque[tuple[str, str]]:
    """What the screen kept before: every chunk split as it came, the last `keep` pairs."""
    kept: deque[tuple[str, str]] = deque(maxlen=keep)
    for part in parts:
        if isinstance(part, list):
            kept.extend(zip(repeat(""), part))
        else:
            kept.extend(zip(repeat(part[0]), part[1].splitlines()))
    return kept


def _fed(parts: list[tuple[str, str] | list[str]], keep: int) -> PendingLines:
    pending = PendingLines(keep)
    for part in parts:
        if isinstance(part, list):
            pending.add_lines(part)
        else:
            pending.add_chunk(*part)
    return pending


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(_PART, max_size=8), st.integers(min_value=1, max_value=12), st.integers(min_value=0, max_value=6))
def test_the_pane_takes_what_splitting_each_chunk_as_it_came_gave(parts: list[tuple[str, str] | list[str]], keep: int, few: int) -> None:
    before = _as_before(parts, keep)
    pending = _fed(parts, keep)
    assert bool(pending) == bool(before)
    assert pending.at_most(few) == (len(before) <= few)
    assert pending.take() == list(before)
    assert not pending and pending.take() == []


def test_chunks_older_than_the_last_lines_kept_are_dropped_unsplit() -> None:
    pending = PendingLines(5000)
    chunk = "".join(f"{n}\n" for n in range(2000))
    for _ in range(100):  # 200,000 lines, as a flood brings between two frames
        pending.add_chunk("", chunk)
    assert len(pending._parts) == 3  # the newest 6,000 lines: no fewer than 5,000 left when the oldest chunk goes
    taken = pending.take()
    assert len(taken) == 5000 and taken[-1] == ("", "1999") and taken[0] == ("", "1000")
