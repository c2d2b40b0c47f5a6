"""`report --format cast`: an asciicast v2 file an auditor plays with asciinema.

Checked against the format (header, `[time, "o" | "m", text]` events, times
never going back), against the journal (a marker for every step attempt and
rollback, every output line shown), played by the real `asciinema` package
(`cat` and `play`), and with hostile output that must not reach the player's
terminal as escape sequences.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from runbook_tui.cli import main as cli_main
from runbook_tui.engine import events as ev
from runbook_tui.engine.journal import JournalWriter, read_events
from runbook_tui.report import build_report
from tests.engine.test_exec_cli import exec_env, run_exec

DATA = Path(__file__).parent / "data"
ASCIINEMA = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "asciinema"
#: A plan of one step, `s` (the events below are about it: a step not in the plan is refused as this program never writes one).
PLAN_OF_S = {"sections": [{"kind": "main", "steps": [{"id": "s"}]}]}
#: `b` fails, so exec ends the run failed; `resume --rollback` then undoes `a`.
FAILS_THEN_UNDONE = """\
    runbook: 1
    id: cast-reopened
    title: Reopened
    sections:
      - id: impl
        kind: implement
        steps:
          - {id: a, title: Step a, run: echo a, undo: echo undo-a}
          - {id: b, title: Step b, run: exit 3}
