"""Every view of one run says the same thing: `exec`'s and `resume`'s lines, the report (the model behind md, html
and json, and its timeline) and replay's step list, each read from the same journal made by real processes."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

from runbook_tui.engine.journal import read_events
from runbook_tui.engine.practice_results import compare
from runbook_tui.engine.state import replay
from runbook_tui.report import build_report, text
from runbook_tui.report.practice_md import decision_words
from runbook_tui.ui.status_stack import statuses
from tests.engine.test_exec_cli import exec_env, run_exec

#: c fails; the full rollback undoes c, then b, whose undo fails while the file `undo-b-fails` exists.
STOPPED_UNDO = """\
    runbook: 1
    id: views
    title: Views agree
    sections:
      - id: impl
        title: Change
        kind: implement
        steps:
          - {id: a, title: Step a, run: echo a, undo: echo undo-a}
          - {id: b, title: Step b, run: echo b, undo: "test ! -e undo-b-fails"}
          - {id: c, title: Step c, run: "test ! -e make-c-fail", undo: echo undo-c}
"""


def resume(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "runbook_tui", "resume", "run.jsonl", "--solo", "e2e test", "--headless", *args],
        cwd=workdir, env=exec_env(workdir, "unused"), capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def undo_words(stdout: str) -> list[str]:
    """`undo b: local: failed exit 1` lines of exec's or resume's stdout, without the time and type."""
    return [line.split("undo_finished", 1)[1].strip() for line in stdout.splitlines() if " undo_finished " in line]


def test_a_rollback_stopped_at_a_failed_undo_then_retried_reads_the_same_everywhere(tmp_path: Path) -> None:
    (tmp_path / "make-c-fail").touch()
    (tmp_path / "undo-b-fails").touch()
    first = run_exec(tmp_path, textwrap.dedent(STOPPED_UNDO), f"s3cr3t-{uuid.uuid4().hex}", "--on-failure", "abort")
    assert first.returncode == 1, first.stdout + first.stderr
    stopped = build_report(tmp_path / "run.jsonl")
    undo = {(u.step, u.host): u for u in stopped.rollbacks[0].undo}
    assert (undo["c", "local"].status, undo["b", "local"].status, undo["a", "local"].status) == ("ok", "failed", "not run")
    # exec said what the report's undo table says: b's undo exited 1, so it failed (it read `ok exit 1`)
    assert undo_words(first.stdout) == ["undo c: local: ok exit 0", "undo b: local: failed exit 1"], first.stdout
    assert "rollback STOPPED at b" in first.stdout and stopped.rollbacks[0].failed_step == "b"
    assert [t.text for t in stopped.timeline if " undo_finished " in t.text][-1].endswith("undo b: local: failed exit 1")
    state = replay(read_events(tmp_path / "run.jsonl").events)
    assert {sid: s.status for sid, s in state.steps.items()} == {"a": "done", "b": "done", "c": "undone"}
    assert [s.outcome for s in stopped.steps] == ["done", "done", "undone"]
    # the outcome: exec's last line, the report, the run screen's last status, and practice's finish
    assert "outcome FAILED" in first.stdout and text.outcome(stopped.session.outcome) == "FAILED"
    assert statuses(state, dt.datetime.now(dt.UTC))[0].text.startswith("Session finished: FAILED.")
    night = read_events(tmp_path / "run.jsonl").events
    finish = next(p for p in compare(night, night).points if p.night is not None and p.night.kind == "finish")
    assert (decision_words(finish.night, ""), finish.why) == ("finish (FAILED)", "the night ended FAILED")

    (tmp_path / "undo-b-fails").unlink()
    second = resume(tmp_path, "--rollback", "--full")
    assert second.returncode == 0, second.stdout + second.stderr
    assert undo_words(second.stdout) == ["undo b: local: ok exit 0", "undo a: local: ok exit 0"], second.stdout
    done = build_report(tmp_path / "run.jsonl")
    assert [r.ok for r in done.rollbacks] == [False, True]
    assert [s.outcome for s in done.steps] == ["undone"] * 3
    state = replay(read_events(tmp_path / "run.jsonl").events)
    assert {s.status for s in state.steps.values()} == {"undone"} and state.outcome == done.session.outcome == "rolled_back"
    assert "outcome ROLLED BACK" in second.stdout and text.outcome_line(done) == "ROLLED BACK"
    assert statuses(state, dt.datetime.now(dt.UTC))[0].text.startswith("Session finished: ROLLED BACK.")
