"""bench/fanout.py takes its ratio within pairs of runs (engine and bare asyncssh back to back, which goes first
alternating) and reports the median of the pairs' ratios with their IQR, and the CPU ratio beside it: not the median
of engine runs over the median of bare runs taken in other minutes (a drift in the machine's load between them moved
that ratio as much as the programs did)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _bench(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_fanout", ROOT / "bench" / "fanout.py")
    assert spec is not None and spec.loader is not None
    fanout = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "bench_fanout", fanout)  # its dataclasses look their module up there
    spec.loader.exec_module(fanout)
    return fanout


def test_pairs_alternate_which_variant_runs_first(monkeypatch: pytest.MonkeyPatch) -> None:
    fanout = _bench(monkeypatch)
    orders = [fanout.order(pair) for pair in range(4)]
    assert orders == [("engine", "asyncssh"), ("asyncssh", "engine")] * 2
    assert fanout.pairs_at(50, 5) == 20 and fanout.pairs_at(200, 5) == 5 and fanout.pairs_at(1000, 5) == 5


def test_the_ratio_is_the_median_of_each_pairs_own_ratio(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    fanout = _bench(monkeypatch)
    # the load rose after the second pair (bare 1 s -> 4 s), and the third pair's engine run met it already, its bare
    # run not: the medians of the two variants' runs would say 4.4 / 1.0 = 4.4x; within the other pairs it is 1.1x
    bare = [1.0, 1.0, 1.0, 4.0, 4.0]
    engine = [1.1, 1.1, 4.4, 4.4, 4.4]
    times = {
        "engine": [fanout.Sample(wall, 0.2 * wall, 0.8 * wall) for wall in engine],
        "asyncssh": [fanout.Sample(wall, 0.2 * wall, 0.5 * wall) for wall in bare],
        "ansible cold": [],
        "ansible warm": [],
    }
    ratio = fanout.print_count(200, times)
    out = capsys.readouterr().out
    assert ratio == pytest.approx(1.1)
    assert "median of 5 pairs' ratios: wall 1.10x (IQR 1.10-1.10); aim <= 1.2x (wall)" in out, out
    assert "CPU (client + sshd) 1.57x (IQR 1.57-1.57)" in out, out  # (0.2 + 0.8) * 1.1 / (0.2 + 0.5), within each pair


def test_runs_that_are_not_pairs_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    fanout = _bench(monkeypatch)
    with pytest.raises(ValueError, match="not pairs"):
        fanout.pair_ratios([1.0, 2.0], [1.0])
    assert fanout.spread([1.3]).words() == "1.30x (IQR 1.30-1.30)"
    assert fanout.spread([1.0, 1.2, 1.4, 2.0]).words() == "1.30x (IQR 1.15-1.55)"
