"""Benchmark: a local step printing a million lines, through the engine vs. a bare asyncio reader.

The design promises that output is streamed, never buffered whole: a step
printing 1,000,000 lines must keep memory bounded and cost little more than
reading the pipe. This measures both, each variant as a whole process (so
interpreter start and imports count, and peak RSS is the variant's own):

- `baseline`: `sh -c COMMAND` read in 64 KiB chunks with asyncio, discarded;
- `engine`: the same command through what a real run does with output.

`engine_variant()` is the one place to change when the path grows (today:
`LocalExecutor` plus a sink doing what the journal will do: count bytes and
decode the chunks to text; later: the controller, events and the journal).

Run: `.venv/bin/python bench/output.py [--reps N] [--lines N] [--check]`.
Aim: engine/baseline median wall time <= 2x, engine peak RSS < 100 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import codecs
import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CHUNK_SIZE = 65536
RATIO_AIM = 2.0
RSS_AIM_MB = 100.0


async def baseline_variant(command: str) -> int:
    """The floor: read the command's output in 64 KiB chunks and throw it away. Returns bytes read."""
    proc = await asyncio.create_subprocess_exec(
        "sh", "-c", command, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE
    )
    assert proc.stdout is not None
    total = 0
    while chunk := await proc.stdout.read(CHUNK_SIZE):
        total += len(chunk)
    await proc.wait()
    return total


async def engine_variant(command: str) -> int:
    """What a real run does with a local step's output. Returns the stdout bytes that reached the sink.

    Replace the body with the real engine + journal path as it lands; keep
    the signature (a command in, stdout bytes seen out) so the numbers stay
    comparable with the baseline below it in the table.
    """
    from runbook_tui.engine.ports import Command
    from runbook_tui.execute.local import LocalExecutor
    from runbook_tui.runbook.model import LOCAL, Host, Mark

    host = Host(name=LOCAL, address="localhost", mark=Mark("<bench>", 1, 1))
    decoders = {"stdout": codecs.getincrementaldecoder("utf-8")("replace"),
                "stderr": codecs.getincrementaldecoder("utf-8")("replace")}
    seen = {"stdout": 0, "stderr": 0}
    chars = 0

    def sink(stream: str, data: bytes) -> None:
        nonlocal chars
        seen[stream] += len(data)
        chars += len(decoders[stream].decode(data))

    executor = LocalExecutor()
    try:
        result = await executor.run(Command(host=host, command=command), sink)
    finally:
        await executor.close()
    if result.status != "ok" or result.exit_code != 0:
        raise SystemExit(f"engine variant: {command!r} ended with {result}")
    return seen["stdout"]


VARIANTS: dict[str, Callable[[str], Awaitable[int]]] = {
    "baseline": baseline_variant,
    "engine": engine_variant,
}


def child(variant: str, command: str) -> None:
    """Run one variant once in this process and report on stdout as JSON (the parent times the whole process)."""
    started = time.perf_counter()
    nbytes = asyncio.run(VARIANTS[variant](command))
    elapsed = time.perf_counter() - started
    sys.stdout.write(json.dumps({"bytes": nbytes, "seconds": elapsed, "maxrss_kb": own_peak_kb()}) + "\n")


def own_peak_kb() -> int:
    """This process's peak RSS in KiB.

    Linux keeps `ru_maxrss` across execve, so a child's own figure can be its
    parent's size at fork; VmHWM belongs to the new image only. Elsewhere,
    fall back to `ru_maxrss`.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def output_size(command: str) -> int:
    """Bytes `command` prints, counted without keeping them (the parent stays small; children fork from it)."""
    with subprocess.Popen(["sh", "-c", command], stdout=subprocess.PIPE) as proc:
        assert proc.stdout is not None
        total = 0
        while chunk := proc.stdout.read(CHUNK_SIZE):
            total += len(chunk)
    return total


def measure(variant: str, command: str, expected: int) -> dict[str, float]:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, "--child", variant, "--command", command],
        capture_output=True, text=True, check=False,
    )
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{variant} failed ({proc.returncode}):\n{proc.stderr}")
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    if report["bytes"] != expected:
        raise SystemExit(f"{variant} saw {report['bytes']} bytes, expected {expected}")
    return {"wall": wall, "inproc": report["seconds"], "rss_mb": report["maxrss_kb"] / 1024}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=7, help="runs per variant (default 7)")
    parser.add_argument("--lines", type=int, default=1_000_000, help="lines the step prints (default 1,000,000)")
    parser.add_argument("--check", action="store_true", help="exit 1 if an aim is missed")
    parser.add_argument("--child", choices=sorted(VARIANTS), help=argparse.SUPPRESS)
    parser.add_argument("--command", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        child(args.child, args.command)
        return 0

    command = f"seq {args.lines}"
    expected = output_size(command)
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in VARIANTS}
    for _ in range(args.reps):  # interleaved, so drift in machine load hits both alike
        for name in VARIANTS:
            runs[name].append(measure(name, command, expected))

    def med(name: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[name])

    def peak(name: str) -> float:
        return max(r["rss_mb"] for r in runs[name])

    print(f"`{command}` ({expected / 1e6:.1f} MB of output), {args.reps} runs each, medians; each run a whole process")
    print()
    print(f"{'variant':<10} {'wall s':>8} {'in-process s':>13} {'peak RSS MB':>12}")
    for name in VARIANTS:
        print(f"{name:<10} {med(name, 'wall'):>8.3f} {med(name, 'inproc'):>13.3f} {peak(name):>12.1f}")
    ratio = med("engine", "wall") / med("baseline", "wall")
    inproc_ratio = med("engine", "inproc") / med("baseline", "inproc")
    children_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print()
    print(f"engine/baseline wall: {ratio:.2f}x (in-process {inproc_ratio:.2f}x); aim <= {RATIO_AIM:g}x")
    print(f"peak RSS of any child (getrusage children): {children_peak:.1f} MB; aim < {RSS_AIM_MB:g} MB")
    ok = ratio <= RATIO_AIM and peak("engine") < RSS_AIM_MB
    print("within aims" if ok else "MISSED AN AIM")
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
