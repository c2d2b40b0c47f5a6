"""The assignee declines the verifier's rollback request with `x`: asked why, journaled, and the request answered.

Before: the run screen offered only `u` (follow it) for a rollback request; going on without rolling back left the
request standing and nothing on record said why.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import footer_keys, make_app, of_kind, painted, screen_is, settled, started, type_text, until, write_runbook

from runbook_tui.engine.controller import Actor
from runbook_tui.ui.status_stack import StatusStack

RUNBOOK = """\
runbook: 1
id: decline
title: Decline a rollback request
ticket: {id: CHG-6, subject: decline, assignee: alice, verifier: bob}
sections:
  - id: change
    title: Change
    kind: implement
    steps:
      - {id: edit, title: Edit, run: echo edited, undo: echo unedit, verify: none}
      - {id: reload, title: Reload, run: echo reloaded, verify: none}
"""


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_x_declines_the_verifiers_rollback_request_with_a_reason(workdir: Path, size: tuple[int, int]) -> None:
    write_runbook(workdir, RUNBOOK, "decline.yaml")
    app = make_app("decline.yaml", solo=None, verifier_in_process=True)
    bob = Actor("bob", "verifier")
    async with app.run_test(size=size, notifications=True) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        assert "x decline" not in footer_keys(app), "no request: x is not offered"
        assert controller.request_rollback(bob, "p99 doubled [b]now[/b]").ok
        await settled(pilot)
        stack = app.screen.query_one(StatusStack)
        assert "ROLLBACK REQUESTED" in painted(stack) and "x decline" in painted(stack), painted(stack)
        assert "x decline" in footer_keys(app)
        await pilot.press("x")
        await screen_is(pilot, "TextPrompt")
        assert "p99 doubled [b]now[/b]" in painted(app.screen), "the request is shown as written, never as markup"
        await type_text(pilot, "the batch job, not us")
        await pilot.press("enter")
        await until(pilot, lambda: controller.state.rollback_requested is None, "the request answered")
        await settled(pilot)
        assert "ROLLBACK REQUESTED" not in painted(app.screen.query_one(StatusStack))
        assert "x decline" not in footer_keys(app)
    [declined] = of_kind(workdir / "j.jsonl", "rollback_declined")
    assert declined["actor"] == "alice" and declined["reason"] == "the batch job, not us" and "p99 doubled" in declined["request"]
    assert not of_kind(workdir / "j.jsonl", "rollback_started")