"""


def make_cast(journal: Path, target: Path, capsys: pytest.CaptureFixture[str]) -> tuple[dict, list[list]]:
    code = cli_main(["report", str(journal), "--format", "cast", "-o", str(target)])
    assert (code, capsys.readouterr()) == (0, ("", ""))
    header, *events = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    return header, events


def test_the_cast_is_asciicast_v2_with_a_marker_per_step_attempt_and_rollback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    journal = DATA / "change.jsonl"
    header, events = make_cast(journal, tmp_path / "change.cast", capsys)
    assert header["version"] == 2
    assert isinstance(header["width"], int) and 80 <= header["width"] <= 200 and header["height"] == 30
    recorded = read_events(journal).events
    assert header["timestamp"] == 1795453260  # 2026-11-23T17:01:00Z, the session's start
    assert header["title"] == "Enable HTTP/2 on the public web tier (CHG-3107), journal change.jsonl"
    times = [e[0] for e in events]
    assert all(isinstance(e, list) and len(e) == 3 and e[1] in ("o", "m") and isinstance(e[2], str) for e in events)
    assert all(isinstance(t, (int, float)) and t >= 0 for t in times) and times == sorted(times)
    first, last = (dt.datetime.fromisoformat(recorded[i]["ts"].replace("Z", "+00:00")) for i in (0, -1))
    assert times[-1] == pytest.approx((last - first).total_seconds(), abs=0.01)  # the recording lasts as long as the session
    markers = [e[2] for e in events if e[1] == "m"]
    attempts = [f"{e['step']} (attempt {e['attempt']})" for e in recorded if e["type"] == ev.STEP_STARTED]
    assert [m.split(":")[0] for m in markers if not m.startswith("Rollback ")] == attempts
    # each rollback named where it went, in the report's words for it (every one read `rollback (checkpoint)`)
    titles = [line.removeprefix("### ") for line in (DATA / "change.report.md").read_text(encoding="utf-8").splitlines() if line.startswith("### Rollback ")]
    assert (
        [m for m in markers if m.startswith("Rollback ")]
        == titles
        == [
            "Rollback 1: the last checkpoint (back to backup-config)",
            "Rollback 2: the last checkpoint (back to backup-config)",
        ]
    )
    assert all(e[2].endswith("\r\n") for e in events if e[1] == "o")
    text = "".join(e[2] for e in events if e[1] == "o")
    for output in (e for e in recorded if e["type"] == ev.OUTPUT and e.get("phase") != "undo"):
        for line in output["text"].splitlines():
            assert line in text


def test_asciinema_reads_and_plays_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "change.cast"
    _header, events = make_cast(DATA / "change.jsonl", target, capsys)
    expected = "".join(e[2] for e in events if e[1] == "o")
    cat = subprocess.run([str(ASCIINEMA), "cat", str(target)], capture_output=True, text=True, timeout=60)
    assert cat.returncode == 0, cat.stderr
    assert cat.stdout.replace("\r\n", "\n") == expected.replace("\r\n", "\n")
    # play at high speed with idle time cut short: it must accept every event, markers included
    play = subprocess.run(
        [str(ASCIINEMA), "play", "-s", "1000", "-i", "0.001", str(target)], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120
    )
    assert play.returncode == 0, play.stderr
    assert "rollback_started" in play.stdout and play.stdout.rstrip().endswith(
        "session_finished   outcome ROLLED BACK to the last checkpoint (backup-config) (by alice)"
    )


def test_hostile_output_never_drives_the_players_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    journal = tmp_path / "hostile.jsonl"
    writer = JournalWriter(journal)
    writer.append(ev.SESSION_STARTED, "alice", {"session": "s1", "runbook": "rb", "title": "T\x1b]0;owned\x07", "mode": "live", "plan": PLAN_OF_S})
    writer.append(ev.STEP_STARTED, "alice", {"step": "s", "attempt": 1, "hosts": ["h"], "title": "x\x1b[2J"})
    writer.append(ev.OUTPUT, "system", {"step": "s", "host": "h", "stream": "stdout", "text": "\x1b[2J\x1b]52;c;cGF5bG9hZA==\x07cleared?\nline\rover\n"})
    writer.append(ev.STEP_FINISHED, "system", {"step": "s", "status": "done", "hosts": {"h": {"status": "ok", "exit_code": 0}}, "verified": False})
    writer.append(ev.SESSION_FINISHED, "alice", {"outcome": "done"})
    writer.close()
    header, events = make_cast(journal, tmp_path / "hostile.cast", capsys)
    everything = json.dumps(header) + "".join(e[2] for e in events)
    assert "\x1b" not in everything and "\x07" not in everything
    text = "".join(e[2] for e in events if e[1] == "o")
    assert "cleared?" in text and "line" in text
    # one line of output stays one line of the recording: a bare \r cannot overwrite what came before
    assert all("\r" not in line for line in text.split("\r\n"))


def test_a_tampered_journal_gets_no_cast(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = (DATA / "change.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    journal = tmp_path / "tampered.jsonl"
    journal.write_text("".join(lines[:10] + lines[11:]), encoding="utf-8")
    target = tmp_path / "out.cast"
    code = cli_main(["report", str(journal), "--format", "cast", "-o", str(target)])
    assert code == 2 and "line 11: seq 11 where 10 was expected" in capsys.readouterr().err
    assert not target.exists()


def test_a_journal_left_open_ends_its_recording_saying_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A journal cut before `session_finished` (the process died mid-rollback): the recording stopped in the middle of
    an undo's output and said nothing, as if the auditor's player had cut it short. Now its last line says the journal
    ends there with the session open; a finished journal's recording has no such line."""
    cut = tmp_path / "open.jsonl"
    cut.write_text("".join((DATA / "change.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)[:40]), encoding="utf-8")
    _, events = make_cast(cut, tmp_path / "open.cast", capsys)
    assert events[-1][1] == "o" and events[-1][2] == "-- the journal ends here: the session has not finished (no session_finished) --\r\n", events[-1]
    assert events[-1][0] == events[-2][0], "said at the last event's moment, not later"
    _, whole = make_cast(DATA / "change.jsonl", tmp_path / "whole.cast", capsys)
    assert not any("the journal ends here" in e[2] for e in whole)


def test_a_journal_reopened_after_its_end_and_left_open_ends_its_recording_saying_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A run that ended failed, reopened by `resume --rollback` whose process died during the undo: the journal holds a
    `session_finished`, then `session_reopened` and no second end. The report reads UNFINISHED; the recording ended
    mid-undo and said nothing, as if the first end still stood. Now its last line says the session has not finished."""
    failed = run_exec(tmp_path, FAILS_THEN_UNDONE, "s3cr3t-cast-1")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    resumed = subprocess.run(
        [sys.executable, "-m", "runbook_tui", "resume", "run.jsonl", "--headless", "--rollback"],
        cwd=tmp_path, env=exec_env(tmp_path, "unused") | {"RUNBOOK_TUI_USER": "carol"}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert resumed.returncode == 1 and "outcome ROLLED BACK" in resumed.stdout, resumed.stdout + resumed.stderr
    lines = (tmp_path / "run.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    reopened = next(i for i, line in enumerate(lines) if json.loads(line)["type"] == ev.SESSION_REOPENED)
    undoing = next(i for i, line in enumerate(lines) if i > reopened and json.loads(line)["type"] == ev.UNDO_STARTED)
    cut = tmp_path / "cut.jsonl"
    cut.write_text("".join(lines[: undoing + 1]), encoding="utf-8")
    assert build_report(cut).session.outcome == "unfinished"  # what the report says of it
    _, events = make_cast(cut, tmp_path / "cut.cast", capsys)
    said = "-- the journal ends here: the session was reopened and has not finished again (no session_finished since) --\r\n"
    assert events[-1][2] == said and events[-1][0] == events[-2][0], events[-2:]
    _, whole = make_cast(tmp_path / "run.jsonl", tmp_path / "whole.cast", capsys)  # finished again: no such line
    assert not any("the journal ends here" in e[2] for e in whole)
