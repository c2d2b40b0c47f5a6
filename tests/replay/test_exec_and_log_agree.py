"""`exec` and the run screen's log say the same words for the same journal.

One run by `exec` (a real process: a step fails, the full rollback undoes the rest); its
journal replayed in the TUI (the replay log equals the live one: test_replay_log.py). Every
line the log shows is on exec's stdout with the same text: exec puts the time and the type
in front, the log a mark (and a decision's time); output reads `host | text` on one and
`host │ text` on the other.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest

from runbook_tui.ui.log_lines import LOGGED
from runbook_tui.ui.output_pane import CONTINUED, OutputLog
from runbook_tui.ui.replay_app import ReplayApp
from runbook_tui.ui.replay_screen import ReplayScreen
from tests.engine.test_exec_cli import RUNBOOK, run_exec
from tests.ui.run_screen_helpers import SIZE, events, settled

EXEC_EVENT = re.compile(r"^\d\d:\d\d:\d\d (\w+) +(.*)$")
LOG_MARK = re.compile(r"^(──|✓|✗|‖|↩|!!|!|↷|⚑) (\d\d:\d\d:\d\d )?")


def exec_words(stdout: str) -> list[str]:
    """exec's lines of the events the log shows (and their detail lines), and its output lines, without the time and type."""
    words: list[str] = []
    kind: str | None = None
    for line in stdout.splitlines():
        event = EXEC_EVENT.match(line)
        if event:
            kind = event[1]
            if kind in LOGGED:
                words.append(event[2])
        elif line.startswith("   "):
            if kind in LOGGED:
                words.append(line)
        elif line.startswith("  "):
            words.append(line[2:].replace(" | ", " │ ", 1))
        else:
            kind = None
    return words


def log_words(lines: list[str]) -> list[str]:
    """The pane's rows as lines again (a narrated line wraps between words, `  ↪ ` going on), without the mark."""
    joined: list[str] = []
    for line in lines:
        if line.startswith(CONTINUED) and joined:
            joined[-1] += " " + line.removeprefix(CONTINUED)
        else:
            joined.append(line)
    return [spaced(LOG_MARK.sub("", line, count=1)) for line in joined]


def spaced(line: str) -> str:
    """Runs of spaces as one: where a wrapped row was cut leaves a space, or two."""
    return re.sub(r"(?<=\S)  +", " ", line.rstrip())


@pytest.mark.asyncio
async def test_exec_prints_what_the_log_shows_for_the_same_journal(tmp_path: Path) -> None:
    (tmp_path / "make-c-fail").touch()
    result = run_exec(tmp_path, RUNBOOK, f"s3cr3t-{uuid.uuid4().hex}", "--on-failure", "abort")
    assert result.returncode == 1, result.stdout + result.stderr
    journal = events(tmp_path / "run.jsonl")

    replay = ReplayApp(journal, label="run.jsonl")
    async with replay.run_test(size=SIZE) as pilot:
        screen = replay.screen
        assert isinstance(screen, ReplayScreen)
        await pilot.press("end")
        await settled(pilot)
        shown = list(screen.query_one(OutputLog).lines)

    assert "── c started (attempt 1) on local" in shown and any(line.startswith("── c FAILED") for line in shown), shown
    assert any(re.match(r"↩ \d\d:\d\d:\d\d rollback \(full\) started by ", line) for line in shown), shown
    # where `u` goes back to is said as it is reached, between the checkpoint step's end and the next step (before, the
    # header's `⚑ last checkpoint` only: a trainee scrolling the log never read it)
    a_done = next(i for i, line in enumerate(shown) if line.startswith("── a done"))
    assert shown[a_done + 1] == "⚑ checkpoint a", shown
    assert log_words(shown) == [spaced(line) for line in exec_words(result.stdout)]
