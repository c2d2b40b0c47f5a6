"""`resume` outside the ticket's change window holds to `run`'s rule: steps go on only with `--override-window REASON`.

Before: a run started inside its window and resumed after the window had closed (or in a blackout) ran the rest of the
change with nothing asked; only the report said so afterwards ("NO: ended after the window"). Now a resume that would
run steps (`--continue`, `--rerun`) is refused with exit 2 and nothing journaled, unless a reason is given, journaled
as the same `window_override` event a start's is; a rollback, or a look at where the run stands, needs none.
"""

from __future__ import annotations

import asyncio
import getpass
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from window_resume import RUNBOOK, WINDOW, log, stopped_inside
from written_lines import written_events

from runbook_tui import cli


@pytest.fixture
def stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    journal = asyncio.run(stopped_inside(tmp_path))
    assert not any(e["type"] == "window_override" for e in written_events(journal))
    return journal


@pytest.fixture
def resume(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    def run(*args: str) -> tuple[int, str, str]:
        code = cli.main(["resume", "run.jsonl", *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.mark.parametrize("decision", [("--continue",), ("--rerun", "--continue")], ids=["continue", "rerun"])
def test_going_on_after_the_window_closed_is_refused_without_a_reason(
    stopped: Path, resume: Callable[..., tuple[int, str, str]], decision: tuple[str, ...]
) -> None:
    before = written_events(stopped)
    code, out, err = resume(*decision)
    assert code == 2, out + err
    assert "CHG-8 closed at 2020-01-01T04:00:00+00:00" in err and "going on needs --override-window REASON (journaled)" in err, err
    assert log(stopped.parent) == ["a"], "no step ran"
    assert written_events(stopped) == before, "nothing journaled: not even the resume"


def test_going_on_with_a_reason_journals_it_before_any_step_and_runs_the_rest(stopped: Path, resume: Callable[..., tuple[int, str, str]]) -> None:
    code, out, err = resume("--continue", "--override-window", "CAB extended the window, INC-9")
    assert code == 0, out + err
    assert log(stopped.parent) == ["a", "b"]
    events = written_events(stopped)
    kinds = [e["type"] for e in events]
    resumed = kinds.index("session_resumed")
    override = kinds.index("window_override")
    assert resumed < override < kinds.index("step_started", resumed), "on record before the next step starts"
    said = events[override]
    assert said["reason"] == "CAB extended the window, INC-9" and said["actor"] == getpass.getuser() and said["resumed"] is True
    assert said["window"] == {"start": WINDOW[0], "end": WINDOW[1]}
    assert "went on outside the window" in out and "CAB extended the window, INC-9" in out

    code, report, err = cli_report(stopped)
    assert code == 0, report + err
    assert f"went on with an override by {getpass.getuser()}: CAB extended the window, INC-9" in report, report


def cli_report(journal: Path) -> tuple[int, str, str]:
    done = subprocess.run([sys.executable, "-m", "runbook_tui", "report", str(journal)], capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize("full", [(), ("--full",)], ids=["checkpoint", "full"])
def test_a_rollback_after_the_window_closed_needs_no_reason(stopped: Path, resume: Callable[..., tuple[int, str, str]], full: tuple[str, ...]) -> None:
    code, out, err = resume("--rollback", *full)
    assert code == 1, out + err  # rolled back: 1, as run
    assert "--override-window" not in err
    assert log(stopped.parent) == ["a", "undo-a"]
    assert not any(e["type"] == "window_override" for e in written_events(stopped))


def test_a_look_after_the_window_closed_needs_no_reason(stopped: Path, resume: Callable[..., tuple[int, str, str]]) -> None:
    code, out, err = resume()
    assert code == 1, out + err  # unfinished, as run's: nothing refused
    assert log(stopped.parent) == ["a"]
    # what going on needs is said beside the look's advice (it said `--continue goes on with 'b'` alone, then refused)
    assert "closed at 2020-01-01T04:00:00+00:00" in out and "going on needs --override-window REASON (journaled); a rollback needs none." in out, out


def test_inside_the_window_going_on_needs_no_reason_and_journals_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, resume: Callable[..., Any]) -> None:
    monkeypatch.chdir(tmp_path)
    asyncio.run(stopped_inside(tmp_path, RUNBOOK.replace("2020-01-01T04:00:00", "2999-01-01T04:00:00"), now=None, run_a=False))
    code, out, err = resume("--continue", "--override-window", "not needed")
    assert code == 0, out + err
    assert log(tmp_path) == ["a", "b"]
    assert not any(e["type"] == "window_override" for e in written_events(tmp_path / "run.jsonl"))


def test_going_on_in_a_blackout_is_refused_without_a_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, resume: Callable[..., Any]) -> None:
    """A run inside its window (no window closed) resumed while a blackout from the settings holds: refused as a start is."""
    monkeypatch.chdir(tmp_path)
    asyncio.run(stopped_inside(tmp_path, RUNBOOK.replace("2020-01-01T04:00:00", "2999-01-01T04:00:00"), now=None, run_a=False))
    settings = tmp_path / "settings.yaml"
    settings.write_text("blackouts:\n  - {start: 2000-01-01T00:00:00+00:00, end: 2999-01-01T00:00:00+00:00, reason: month-end billing}\n")
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(settings))
    code, out, err = resume("--continue")
    assert code == 2, out + err
    assert "inside a blackout period (month-end billing" in err and "going on needs --override-window REASON (journaled)" in err, err
    assert log(tmp_path) == []
    code, out, err = resume("--continue", "--override-window", "billing team agreed")
    assert code == 0, out + err
    assert log(tmp_path) == ["a", "b"]
    assert [e["reason"] for e in written_events(tmp_path / "run.jsonl") if e["type"] == "window_override"] == ["billing team agreed"]
