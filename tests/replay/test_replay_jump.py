"""Replay's `g`: a step is found by its id or by words of its title (as the picker matches), and the
header and the metric panels follow the replayed moment, not today's clock.

The journal is the report fixture (tests/report/data/change.jsonl): a shared run with titles,
a failed attempt, two rollbacks, metric samples and a guard trip.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from replay_helpers import replay_screen, text_of, until
from textual.geometry import Region
from textual.widgets import Static

from runbook_tui.engine.journal import read_events
from runbook_tui.ui.panels import MetricPanel, panel_view
from runbook_tui.ui.replay_app import ReplayApp
from runbook_tui.ui.replay_screen import ReplayScreen, ReplaySource, find_steps

JOURNAL = Path(__file__).parents[1] / "report" / "data" / "change.jsonl"


def test_find_steps_takes_an_id_or_words_of_a_title() -> None:
    plan = {"install-config": {"title": "Install the HTTP/2 config and test it"}, "reload": {"title": "Reload nginx, one host at a time"}}
    assert find_steps("reload", plan) == ["reload"]
    assert find_steps("  Reload nginx ", plan) == ["reload"]
    assert find_steps("http/2 TEST", plan) == ["install-config"]
    assert find_steps("nginx", plan) == ["reload"]
    assert find_steps("config", plan) == ["install-config"]
    assert find_steps("canary", plan) == [] and find_steps("   ", plan) == []


@pytest.mark.asyncio
async def test_g_jumps_to_a_step_by_its_title(tmp_path: Path) -> None:
    events = read_events(JOURNAL).events
    app = ReplayApp(events, label="change.jsonl")
    async with app.run_test(size=(140, 45)) as pilot:
        await until(lambda: isinstance(app.screen, ReplayScreen), pilot, "the replay screen")
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        started = next(i for i, e in enumerate(events) if e["type"] == "step_started" and e["step"] == "reload")
        await pilot.press("g")
        await pilot.press(*"Reload nginx", "enter")
        await until(lambda: screen.replay.position == started + 2, pilot, "the jump to reload, with its first wave")
        assert screen.replay.state.steps["reload"].status == "running"
        status = str(screen.query_one("#journal-path", Static).render())
        assert f"{events[started]['ts'][:10]} {events[started]['ts'][11:19]} UTC" in status
        assert _host_rows(screen) == {"web1": "▶ running", "web2": "· not started"}, "reload rolls one host at a time"
        # the panels age their readings against the replayed moment: the last reading is seconds old, not months
        area_clock = screen.panel_clock()
        state = screen.replay.state
        panel = dict(state.metrics["panels"][0])
        view = panel_view(panel, state, area_clock, float(state.metrics.get("interval") or 5))
        assert view.value is not None and not view.stale and view.age is not None and view.age < 60
        await until(lambda: len(screen.query(MetricPanel)) == 2, pilot, "the two metric panels to be drawn")

        # a step that never ran is said so, by its id, and the replay stays where it was
        await pilot.press("g")
        await pilot.press(*"feature flag", "enter")
        await until(lambda: any("flip-flag never started in this run" in str(n.message) for n in app._notifications), pilot, "the notice")
        assert screen.replay.position == started + 2
        # going back by title folds again from the start
        await pilot.press("g")
        await pilot.press(*"health endpoints", "enter")
        await until(lambda: screen.replay.state.steps["health"].status == "running", pilot, "the jump back to health")
        assert screen.replay.state.steps["health"].status == "running" and screen.replay.state.steps["reload"].status == "pending"


@pytest.mark.asyncio
async def test_the_jump_dialog_says_what_enter_does() -> None:
    """`g` at 80x24: the dialog's action line said `enter submit · escape cancel`, a form's words; enter here only
    moves the replay (nothing is sent or journaled). Now it says where enter takes the view."""
    app = ReplayApp(read_events(JOURNAL).events, label="change.jsonl")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: isinstance(app.screen, ReplayScreen), pilot, "the replay screen")
        await pilot.press("g")
        await until(lambda: type(app.screen).__name__ == "TextPrompt", pilot, "the jump dialog")
        keys = text_of(app.screen.query_one("#dialog-keys"))
        assert keys.strip() == "enter go to where it first started · escape cancel", keys


@pytest.mark.asyncio
async def test_help_in_replay_names_replays_keys_not_the_runs() -> None:
    """`?` in replay listed the live run's keys (enter runs, u rolls back, q asks before quitting, "written to the journal
    before it happens") and none of replay's own: a trainee looking for how to step back or jump found nothing."""
    app = ReplayApp(read_events(JOURNAL).events, label="change.jsonl")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: isinstance(app.screen, ReplayScreen), pilot, "the replay screen")
        await pilot.press("question_mark")
        await until(lambda: type(app.screen).__name__ == "HelpScreen", pilot, "the help")
        words = text_of(app.screen.query_one("#dialog-body", Static))  # the whole body, also what is scrolled out of view
        for key, does in (("← h", "back to the moment before"), ("space", "play/pause"), ("+ -", "faster / slower"), ("g", "jump to a step")):
            assert key in words and does in words, f"{key}: {does} is not in the help: {words}"
        assert "Nothing runs and nothing is written" in words
        assert "run the current step" not in words and "written to the journal before it happens" not in words
        await pilot.press("escape")
        await until(lambda: isinstance(app.screen, ReplayScreen), pilot, "the replay again")
        await pilot.press("ctrl+c")  # out of habit: leaves as q does (Textual's own ctrl+c said nothing)
        await until(lambda: not app.is_running, pilot, "replay to end on ctrl+c")


