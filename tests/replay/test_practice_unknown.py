"""Practice meets the night's unknown: where the night's process died while a step ran, the trainee's step ends
`unknown` (as `resume` found it), `d` marks it done with a reason as live, enter re-runs it, and the results set the
trainee's choice beside the night's (its `step_marked_done`, or its re-run after the resume).

Before, the killed take FAILED with `… (here it counts as failed)` and `d` was never offered: the moment the night's
assignee had to decide was the one a trainee could not practise.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from replay_helpers import night_place, text_of, until

from runbook_tui.app import practice
from runbook_tui.engine import events as ev
from runbook_tui.engine.controller import Actor, Controller
from runbook_tui.engine.event_words import said
from runbook_tui.engine.journal import JournalWriter, read_events
from runbook_tui.engine.practice_unknown import NightStop, night_stops
from runbook_tui.engine.state import replay
from runbook_tui.report import practice_md
from runbook_tui.runbook.loader import load_runbook
from runbook_tui.ui.footer import KeyFooter
from runbook_tui.ui.modals import TextPrompt
from runbook_tui.ui.practice_screens import PracticeApp
from runbook_tui.ui.run_screen import RunScreen
from tests.report.make_fixture import HANG, Clock, Reply, ScriptedHosts, ok

NIGHT = """\
runbook: 1
id: widget
title: Restart the widget
hosts:
  app:
    - {name: app1, address: 192.0.2.11}
    - {name: app2, address: 192.0.2.12}
    - {name: app3, address: 192.0.2.13}
sections:
  - id: main
    title: Change
    steps:
      - {id: restart, title: Restart the widget, on: app1, run: systemctl restart widget, undo: systemctl restart widget, retries: 2, verify: none}
      - {id: roll, title: Roll the config out, on: app, serial: 1, run: widgetctl reload, undo: widgetctl reload, verify: none}
"""
ALICE = Actor("alice", "assignee")
CHECKED = "checked by hand: systemctl status widget on app1 shows active since 02:03"
SCRIPT = {
    ("restart", "run1", "app1"): HANG,
    ("roll", "run1", "app1"): Reply(out="reloaded app1\n"),
    # the re-run follows the run the dead process left on app2 (its key: engine/reattach.py), which ends then
    ("roll", "run1", "app2"): [HANG, Reply(out="reloaded app2\n")],
    ("roll", "run2", "app3"): Reply(out="reloaded app3\n"),
}


async def _die(c: Controller, step: str, wave: int) -> None:
    """The laptop dies while `step`'s `wave` runs (its command hangs): the journal ends in it."""
    ok(c.run_current(ALICE))

    def hung() -> bool:
        return len(c.state.steps[step].waves) == wave and c.state.steps[step].status == "running"

    for _ in range(1000):
        if hung():
            break
        await asyncio.sleep(0.01)
    assert hung(), c.state.steps[step]
    task = c._task
    assert task is not None
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    c.journal.close()


