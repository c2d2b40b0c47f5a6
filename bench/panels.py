"""Benchmark: what live metric panels cost, in CPU, while a step streams output on the run screen.

The same run twice, each variant in a fresh interpreter:

- `plain`: the TUI (headless, 140x45) runs a one-step local runbook whose
  step prints ~2,000 lines a second for DURATION seconds;
- `panels`: the same runbook plus ten panels polled every second with the
  `scrape` source from a prometheus_client exporter on loopback (five gauges,
  five counters read through `rate(...)`): one GET and parse per poll, ten
  `metric_sample` events journaled per second, guards evaluated, the panel
  area redrawn.

Each child measures its own process CPU time (`resource.getrusage(RUSAGE_SELF)`,
user + system) from pressing enter until the step finished, so neither the
step's own processes nor the exporter (it runs in this parent process) count.

Run: `.venv/bin/python bench/panels.py [--duration 60] [--reps 1] [--check]`.
Aim: panels/plain CPU <= 1.2x.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RATIO_AIM = 1.2
PANELS = 10
LINES_PER_BURST = 200  # printed every 0.1 s: ~2,000 lines a second


def runbook(duration: float, metrics_url: str | None, interval: float) -> str:
    """One local step streaming output for `duration` seconds; with `metrics_url`, ten panels on it."""
    bursts = max(1, int(duration * 10))
    lines = ["runbook: 1", "id: bench-panels", "title: Panels benchmark"]
    if metrics_url:
        lines += ["metrics:", "  source:", f'    scrape: {{url: "{metrics_url}"}}', f"  interval: {interval}s", "  panels:"]
        for i in range(PANELS // 2):
            lines.append(f"    - {{id: gauge{i}, title: Gauge {i}, query: 'bench_gauge{{n=\"{i}\"}}', unit: ms, warn: 200, critical: 300, for: 30s}}")
            lines.append(
                f"    - {{id: rate{i}, title: Rate {i}, query: 'rate(bench_requests_total{{n=\"{i}\"}}[10s])', unit: /s,"
                " warn: 10, critical: 5, direction: below, on_critical: notify}"
            )
    lines += [
        "sections:",
        "  - id: work",
        "    kind: implement",
        "    steps:",
        "      - id: stream",
        "        title: Stream output",
        f'        run: "i=0; while [ $i -lt {bursts} ]; do seq 1 {LINES_PER_BURST}; sleep 0.1; i=$((i+1)); done"',
        "        verify: none",
    ]
    return "\n".join(lines) + "\n"


class Exporter:
    """Five gauges and five counters that move a little between scrapes; in the parent, so its CPU is not the child's."""

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Gauge, start_http_server

        self.registry = CollectorRegistry()
        self.gauge = Gauge("bench_gauge", "a moving gauge", ["n"], registry=self.registry)
        self.counter = Counter("bench_requests", "a growing counter", ["n"], registry=self.registry)
        self.server, self.thread = start_http_server(0, addr="127.0.0.1", registry=self.registry)
        self.url = f"http://127.0.0.1:{self.server.server_port}/metrics"
        self._stop = threading.Event()
        self._mover = threading.Thread(target=self._move, daemon=True)
        self._mover.start()

    def _move(self) -> None:
        while not self._stop.wait(0.25):
            for i in range(PANELS // 2):
                self.gauge.labels(n=str(i)).set(150 + random.uniform(-20, 20))
                self.counter.labels(n=str(i)).inc(random.uniform(3, 8))

    def stop(self) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def run_child(path: Path, journal: Path) -> dict[str, Any]:
    """The TUI, headless, on the runbook: press enter, wait for the step, report CPU and what was journaled."""
    from runbook_tui.app.session import load, open_session
    from runbook_tui.app.settings import Settings
    from runbook_tui.ui.app import RunbookApp

    loaded = load(str(path), {})
    app = RunbookApp(lambda _override: open_session(loaded, solo="bench", journal=str(journal), settings=Settings()))
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause(0.5)
        controller = app.handle.controller  # type: ignore[union-attr]
        cpu0, wall0 = cpu_seconds(), time.monotonic()
        await pilot.press("enter")
        while controller.state.steps["stream"].status in ("pending", "running"):
            await asyncio.sleep(0.1)
        cpu, wall = cpu_seconds() - cpu0, time.monotonic() - wall0
        status = controller.state.steps["stream"].status
        await pilot.press("q")
    samples = output = 0
    for line in journal.read_bytes().splitlines():
        kind = json.loads(line)["type"]
        samples += kind == "metric_sample"
        output += kind == "output"
    return {"cpu": cpu, "wall": wall, "status": status, "samples": samples, "output_events": output}


def child(variant: str, duration: float, url: str | None, interval: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "runbook.yaml"
        path.write_text(runbook(duration, url if variant == "panels" else None, interval), encoding="utf-8")
        result = asyncio.run(run_child(path, Path(tmp) / "journal.jsonl"))
    print(json.dumps(result))


def measure(variant: str, duration: float, url: str, interval: float) -> dict[str, Any]:
    args = [sys.executable, __file__, "--child", variant, "--duration", str(duration), "--url", url, "--interval", str(interval)]
    proc = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=duration * 4 + 120)
    if proc.returncode != 0:
        raise SystemExit(f"{variant} run failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    if result["status"] != "done":
        raise SystemExit(f"{variant}: the step ended {result['status']}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds the step streams output (default 60)")
    parser.add_argument("--reps", type=int, default=1, help="runs per variant, interleaved (default 1)")
    parser.add_argument("--interval", type=float, default=1.0, help="poll interval of the panels (default 1 s)")
    parser.add_argument("--check", action="store_true", help="exit 1 if the aim is missed")
    parser.add_argument("--child", choices=("plain", "panels"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.duration, args.url, args.interval)
        return 0

    exporter = Exporter()
    results: dict[str, list[dict[str, Any]]] = {"plain": [], "panels": []}
    try:
        for rep in range(args.reps):
            for variant in ("plain", "panels") if rep % 2 == 0 else ("panels", "plain"):
                result = measure(variant, args.duration, exporter.url, args.interval)
                results[variant].append(result)
                print(f"  {variant:<7} cpu {result['cpu']:6.2f} s  wall {result['wall']:6.1f} s  "
                      f"output events {result['output_events']:>6}  metric samples {result['samples']:>5}", flush=True)  # fmt: skip
    finally:
        exporter.stop()

    def med(variant: str, key: str) -> float:
        return statistics.median(r[key] for r in results[variant])

    plain, panels = med("plain", "cpu"), med("panels", "cpu")
    ratio = panels / plain if plain else float("inf")
    print()
    print(f"{'variant':<10}{'median CPU s':>14}{'median wall s':>15}{'metric samples':>16}")
    for variant in ("plain", "panels"):
        print(f"{variant:<10}{med(variant, 'cpu'):>14.2f}{med(variant, 'wall'):>15.1f}{med(variant, 'samples'):>16.0f}")
    print(f"\n{PANELS} panels every {args.interval:g} s for {args.duration:g} s: CPU panels/plain = {ratio:.2f}x (aim <= {RATIO_AIM}x)"
          f"; +{panels - plain:.2f} s CPU, {(panels - plain) / args.duration * 100:.1f}% of one core")  # fmt: skip
    if args.check and ratio > RATIO_AIM:
        print("aim missed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
