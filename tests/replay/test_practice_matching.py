"""Which of the trainee's moves stands beside each of the night's: a pause the night never made does not take the place
of the run that followed it at the same point."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from replay_helpers import night_place

from runbook_tui.app import practice
from runbook_tui.app.session import load, open_session
from runbook_tui.engine.journal import read_events
from runbook_tui.engine.practice_results import compare
from runbook_tui.report import build_report, practice_md, render
from runbook_tui.report.practice_md import decision_words


def _a_minute_on(ts: str) -> str:
    moment = dt.datetime.fromisoformat(ts.replace("Z", "+00:00")) + dt.timedelta(minutes=1)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


NIGHT = """\
runbook: 1
id: matching
title: Matching
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - {id: check, title: Check, run: "echo ready", verify: none}
      - {id: change, title: Change, run: "echo changed", verify: none}
"""


@pytest.fixture()
def night(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A solo night: alice ran `check` and `change`, and finished."""
    journal = night_place(tmp_path, monkeypatch, NIGHT)

    async def the_night() -> None:
        session = open_session(load("night.yaml", {}), solo="night shift", journal=str(journal))
        c, alice = session.controller, session.actor
        for _ in range(2):
            assert c.run_current(alice).ok
            await c.wait_idle()
        c.finish(alice, "done")
        await session.close()

    asyncio.run(the_night())
    return journal


