"""`runbook-tui exec` prints a command of several lines (`run: |`, a heredoc) as one command: each further line under
the first, behind `│ `, its text in the column where the first line's starts. Before, the whole command was one line
with `⏎` between its lines (`run on local: echo one⏎printf …⏎echo three⏎`), and a dry run's continuation lines
printed at the output's margin (`local | echo two`), read as output. A real process, real `sh`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

RUNBOOK = """\
    runbook: 1
    id: multi-line
    title: Commands of several lines
    sections:
      - id: impl
        title: Change
        kind: implement
        steps:
          - id: three
            title: Three lines
            run: |
              echo one >> log
              printf '%s\\n' two >> log
              echo three >> log
            undo: |
              echo undo-one >> log
              echo undo-two >> log
          - id: hostile
            title: An escape sequence on a continuation line
            run: "echo first >> log\\necho '\\u001b]0;pwned\\u0007 \\u202e' >> hostile"
"""

RUN_LEAD = "   run on local: "
UNDER = " " * (len(RUN_LEAD) - 2) + "│ "


def exec_runbook(workdir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    path = workdir / "runbook.yaml"
    path.write_text(textwrap.dedent(RUNBOOK), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("RUNBOOK_TUI_USER", "RUNBOOK_TUI_SETTINGS")}
    env.update(XDG_CONFIG_HOME=str(workdir / "xdg-config"), XDG_STATE_HOME=str(workdir / "xdg-state"))
    return subprocess.run(
        [sys.executable, "-m", "runbook_tui", "exec", str(path), "--solo", "e2e test", "--journal", "run.jsonl", *extra],
        cwd=workdir, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def following(lines: list[str], first: str, count: int) -> list[str]:
    """`first` and the `count` lines after it."""
    assert first in lines, "\n".join(lines)
    at = lines.index(first)
    return lines[at : at + 1 + count]


def test_each_further_line_of_a_command_prints_under_the_first_behind_a_mark(tmp_path: Path) -> None:
    result = exec_runbook(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert following(lines, RUN_LEAD + "echo one >> log", 2) == [
        RUN_LEAD + "echo one >> log",
        UNDER + "printf '%s\\n' two >> log",
        UNDER + "echo three >> log",
    ], "before: one line, `echo one >> log⏎printf …⏎echo three >> log⏎`"
    undo_lead = "   undo on local: "
    assert following(lines, undo_lead + "echo undo-one >> log", 1) == [
        undo_lead + "echo undo-one >> log",
        " " * (len(undo_lead) - 2) + "│ echo undo-two >> log",  # the undo's own column, after its longer lead
    ]
    assert not [line for line in lines if line.startswith(("echo", "printf"))], "no line of a command at the margin"
    assert not [line for line in lines if line.rstrip() == UNDER.rstrip()], "the block scalar's last newline adds no empty line"
    assert (tmp_path / "log").read_text().splitlines() == ["one", "two", "three", "first"], "the three lines ran as one script"
    ready = [e for e in map(json.loads, (tmp_path / "run.jsonl").read_text().splitlines()) if e["type"] == "step_ready"]
    assert ready[0]["commands"] == {"local": "echo one >> log\nprintf '%s\\n' two >> log\necho three >> log\n"}, "the journal keeps it as it is"


def test_an_escape_sequence_on_a_continuation_line_is_still_shown_not_sent(tmp_path: Path) -> None:
    result = exec_runbook(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    for bad in ("\x1b", "\x07", "\u202e"):
        assert bad not in result.stdout, repr(bad)
    lines = result.stdout.splitlines()
    assert following(lines, RUN_LEAD + "echo first >> log", 1)[1] == UNDER + "echo '␛]0;pwned␇ ⟨U+202E⟩' >> hostile"
    assert (tmp_path / "hostile").read_text() == "\x1b]0;pwned\x07 \u202e\n", "what ran is the command as written"


def test_a_dry_run_shows_the_command_under_its_would_run_line_indented_not_behind_a_second_bar(tmp_path: Path) -> None:
    """Each line of the command under `[dry-run] would run on local:`, indented behind the output's own gutter. Before,
    they stood behind a second bar under the lead's end (`  local |                             │ printf …`): two
    columns of output, the command squeezed into the right one (at 80 columns each line wrapped)."""
    result = exec_runbook(tmp_path, "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    would = "  local | [dry-run] would run on local:"
    under = "  local |     "
    assert following(lines, would, 3) == [
        would,
        under + "echo one >> log",
        under + "printf '%s\\n' two >> log",
        under + "echo three >> log",
    ], "before: `local | printf …` and `local | echo three …`, read as output, and an empty `local | ` line"
    hostile = lines.index(under + "echo first >> log")
    assert lines[hostile - 1] == would and lines[hostile + 1] == under + "echo '␛]0;pwned␇ ⟨U+202E⟩' >> hostile", lines
    assert not [line for line in lines if line.startswith("  local |") and "│" in line], "no second bar inside the output's gutter"
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert not (tmp_path / "log").exists(), "a dry run runs nothing"
