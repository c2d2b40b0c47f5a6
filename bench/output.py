"""Benchmark: a local step printing a million lines, through `runbook-tui exec` vs. a bare asyncio reader.

The design promises that output is streamed, never buffered whole: a step
printing 1,000,000 lines must keep memory bounded and cost little more than
reading the pipe. This measures both, each variant as a whole process (so
interpreter start and imports count, and peak RSS is the variant's own):

- `baseline`: `sh -c COMMAND` read in 64 KiB chunks with asyncio, discarded;
- `engine`: the real path, `runbook-tui exec RUNBOOK --solo bench --journal
  TMP` of a one-step local runbook running COMMAND: controller, events,
  redaction, the hash-chained journal (fsynced), and exec's line printer
  (its stdout goes to /dev/null). The child process calls the console
  script's `runbook_tui.cli.main` itself, so it is that command's process
  and its own peak RSS can be read. The parent checks, after timing, that
  the journal holds every byte of the command's stdout and verifies.

Bytecode: the children run with a bytecode cache of their own
(`PYTHONPYCACHEPREFIX` in a temporary directory, `PYTHONDONTWRITEBYTECODE`
removed), filled by one untimed run of each variant first, as an installed
program has its `.pyc` files. Without it, an environment with
`PYTHONDONTWRITEBYTECODE=1` (this machine's) compiles every module of ours
and of our dependencies in every timed run (~3 s), while the standard library
the baseline uses comes precompiled.

Each variant also runs `seq 1` in the same interleaved loop: its time is the
start-up (interpreter, imports, for the engine also loading the runbook and
opening the session and journal), and the difference is what the output
itself costs.

Run: `.venv/bin/python bench/output.py [--reps N] [--lines N] [--check] [--profile]`.
Aim: engine/baseline median wall time <= 2x, engine peak RSS < 100 MB.
`--profile` runs the engine variant once under cProfile and prints the top
functions by cumulative and by own time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CHUNK_SIZE = 65536
RATIO_AIM = 2.0
RSS_AIM_MB = 100.0


async def baseline_variant(command: str) -> int:
    """The floor: read the command's output in 64 KiB chunks and throw it away. Returns bytes read."""
    proc = await asyncio.create_subprocess_exec("sh", "-c", command, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE)
    assert proc.stdout is not None
    total = 0
    while chunk := await proc.stdout.read(CHUNK_SIZE):
        total += len(chunk)
    await proc.wait()
    return total


ENGINE_RUNBOOK = """\
runbook: 1
id: bench-output
title: A step printing a lot
sections:
  - id: pre
    title: Pre-checks
    kind: precheck
    steps:
      - {{id: out, title: print, run: {command}, verify: none}}
"""


def engine_variant(command: str) -> dict[str, object]:
    """`runbook-tui exec` of a one-step local runbook running `command`; returns where its journal is.

    Runs the console script's entry point in this process (the child is that
    command's process), with fd 1 on /dev/null: exec prints every output line,
    as a CI log would get them. Counting the bytes is left to the parent,
    outside the timed process.
    """
    import tempfile

    work = Path(tempfile.mkdtemp(prefix="bench-output-"))
    runbook = work / "bench.yaml"
    runbook.write_text(ENGINE_RUNBOOK.format(command=json.dumps(command)))
    journal = work / "journal.jsonl"
    (work / "no-settings.yaml").touch()  # empty: the defaults (a named settings file that is missing is an error)
    os.environ["RUNBOOK_TUI_SETTINGS"] = str(work / "no-settings.yaml")
    os.environ["XDG_STATE_HOME"] = str(work / "state")

    from runbook_tui.cli import main as runbook_tui

    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    try:
        code = runbook_tui(["exec", str(runbook), "--solo", "bench", "--journal", str(journal)])
        sys.stdout.flush()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
    if code != 0:
        raise SystemExit(f"engine variant: runbook-tui exec exited {code}; see {journal}")
    return {"journal": str(journal)}


def baseline(command: str) -> dict[str, object]:
    return {"bytes": asyncio.run(baseline_variant(command))}


VARIANTS: dict[str, Callable[[str], dict[str, object]]] = {
    "baseline": baseline,
    "engine": engine_variant,
}


def journal_stdout_bytes(path: Path) -> int:
    """Bytes of stdout the journal recorded for the step, after checking the hash chain."""
    from runbook_tui.engine.journal import read_events

    read = read_events(path)
    if not read.intact:
        raise SystemExit(f"{path}: the journal does not verify: {read.problems or read.unreadable}")
    total = sum(len(e["text"].encode()) for e in read.events if e["type"] == "output" and e.get("stream") == "stdout")
    finished = [e for e in read.events if e["type"] == "step_finished"]
    if not finished or finished[0]["status"] != "done":
        raise SystemExit(f"{path}: the step did not finish done")
    return total


def child(variant: str, command: str) -> None:
    """Run one variant once in this process and report on stdout as JSON (the parent times the whole process)."""
    started = time.perf_counter()
    report = VARIANTS[variant](command)
    elapsed = time.perf_counter() - started
    sys.stdout.write(json.dumps({**report, "seconds": elapsed, "cpu": cpu_seconds(), "maxrss_kb": own_peak_kb()}) + "\n")