def test_a_pause_first_leaves_the_run_beside_the_nights_run(night: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """erin paused before `check` (to read the runbook), resumed, then ran it, as the night did. Before: her pause stood
    beside the night's `run` (different) and her run was listed after as `not a decision point on the night`: 1 of 2."""
    monkeypatch.setenv("RUNBOOK_TUI_USER", "erin")

    async def practise() -> list[dict[str, object]]:
        run = practice.open_practice(str(night))
        c, erin = run.session.controller, run.session.actor
        assert c.pause(erin, "reading the runbook first").ok
        assert c.pause(erin).ok  # p again: resumed
        for _ in range(2):
            assert c.run_current(erin).ok
            await c.wait_idle()
        c.finish(erin, "done")
        await run.session.close()
        return read_events(run.session.journal_path).events

    mine = asyncio.run(practise())
    results = compare(read_events(night).events, mine)
    rows = [(p.step, decision_words(p.night, "—"), decision_words(p.trainee, "—")) for p in results.points]
    assert rows[:2] == [("check", "run", "run"), ("change", "run", "run")], rows
    assert sorted(trainee for _step, night_words, trainee in rows[2:] if night_words == "—") == ["pause", "resume"], rows
    assert results.score == (2, 2)


def test_the_nights_time_to_decide_on_resume_counts_from_the_stop_not_the_resume(night: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A guard paused the night, the process stopped there (exec), and a minute later bob ran `resume --rollback`.
    Before: the night's `roll back` took `0s` (counted from the resume's own event, journaled a millisecond before
    it), beside a trainee who took 8s over the same pause: the night read as instant."""
    from runbook_tui.engine.controller import SYSTEM

    journal = night.parent / "paused.jsonl"

    async def paused_night() -> None:
        session = open_session(load("night.yaml", {}), solo="night shift", journal=str(journal))
        c, alice = session.controller, session.actor
        assert c.run_current(alice).ok
        await c.wait_idle()
        assert c.pause(SYSTEM, "guard 'errors' tripped").ok
        c.resumed(4242)  # as `resume` journals it, in the process that took over
        assert c.rollback(alice, "checkpoint", acknowledged=True, reason="rollback (checkpoint) chosen on resume").ok
        await c.wait_idle()
        await session.close()

    asyncio.run(paused_night())
    events = read_events(journal).events
    at = next(n for n, e in enumerate(events) if e["type"] == "session_resumed")
    later = [{**e, "ts": _a_minute_on(e["ts"])} for e in events[at:]]
    results = compare([*events[:at], *later], [])
    [rollback] = [p.night for p in results.points if p.night is not None and p.night.kind == "roll back"]
    assert 59.0 <= rollback.seconds <= 61.0, rollback.seconds


ROLLED = """\
runbook: 1
id: matching
title: Matching
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - {id: a, title: A, run: "echo a", undo: "echo undo-a", checkpoint: true, verify: none}
      - {id: b, title: B, run: "echo b", undo: "echo undo-b", verify: none}
      - {id: c, title: C, run: "echo c", undo: "echo undo-c", verify: none}
"""


def test_the_assignees_own_note_while_deciding_does_not_restart_the_time_to_decide(night: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """carol, at `change`, writes a note a minute after `check` ended, then runs `change` a minute later: she took two
    minutes. Before: 60 s: the night's run of `change` read as taken in the time since her own note (a note is no
    situation arising: it is written while deciding), beside a trainee who took as long without a note."""
    journal = night.parent / "noted.jsonl"

    async def noted_night() -> None:
        session = open_session(load("night.yaml", {}), solo="night shift", journal=str(journal))
        c, alice = session.controller, session.actor
        assert c.run_current(alice).ok
        await c.wait_idle()
        assert c.note(alice, "dashboard looks fine").ok
        assert c.run_current(alice).ok
        await c.wait_idle()
        await session.close()

    asyncio.run(noted_night())
    events = read_events(journal).events
    noted = next(n for n, e in enumerate(events) if e["type"] == "note")
    later = [{**e, "ts": _a_minute_on(e["ts"])} for e in events[noted:]]  # the note a minute on
    started = next(n for n, e in enumerate(later) if e["type"] == "step_started")
    later[started:] = [{**e, "ts": _a_minute_on(e["ts"])} for e in later[started:]]  # the run a minute after the note
    results = compare([*events[:noted], *later], [])
    [change] = [p.night for p in results.points if p.night is not None and p.night.step == "change"]
    assert 119.0 <= change.seconds <= 121.0, change.seconds


def test_the_nights_moves_after_a_rollback_the_trainee_never_needed_did_not_arise_in_a_practice_run_to_its_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At `c` the night rolled back to `a`, ran `b` again, then ran `c`; the trainee ran `c` straight away and the
    practice ended done. Their run stands beside the night's rollback (the difference); the night's re-run of `b` and
    its run of `c` after the rollback did not arise for them. Before: both read `did not get here` and counted against
    a trainee whose run had ended done (the results screen of a run through to its end said 2 of 5)."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (tmp_path / "no-settings.yaml").touch()
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(tmp_path / "no-settings.yaml"))
    monkeypatch.chdir(tmp_path)
    Path("night.yaml").write_text(ROLLED, encoding="utf-8")
    journal = tmp_path / "night.jsonl"

    async def the_night() -> None:
        monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
        session = open_session(load("night.yaml", {}), solo="night shift", journal=str(journal))
        c, alice = session.controller, session.actor
        for _ in range(2):
            assert c.run_current(alice).ok
            await c.wait_idle()
        assert c.rollback(alice, "checkpoint", acknowledged=True).ok  # at c: back to a, b undone
        await c.wait_idle()
        for _ in range(2):  # b again, then c
            assert c.run_current(alice).ok
            await c.wait_idle()
        await session.close()

    async def practise() -> list[dict[str, object]]:
        monkeypatch.setenv("RUNBOOK_TUI_USER", "erin")
        run = practice.open_practice(str(journal))
        c, erin = run.session.controller, run.session.actor
        for _ in range(3):
            assert c.run_current(erin).ok
            await c.wait_idle()
        await run.session.close()
        return read_events(run.session.journal_path).events

    asyncio.run(the_night())
    results = compare(read_events(journal).events, asyncio.run(practise()))
    rows = [(p.step, decision_words(p.night, "—"), decision_words(p.trainee, "—"), p.passed) for p in results.points]
    assert rows == [
        ("a", "run", "run", False),
        ("b", "run", "run", False),
        ("c", "roll back (checkpoint)", "run", False),  # where the night rolled back, erin ran c: a difference
        ("b", "re-run", "—", True),  # erin never came back to b: did not arise (before: did not get here)
        ("c", "run", "—", True),  # the situation after the night's rollback: did not arise (before: did not get here)
    ], rows
    assert results.score == (2, 3) and results.passed == 2, (results.score, results.passed)
    assert [practice_md.trainee_missing(p) for p in results.points[3:]] == ["did not arise"] * 2


FAILING = """\
runbook: 1
id: matching
title: Matching
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - {id: a, title: A, run: "echo a", undo: "echo undo-a", checkpoint: true, verify: none}
      - {id: b, title: B, run: "echo b; test ! -e fail-b", undo: "echo undo-b", verify: none}
      - {id: c, title: C, run: "echo c", undo: "echo undo-c", verify: none}
