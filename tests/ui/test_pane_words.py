"""The step pane and the step list at 80x24, in the words the status rows use: a paused run with every step done is
not `finished`; a go-ahead refused is not marked as a rejected or failed run."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import FakeClient, painted, screen_is, settled, shared_session_events

from runbook_tui.engine.state_model import with_step
from runbook_tui.ui.step_list import StepList
from runbook_tui.ui.verifier_app import VerifierApp
from runbook_tui.ui.widgets import StepDetail


@pytest.mark.asyncio
async def test_a_paused_run_with_every_step_done_is_not_called_finished(workdir: Path) -> None:
    """Every step done, the run paused (it ends when resumed): the pane's title said `finished`. The pane must say
    `every step done` and that the run is paused (once the run has ended it says `finished`: test_hostile_screens)."""
    client = FakeClient(shared_session_events(workdir))
    state = client.state
    for step_id in state.order:
        state = with_step(state, step_id, status="done", attempts=1)
    client.state = dataclasses.replace(state, paused=True, pause_reason="paused by alice")
    app = VerifierApp(client)
    async with app.run_test(size=(80, 24)) as pilot:
        await screen_is(pilot, "VerifierScreen")
        await settled(pilot)
        pane = app.screen.query_one("#detail")
        assert pane.border_title == "every step done", pane.border_title
        said = " ".join(painted(app.screen.query_one(StepDetail)).split())
        assert said == "Every step is done. The run is paused: it finishes when resumed.", said


@pytest.mark.asyncio
async def test_a_refused_go_ahead_has_its_own_mark_in_the_list_and_the_pane(workdir: Path) -> None:
    """bob refused 'check' its go-ahead before it ran: the list marked it `✗`, as a rejected or failed run, under the
    pane's `GO-AHEAD REFUSED`. The list's row and the pane must both show `⊘`; a step rejected after it ran keeps `✗`."""
    client = FakeClient(shared_session_events(workdir))
    decided = {"decided_by": "bob", "decided_at": "2026-03-14T01:59:00Z", "reason": "not before noon"}
    refused = with_step(client.state, "check", status="rejected", decision="go-ahead refused", **decided)
    for state, mark, words in ((refused, "⊘", "⊘ GO-AHEAD REFUSED"), (with_step(refused, "check", decision="rejected", attempts=1), "✗", "✗ REJECTED")):
        client.state = state
        app = VerifierApp(client)
        async with app.run_test(size=(140, 45)) as pilot:  # the step list shows from 110 columns on
            await screen_is(pilot, "VerifierScreen")
            await settled(pilot)
            row = app.screen.query_one(StepList).row_text(0).plain
            assert row.startswith(f"{mark} ") and "check" in row, row
            pane = painted(app.screen.query_one(StepDetail))
            # bob's own screen (the fake client joined as bob): his word reads as his, as his status row says it
            assert words in pane and f"{mark} {state.steps['check'].decision} by you" in pane, pane


BLOCK_COMMANDS = """\
runbook: 1
id: block
title: Block scalars
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - id: edit
        title: Edit the config
        run: |
          cp app.conf app.conf.bak
          sed -i s/a/b/ app.conf
        undo: |
          cp app.conf.bak app.conf
"""


@pytest.mark.asyncio
async def test_a_block_scalar_command_has_no_empty_row_under_it_at_80x24(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`run: |` ends with a newline, which the pane drew as an empty row under the command (before `undo:`, and under
    `undo:` too): rows lost at 80x24 and a gap that read as the end of the step. The lines follow each other."""
    from run_screen_helpers import make_app, prepare_workdir, started

    prepare_workdir(tmp_path, monkeypatch, BLOCK_COMMANDS)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await settled(pilot)
        rows = painted(app.screen.query_one(StepDetail)).splitlines()
        at = next(n for n, row in enumerate(rows) if row.lstrip().startswith("run:"))
        assert [row.strip() for row in rows[at:]] == [
            "run:  cp app.conf app.conf.bak",
            "sed -i s/a/b/ app.conf",
            "undo: cp app.conf.bak app.conf",
        ], rows  # and nothing (no empty row) under the undo either
        assert rows[at + 1] == " " * len("run:  ") + "sed -i s/a/b/ app.conf", rows  # under the command's text, not at the margin


def _rolling(workdir: Path) -> list[dict[str, Any]]:
    """A shared run whose 'check' rolls out one host a wave over three (`verify: per_wave`), wave 1 done and waiting."""
    events = shared_session_events(workdir)
    at = {"actor": "system", "ts": "2026-03-14T02:00:01Z"}
    hosts = ["web1", "web2", "web3"]
    added = [
        {**at, "type": "step_started", "actor": "alice", "step": "check", "attempt": 1, "hosts": hosts, "phase": "run",
         "commands": {h: "echo check" for h in hosts}},
        {**at, "type": "wave_started", "step": "check", "wave": 1, "of": 3, "hosts": ["web1"]},
        {**at, "type": "wave_finished", "step": "check", "wave": 1, "of": 3, "failed": [], "stopped": False, "awaiting": True},
    ]  # fmt: skip
    return [*events, *({**event, "seq": len(events) + n} for n, event in enumerate(added))]


@pytest.mark.asyncio
async def test_a_wave_waiting_for_the_verifier_says_of_how_many_waves(workdir: Path) -> None:
    """Seen in a shared walk: the output said `roll wave 1/3 finished - waiting for the verifier` while the step pane
    under it said `wave 1 of 1+ done`, as if the rollout's length were unknown. The pane says `wave 1 of 3`, to the
    verifier as to the assignee (both fold the same wave events)."""
    client = FakeClient(_rolling(workdir))
    assert client.state.steps["check"].wave_awaiting == 1
    app = VerifierApp(client)
    async with app.run_test(size=(140, 45)) as pilot:
        await screen_is(pilot, "VerifierScreen")
        await settled(pilot)
        pane = painted(app.screen.query_one(StepDetail))
        assert "wave 1 of 3 done: the next waits for the verifier" in pane, pane
        assert "1+" not in pane, pane
