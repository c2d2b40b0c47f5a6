"""A headless drive's own words are journaled as the program's, not as the person who started it.

`exec` stopping at a step a person must do wrote `exec stopped at 'tags': a note step is done by a person; …` as a note
by alice (who ran exec), so the log, replay and the report's Notes read `note by alice: …`, words alice never wrote.
"""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path

from runbook_tui.engine.autopilot import Policy, drive
from runbook_tui.engine.controller import Actor, Controller
from runbook_tui.engine.journal import JournalWriter, read_events
from runbook_tui.engine.redact import Redactor
from runbook_tui.execute.local import LocalExecutor
from runbook_tui.report import build_report, render
from runbook_tui.runbook.loader import load_runbook

RUNBOOK = """\
runbook: 1
id: program-notes
title: Program notes
sections:
  - id: impl
    title: Implement
    kind: implement
    steps:
      - {id: work, title: work, run: "true", verify: none}
      - {id: tags, title: Add the tags to patroni.yml, note: "by hand", verify: none}
"""


def test_exec_stopping_at_a_persons_step_says_so_as_the_program(tmp_path: Path) -> None:
    path = tmp_path / "runbook.yaml"
    path.write_text(textwrap.dedent(RUNBOOK))
    journal = JournalWriter(tmp_path / "journal.jsonl", Redactor([]))
    controller = Controller(load_runbook(str(path), {}).runbook, journal, lambda _host: LocalExecutor(), assignee="alice", solo="a test")
    controller.start(journal_path="journal.jsonl")
    assert asyncio.run(drive(controller, Actor("alice", "assignee"), policy=Policy())) == "manual"
    journal.close()

    [note] = [e for e in read_events(tmp_path / "journal.jsonl").events if e["type"] == "note"]
    assert note["text"].startswith("exec stopped at 'tags': a note step is done by a person"), note
    assert (note["actor"], note["step"]) == ("system", "tags"), note
    rows = [line for line in render(build_report(str(tmp_path / "journal.jsonl")), "md").splitlines() if "exec stopped at 'tags'" in line]
    assert rows and all("the program" in row and "alice" not in row for row in rows), rows
