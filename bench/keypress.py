"""Benchmark: key press to screen update on the run screen while a step prints 1,000,000 lines.

In-process, headless (`App.run_test`, 140x45), the real app and engine: a
runbook whose steps each run `seq 1000000` locally (controller, hash-chained
journal, the run screen's batched repaint, all on the app's event loop).
While a step runs, the benchmark presses keys the way the terminal driver
delivers them (`driver.send_message(events.Key)`; `Pilot.press` would wait for
the screen to be idle, which a flood postpones) and measures until the first
frame the app writes that shows the change (`App._display`; headless, the same
compositor update, written nowhere), in seconds and in the process's CPU time
(`time.process_time`, every thread: the journal's writer too). Until session 29
the mark was a `call_after_refresh` queued once the change was seen, which could
fire before the frame (a press's figure swung by a whole compositor pass) and,
during a flood, was taken only after the output reader's next chunk:

- `?`: the help screen opens (then `?` again: it closes) — a screen push/pop;
- `p`: the run pauses (then `p` again: it resumes) — journaled, then the
  status stack says PAUSED / clears on the screen's next coalesced repaint.

Presses come `PRESS_GAP` apart, as a person's do (until session 12 the two
presses of a pair came back to back, and the second waited out Textual's
60 Hz update tick that the first one's frame had started, in every variant:
about 17 ms added to half the samples hid most of a flood's cost). Samples
count only when the step ran before and after both presses; a 1M-line step
floods for about 0.1-0.15 s on a quiet machine, so each takes a pair or two,
and when a step ends the next one is started (not timed). Each pair is of the
key with fewer samples kept so far (`next_key`): until session 35 the keys took
turns whatever was kept, and with steps that hold one pair and a half, `?`
took the first pair of every step and `p` the one the step's end cut (no `p`
sample in a whole run, 26 of 40 in the next). A step's first pair starts at a
point drawn evenly from its flood (`first_pair_delay`), as a person's press
would: it came as the output began, so on a quiet machine every sample was of
a flood's first ~50 ms. The same presses on the idle run screen give the floor. One warm-up round of each is not counted.

In the same process, first, a minimal Textual app (one `Static`; `?` pushes
and pops a screen, `p` toggles the Static's text) takes the same presses: the
floor of Textual itself on this machine at this moment. The same app whose `p`
first appends and fsyncs a line (in a thread, as the run screen makes its
pause durable before showing it) is measured too: it is `p`'s floor. A pause is
a decision, and issue 18 keeps its rule (on disk before it is acted on, the
controller awaiting the write without blocking rendering), so the minimal app's
"same key" makes the same durable write; until session 31 the aim compared `p`
with a minimal `p` that wrote nothing, a floor below the disk's own fsync, which
no pause that keeps the rule can come within 1.5x of. The ratio against the
minimal app that writes nothing is still printed, not as the aim.

Aims (issue 18), per key: idle median <= 1.5x the minimal app's same key (`?`:
a screen pushed and popped; `p`: a line appended and fsynced, then the Static
toggled); median while flooding <= 1.5x idle. The same ratios of the median
process CPU time per press are printed beside them, not as the aim: on a machine
shared with other work the wall clock mostly measures the scheduler; the CPU a
press costs it less.

    .venv/bin/python bench/keypress.py [--samples 40] [--lines 1000000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

AIM_RATIO = 1.5
STEPS = 80
GIVE_UP_SECONDS = 30.0
#: Seconds between two presses (a person's pace; longer than Textual's 60 Hz update tick, so no press waits out the
#: tick its predecessor's frame started, which made one press of each pair ~17 ms slower everywhere).
PRESS_GAP = 0.03

RUNBOOK = """\
runbook: 1
id: bench-keypress
title: A step printing a lot
sections:
  - id: pre
    title: Pre-checks
    kind: precheck
    steps:
{steps}
"""


def _runbook(lines: int) -> str:
    return RUNBOOK.format(
        steps="\n".join(f"      - {{id: out{i}, title: print {i}, run: seq {lines}, verify: none}}" for i in range(STEPS + 1))
    )  # one never run: the session stays open (no review screen)


def _send(app: Any, key: str, char: str | None) -> None:
    from textual import events

    event = events.Key(key, char)
    event.set_sender(app)
    app._driver.send_message(event)


#: Per app: what the next frame written is checked for (`_watch_frames`), and when and at what process time it came.
_WATCHING: dict[int, list[Any]] = {}


def _watch_frames(app: Any) -> None:
    """Have `app` note the first frame it writes (`App._display`, headless: computed, written nowhere) that shows what a
    press is waiting for: the moment the person would see it, and the process's CPU time then."""
    display = app._display

    def noted(screen: Any, renderable: Any) -> None:
        display(screen, renderable)
        watch = _WATCHING.get(id(app))
        if watch and renderable is not None and not app._batch_count and len(watch) == 1 and watch[0]():
            watch.extend((time.perf_counter(), time.process_time()))

    app._display = noted


