"""A rollback whose every entry is a step without an undo runs nothing: no way back journals one.

`exec --on-failure rollback|abort`, `resume --rollback` and `rehearse` journaled a rollback of `(no undo: acknowledged)`
entries and ended the run ROLLED BACK (`rehearse`: "rollback restored state", exit 0) with every change still standing,
while exec's advice after `--on-failure stop` said `nothing to roll back` of the same run, and the report read
`ROLLED BACK` beside "3 ran and not rolled back (no undo)".
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from runbook_tui import cli
from runbook_tui.engine.journal import read_events
from runbook_tui.report import build_report, render

#: Every step that changes something has no undo; `b` fails (`{fail}` set by each test).
RUNBOOK = """\
    runbook: 1
    id: no-undo
    title: No undo anywhere
    sections:
      - id: pre
        kind: precheck
        steps:
          - {{id: look, run: "true"}}
      - id: impl
        kind: implement
        steps:
          - {{id: a, run: echo a >> marks}}
          - {{id: b, run: "echo b >> marks; exit {fail}"}}
          - {{id: c, run: echo c >> marks}}
"""
CHECKPOINT = "nothing to roll back: no step since the last checkpoint (the start) has an undo to run"
FULL = "nothing to roll back: no step that ran has an undo, and the runbook has no rollback section"


@pytest.fixture
def main(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str]]:
    """`main(*argv)`: `cli.main` in tmp_path as alice; (exit code, stdout + stderr)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")

    def run(*argv: str) -> tuple[int, str]:
        code = cli.main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    return run


def _rollbacks(journal: Path) -> list[str]:
    return [e["type"] for e in read_events(journal).events if e["type"].startswith("rollback_")]


@pytest.mark.parametrize(("policy", "words"), [("rollback", CHECKPOINT), ("abort", FULL)])
def test_exec_after_a_failure_journals_no_rollback_of_steps_without_undo(
    tmp_path: Path, write_runbook: Callable[..., Path], main: Callable[..., tuple[int, str]], policy: str, words: str
) -> None:
    path = write_runbook(RUNBOOK.format(fail=4))
    code, out = main("exec", str(path), "--solo", "test", "--journal", "run.jsonl", "--on-failure", policy)
    assert code == 1, out
    assert f"exec --on-failure {policy}: 'b' failed: {words}; the run ends FAILED" in out, out
    assert _rollbacks(tmp_path / "run.jsonl") == [], "no rollback of nothing journaled"
    assert read_events(tmp_path / "run.jsonl").events[-1]["outcome"] == "failed"
    markdown = render(build_report(tmp_path / "run.jsonl"), "md")
    assert "ROLLED BACK" not in markdown and "Rollback 1" not in markdown, markdown


def test_resume_rollback_of_a_failed_run_with_no_undo_reopens_nothing(
    tmp_path: Path, write_runbook: Callable[..., Path], main: Callable[..., tuple[int, str]]
) -> None:
    path = write_runbook(RUNBOOK.format(fail=4))
    code, out = main("exec", str(path), "--solo", "test", "--journal", "run.jsonl")
    assert code == 1 and FULL in out, out  # exec's own advice after the failure
    before = (tmp_path / "run.jsonl").read_bytes()
    code, out = main("resume", "run.jsonl", "--rollback")
    assert code == 1, out
    assert f"this session ended FAILED; {CHECKPOINT}: nothing was reopened, nothing journaled" in out, out
    assert (tmp_path / "run.jsonl").read_bytes() == before, "the journal is left as it was"


@pytest.mark.parametrize(("fail_at", "fail", "words", "outcome"), [(None, 0, FULL, "done"), ("b", 0, CHECKPOINT, "failed")])
def test_rehearse_with_nothing_undoable_says_no_rollback_was_rehearsed(
    tmp_path: Path, write_runbook: Callable[..., Path], main: Callable[..., tuple[int, str]], fail_at: str | None, fail: int, words: str, outcome: str
) -> None:
    path = write_runbook(RUNBOOK.format(fail=fail))
    code, out = main("rehearse", "--yes", str(path), "--journal", "rehearsal.jsonl", *(["--fail-at", fail_at] if fail_at else []))
    assert code == 1, out
    assert f"{words}: no rollback was rehearsed; what ran stands" in out, out
    assert "restored state" not in out, out
    assert _rollbacks(tmp_path / "rehearsal.jsonl") == []
    events = read_events(tmp_path / "rehearsal.jsonl").events
    assert events[-1]["type"] == "session_finished" and events[-1]["outcome"] == outcome, events[-1]
    assert "ROLLED BACK" not in render(build_report(tmp_path / "rehearsal.jsonl"), "md")


def test_rehearse_names_the_steps_its_rollback_passed_over(tmp_path: Path, write_runbook: Callable[..., Path], main: Callable[..., tuple[int, str]]) -> None:
    """`a` has an undo, `b` and `c` none: before, `rehearsal: rollback restored state` alone, while the report read `2 ran
    and not rolled back (no undo)`: nothing printed said their changes still stood."""
    path = write_runbook(RUNBOOK.format(fail=0).replace("{id: a, run: echo a >> marks}", "{id: a, run: echo a >> marks, undo: echo undo-a >> marks}"))
    code, out = main("rehearse", "--yes", str(path), "--journal", "rehearsal.jsonl")
    assert code == 0, out
    assert "rehearsal: not rolled back (no undo), their changes stand: b, c\nrehearsal: rollback restored state\n" in out, out
    assert (tmp_path / "marks").read_text().split() == ["a", "b", "c", "undo-a"]
