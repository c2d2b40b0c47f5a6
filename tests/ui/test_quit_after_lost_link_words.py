"""`q` after a step failed because its host's link was lost mid-command (the command ran on there, detached).

Before: the exit note, which `resume` prints as `Left at …`, read `run was stopped by alice's quit (q) at 'roll' (nothing
was running)` just above resume's line that the command may still be running on peer01: a contradiction. Now it says
what it means: the program was running nothing, the host may still be.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from peers import Sshd
from run_screen_helpers import started, until
from test_rerun_after_lost_link import app_for, ledger, own  # noqa: F401 (own: the fixture)

from runbook_tui.app.stopped import journal_stop

pytestmark = pytest.mark.peers


@pytest.mark.asyncio
async def test_the_exit_note_after_a_lost_link_does_not_say_nothing_was_running(workdir: Path, own: Sshd) -> None:  # noqa: F811
    async with app_for(workdir, own).run_test(size=(140, 45)) as pilot:
        controller = await started(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: ledger(workdir)["start"] == 1, "the command to start", seconds=60)
        own.stop()  # every sshd process: the link drops; the detached command lives on
        await until(pilot, lambda: controller.state.steps["roll"].status == "failed" and not controller.busy, "the step to fail", seconds=90)
        journal_stop(controller, "alice's quit (q)", "run")
    notes = [e for e in map(json.loads, (workdir / "j.jsonl").read_text().splitlines()) if e.get("request") == "exit"]
    said = notes[-1]["text"]
    assert "nothing was running" not in said, said
    assert "at 'roll' (the program was running nothing; peer01 may still be)" in said, said