"""


def test_the_results_say_how_the_night_and_the_trainees_run_ended(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`b` failed; the night rolled back and ended ROLLED BACK; the trainee skipped `b`, ran `c`, and their run ended
    done. Before: the results showed the difference at `b`, but nowhere that the trainee's run had ended done with a
    failed step skipped where the night's ended rolled back (the trainee's end, by the program, is no move of theirs)."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (tmp_path / "no-settings.yaml").touch()
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(tmp_path / "no-settings.yaml"))
    monkeypatch.chdir(tmp_path)
    Path("night.yaml").write_text(FAILING, encoding="utf-8")
    journal = tmp_path / "night.jsonl"

    async def the_night() -> None:
        monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
        Path("fail-b").touch()
        session = open_session(load("night.yaml", {}), solo="night shift", journal=str(journal))
        c, alice = session.controller, session.actor
        for _ in range(2):
            assert c.run_current(alice).ok
            await c.wait_idle()
        assert c.state.steps["b"].status == "failed"
        assert c.rollback(alice, "checkpoint", acknowledged=True).ok
        await c.wait_idle()
        assert c.finish(alice, "rolled_back").ok
        await session.close()

    async def practise() -> list[dict[str, object]]:
        monkeypatch.setenv("RUNBOOK_TUI_USER", "erin")
        run = practice.open_practice(str(journal))
        c, erin = run.session.controller, run.session.actor
        for _ in range(2):
            assert c.run_current(erin).ok
            await c.wait_idle()
        assert c.skip(erin, "looks fine to me").ok
        assert c.run_current(erin).ok
        await c.wait_idle()
        assert c.state.finished and c.state.outcome == "done"
        await run.session.close()
        return read_events(run.session.journal_path).events

    asyncio.run(the_night())
    results = compare(read_events(journal).events, asyncio.run(practise()))
    # its checkpoint rollback, named as the run screen, exec and the report name it (it read `… checkpoint;` alone)
    said = "The night ended ROLLED BACK to the last checkpoint (a); your run ended done."
    assert practice_md.endings(results) == said
    assert f"**Ended:** {said}" in practice_md.render(results, "night.jsonl", "erin")
    left = compare(read_events(journal).events, [])
    assert practice_md.endings(left) == "The night ended ROLLED BACK to the last checkpoint (a); your run did not end (you left before its end)."


def test_the_record_of_a_practice_rolled_back_to_its_checkpoint_says_nothing_ran(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The trainee rolled back to `a` after `b` failed and left. Before: the practice's report said `Still applied: a:
    before the checkpoint, not rolled back (resume --rollback --full undoes them)` under `Practice run: nothing was
    executed`: nothing was ever applied, and resume refuses a practice's journal."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (tmp_path / "no-settings.yaml").touch()
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(tmp_path / "no-settings.yaml"))
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    monkeypatch.chdir(tmp_path)
    Path("night.yaml").write_text(FAILING, encoding="utf-8")
    Path("fail-b").touch()
    journal, mine = tmp_path / "night.jsonl", tmp_path / "practice.jsonl"

    async def the_night() -> None:
        session = open_session(load("night.yaml", {}), solo="night shift", journal=str(journal))
        for _ in range(2):
            assert session.controller.run_current(session.actor).ok
            await session.controller.wait_idle()
        await session.close()

    async def practise() -> None:
        run = practice.open_practice(str(journal), out_journal=str(mine))
        c, erin = run.session.controller, run.session.actor
        for _ in range(2):
            assert c.run_current(erin).ok
            await c.wait_idle()
        assert c.rollback(erin, "checkpoint", acknowledged=True).ok
        await c.wait_idle()
        assert c.finish(erin, "rolled_back").ok
        await run.session.close()

    asyncio.run(the_night())
    asyncio.run(practise())
    report = build_report(mine)
    assert report.session.still_applied == ["a"]  # the practice's own state, as the JSON has it
    md, html = render(report, "md"), render(report, "html")
    row = next(line for line in md.splitlines() if line.startswith("| **Still applied** |"))
    assert row == "| **Still applied** | a: before the checkpoint, not rolled back in this practice (nothing ran) |", row
    assert "resume --rollback" not in md and "resume --rollback" not in html


ROLLBACK_NIGHT = """\
runbook: 1
id: scopes
title: Scopes
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - {id: a, title: A, run: "echo a", undo: "echo undo-a", checkpoint: true, verify: none}
      - {id: b, title: B, run: "echo b", undo: "echo undo-b", verify: none}
      - {id: c, title: C, run: "echo c", undo: "echo undo-c", verify: none}
  - id: back
    title: Back out
    kind: rollback
    steps:
      - {id: r, title: Restore, run: "echo restore", verify: none}
