"""A step whose texts render only when it starts (`captured.*`, `host`) reads, before then, in words: never `{{`.

Seen in a shared walk: the step list of the assignee, the verifier and the observer showed `Use replica {{
captured.replica }}` and `Roll out on {{ host.name }}` for the whole run up to those steps, and a step looked at ahead
(arrow keys) showed `run:  echo using {{ captured.replica }}`: template syntax the spec says never survives rendering.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import SIZE, make_app, painted, prepare_workdir, run_step, screen_is, settled, started, until

from runbook_tui.ui.step_list import StepList
from runbook_tui.ui.widgets import StepDetail

LATER = """\
runbook: 1
id: later
title: Rendered later
hosts:
  fleet:
    - {name: web1, address: 127.0.0.1}
    - {name: web2, address: 127.0.0.1}
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - id: backup
        title: Take the backup
        run: echo /var/backups/pg.tar
        capture: backup
      - id: restore
        title: "Restore {{ captured.backup }}"
        run: echo restoring {{ captured.backup }}
        undo: echo removing {{ captured.backup }}
      - id: roll
        title: "Roll out on {{ host.name }}"
        on: fleet
        run: echo {{ host.name }}
"""


@pytest.mark.asyncio
async def test_titles_and_commands_not_rendered_yet_read_in_words(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prepare_workdir(tmp_path, monkeypatch, LATER)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await settled(pilot)
        steps = app.screen.query_one(StepList)
        rows = [steps.row_text(row).plain for row in range(steps.row_count)]
        assert not any("{{" in row for row in rows), rows
        assert "Restore ⟨captured.backup⟩" in rows[1], rows  # the pane says where it comes from
        assert "Roll out on ⟨host.name⟩" in rows[2], rows
        await pilot.press("down")  # look ahead at 'restore' (the current step stays 'backup')
        detail = app.screen.query_one(StepDetail)
        await until(pilot, lambda: "restoring" in painted(detail), "the pane to show 'restore'")
        pane = painted(detail)
        assert "{{" not in pane, pane
        assert "run:  echo restoring ⟨captured.backup: from step 'backup'⟩" in pane, pane
        assert "undo: echo removing ⟨captured.backup: from step 'backup'⟩" in pane, pane
        assert "Restore ⟨captured.backup: from step 'backup'⟩" in pane, pane


ASKED = """\
runbook: 1
id: asked
title: A question on a capture
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - id: backup
        title: Take the backup
        run: echo /var/backups/pg.tar
        capture: backup
      - id: check
        title: "Check {{ captured.backup }}"
        ask: "Is {{ captured.backup }} complete? [y/n]"
"""


@pytest.mark.asyncio
async def test_the_question_and_the_skip_dialog_show_the_step_as_rendered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The assignee's question dialog read the plan's `Is {{ captured.backup }} complete?` while the pane (and the
    verifier's) said the rendered `Is /var/backups/pg.tar complete?`; `s` said the title as its template too."""
    prepare_workdir(tmp_path, monkeypatch, ASKED)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await run_step(pilot, "backup")
        await settled(pilot)
        assert "Is /var/backups/pg.tar complete? [y/n]" in painted(app.screen.query_one(StepDetail))
        await pilot.press("enter")
        asked = await screen_is(pilot, "TextPrompt")
        said = painted(asked.query_one("#dialog-body"))
        assert "Is /var/backups/pg.tar complete? [y/n]" in said and "{{" not in said, said
        await pilot.press("escape")
        await screen_is(pilot, "RunScreen")
        await pilot.press("s")
        skip = await screen_is(pilot, "TextPrompt")
        said = painted(skip.query_one("#dialog-body"))
        assert "Check /var/backups/pg.tar" in said and "{{" not in said, said