async def _press(app: Any, key: str, char: str, shown: Callable[[], bool]) -> tuple[float, float]:
    """Send a key; (seconds, process CPU seconds) until the first frame written that shows it (`shown()` holds as it is
    written). The next press waits until that screen's refresh is done (`call_after_refresh`)."""
    painted = asyncio.Event()
    watch: list[Any] = [shown]
    _WATCHING[id(app)] = watch
    started, cpu = time.perf_counter(), time.process_time()
    _send(app, key, char)
    while not shown() or len(watch) == 1:
        if time.perf_counter() - started > GIVE_UP_SECONDS:
            raise SystemExit(f"{key}: nothing changed within {GIVE_UP_SECONDS:g} s (the screen is {type(app.screen).__name__})")
        await asyncio.sleep(0.001)
    del _WATCHING[id(app)]
    app.screen.call_after_refresh(painted.set)
    await painted.wait()
    return watch[1] - started, watch[2] - cpu


async def _until(condition: Callable[[], bool], what: str, app: Any) -> None:
    """Poll `condition` (10 ms) until it holds; exit naming `what` and the screen after GIVE_UP_SECONDS."""
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > GIVE_UP_SECONDS:
            raise SystemExit(f"waited {GIVE_UP_SECONDS:g} s for {what} (the screen is {type(app.screen).__name__})")
        await asyncio.sleep(0.01)


Sample = tuple[float, float]  # (seconds, process CPU seconds) of one press


async def _toggle(app: Any, key: str, base: Any, overlay: type, paused: Callable[[], bool]) -> tuple[Sample, Sample]:
    """Press `?` (an `overlay` screen opens, then closes) or `p` (`paused()` turns true, then false) twice."""
    if key == "?":
        opened = await _press(app, "question_mark", "?", lambda: isinstance(app.screen, overlay))
        await asyncio.sleep(PRESS_GAP)
        closed = await _press(app, "question_mark", "?", lambda: app.screen is base)
    else:
        opened = await _press(app, "p", "p", paused)
        await asyncio.sleep(PRESS_GAP)
        closed = await _press(app, "p", "p", lambda: not paused())
    return opened, closed


async def _idle_rounds(app: Any, base: Any, overlay: type, paused: Callable[[], bool], rounds: int) -> dict[str, list[Sample]]:
    _watch_frames(app)
    results: dict[str, list[Sample]] = {"?": [], "p": []}
    for key in results:
        await _toggle(app, key, base, overlay, paused)  # warm-up: the first help screen compiles its CSS
        for _ in range(rounds):
            results[key].extend(await _toggle(app, key, base, overlay, paused))
            await asyncio.sleep(PRESS_GAP)
    return results


def _durable_line(path: Path) -> None:
    """What the run screen's `p` makes durable before it shows: one line appended and fsynced."""
    with path.open("ab") as handle:
        handle.write(b'{"type":"paused"}\n')
        handle.flush()
        os.fsync(handle.fileno())


async def measure_minimal(rounds: int, durable: bool = False) -> dict[str, list[Sample]]:
    """The same presses on a minimal Textual app: `?` pushes/pops a screen, `p` toggles a Static (`durable`: after
    appending and fsyncing a line in a thread, as the run screen makes its pause durable before it shows it)."""
    from textual.app import App, ComposeResult
    from textual.screen import Screen
    from textual.widgets import Static

    journal = Path(tempfile.mkdtemp(prefix="bench-keypress-minimal-")) / "journal.jsonl"

    class Overlay(Screen[None]):
        BINDINGS = [("question_mark", "app.pop_screen", "close")]

        def compose(self) -> ComposeResult:
            yield Static("help")

    class Minimal(App[None]):
        BINDINGS = [("question_mark", "open", "help"), ("p", "flip", "pause")]

        def compose(self) -> ComposeResult:
            yield Static("running", id="state")

        def action_open(self) -> None:
            self.push_screen(Overlay())

        async def action_flip(self) -> None:
            if durable:
                await asyncio.to_thread(_durable_line, journal)
            label = self.query_one("#state", Static)
            label.update("running" if "PAUSED" in str(label.content) else "PAUSED")

    app = Minimal()
    async with app.run_test(size=(140, 45)):
        base = app.screen
        results = await _idle_rounds(app, base, Overlay, lambda: "PAUSED" in str(base.query_one("#state", Static).content), rounds)
        app.exit()
    return results


