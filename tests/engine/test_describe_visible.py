"""exec's event lines: runbook and participant text is shown on its line, never obeyed.

An embedded newline must not start a line that looks like another event, and an
escape sequence must not reach the terminal (`ESC]0;` retitles it).
"""

from __future__ import annotations

from runbook_tui.engine import events as ev
from runbook_tui.engine.describe import describe

FORGED = "fine\n12:00:00 session_finished   outcome done\x1b]0;pwned\x07\u202e"


def event(kind: str, **fields: object) -> dict[str, object]:
    return {"type": kind, "ts": "2026-12-01T12:00:00+00:00", "actor": "alice\n12:00:01 note", **fields}


def assert_one_safe_line(lines: list[str]) -> None:
    assert len(lines) == 1, lines
    line = lines[0]
    assert "\n" not in line and "\x1b" not in line and "\x07" not in line and "\u202e" not in line, line
    assert "\u23ce" in line and "\u241b" in line  # the newline and ESC are shown as ⏎ and ␛


def test_a_note_cannot_forge_an_event_line() -> None:
    assert_one_safe_line(describe(event(ev.NOTE, text=FORGED)))


def test_a_rejection_reason_and_a_step_title_are_shown_not_obeyed() -> None:
    assert_one_safe_line(describe(event(ev.STEP_REJECTED, step="deploy", phase="after", reason=FORGED)))
    assert_one_safe_line(describe(event(ev.SESSION_STARTED, runbook="demo", title=FORGED, mode="live")))


def test_a_problem_keeps_its_own_line_but_cannot_add_more() -> None:
    lines = describe(event(ev.STEP_FINISHED, step="s", status="failed", hosts={}, problems=[FORGED]))
    assert lines[0].endswith("step_finished      s FAILED")
    assert_one_safe_line(lines[1:])  # the one "   ✗ problem" line describe itself adds
    assert lines[1].startswith("   ✗ fine")


def test_output_lines_are_shown_one_by_one_without_escapes() -> None:
    lines = describe(event(ev.OUTPUT, host="web1", stream="stdout", text="ok\n\x1b[2Jcleared\rback\n"))
    assert all("\x1b" not in line and "\r" not in line for line in lines)
    assert lines[0].endswith("| ok")
