"""bench/issue18.py: the "every aim, twice in a row" runner must report a missed aim, not hide it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def load_runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_issue18", ROOT / "bench" / "issue18.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_a_bench_that_misses_its_aim_in_the_second_round_fails_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    runner = load_runner()
    # Two stand-in benches: one always within its aim; one within it the first time and missing it the second.
    (tmp_path / "good.py").write_text("print('ratio 1.10x (aim <= 1.5x)'); print('within the aim')\n")
    counter = tmp_path / "count"
    (tmp_path / "flaky.py").write_text(
        "import pathlib, sys\n"
        f"p = pathlib.Path({str(counter)!r})\n"
        "n = int(p.read_text()) + 1 if p.exists() else 1\n"
        "p.write_text(str(n))\n"
        "print(f'ratio {n}.00x (aim <= 1.5x)'); print('MISSED THE AIM' if n > 1 else 'within the aim')\n"
        "sys.exit(1 if n > 1 else 0)\n"
    )
    monkeypatch.setattr(runner, "BENCH", tmp_path)
    monkeypatch.setattr(runner, "BENCHES", {"good": ["good.py"], "flaky": ["flaky.py"]})

    assert runner.main(["--rounds", "2"]) == 1

    out = capsys.readouterr().out
    assert "MISSED: flaky (round 2)" in out, out
    assert "| 1 | `flaky` |" in out and "ratio 1.00x (aim <= 1.5x); within the aim | yes |" in out, out
    assert "ratio 2.00x (aim <= 1.5x); MISSED THE AIM | no (exit 1) |" in out, out


def test_every_bench_within_its_aim_in_every_round_passes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    runner = load_runner()
    # A bench whose figures sit on lines without the word "aim" (long_run's table): the summary keeps them.
    (tmp_path / "good.py").write_text("print('resume: first frame  1.62'); print('noise'); print('aim: each <= 3 s'); print('within aims')\n")
    monkeypatch.setattr(runner, "BENCH", tmp_path)
    monkeypatch.setattr(runner, "BENCHES", {"good": ["good.py"]})

    assert runner.main(["--rounds", "2"]) == 0
    out = capsys.readouterr().out
    assert "every aim met in every round" in out
    assert "| resume: first frame  1.62; aim: each <= 3 s; within aims | yes |" in out, out
