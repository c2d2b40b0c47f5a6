"""Benchmark: time to the first painted frame of `runbook-tui run` on a 300-step runbook vs. a minimal Textual app.

Each run is a whole process started in a pseudo-terminal of 140x45 (the real
Linux driver, escape codes written to the pty and drained by the parent), so
interpreter start, imports, loading and validating the runbook, opening the
session (its first journal line is fsynced) and composing the screen all count:

- `minimal`: an `App` with one `Static`, its screen the one watched from `on_mount`;
- `runbook`: `runbook_tui.cli.main(["run", RUNBOOK, "--solo", "bench", "--journal", TMP])`
  of a generated 300-step runbook (sections, templated commands, undo,
  checkpoints), the path `runbook-tui run` takes; the run screen is the one
  watched, from its `on_mount` (wrapped in the child as `main` imports the run
  screen: an import hook), nothing else changes.

Both are marked the same way (`frame_written`): at the moment the first frame
of the watched screen has been written to the terminal (the driver's writer
thread has written and flushed the text `App._display` handed to the driver).

The parent takes `time.time()` just before starting the child; the child writes
`time.time()` at the marked frame to a file and exits at once. Variants
alternate, so both see the same machine load. Aim: runbook/minimal median <= 1.5x.
The child's process time at the mark (CPU, the interpreter's start included) is
printed beside it, with its own ratio: not the aim, but what to compare when
other work shares the machine (the wall time then waits for the other work too).

    .venv/bin/python bench/first_paint.py [--reps 7] [--steps 300] [--phases]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import frame_phases  # noqa: E402  (bench/, next to this script)
import frame_written  # noqa: E402
from pty_frame import COLUMNS, ROWS, first_frame_in_pty, frame_cpu, mark_and_exit  # noqa: E402

RATIO_AIM = 1.5
SCREEN_MODULE = "runbook_tui.ui.run_screen"


def generate(steps: int) -> str:
    """A runbook shaped like the examples: precheck, backup, implement sections, a verify and a rollback section."""
    lines = [
        "runbook: 1",
        "id: bench-first-paint",
        'title: "Rolling config change on {{ cluster }}"',
        "ticket: {id: CHG-1, subject: bench, assignee: alice, verifier: bob, risk: {level: high, summary: bench}}",
        "params:",
        "  cluster: {type: choice, choices: [a, b], default: a}",
        "sections:",
    ]
    per_section = 25
    kinds = ["precheck", "backup"] + ["implement"] * 100
    for section in range((steps + per_section - 1) // per_section):
        kind = "verify" if section == (steps - 1) // per_section else kinds[section]
        lines += [f"  - id: s{section}", f"    title: Section {section}", f"    kind: {kind}", "    steps:"]
        for index in range(section * per_section, min(steps, (section + 1) * per_section)):
            lines += [
                f"      - id: step-{index}",
                f'        title: "Step {index}: adjust node {index} of {{{{ cluster }}}}"',
                f"        run: echo step {index} on {{{{ cluster }}}} >> marks",
            ]
            if kind not in ("precheck", "verify"):
                lines.append(f"        undo: echo undo {index} >> marks")
            if index % 50 == 49:
                lines.append("        checkpoint: true")
    lines += [
        "  - id: rollback",
        "    title: After a full rollback",
        "    kind: rollback",
        "    steps:",
        "      - {id: restored, title: Restored, run: echo restored}",
    ]
    return "\n".join(lines) + "\n"


# -- the children ------------------------------------------------------------------------------------


def _mark_and_exit(marker: str) -> None:
    frame_phases.mark(f"frame written to the terminal ({threading.current_thread().name})")  # the driver's writer thread
    frame_phases.write_marks()
    mark_and_exit(marker)


def child_minimal(marker: str) -> None:
    frame_phases.install(time.time())
    frame_written.install(lambda: _mark_and_exit(marker))
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    class Minimal(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("hello")

        def on_mount(self) -> None:
            frame_written.arm(self.screen)

    Minimal().run()


def child_runbook(marker: str, runbook: str, work: str) -> None:
    frame_phases.install(time.time())
    frame_written.install(lambda: _mark_and_exit(marker))
    (Path(work) / "no-settings.yaml").touch()  # empty: the defaults (a named settings file that is missing is an error)
    os.environ["RUNBOOK_TUI_SETTINGS"] = str(Path(work) / "no-settings.yaml")
    os.environ["XDG_STATE_HOME"] = str(Path(work) / "state")
    os.environ["XDG_CONFIG_HOME"] = str(Path(work) / "config")

    # `RunScreen.on_mount` is wrapped as `main` first imports the run screen, so this child imports what `runbook-tui run`
    # imports, in its order: importing the screen here first loaded Textual before `main` paused the collector (about
    # 15 ms of collections during Textual's import that the command itself never pays).
    def wrap(module: Any) -> None:
        mounted = module.RunScreen.on_mount

        def on_mount(self: Any) -> None:
            mounted(self)
            frame_written.arm(self)

        module.RunScreen.on_mount = on_mount

    frame_written.after_import(SCREEN_MODULE, wrap)
    from runbook_tui.cli import main

    main(["run", runbook, "--solo", "bench", "--journal", str(Path(work) / f"journal-{os.getpid()}.jsonl")])


# -- the parent ---------------------------------------------------------------------------------------


def one_run(variant: str, runbook: Path, work: Path, phases: Path | None = None) -> tuple[float, float]:
    """Start the variant in a 140x45 pty, drain its output; (seconds from spawn to its first frame, its CPU seconds then).

    `phases`: the child writes its timeline there (`frame_phases`), and it is printed."""
    marker = work / f"marker-{variant}-{time.monotonic_ns()}"
    argv = [sys.executable, __file__, "--child", variant, str(marker), str(runbook), str(work)]
    env = dict(os.environ) | ({frame_phases.PHASES_ENV: str(phases)} if phases else {})
    seconds = first_frame_in_pty(argv, env, marker, timeout=60)
    if phases:
        spawned = float(json.loads(marker.read_text())["ts"]) - seconds
        print(f"{variant}: ms from spawn, ms since the mark before, mark ('>' start, '<' end)")
        print("\n".join(frame_phases.timeline(phases, spawned)))
    return seconds, frame_cpu(marker)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--check", action="store_true", help="exit 1 when the aim is missed")
    parser.add_argument("--phases", action="store_true", help="print one run of each variant as a timeline of its phases, then the bench")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        variant, marker, runbook, work = args.child
        if variant == "minimal":
            child_minimal(marker)
        else:
            child_runbook(marker, runbook, work)
        return

    with tempfile.TemporaryDirectory(prefix="bench-first-paint-") as folder:
        work = Path(folder)
        runbook = work / "bench.yaml"
        runbook.write_text(generate(args.steps))
        times: dict[str, list[float]] = {"minimal": [], "runbook": []}
        cpu: dict[str, list[float]] = {"minimal": [], "runbook": []}
        one_run("minimal", runbook, work)  # warm the page cache; not counted
        one_run("runbook", runbook, work)
        if args.phases:
            for variant in ("minimal", "runbook"):
                one_run(variant, runbook, work, phases=work / f"phases-{variant}.json")
        for _ in range(args.reps):
            for variant in times:
                seconds, cpu_seconds = one_run(variant, runbook, work)
                times[variant].append(seconds)
                cpu[variant].append(cpu_seconds)

    print(f"first painted frame, whole process in a {COLUMNS}x{ROWS} pty, {args.reps} runs each (alternating)")
    print(f"{'variant':<44} {'median s':>9} {'min s':>7} {'max s':>7} {'CPU median s':>13}")
    labels = {"minimal": "minimal Textual app (one Static)", "runbook": f"runbook-tui run, {args.steps}-step runbook"}
    for variant, values in times.items():
        print(f"{labels[variant]:<44} {statistics.median(values):>9.3f} {min(values):>7.3f} {max(values):>7.3f} {statistics.median(cpu[variant]):>13.3f}")
    ratio = statistics.median(times["runbook"]) / statistics.median(times["minimal"])
    cpu_ratio = statistics.median(cpu["runbook"]) / statistics.median(cpu["minimal"])
    print(f"ratio runbook/minimal: {ratio:.2f}x (aim <= {RATIO_AIM}x); CPU to the frame {cpu_ratio:.2f}x (not the aim)")
    if args.check and ratio > RATIO_AIM:
        sys.exit(1)


if __name__ == "__main__":
    main()
