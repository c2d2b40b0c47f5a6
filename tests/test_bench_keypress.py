"""bench/keypress.py: while steps flood, both keys get their samples, even when a step's end cuts every step's second pair."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_keypress", ROOT / "bench" / "keypress.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_steps_that_keep_one_pair_each_give_both_keys_their_samples() -> None:
    """A quiet machine's 1M-line step floods for about one pair and a half: its first pair is kept, its end cuts the
    second. The keys took turns whatever was kept, so `?` took every step's first pair and `p` none (session 34's round 1)."""
    bench = load_bench()
    kept = {"?": 0, "p": 0}
    for _step in range(40):
        first = bench.next_key(kept)
        kept[first] += 2  # the first pair of the step: the step ran throughout it
        bench.next_key(kept)  # the second: the step ended inside it, not kept
    assert kept == {"?": 40, "p": 40}, f"one key took the pairs a step keeps: {kept}"


def test_a_key_behind_gets_the_next_pair() -> None:
    bench = load_bench()
    assert bench.next_key({"?": 12, "p": 4}) == "p"
    assert bench.next_key({"?": 4, "p": 4}) == "?"  # a tie: the first named


def test_a_steps_first_pair_starts_anywhere_in_a_flood_where_a_pair_still_fits() -> None:
    """Not only as the output begins (every kept sample was of a flood's first ~50 ms on a quiet machine)."""
    import random

    bench = load_bench()
    rng = random.Random(1)
    assert bench.first_pair_delay(rng, [], 0.05) == 0.0  # no flood ended yet: nothing to draw from
    delays = [bench.first_pair_delay(rng, [0.10, 0.14, 0.12], 0.05) for _ in range(400)]
    assert all(0.0 <= delay <= 0.12 - 0.05 for delay in delays), "a pair placed where it cannot fit before the median flood ends"
    assert min(delays) < 0.01 and max(delays) > 0.06, "the points do not cover the flood"
    assert bench.first_pair_delay(rng, [0.03], 0.05) == 0.0  # a flood shorter than a pair: as the output begins