"""


def test_a_rollback_to_the_checkpoint_is_not_the_nights_full_rollback(night: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """alice aborted the whole change after b (undo b, undo a, then r); erin rolled back to the checkpoint a (undo b
    only; a's change and no r). Before: `roll back (full)` beside `roll back (checkpoint)` read `same`, and the score
    said every decision was the night's."""
    Path("scopes.yaml").write_text(ROLLBACK_NIGHT, encoding="utf-8")
    journal = night.parent / "scopes.jsonl"

    async def the_night() -> None:
        session = open_session(load("scopes.yaml", {}), solo="night shift", journal=str(journal))
        c, alice = session.controller, session.actor
        for _ in range(2):
            assert c.run_current(alice).ok
            await c.wait_idle()
        assert c.rollback(alice, "full", reason="abort the change").ok
        await c.wait_idle()
        await session.close()

    asyncio.run(the_night())
    monkeypatch.setenv("RUNBOOK_TUI_USER", "erin")

    async def practise() -> list[dict[str, object]]:
        run = practice.open_practice(str(journal))
        c, erin = run.session.controller, run.session.actor
        for _ in range(2):
            assert c.run_current(erin).ok
            await c.wait_idle()
        assert c.rollback(erin, "checkpoint", reason="back to a").ok
        await c.wait_idle()
        run.leave()  # q: she stops there, as the results screen's q does
        await run.session.close()
        return read_events(run.session.journal_path).events

    results = compare(read_events(journal).events, asyncio.run(practise()))
    point = next(p for p in results.points if p.night is not None and p.night.kind == "roll back")
    assert (decision_words(point.night, "—"), decision_words(point.trainee, "—"), point.same) == ("roll back (full)", "roll back (checkpoint)", False)
    assert results.score == (2, 3) and practice_md.verdict(point) == "**different**"
    # how each ended: both ROLLED BACK, only one of them in full (the line read the same for both)
    assert practice_md.endings(results) == "The night ended ROLLED BACK; your run ended ROLLED BACK to the last checkpoint (a).", results


def test_bookkeeping_the_program_journals_while_the_assignee_decides_does_not_restart_the_time_to_decide(
    night: Path,
) -> None:
    """alice took two minutes over `change` after `check` ended; meanwhile the program extended the change's silence,
    refused a stranger's key at the share port and counted refused connections. None of these is a situation she had to
    answer. Before: `silence_extended`, `join_refused` and `share_refusing` each restarted the clock, and the night's run
    of `change` read as taken in the seconds since the last of them (beside a trainee who took as long)."""
    events = read_events(night).events
    started = [n for n, e in enumerate(events) if e["type"] == "step_started"][1]  # the run of `change`
    last = events[started - 1]

    def on(ts: str, minutes: int) -> str:
        for _ in range(minutes):
            ts = _a_minute_on(ts)
        return ts

    def program(kind: str, ts: str, **fields: object) -> dict[str, object]:
        return {"seq": 0, "ts": ts, "type": kind, "actor": "system", "prev": "", "hash": "", **fields}

    quiet_ts = on(last["ts"], 1)  # a minute into her decision
    bookkeeping = [
        program("silence_extended", quiet_ts, id="s1", alertmanager="http://am:9093", ends_at=on(last["ts"], 60)),
        program("join_refused", quiet_ts, keys=[{"fingerprint": "SHA256:x", "type": "ssh-ed25519"}], user="mallory", address="203.0.113.9"),
        program("share_refusing", quiet_ts, refused=40, reason="refused_address", waiting=3, addresses=1),
    ]
    later = [{**e, "ts": on(e["ts"], 2)} for e in events[started:]]  # she ran `change` two minutes after `check` ended
    results = compare([*events[:started], *bookkeeping, *later], [])
    [change] = [p.night for p in results.points if p.night is not None and p.night.step == "change"]
    assert 119.0 <= change.seconds <= 121.0, change.seconds
