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


def assert_continuation(lines: list[str], lead: str) -> None:
    """Every line a command adds starts under `lead`'s end behind `│ `, and nothing of it reaches the terminal raw."""
    under = " " * (len(lead) - 2) + "│ "
    assert lines[0].startswith(lead), lines
    assert all(line.startswith(under) for line in lines[1:]), lines
    assert not any(bad in line for line in lines for bad in ("\n", "\x1b", "\x07", "\u202e")), lines


def test_a_newline_in_a_command_starts_a_continuation_line_never_an_event_line() -> None:
    lines = describe(event(ev.STEP_READY, step="s", title="t", commands={"web1": FORGED}, undo={"web1": "a\nb\n"}))
    assert lines[1:3] == ["   run on web1: fine", "              │ 12:00:00 session_finished   outcome done␛]0;pwned␇⟨U+202E⟩"], lines
    assert_continuation(lines[1:3], "   run on web1: ")
    assert lines[3:] == ["   undo on web1: a", "               │ b"], "the undo under its own lead; its last newline adds no line"


def test_a_rollbacks_undo_of_several_lines_is_shown_the_same_way() -> None:
    entry = {"step_id": "s", "host": "web1", "command": FORGED, "note": ""}
    lines = describe(event(ev.ROLLBACK_STARTED, scope="full", plan={"entries": [entry], "rollback_steps": []}))
    assert_continuation(lines[1:], "   undo s on web1: ")
    assert len(lines) == 3, lines


def test_a_command_several_hosts_run_alike_is_said_once_under_them() -> None:
    """A fleet step: `exec` printed the same command once per host before the step began (20 hosts, a 5-line command:
    100 lines); now once, under `run on 20 hosts (web1, web2, web3 and 17 more):`, its lines behind `│ ` as any
    command's further lines. A host whose command differs keeps its own line; one host keeps `run on web1: …`."""
    hosts = [f"web{n}" for n in range(1, 21)]
    commands = {host: "systemctl reload nginx\ncurl -fsS localhost/healthz" for host in hosts} | {"db1": "pg_ctl reload"}
    lines = describe(event(ev.STEP_READY, step="s", title="t", commands=commands, undo={host: FORGED for host in hosts}))
    assert lines[1:] == [  # hosts by name, numbers as numbers (engine/said.by_host): as the journal's line reads back
        "   run on db1: pg_ctl reload",
        "   run on 20 hosts (web1, web2, web3 and 17 more):",
        "     │ systemctl reload nginx",
        "     │ curl -fsS localhost/healthz",
        "   undo on 20 hosts (web1, web2, web3 and 17 more):",
        "     │ fine",
        "     │ 12:00:00 session_finished   outcome done␛]0;pwned␇⟨U+202E⟩",
    ], lines
    two = describe(event(ev.STEP_READY, step="s", title="t", commands={"a\x1b]0;x\x07": "true", "b": "true"}))
    assert two[1:] == ["   run on 2 hosts (a␛]0;x␇, b):", "     │ true"], two


def test_where_and_as_whom_a_command_runs_is_one_safe_line() -> None:
    """The step's cwd, sudo and env (exec said none of them), each shown on the line, never a second event line."""
    lines = describe(event(ev.STEP_READY, step="s", title="t", commands={"db1": "rm -rf data"}, cwd=FORGED, sudo=True, env={"MODE": "a\nb"}))
    assert lines[2] == "   run on db1: rm -rf data"
    assert lines[1].startswith("   in fine⏎12:00:00 session_finished") and lines[1].endswith("; with sudo -n; env MODE=a⏎b"), lines
    assert "\x1b" not in lines[1] and "\u202e" not in lines[1]
    # a note or wait has no command: no such line
    assert describe(event(ev.STEP_READY, step="n", title="t", text="do it", cwd="/x")) == [describe(event(ev.STEP_READY, step="n", title="t"))[0], "   do it"]
