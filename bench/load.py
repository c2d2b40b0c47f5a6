"""Load and validate a generated 1,000-step runbook, against a bare `yaml.compose` of the same file.

What a user pays is a cold load: `runbook-tui validate` or `run` loads the file
once, in a fresh process, with nothing cached. So each sample is a fresh
interpreter (`python bench/load.py --child VARIANT FILE`) that times its own
imports and then its one load; the variants alternate (compose, ours, ours,
compose, ...) so both see the same machine. Printed: medians with imports
excluded (the load alone) and included (imports + load). Interpreter start-up
is the same for both and counted in neither. The load's process time (CPU) is
printed too, with its ratio: not the aim, but what to compare when other work
shares the machine (the wall time then waits for that work as well).

Aim (issue 18): cold load + validate at most 2x a bare compose, imports excluded.

    .venv/bin/python bench/load.py [--steps 1000] [--reps 9] [--check]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RATIO_AIM = 2.0
VARIANTS = ("compose", "ours")


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


def child(variant: str, path: str, steps: int) -> None:
    """One cold sample in this fresh process: imports, then one load; prints JSON."""
    started = time.perf_counter()
    if variant == "compose":
        import yaml

        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the loader runbook_tui.runbook.document uses

        def load() -> None:
            yaml.compose(Path(path).read_text(encoding="utf-8"), Loader=loader)
    else:
        from runbook_tui.runbook.loader import load_runbook

        def load() -> None:
            loaded = load_runbook(Path(path))
            assert len(loaded.runbook.steps) == steps, "the generated runbook did not load whole"

    imported, cpu_imported = time.perf_counter(), time.process_time()
    load()
    done, cpu_done = time.perf_counter(), time.process_time()
    print(json.dumps({"imports": imported - started, "load": done - imported, "load_cpu": cpu_done - cpu_imported}))


def sample(variant: str, path: Path, steps: int) -> dict[str, float]:
    proc = subprocess.run([sys.executable, __file__, "--child", variant, str(path), "--steps", str(steps)], capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise SystemExit(f"{variant}: the child exited {proc.returncode}\n{proc.stderr[-3000:]}")
    times: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--reps", type=int, default=9, help="fresh processes per variant")
    parser.add_argument("--check", action="store_true", help="exit 1 if the aim is missed")
    parser.add_argument("--child", nargs=2, metavar=("VARIANT", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], args.child[1], args.steps)
        return 0
    samples: dict[str, list[dict[str, float]]] = {v: [] for v in VARIANTS}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.yaml"
        path.write_text(generate(args.steps), encoding="utf-8")
        for rep in range(args.reps):
            for variant in VARIANTS if rep % 2 == 0 else tuple(reversed(VARIANTS)):
                samples[variant].append(sample(variant, path, args.steps))

    def median(variant: str, imports: bool) -> float:
        return statistics.median(s["load"] + (s["imports"] if imports else 0.0) for s in samples[variant])

    def cpu(variant: str) -> float:
        return statistics.median(s["load_cpu"] for s in samples[variant])

    print(f"{args.steps}-step runbook, {args.reps} fresh processes per variant, alternating; medians")
    print(f"{'variant':<30}{'load only':>12}{'imports + load':>16}{'load CPU':>12}")
    names = {"compose": "yaml.compose (same loader)", "ours": "load_runbook + validate"}
    for variant in VARIANTS:
        print(f"{names[variant]:<30}{median(variant, False) * 1000:>10.1f}ms{median(variant, True) * 1000:>14.1f}ms{cpu(variant) * 1000:>10.1f}ms")
    ratio = median("ours", False) / median("compose", False)
    with_imports = median("ours", True) / median("compose", True)
    cpu_ratio = cpu("ours") / cpu("compose")
    print(
        f"ratio ours/compose, cold, imports excluded: {ratio:.2f}x (aim <= {RATIO_AIM:g}x); imports included: {with_imports:.2f}x;"
        f" load CPU {cpu_ratio:.2f}x (not the aim)"
    )
    ok = ratio <= RATIO_AIM
    print("within the aim" if ok else "MISSED THE AIM")
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