def cpu_seconds() -> float:
    """CPU this process and its reaped children (the command) used: less moved by other load than wall time."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


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


def bytecode_env(cache: Path) -> dict[str, str]:
    """The environment for a child: its own bytecode cache, written (see the module's docstring)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(cache)
    return env


def measure(variant: str, command: str, expected: int, env: dict[str, str]) -> dict[str, float]:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, "--child", variant, "--command", command],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{variant} failed ({proc.returncode}):\n{proc.stderr}")
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    if "journal" in report:  # counted here, outside the timed process
        journal = Path(report["journal"])
        report["bytes"] = journal_stdout_bytes(journal)
        shutil.rmtree(journal.parent, ignore_errors=True)
    if report["bytes"] != expected:
        raise SystemExit(f"{variant} saw {report['bytes']} bytes, expected {expected}")
    return {"wall": wall, "inproc": report["seconds"], "cpu": report["cpu"], "rss_mb": report["maxrss_kb"] / 1024}


def profile(command: str, cache: Path, top: int = 25) -> int:
    """One engine run under cProfile, in this process: where the time goes, by cumulative and by own time.

    The imports count (as in a timed run), from a bytecode cache that one untimed child run filled.
    """
    import cProfile
    import pstats

    measure("engine", command, output_size(command), bytecode_env(cache))  # fills the cache
    sys.pycache_prefix, sys.dont_write_bytecode = str(cache), False
    profiler = cProfile.Profile()
    started = time.perf_counter()
    result = profiler.runcall(engine_variant, command)
    elapsed = time.perf_counter() - started
    journal = Path(str(result["journal"]))
    print(f"engine variant under cProfile: {elapsed:.2f} s, {journal_stdout_bytes(journal)} stdout bytes journaled")
    shutil.rmtree(journal.parent, ignore_errors=True)
    stats = pstats.Stats(profiler, stream=sys.stdout).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=7, help="runs per variant (default 7)")
    parser.add_argument("--lines", type=int, default=1_000_000, help="lines the step prints (default 1,000,000)")
    parser.add_argument("--check", action="store_true", help="exit 1 if an aim is missed")
    parser.add_argument("--profile", action="store_true", help="profile one engine run with cProfile instead")
    parser.add_argument("--child", choices=sorted(VARIANTS), help=argparse.SUPPRESS)
    parser.add_argument("--command", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        child(args.child, args.command)
        return 0

    command = f"seq {args.lines}"
    with tempfile.TemporaryDirectory(prefix="bench-output-pyc-") as cache:
        if args.profile:
            return profile(command, Path(cache))
        expected = output_size(command)
        runs = run_all(command, expected, args.reps, bytecode_env(Path(cache)))
    return report(command, expected, args.reps, runs, check=args.check)


#: The same variants printing one line: what a run costs before any output (start-up, imports, session, journal).
ONE_LINE = "seq 1"


def run_all(command: str, expected: int, reps: int, env: dict[str, str]) -> dict[str, list[dict[str, float]]]:
    """Each variant `reps` times on `command` and on ONE_LINE, interleaved, after one untimed run of each (which fills the bytecode cache)."""
    jobs = [(name, command, expected) for name in VARIANTS] + [(f"{name} 1", ONE_LINE, output_size(ONE_LINE)) for name in VARIANTS]
    for name, cmd, size in jobs[: len(VARIANTS)]:
        measure(name, cmd, size, env)
    runs: dict[str, list[dict[str, float]]] = {name: [] for name, _, _ in jobs}
    for _ in range(reps):  # interleaved, so drift in machine load hits all alike
        for name, cmd, size in jobs:
            runs[name].append(measure(name.removesuffix(" 1"), cmd, size, env))
    return runs


def report(command: str, expected: int, reps: int, runs: dict[str, list[dict[str, float]]], *, check: bool) -> int:
    def med(name: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[name])

    def peak(name: str) -> float:
        return max(r["rss_mb"] for r in runs[name])

    load = os.getloadavg()[0]
    print(f"`{command}` ({expected / 1e6:.1f} MB of output), {reps} runs each, medians; each run a whole process; load avg {load:.1f}")
    print()
    print(f"{'variant':<22} {'wall s':>8} {'in-process s':>13} {'CPU s':>7} {'peak RSS MB':>12}")
    for name in runs:
        label = name.replace(" 1", f", `{ONE_LINE}`")
        print(f"{label:<22} {med(name, 'wall'):>8.3f} {med(name, 'inproc'):>13.3f} {med(name, 'cpu'):>7.3f} {peak(name):>12.1f}")
    for name in VARIANTS:
        wall, cpu = med(name, "wall") - med(f"{name} 1", "wall"), med(name, "cpu") - med(f"{name} 1", "cpu")
        print(
            f"{name}: start-up {med(f'{name} 1', 'wall'):.3f} s wall ({med(f'{name} 1', 'cpu'):.3f} s CPU), the output itself +{wall:.3f} s wall (+{cpu:.3f} s CPU)"
        )
    ratio = med("engine", "wall") / med("baseline", "wall")
    inproc_ratio = med("engine", "inproc") / med("baseline", "inproc")
    cpu_ratio = med("engine", "cpu") / med("baseline", "cpu")
    children_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print()
    print(f"engine/baseline wall: {ratio:.2f}x (in-process {inproc_ratio:.2f}x, CPU {cpu_ratio:.2f}x); aim <= {RATIO_AIM:g}x (wall)")
    print(f"peak RSS of any child (getrusage children): {children_peak:.1f} MB; aim < {RSS_AIM_MB:g} MB")
    ok = ratio <= RATIO_AIM and peak("engine") < RSS_AIM_MB
    print("within aims" if ok else "MISSED AN AIM")
    return 0 if ok or not check else 1


if __name__ == "__main__":
    sys.exit(main())
