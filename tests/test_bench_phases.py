"""bench/first_paint.py --phases (the timeline bench/README.md cites for where the first frame's time goes), and the process time the benches print beside the wall time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_phases_print_each_variants_timeline_up_to_its_marked_frame() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "first_paint.py"), "--phases", "--reps", "1", "--steps", "20"],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    minimal, _, runbook = done.stdout.partition("runbook: ms from spawn")
    assert "import textual.app <" in minimal and "Screen._compositor_refresh <" in minimal, minimal
    # The runbook's own phases, in the order `runbook-tui run` goes through them, ending at the marked frame.
    order = ["import runbook_tui.cli >", "probe_runbook >", "probe_runbook <", "App.run >", "open_session <", "Screen._refresh_layout >", "frame marked"]
    places = [runbook.find(name) for name in order]
    assert -1 not in places and places == sorted(places), runbook
    assert "ratio runbook/minimal:" in runbook, "the bench itself still runs after the timelines"
    # Each child's process time at its frame, beside the wall time: what compares when other work shares the machine.
    assert "CPU median s" in runbook and "CPU to the frame" in runbook, runbook


def test_load_bench_prints_the_process_time_of_each_load_beside_the_wall_time() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "load.py"), "--steps", "50", "--reps", "1"],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "load CPU" in done.stdout and "x (not the aim)" in done.stdout, done.stdout


def test_first_paint_marks_the_frame_when_it_is_written_not_after_the_idle_layout_pass() -> None:
    """The mark was a `call_after_refresh` from `on_mount`: it ran only after the screen's second, idle layout pass, one
    frame (~17 ms) after the frame was written, which lowered the ratio. It is now taken as Textual's writer thread writes
    the first frame to the terminal (on a loaded machine that thread may run after the idle pass: the terminal then gets
    the frame that late, so the mark follows the write, not a layout pass)."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "first_paint.py"), "--phases", "--reps", "1", "--steps", "20"],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    minimal, _, runbook = done.stdout.partition("runbook: ms from spawn")
    for timeline in (minimal, runbook.partition("first painted frame")[0]):
        marks = [line.split(maxsplit=2)[2] for line in timeline.splitlines()[1:] if line.strip()]
        assert marks[-2:] == ["frame written to the terminal (textual-output)", "frame marked"], timeline
        assert marks.index("Screen._compositor_refresh <") < len(marks) - 2, f"marked before the first frame was made:\n{timeline}"