@pytest.fixture()
def night(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A solo night: the process died in `restart` (resumed 3 min later, marked done by hand), then in `roll`'s
    second wave (resumed, re-run: `d` was refused, app3's wave had never begun)."""
    journal = night_place(tmp_path, monkeypatch, NIGHT, user="carol")

    async def the_night() -> None:
        clock = Clock("2026-11-23T02:00:00+00:00")
        hosts = ScriptedHosts(clock, SCRIPT)

        def controller() -> Controller:
            state = replay(read_events(journal).events) if journal.exists() else None
            runbook = load_runbook("night.yaml", {}).runbook
            return Controller(runbook, JournalWriter(journal, clock=clock), lambda _h: hosts, assignee="alice", solo="night", state=state)  # type: ignore[arg-type,return-value]

        c = controller()
        c.start(journal_path=journal.name)
        await _die(c, "restart", 0)
        clock.advance(180)
        c = controller()
        c.resumed(4242)
        clock.advance(40)
        ok(c.mark_done(ALICE, CHECKED))
        await _die(c, "roll", 2)
        clock.advance(60)
        c = controller()
        c.resumed(4243)
        assert c.mark_done(ALICE, "looked").ok is False  # app3's wave never began
        clock.advance(20)
        ok(c.run_current(ALICE, acknowledged=True))  # the night's re-run: its first run may still have been running, she said y
        await c.wait_idle()
        assert c.state.finished and c.state.outcome == "done", c.state.outcome
        c.journal.close()

    asyncio.run(the_night())
    return journal


def test_the_trainee_meets_the_nights_unknown_marks_it_done_and_re_runs_where_d_is_refused(night: Path, tmp_path: Path) -> None:
    async def the_practice() -> None:
        run = practice.open_practice(str(night), out_journal=str(tmp_path / "practice.jsonl"))
        c, carol = run.session.controller, run.session.actor
        try:
            ok(c.run_current(carol))
            await asyncio.wait_for(c.wait_idle(), 20)
            restart = c.state.steps["restart"]
            assert restart.status == "unknown" and restart.hosts["app1"].status == "unknown", restart  # it FAILED
            assert "mark_done" in c.allowed_intents() and "run" in c.allowed_intents()
            assert c.mark_done(carol, "  ").ok is False
            ok(c.mark_done(carol, "would check systemctl status on app1"))
            assert c.state.steps["restart"].status == "done"

            ok(c.run_current(carol))  # roll: app1's wave plays, the night died in app2's
            await asyncio.wait_for(c.wait_idle(), 20)
            roll = c.state.steps["roll"]
            assert roll.status == "unknown", roll
            assert {h: hs.status for h, hs in roll.hosts.items()} == {"app1": "done", "app2": "unknown", "app3": "pending"}, roll.hosts
            refused = c.mark_done(carol, "looked")
            assert not refused.ok and "never started on app3" in refused.message and "re-run it (enter; resume --rerun)" in refused.message, refused
            ok(c.run_current(carol))  # the re-run goes on where the night's did: app2 and app3, the night's second try
            await asyncio.wait_for(c.wait_idle(), 20)
            assert c.state.finished and c.state.outcome == "done", c.state.outcome
            results = run.results()
        finally:
            await run.session.close()
        rows = [(p.step, p.night.kind if p.night else None, p.trainee.kind if p.trainee else None) for p in results.points]
        assert rows == [("restart", "run", "run"), ("restart", "mark done", "mark done"), ("roll", "run", "run"), ("roll", "re-run", "re-run")], rows
        assert results.score == (4, 4)
        marked = results.points[1]
        assert (
            marked.why
            == f"on the night the program stopped during its last try and alice ran `resume` 3m later; then it was marked done by hand by alice, recorded unverified: {CHECKED}"
        ), marked.why
        rerun = results.points[3]
        assert rerun.why == "on the night the program stopped during its last try and alice ran `resume` 1m later; then it ran cleanly", rerun.why
        assert practice_md.trainee_words(marked) == "mark done: would check systemctl status on app1", "how the trainee checked, for the trainer"

    asyncio.run(the_practice())
    events = read_events(tmp_path / "practice.jsonl").events
    finished = [e for e in events if e["type"] == ev.STEP_FINISHED]
    assert [(e["step"], e["status"]) for e in finished] == [("restart", "unknown"), ("roll", "unknown"), ("roll", "done")]
    assert finished[0]["hosts"]["app1"]["error"] == "on the night the program stopped while this ran: its end was not recorded"
    roll = said(finished[1])
    assert roll is not None and "   ↷ app3: on the night the program stopped before this host's wave began" in roll.lines, roll  # every view says it
    waves = [(e["step"], e.get("wave")) for e in events if e["type"] == ev.WAVE_FINISHED]
    assert waves == [("roll", 1), ("roll", 2), ("roll", 3)], "the wave the night died in never finished; the re-run's waves did"
    notes = [str(e["text"]) for e in events if e["type"] == ev.NOTE and str(e.get("text")).startswith("[practice] the night's recording")]
    assert notes[0].startswith("[practice] the night's recording of 'restart' ends here: the program stopped while it ran; alice ran `resume` 3m")
    assert "d marks it done once you say how you checked (practice checks nothing" in notes[0] and len(notes) == 2, notes
    assert not [e for e in events if e["type"] == ev.NOTE and "retry" in str(e.get("text"))], "the night made no retry of the try it died in"


@pytest.mark.asyncio
async def test_at_80x24_the_run_screen_offers_d_on_the_nights_unknown_and_d_marks_it_done(night: Path, tmp_path: Path) -> None:
    """What the trainee sees: `restart` UNKNOWN, the note saying the night's recording ends there, `d mark done` in the
    footer; `d`, a reason, enter: marked done as live, and the practice goes on to `roll`."""
    app = PracticeApp(practice.open_practice(str(night), out_journal=str(tmp_path / "practice.jsonl")))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: isinstance(app.screen, RunScreen) and app.handle is not None, pilot, "the run screen")
        assert app.handle is not None
        c = app.handle.controller
        await pilot.press("enter")
        await until(lambda: "note by the program: [practice] the night's" in text_of(app.screen), pilot, "the note on the unknown end")
        words = text_of(app.screen)
        assert "'restart' outcome UNKNOWN" in words and "d mark done" in text_of(app.screen.query_one(KeyFooter)), words
        await pilot.press("d")
        await until(lambda: isinstance(app.screen, TextPrompt), pilot, "the mark-done prompt")
        await pilot.press(*"checked it", "enter")
        await until(lambda: c.state.steps["restart"].status == "done", pilot, "restart marked done")
        assert c.state.steps["restart"].reason == "checked it" and c.state.current == "roll"


def test_a_look_before_the_nights_resume_leaves_the_wait_counted_from_the_death() -> None:
    """`resume --headless` alone journals `session_interrupted` (a look); the note's "ran `resume` 3m later" counts from
    the last event of the dead process, not from the look."""

    def at(kind: str, minute: int, **fields: object) -> dict[str, object]:
        return {"type": kind, "ts": f"2026-03-14T02:{minute:02d}:00.000Z", "actor": "alice", **fields}

    night = [at("step_started", 0, step="reload", attempt=1), at("output", 1, step="reload"), at("session_interrupted", 2), at("session_resumed", 4)]
    assert night_stops(night) == {("reload", 1): NightStop("alice", 180.0)}
    assert night_stops(night[:3]) == {("reload", 1): NightStop(None, None)}, "looked at, never resumed: nobody decided there"
