"""Practice on a real past run (the report fixture, tests/report/data/change.jsonl): the trainee meets
the night's verifier (bob, played back) with his rejection, his rollback request at the same point
of the run, and the night's metric readings; the results screen comes up inside the TUI and
`--out` saves it for the trainer.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
from replay_helpers import text_of, until
from textual.app import App
from waiting import until as until_true

from runbook_tui.app import practice
from runbook_tui.engine.journal import read_events
from runbook_tui.engine.practice_results import Results, compare
from runbook_tui.report import practice_md
from runbook_tui.ui.modals import InfoScreen
from runbook_tui.ui.panels import MetricPanel
from runbook_tui.ui.practice_screens import PracticeApp, PracticeResultsScreen, differences
from runbook_tui.ui.run_screen import RunScreen
from runbook_tui.ui.status_stack import StatusStack
from runbook_tui.ui.widgets import RunHeader

DATA = Path(__file__).parents[1] / "report" / "data"
SCENARIO = "The h2 rollout of 23 Nov: web2 had a stale include. Watch the verifier and the 5xx panel."


@pytest.fixture()
def night(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The night's journal and its runbook in a folder of their own, marked as a practice scenario."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (tmp_path / "no-settings.yaml").touch()  # an empty settings file: the defaults (a named file that is missing is an error)
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(tmp_path / "no-settings.yaml"))
    monkeypatch.setenv("RUNBOOK_TUI_USER", "carol")
    folder = tmp_path / "night"
    folder.mkdir()
    for name in ("change.jsonl", "h2-rollout.yaml"):
        shutil.copy(DATA / name, folder / name)
    monkeypatch.chdir(tmp_path)
    journal = folder / "change.jsonl"
    mark = practice.mark_scenario(str(journal), SCENARIO)
    assert mark.stat().st_mode & 0o777 == 0o600
    return journal


def forbid_processes_and_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("practice must start no process and open no connection")

    for owner, name in (
        (asyncio, "create_subprocess_exec"),
        (asyncio, "create_subprocess_shell"),
        (subprocess, "Popen"),
        (os, "fork"),
        (socket, "create_connection"),
    ):
        monkeypatch.setattr(owner, name, refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.mark.asyncio
async def test_the_trainee_meets_the_recorded_rollback_request(night: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run = practice.open_practice(str(night), out_journal=str(tmp_path / "practice.jsonl"))
    forbid_processes_and_connections(monkeypatch)
    controller, carol = run.session.controller, run.session.actor
    out = tmp_path / "results.md"
    app = PracticeApp(run, out=str(out))
    async with app.run_test(size=(140, 45)) as pilot:
        # the trainer's description comes first
        await until(lambda: isinstance(app.screen, InfoScreen) and SCENARIO in text_of(app.screen), pilot, "the scenario")
        await pilot.press("escape")
        await until(lambda: isinstance(app.screen, RunScreen), pilot, "the run screen")
        header = app.screen.query_one(RunHeader)
        # as the log and the status line name him (it read `verifier bob connected`, as if bob himself were there)
        await until(lambda: "verifier bob (recorded) connected" in text_of(header), pilot, "the header naming the recorded verifier")
        # the help says what q does here: the results, not a run to resume (it said `runbook-tui resume JOURNAL continues later`)
        await pilot.press("question_mark")
        await until(lambda: type(app.screen).__name__ == "HelpScreen", pilot, "the help")
        words = text_of(app.screen.query_one("#dialog-body"))
        assert "end the practice: the results compare your decisions" in words and "resume JOURNAL" not in words
        await pilot.press("escape")
        await until(lambda: isinstance(app.screen, RunScreen), pilot, "the run screen again")

        async def enter_and_wait(step: str, status: str) -> None:
            await until(lambda: not controller.busy, pilot, f"{step} to be ready")
            await pilot.press("enter")
            await until(lambda: controller.state.steps[step].status == status, pilot, f"{step} to be {status}")

        await enter_and_wait("health", "rejected")  # bob rejects it, as on the night, with his reason
        assert controller.state.steps["health"].reason == "web2 answered in 4.1 s; run it again before we touch anything"
        await enter_and_wait("health", "done")
        assert controller.skip(carol, "announced on the bridge").ok
        await pilot.press("enter")  # backup-config: verify both, bob gives the go-ahead
        await until(lambda: controller.state.steps["backup-config"].go_ahead_by == "bob (recorded)", pilot, "the go-ahead")
        await enter_and_wait("backup-config", "done")
        await enter_and_wait("install-config", "failed")  # the night's take: web2 exits 1
        # the night's metric readings played in the panels as the run got there
        assert controller.state.samples.get("errors") and controller.state.metrics.get("panels")
        panel = next(p for p in app.screen.query(MetricPanel) if p.panel_id == "errors")
        await until(lambda: "0.29%" in text_of(panel) and "stale" not in text_of(panel).lower(), pilot, "the night's reading, fresh, in the errors panel")
        # bob asked for a rollback at this point on the night: the trainee meets it now
        await until(lambda: controller.state.rollback_requested is not None, pilot, "bob's rollback request")
        assert "web2 may hold a half-installed config" in str(controller.state.rollback_requested)
        await until(
            lambda: "ROLLBACK REQUESTED: bob (recorded): web2 may hold" in text_of(app.screen.query_one(StatusStack)), pilot, "the status line naming bob"
        )
        await pilot.press("u")
        await pilot.press("y")
        await until(lambda: controller.state.rollback is not None and controller.state.rollback.finished, pilot, "the rollback")
        assert controller.state.rollback.ok
        await pilot.press("q")  # leaving early: the results first
        await until(lambda: isinstance(app.screen, PracticeResultsScreen), pilot, "the results screen")
        results = app.screen.results
        rows = [(p.step, p.night.kind if p.night else None, p.trainee.kind if p.trainee else None) for p in results.points]
        assert rows[:6] == [
            ("health", "run", "run"), ("health", "re-run", "re-run"), ("announce", "skip", "skip"),
            ("backup-config", "run", "run"), ("install-config", "run", "run"), ("install-config", "roll back", "roll back"),
        ]  # fmt: skip
        assert results.points[5].why == "on the night the rollback by alice, asked by bob, finished in 1s"
        assert results.points[4].why == "on the night it failed on web2 (exit 1); bob asked for a rollback 30s later"
        # Leaving after the rollback is stopping there (the row offers `q stop here`), where the night re-ran; the
        # trainee left before the rest.
        assert rows[6] == ("install-config", "re-run", "finish")
        assert rows[7:] and all(trainee is None for _step, _night, trainee in rows[7:])
        assert results.score == (6, 12)
        await pilot.press("ctrl+c")  # leaves the results as q does (it showed them again, and stayed)
        await until(lambda: not app.is_running, pilot, "ctrl+c to leave")
    assert app.return_value == 0
    text = out.read_text(encoding="utf-8")
    assert out.stat().st_mode & 0o777 == 0o600
    assert "**Score:** 6 of 12 decisions as on the night" in text and SCENARIO in text
    assert "| 6 | install-config | roll back (checkpoint) | roll back (checkpoint) |" in text


def trainee_who_reran_instead() -> list[dict]:
    """The night's events to bob's first rollback request, then a re-run where the night rolled back."""
    night = read_events(DATA / "change.jsonl").events
    cut = next(i for i, e in enumerate(night) if e["type"] == "rollback_started")
    rerun = {**next(e for e in night if e["type"] == "step_started" and e["step"] == "install-config"), "attempt": 2, "ts": "2026-11-23T17:04:31.000Z"}
    return [*night[:cut], rerun]


class ResultsApp(App[None]):
    def on_mount(self) -> None:
        night = read_events(DATA / "change.jsonl").events
        results = compare(night, trainee_who_reran_instead(), SCENARIO)
        self.push_screen(PracticeResultsScreen(results, "Saved for the trainer: results.md."))


def test_time_to_decide_compares_only_the_decisions_both_made() -> None:
    """The trainee stopped at the night's 7th decision, after taking 54s where the night rolled back in 10s; the score
    line said `you 1m6s, the night 1m32s` (the night's whole run against six decisions): quicker, it read."""
    results = compare(read_events(DATA / "change.jsonl").events, trainee_who_reran_instead(), SCENARIO)
    assert results.timed == 6 and (results.trainee_seconds, results.night_seconds) == (65.5, 21.2)
    assert practice_md.score_line(results) == "5 of 12 decisions as on the night; time to decide over the 6 decisions you both made: you 1m6s, the night 21s"
    nothing = compare(read_events(DATA / "change.jsonl").events, [], SCENARIO)
    assert practice_md.score_line(nothing) == "0 of 12 decisions as on the night"


@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
def test_results_screen_snapshot(size: tuple[int, int], snap_compare) -> None:  # type: ignore[no-untyped-def]
    """What a trainee must see: on top "Practice results 5/12" and the score line (5 of 12 decisions as on
    the night; time to decide over the 6 decisions both made, theirs against the night's), then in red where they differed ("#6
    install-config: you re-ran, the night rolled back to the checkpoint", a sentence), how both ended, the night's checkpoint named as
    the run screen, exec and the report name it ("The night ended ROLLED BACK to the last checkpoint (backup-config);
    your run did not end"), then who the played-back verifier was
    and where the results were saved. Below, one row per decision point: the step id whole (at 80 columns on a line of its own above its decisions, at 140 in its own column),
    the night's decision above the trainee's (green when the same, bold red when different, dim "did not
    get here" after they stopped), both times beside their decisions (the night's first), and why it mattered on the night (row
    6: "the rollback by alice, asked by bob, finished in 1s"; row 11: the 5xx rate went from 2.7% to 0.35%). At 80x24 the table
    scrolls and the footer offers q to leave; at 140x45 all twelve rows fit.
    """
    assert snap_compare(ResultsApp(), terminal_size=size)


async def run_until(run: practice.Practice, step: str, status: str) -> None:
    """Enter on the step the practice stands on, once it is ready; then wait until `step` is `status`."""
    controller = run.session.controller
    await until_true(lambda: not controller.busy, f"{step} to be ready")
    assert controller.run_current(run.session.actor).ok
    await until_true(lambda: controller.state.steps[step].status == status, f"{step} to be {status}")


def test_a_step_bob_never_judged_on_the_night_is_said_so_before_it_counts_as_confirmed(night: Path, tmp_path: Path) -> None:
    """The night skipped `announce`; a trainee who runs it got `✓ announce confirmed by bob (recorded)` and nothing else,
    read as bob's word on the night, which he never gave. Then the program's note saying so was journaled as bob's."""

    async def the_practice() -> list[tuple[str, str, str]]:
        run = practice.open_practice(str(night), out_journal=str(tmp_path / "practice.jsonl"))
        try:
            await run_until(run, "health", "rejected")  # as on the night
            await run_until(run, "health", "done")
            await run_until(run, "announce", "done")  # skipped on the night
        finally:
            await run.session.close()
        events = read_events(tmp_path / "practice.jsonl").events
        return [(e["type"], e["actor"], str(e.get("text", ""))) for e in events if e.get("step") == "announce" and e["type"] in ("note", "step_confirmed")]

    # The program's words, as the program's: journaled as bob's, every view read them as his (`note by bob (recorded)`).
    assert asyncio.run(the_practice()) == [
        ("note", "system", "[practice] bob gave no verdict on 'announce' here on the night; it counts as confirmed"),
        ("step_confirmed", "bob (recorded)", ""),
    ]


def test_a_guard_that_tripped_while_the_step_ran_is_said_so_not_minus_zero_seconds_later() -> None:
    """A guard tripped during `watch`, journaled before its end: the night's "why it matters" read
    `guard 'errors' tripped … -0s later` (the time from the step's end, negative)."""
    night = read_events(DATA / "change.jsonl").events
    trip = next(i for i, e in enumerate(night) if e["type"] == "guard_tripped")
    finished = next(i for i, e in enumerate(night) if e["type"] == "step_finished" and e["step"] == "watch")
    during = {**night[trip], "ts": "2026-11-23T17:10:04.750Z"}
    moved = [*night[:finished], during, *(e for i, e in enumerate(night[finished:], finished) if i != trip)]
    [watch] = [p for p in compare(moved, []).points if p.step == "watch" and p.night is not None and p.night.kind == "run"]
    assert "guard 'errors' tripped: 2.7% above 2% for 30s while it ran" in watch.why, watch.why
    assert "-0s" not in watch.why and "s later; bob" not in watch.why.split("while it ran")[0]


def test_the_nights_resume_after_a_guards_pause_says_why_it_matters() -> None:
    """After a guard's pause the assignee pressed p: the results row for that `resume` had no "why it matters" at all."""
    night = read_events(DATA / "change.jsonl").events
    paused = next(i for i, e in enumerate(night) if e["type"] == "paused")
    resumed = {"type": "resumed", "actor": "alice", "reason": "", "ts": "2026-11-23T17:10:35.600Z", "seq": night[paused]["seq"]}
    [point] = [p for p in compare([*night[: paused + 1], resumed], []).points if p.night is not None and p.night.kind == "resume"]
    assert point.why.startswith("on the night the run went on after 15s paused: guard 'errors' tripped: 2.7% above 2% for 30s"), point.why


def test_a_decision_the_trainee_went_past_without_meeting_is_said_not_to_have_arisen() -> None:
    """On the night the program stopped during `reload` and alice marked it done by hand; a practice does not stop, so
    the trainee went on past that point. The row read `did not get here` / `not reached` and the score counted it."""
    night = read_events(DATA / "change.jsonl").events
    died = next(i for i, e in enumerate(night) if e["type"] == "session_resumed")
    marked = next(i for i, e in enumerate(night) if e["type"] == "step_marked_done")
    ok = {"web1": {"status": "done", "exit_code": 0, "error": None}, "web2": {"status": "done", "exit_code": 0, "error": None}}
    ended = {"type": "step_finished", "actor": "system", "step": "reload", "status": "done", "hosts": ok, "problems": [], "ts": night[died]["ts"], "seq": 0}
    trainee = [*night[:died], ended, *night[marked + 1 :]]  # the practice's reload ends; nothing to mark done
    results = compare(night, trainee)
    [point] = [p for p in results.points if p.night is not None and p.night.kind == "mark done"]
    assert point.trainee is None and point.passed
    assert practice_md.verdict(point) == "did not arise" and practice_md.trainee_missing(point) == "did not arise"
    assert results.score == (11, 11) and results.passed == 1
    assert practice_md.score_line(results).startswith("11 of 11 decisions as on the night (1 more did not arise in practice)")
    assert not any(p.passed for p in compare(night, trainee_who_reran_instead()).points), "points after the trainee's last are not reached"


def test_a_solo_nights_results_say_there_was_no_verifier() -> None:
    """A solo night (the demo): the results read `Verifier played back: —`, as if a name had gone missing."""
    text = practice_md.render(Results([], verifier=None), "demo.jsonl", "carol")
    assert "the verifier played back: none, the night had no verifier." in text and "—." not in text


def test_a_scenario_marked_before_the_run_went_on_is_still_shown_with_a_word(tmp_path: Path) -> None:
    """A trainer marked a journal left open; the run was resumed and finished later. The mark no longer matched the final
    hash and the description vanished without a word; a mark for other content is still ignored."""
    whole = (DATA / "change.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    journal = tmp_path / "change.jsonl"
    journal.write_text("".join(whole[:60]), encoding="utf-8")
    practice.mark_scenario(str(journal), SCENARIO)
    journal.write_text("".join(whole), encoding="utf-8")
    events = read_events(journal).events
    assert practice.scenario_of(str(journal), events) == f"{SCENARIO}\n\n(Marked at event 60 of 98: the run went on after the trainer marked it.)"
    other = tmp_path / "other.jsonl"
    other.write_text("".join(whole), encoding="utf-8")
    practice.scenario_path(other).write_text(practice.scenario_path(journal).read_text().replace(events[59]["hash"], "0" * 64))
    assert practice.scenario_of(str(other), events) == ""


def test_a_wait_a_guard_cut_short_failed_on_the_night_it_did_not_run_cleanly() -> None:
    """A `wait` a guard cut short ends failed with every host fine: the results said `on the night it ran cleanly`
    beside a step the night's screen showed FAILED (only the hosts were asked)."""
    night = read_events(DATA / "change.jsonl").events
    finished = next(i for i, e in enumerate(night) if e["type"] == "step_finished" and e["step"] == "watch")
    cut = "guard 'errors' tripped: 2.7% above 2% for 30s: the wait was cut short"
    edited = [*night[:finished], {**night[finished], "status": "failed", "problems": [cut]}]
    [watch] = [p for p in compare(edited, []).points if p.step == "watch" and p.night is not None and p.night.kind == "run"]
    assert watch.why.startswith(f"on the night it FAILED: {cut}"), watch.why


def test_a_pause_with_no_reason_of_its_own_names_who_paused_once() -> None:
    """alice pressed p with no reason: the controller journals `paused by alice`, and the night's "why it matters" for
    her resume read `went on after 15s paused: paused by alice`. Now it says it once."""
    night = read_events(DATA / "change.jsonl").events
    at = next(i for i, e in enumerate(night) if e["type"] == "paused")
    paused = {**night[at], "actor": "alice", "reason": "paused by alice"}
    resumed = {"type": "resumed", "actor": "alice", "reason": "", "ts": "2026-11-23T17:10:35.600Z", "seq": night[at]["seq"]}
    [point] = [p for p in compare([*night[:at], paused, resumed], []).points if p.night is not None and p.night.kind == "resume"]
    assert point.why == "on the night the run went on after 15s paused by alice", point.why


def test_the_difference_reads_as_a_sentence_of_what_each_did() -> None:
    """The line under the score read `#6 install-config: you re-run, the night roll back (checkpoint)`: the table's
    verbs pasted into a sentence. It says what each did, the rollback's scope in words."""
    results = compare(read_events(DATA / "change.jsonl").events, trainee_who_reran_instead(), SCENARIO)
    line = differences(results).plain
    assert line.startswith("Differed at #6 install-config: you re-ran, the night rolled back to the checkpoint"), line
    assert "you re-run" not in line and "roll back (" not in line


def test_a_rollback_request_the_trainee_left_open_is_said_to_be_withdrawn(night: Path, tmp_path: Path) -> None:
    """bob asked for a rollback after install-config failed; the trainee re-ran it instead. bob's played-back
    confirmation (on the night, of the re-run after the rollback) withdrew his request, as a live verifier's word to go
    on does: the ROLLBACK REQUESTED line vanished and nothing said why, nor that nothing would be rolled back."""

    async def the_practice() -> tuple[list[tuple[str, str, str]], str | None]:
        run = practice.open_practice(str(night), out_journal=str(tmp_path / "practice.jsonl"))
        controller = run.session.controller
        try:
            await run_until(run, "health", "rejected")
            await run_until(run, "health", "done")
            assert controller.skip(run.session.actor, "announced on the bridge").ok
            await until_true(lambda: not controller.busy, "backup-config to be ready")
            assert controller.run_current(run.session.actor).ok  # asks bob's go-ahead
            await until_true(lambda: controller.state.steps["backup-config"].has_go_ahead, "bob's go-ahead")
            await run_until(run, "backup-config", "done")
            await run_until(run, "install-config", "failed")
            await until_true(lambda: controller.state.rollback_requested is not None, "bob's rollback request")
            await run_until(run, "install-config", "done")  # a re-run, the request open
        finally:
            await run.session.close()
        events = read_events(tmp_path / "practice.jsonl").events
        asked = max(i for i, e in enumerate(events) if e["type"] == "rollback_requested")
        said = [(e["type"], e["actor"], str(e.get("text", ""))) for e in events[asked:] if e["type"] in ("note", "step_confirmed")]
        return said, controller.state.rollback_requested

    said, still_asked = asyncio.run(the_practice())
    assert still_asked is None
    assert said == [
        (
            "note",
            "system",
            "[practice] bob's confirmation of 'install-config' withdraws bob's rollback request, left unanswered "
            "(a verifier's word to go on withdraws their own): nothing is rolled back",
        ),
        ("step_confirmed", "bob (recorded)", ""),
    ], said
