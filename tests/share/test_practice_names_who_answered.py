"""Practice names each of the night's verifiers as they acted: a shift change bob -> carol plays as carol's word.

Found in a walk: a shared run over the real share where bob confirmed 'one' and 'two' and carol took over for
'three' (journaled as a handover). Its practice played every confirmation as `bob (recorded)`: the practice journal,
its log and its report said bob confirmed 'three', which carol did, and no handover was there to meet.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from share_peers import Lab, awaiting, bob_and_carol, confirm_next, journal, of_type, until

from runbook_tui.app import practice
from runbook_tui.engine.controller import Actor
from runbook_tui.report import practice_md
from runbook_tui.report.assemble import build_report
from runbook_tui.report.markdown import render

pytestmark = pytest.mark.asyncio


async def _night_with_a_handover(lab: Lab) -> Path:
    shared, first, second, tasks = await bob_and_carol(lab)
    try:
        await confirm_next(first, "one")
        await confirm_next(first, "two")
        await until(lambda: awaiting(second) == "three", what="'three' waiting on carol's replica")
        await confirm_next(second, "three")  # the shift changes
        assert await shared.exit_code() == 0, shared.stderr()
        await asyncio.wait_for(asyncio.gather(*tasks), 5)
    finally:
        for client in (first, second):
            await client.close()
    night = journal(shared.journal)
    assert [e["actor"] for e in of_type(night, "step_confirmed")] == ["bob", "bob", "carol"]
    return shared.journal


async def _practise(night: Path, out: Path) -> str:
    run = practice.open_practice(str(night), out_journal=str(out))
    controller = run.session.controller
    trainee = Actor("trainee", "assignee")
    run.verifier.kick()
    try:
        for step in ("one", "two", "three"):
            await until(lambda step=step: controller.state.current == step and not controller.busy, what=f"{step} current")  # type: ignore[misc]
            assert controller.run_current(trainee).ok
        await until(lambda: controller.state.finished, what="the practice to end")
        return practice_md.render(run.results(), str(night), "trainee")
    finally:
        await run.session.close()


@pytest.mark.peers
async def test_each_confirmation_of_the_night_is_played_by_who_gave_it(lab: Lab, tmp_path: Path) -> None:
    night = await _night_with_a_handover(lab)
    out = tmp_path / "practice.jsonl"
    results = await _practise(night, out)
    played = journal(out)
    confirmed = [(e["step"], e["actor"]) for e in of_type(played, "step_confirmed")]
    assert confirmed == [("one", "bob (recorded)"), ("two", "bob (recorded)"), ("three", "carol (recorded)")], confirmed
    handovers = [(e["from"], e["to"]) for e in of_type(played, "verifier_handover")]
    assert handovers == [("bob (recorded)", "carol (recorded)")], handovers
    joined = [e["name"] for e in of_type(played, "participant_joined") if e.get("role") == "verifier"]
    assert "carol (recorded)" in joined, joined
    report = render(build_report(out))
    assert "carol" in report.split("**Verifier**", 1)[1].splitlines()[0], report
    played_back = next(line for line in results.splitlines() if "bob" in line)
    assert "bob, carol" in played_back, results