def test_stepping_stops_at_every_decision_of_the_night() -> None:
    """→ went from `reload` starting straight past the process dying, the run resumed and `reload` marked done by hand,
    and past bob's rollback request and the guard's pause: a trainee stepping through never saw those moments."""
    events = read_events(JOURNAL).events
    source = ReplaySource(events)
    seen = []
    while source.position < len(events):
        source.seek(source.next_moment(source.position))
        seen.append(events[source.position - 1]["type"])
    for kind in ("session_resumed", "step_marked_done", "rollback_requested", "paused"):
        assert kind in seen, f"→ never stops at {kind}: {seen}"
    back = []
    while source.position > 1:
        source.seek(source.previous_moment(source.position))
        back.append(events[source.position - 1]["type"])
    assert back[:-1] == seen[-2::-1], "← stops where → did"


@pytest.mark.asyncio
async def test_stepping_onto_a_rolling_steps_start_shows_its_first_wave() -> None:
    """Before: → (and `g`) stopped on `step_started` of `reload` (serial 1) alone, before its first `wave_started`: the
    detail pane read `web1 ▶ running`, `web2 ▶ running`, every host of a rollout running at once (at 140x45 a fleet of
    12 read so), which the night never did. Now the start shows its first wave: web1 runs, web2 waits its turn."""
    events = read_events(JOURNAL).events
    started = next(i for i, e in enumerate(events) if e["type"] == "step_started" and e["step"] == "reload")
    assert events[started + 1]["type"] == "wave_started", "the fixture's reload rolls in waves"
    app = ReplayApp(events, label="change.jsonl")
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await replay_screen(app, pilot)
        await pilot.press("g")
        await pilot.press(*"install", "enter")  # the step before reload: → from there
        await until(lambda: screen.replay.state.steps["install-config"].status == "running", pilot, "the jump to install-config")
        while screen.replay.position <= started:
            at = screen.replay.position
            await pilot.press("right")
            await until(lambda at=at: screen.replay.position != at, pilot, f"→ to move on from event {at}")
        assert screen.replay.position == started + 2, f"→ stopped at {events[screen.replay.position - 1]['type']}"
        await until(lambda: "web2" in _host_rows(screen), pilot, "reload's hosts in the detail pane")
        assert _host_rows(screen) == {"web1": "▶ running", "web2": "· not started"}
        await pilot.press("left", "right")  # ← and → again stop at the same two places
        await until(lambda: screen.replay.position == started + 2, pilot, "→ back onto reload's start")


def _host_rows(screen: ReplayScreen) -> dict[str, str]:
    """Each host's row in the detail pane, as painted: name -> its mark and status words."""
    detail = screen.query_one("#step-detail")
    width, height = detail.size
    rows = {}
    for strip in detail.render_lines(Region(0, 0, width, height)):
        name, *said = strip.text.split()
        if name.startswith("web") and said and not said[0].endswith(":"):
            rows[name] = " ".join(said)
    return rows


def test_stepping_stops_where_a_look_found_the_process_gone() -> None:
    """A look-only `resume` journals `session_interrupted` where the night's process was found gone (no resume)."""
    events = read_events(JOURNAL).events
    at = next(i for i, e in enumerate(events) if e["type"] == "session_resumed")
    looked = [*events[:at], {**events[at], "type": "session_interrupted", "actor": "system"}, *events[at:]]
    source = ReplaySource(looked)
    source.seek(source.next_moment(at - 1))
    assert looked[source.position - 1]["type"] == "session_interrupted", "→ stops where the look found the process gone"