async def measure(lines: int, samples: int) -> tuple[dict[str, dict[str, list[Sample]]], int]:
    from runbook_tui.app.session import load, open_session
    from runbook_tui.app.settings import Settings
    from runbook_tui.ui.app import RunbookApp
    from runbook_tui.ui.modals import HelpScreen
    from runbook_tui.ui.run_screen import RunScreen
    from runbook_tui.ui.status_stack import StatusStack
    from runbook_tui.ui.step_list import StepList

    work = Path(tempfile.mkdtemp(prefix="bench-keypress-"))
    path = work / "bench.yaml"
    path.write_text(_runbook(lines))
    loaded = load(str(path), {})
    app = RunbookApp(lambda _override: open_session(loaded, solo="bench", journal=str(work / "journal.jsonl"), settings=Settings()))
    results: dict[str, dict[str, list[Sample]]] = {"?": {"idle": [], "flooding": []}, "p": {"idle": [], "flooding": []}}
    async with app.run_test(size=(140, 45)):
        while app.handle is None or not isinstance(app.screen, RunScreen) or not app.screen.query(StepList):
            await asyncio.sleep(0.05)  # (pushed first, composed after)
        controller = app.handle.controller
        run_screen = app.screen
        steps = run_screen.query_one(StepList)

        def paused() -> bool:
            return "PAUSED" in str(run_screen.query_one(StatusStack).content)

        def at_cursor(step: str) -> bool:
            return app.screen is run_screen and steps.cursor_row == steps._rows.get(step)

        def started(step: str) -> bool:
            return bool(controller.busy) or controller.state.steps[step].status == "done"

        async def toggle(key: str) -> tuple[Sample, Sample]:
            return await _toggle(app, key, run_screen, HelpScreen, paused)

        for key, idle in (await _idle_rounds(app, run_screen, HelpScreen, paused, max(5, samples // 4))).items():
            results[key]["idle"] = idle

        flooding: set[str] = set()  # steps whose output has started coming
        began: dict[str, float] = {}  # when each step's output started
        floods: list[float] = []  # how long each step's flood lasted, its first output to its end

        def seen(event: dict[str, Any], _state: object) -> None:
            step = str(event.get("step"))
            if event["type"] == "output":
                flooding.add(step)
                began.setdefault(step, time.perf_counter())
            elif event["type"] == "step_finished" and step in began:
                floods.append(time.perf_counter() - began[step])

        controller.subscribe(seen)
        rng = random.Random(18)  # the same points drawn in every run
        pair_seconds = 0.0
        steps_run = 0
        while min(len(r["flooding"]) for r in results.values()) < samples and steps_run < STEPS:
            if not controller.busy:
                step = f"out{steps_run}"
                # Pressed once the cursor is on the step, and each wait bounded: twice in session 29 the bench waited for
                # ever (the loop idle, polling) for a step that never started after its enter; the cause was not found.
                await _until(partial(at_cursor, step), f"the cursor on {step}", app)
                _send(app, "enter", "\r")
                steps_run += 1
                await _until(partial(started, step), f"{step} to start", app)
                while controller.busy and step not in flooding:
                    await asyncio.sleep(0.001)  # until the flood has started (a fixed 0.2 s outlasted a whole step once output got faster)
                await asyncio.sleep(first_pair_delay(rng, floods, pair_seconds))
                continue
            key = next_key({k: len(r["flooding"]) for k, r in results.items()})
            pair_started = time.perf_counter()
            pair = await toggle(key)
            pair_seconds = time.perf_counter() - pair_started
            if controller.busy:  # the step ran throughout both presses
                results[key]["flooding"].extend(pair)
            await asyncio.sleep(PRESS_GAP)
        while controller.busy:
            await asyncio.sleep(0.05)
        app.exit()
    return results, steps_run


def next_key(kept: dict[str, int]) -> str:
    """The key whose pair comes next while a step floods: the one with fewer samples kept (the first named on a tie), so
    that a step's end cuts the keys' pairs in turn (taking turns whatever was kept gave `?` every step's first pair)."""
    return min(kept, key=lambda key: kept[key])


def first_pair_delay(rng: random.Random, floods: list[float], pair: float) -> float:
    """Seconds from a step's first output to its first pair: a point drawn evenly from the part of a flood where a pair
    still fits (the median flood so far, less the last pair's length), as a person's press falls anywhere in a flood; 0
    while no flood has ended yet. Until session 35 the first pair came as the output began, and on a quiet machine a
    1M-line step held no second one: every kept sample was of a flood's first ~50 ms."""
    if not floods:
        return 0.0
    return rng.uniform(0.0, max(0.0, statistics.median(floods) - pair))


def _report(name: str, samples: list[Sample]) -> tuple[float, float]:
    """Print a line of the table; (median seconds, median process CPU seconds)."""
    ms = sorted(wall * 1000 for wall, _cpu in samples)
    median, cpu = statistics.median(ms), statistics.median(cpu * 1000 for _wall, cpu in samples)
    p90 = ms[min(len(ms) - 1, round(0.9 * (len(ms) - 1)))]
    print(f"{name:<46} {len(ms):>7} {median:>10.1f} {p90:>8.1f} {ms[-1]:>8.1f} {cpu:>8.1f}")
    return median, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=40, help="samples per key while flooding")
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--check", action="store_true", help="exit 1 when the aim is missed")
    args = parser.parse_args()
    os.environ["RUNBOOK_TUI_USER"] = "bench"
    settings = Path(tempfile.mkdtemp(prefix="bench-keypress-settings-")) / "none.yaml"
    settings.touch()  # empty: the defaults (a named settings file that is missing is an error)
    os.environ["RUNBOOK_TUI_SETTINGS"] = str(settings)
    os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="bench-keypress-state-")
    minimal = asyncio.run(measure_minimal(max(5, args.samples // 4)))
    minimal_durable = asyncio.run(measure_minimal(max(5, args.samples // 4), durable=True))
    results, steps_run = asyncio.run(measure(args.lines, args.samples))
    print(f"key press to the screen updated, in-process headless 140x45; {steps_run} steps of `seq {args.lines}` started")
    print(f"{'key, while':<46} {'samples':>7} {'median ms':>10} {'p90 ms':>8} {'max ms':>8} {'CPU ms':>8}")
    missed = []
    for key, label in (("?", "? help open/close"), ("p", "p pause/resume (status)")):
        bare = _report(f"{label}, minimal Textual app", minimal[key])
        # `p`'s floor makes the pause's durable write first, as the run screen must (see the module's docstring).
        floor = _report(f"{label}, minimal app + fsync", minimal_durable[key]) if key == "p" else bare
        idle = _report(f"{label}, idle", results[key]["idle"])
        if not results[key]["flooding"]:
            raise SystemExit("no sample was taken while a step ran: the steps ended too fast (raise --lines)")
        flood = _report(f"{label}, {args.lines:,} lines flooding", results[key]["flooding"])
        for what, (ratio, cpu_ratio) in (
            (f"{key} idle / minimal app{' with the same durable write' if key == 'p' else ''}", (idle[0] / floor[0], idle[1] / floor[1])),
            (f"{key} flooding / idle", (flood[0] / idle[0], flood[1] / idle[1])),
        ):
            print(f"  {what}: {ratio:.2f}x (aim <= {AIM_RATIO:g}x); process CPU {cpu_ratio:.2f}x (shown, not the aim)")
            if ratio > AIM_RATIO:
                missed.append(what)
        if key == "p":  # not an aim: against a minimal `p` that writes nothing (the aim until session 31)
            print(f"  p idle / minimal app writing nothing: {idle[0] / bare[0]:.2f}x (shown, not the aim)")
        # The samples are pairs (open then close, pause then resume), two actions of different cost: the median of all
        # of them can fall between the two, so each is shown too (not an aim: what to read a verdict by).
        pairs = [("minimal", minimal[key]), ("idle", results[key]["idle"]), ("flooding", results[key]["flooding"])]
        if key == "p":
            pairs.insert(1, ("minimal + fsync", minimal_durable[key]))
        halves = "; ".join(
            f"{when} {statistics.median(w for w, _ in v[0::2]) * 1000:.1f} / {statistics.median(w for w, _ in v[1::2]) * 1000:.1f}" for when, v in pairs
        )
        print(f"  {key} first / second press, median ms: {halves}")
    print(f"aims: {'met' if not missed else 'MISSED: ' + ', '.join(missed)}")
    if args.check and missed:
        sys.exit(1)


if __name__ == "__main__":
    main()
