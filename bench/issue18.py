"""Every aim of issue 18, one run of each bench with `--check`, one after another.

Issue 18 is done when every aim is met in one run of each bench, twice in a
row. This runs each bench's own `--check` (so each keeps its own floor,
ratio and aim) in sequence, `--rounds` times, and prints per bench its last
lines (the ratios and the aim) with the load average before and after it,
then a summary table in Markdown for bench/README.md. It exits 1 when any
bench missed an aim in any round.

    .venv/bin/python bench/issue18.py              # one round (~20 min on a quiet 2-core machine)
    .venv/bin/python bench/issue18.py --rounds 2   # the "twice in a row" check
    .venv/bin/python bench/issue18.py --only load first_paint
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent

# Each bench with the arguments its aim is checked with (the "one run of each bench").
BENCHES: dict[str, list[str]] = {
    "load": ["load.py", "--check"],
    "first_paint": ["first_paint.py", "--check"],
    "output": ["output.py", "--check"],
    # 40 samples per key (the bench's own default): each key's presses mix two latencies (the help opening and closing,
    # the pause and the resume), and the median of 20 such landed anywhere between them (bench/README.md, session 11).
    "keypress": ["keypress.py", "--samples", "40", "--check"],
    "fanout": ["fanout.py", "--check"],
    "fanout_growth": ["fanout.py", "--growth", "--check"],
    "long_run": ["long_run.py", "--check"],
}


@dataclass(frozen=True)
class Result:
    bench: str
    round: int
    returncode: int
    seconds: float
    load_before: float
    load_after: float
    summary: list[str]


def load_average() -> float:
    return os.getloadavg()[0]


def summary_lines(output: str) -> list[str]:
    """The lines that state a ratio or an aim: what a reader needs from the bench's own report."""
    keep = ("aim", "MISSED", "within", "first frame", "caught up")
    return [line.strip() for line in output.splitlines() if any(word in line for word in keep)]


def run_one(name: str, round_number: int) -> Result:
    script, *arguments = BENCHES[name]
    before, started = load_average(), time.monotonic()
    print(f"== round {round_number}: {name} ({' '.join([script, *arguments])}), load {before:.2f}", flush=True)
    completed = subprocess.run(
        [sys.executable, str(BENCH / script), *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    sys.stdout.write(completed.stdout)
    seconds = time.monotonic() - started
    return Result(name, round_number, completed.returncode, seconds, before, load_average(), summary_lines(completed.stdout))


def markdown(results: list[Result]) -> str:
    rows = ["| round | bench | load avg | result | met |", "|---|---|---|---|---|"]
    for result in results:
        text = "; ".join(line.replace("|", "/") for line in result.summary) or "(no summary line)"
        met = "yes" if result.returncode == 0 else f"no (exit {result.returncode})"
        rows.append(f"| {result.round} | `{result.bench}` | {result.load_before:.1f} -> {result.load_after:.1f} | {text} | {met} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1, help="how many times in a row (default 1)")
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHES), help="run only these benches")
    args = parser.parse_args(argv)
    names = args.only or list(BENCHES)
    results = [run_one(name, round_number) for round_number in range(1, args.rounds + 1) for name in names]
    print()
    print(markdown(results))
    missed = [f"{result.bench} (round {result.round})" for result in results if result.returncode != 0]
    print()
    print("every aim met in every round" if not missed else "MISSED: " + ", ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
