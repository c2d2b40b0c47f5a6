"""Load and validate a generated 1,000-step runbook, against a bare `yaml.compose` of the same file.

Both run in this one process, alternating, so the ratio is fair whatever the
machine is doing. Aim: at most 3x.

    .venv/bin/python bench/load.py [--steps 1000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import yaml

from runbook_tui.runbook.document import _Loader
from runbook_tui.runbook.loader import load_runbook


def generate(steps: int) -> str:
    """A runbook shaped like real ones: groups, templated commands, undo, captures, expectations."""
    lines = [
        "runbook: 1",
        "id: bench-load",
        'title: "Rolling change on {{ cluster }}"',
        "ticket: {id: CHG-1, assignee: alice, verifier: bob, risk: {level: high}}",
        "params:",
        "  cluster: {type: choice, choices: [a, b], default: a}",
        "  pause: {type: int, default: 5, min: 0}",
        "hosts:",
        "  web:",
    ]
    lines += [f"    - {{name: web{i}, address: 192.0.2.{i + 1}}}" for i in range(20)]
    lines += [
        "metrics:",
        "  source: {prometheus: {url: 'http://127.0.0.1:9090'}}",
        "  panels:",
        "    - {id: p99, query: 'histogram_quantile(0.99, rate(x_bucket[1m]))', warn: 200, critical: 300}",
        "sections:",
    ]
    per_section = 50
    for section in range(steps // per_section):
        lines += [f"  - id: s{section}", f"    title: Section {section}", "    kind: implement", "    steps:"]
        for index in range(per_section):
            n = section * per_section + index
            lines += [
                f"      - id: step-{n}",
                f"        title: Step {n} on {{{{ cluster }}}}",
                "        on: web",
                f"        run: systemctl restart app-{n} --cluster {{{{ cluster }}}} --host {{{{ host.name }}}}",
                f"        undo: systemctl restart app-{n}-previous",
                "        expect: {exit: [0], stdout: 'active', metric: {panel: p99, below: 250}}",
                "        timeout: 30s",
                "        retries: 1",
                f"        capture: out{n}",
            ]
    return "\n".join(lines) + "\n"


def measure(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.yaml"
        path.write_text(generate(args.steps), encoding="utf-8")
        text = path.read_text(encoding="utf-8")
        loaded = load_runbook(path)  # warm caches once, and prove it is valid
        assert len(loaded.runbook.steps) == args.steps
        compose = measure(lambda: yaml.compose(text, Loader=_Loader), args.repeat)
        ours = measure(lambda: load_runbook(path), args.repeat)
    print(f"{'what':<34}{'median':>10}")
    print(f"{'yaml.compose (same loader)':<34}{compose * 1000:>8.1f}ms")
    print(f"{'load_runbook + validate':<34}{ours * 1000:>8.1f}ms")
    print(f"ratio {ours / compose:.2f}x (aim: at most 3x) for {args.steps} steps")


if __name__ == "__main__":
    main()
