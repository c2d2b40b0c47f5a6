"""The status row and the foot: the panes stay where they are when a status comes and goes.

The status stack never has fewer than one row: when nothing needs attention it
says calmly what is happening now (what is next and the key that runs it, what
runs and for how long, whose go-ahead is awaited), in the same words for the
assignee, the verifier and a replay; only the keys differ (a replay names none).
The journal's path takes one row at the foot, cut in the middle to fit; the
help shows it whole.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import ORDER, FakeClient, make_app, painted, prepare_workdir, run_step, settled, shared_session_events, started, types, until, with_plan
from textual.app import App, ComposeResult
from textual.geometry import Region

from runbook_tui.engine import events as ev
from runbook_tui.engine.state import RunState
from runbook_tui.engine.state_model import with_step
from runbook_tui.ui.footer import KeyFooter
from runbook_tui.ui.note_line import NoteLine, cut_middle
from runbook_tui.ui.output_pane import OutputLog
from runbook_tui.ui.status_model import Role, Status
from runbook_tui.ui.status_stack import StatusStack, now_status, statuses
from runbook_tui.ui.verifier_app import VerifierApp
from tests.metrics.panel_states import PANELS, _plan, _series, _ts, build

FROZEN = dt.datetime(2026, 3, 14, 2, 0, 0, tzinfo=dt.UTC)
ROLES: tuple[Role, ...] = ("assignee", "verifier", "replay")
PANES = ("header", "status", "main", "detail", "output", "journal-path")  # (no metric panels in this runbook: no area for them)


@pytest.fixture(autouse=True)
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    prepare_workdir(tmp_path, monkeypatch)
    yield tmp_path


def _row(widget: Any) -> str:
    """What a one-row widget says, its padding too drawn, then stripped."""
    return _rows(widget)[0]


def _rows(widget: Any) -> list[str]:
    """Every row a widget paints, its padding too drawn, each stripped at both ends."""
    width, height = widget.outer_size
    return [strip.text.strip() for strip in widget.render_lines(Region(0, 0, width, height))]


def _count_layouts(app: Any) -> list[object]:
    """A list that grows by one each time the screen is laid out from now on. A scroll alone (Textual's
    `_refresh_layout(scroll=True)` without a layout asked for: the output log following its last line, which under load
    may land a frame late) moves no widget and is not counted; nor a layout only the output pane asked for (a line came,
    its scrollable height grew: Textual arranges that pane alone, in the output frame after the key's own). The pause
    and its end are lines there, as exec prints them (tests/ui/test_run_screen_pane_decisions.py)."""
    screen: Any = app.screen
    layouts: list[object] = []
    lay_out = screen._refresh_layout

    def counted(*args: Any, **kwargs: Any) -> None:
        asked = {widget for widgets in screen._layout_widgets.values() for widget in widgets}
        pane_alone = bool(asked) and all(isinstance(widget, OutputLog) for widget in asked)
        if args or kwargs.get("size") is not None or (screen._layout_required and not pane_alone):
            layouts.append((args, asked))
        lay_out(*args, **kwargs)

    screen._refresh_layout = counted
    return layouts


def _regions(app: Any) -> dict[str, Any]:
    return {name: app.screen.query_one(f"#{name}").region for name in PANES}


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)], ids=["80x24", "140x45"])
async def test_the_panes_do_not_move_when_a_pause_comes_and_goes(size: tuple[int, int]) -> None:
    """A pause used to insert the status line and push every pane down a row (a layout and a repaint of the whole
    screen for one key). Now the row is there before, during and after: every pane keeps its region, and neither
    the status row nor the footer (`p pause` -> `p resume`, `⏎ run` gone) asks for a layout of the screen."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        stack = app.screen.query_one(StatusStack)
        before = _regions(app)
        assert before["status"].height == 1 and before["journal-path"].height == 1, before
        assert _row(stack).startswith("Next: 'check'"), painted(stack)
        layouts = _count_layouts(app)
        await pilot.press("p")
        await until(pilot, lambda: controller.state.paused and _row(stack).startswith("PAUSED"), "the pause on the status row")
        await settled(pilot)
        assert _regions(app) == before
        await pilot.press("p")
        await until(pilot, lambda: _row(stack).startswith("Next: 'check'"), "the calm line again")
        await settled(pilot)
        assert _regions(app) == before
        assert layouts == [], "a pause and a resume change two rows (status, footer): the screen is not laid out for them"


@pytest.mark.asyncio
async def test_pausing_while_a_step_prints_lays_nothing_out() -> None:
    """While 'slow' runs and has printed, the status row says what runs; p pauses with no layout of the screen (the
    detail pane was drawn again, and the screen laid out, because the step's output had changed its state)."""
    app = make_app(params={"hold": True})
    async with app.run_test(size=(140, 45)) as pilot:
        controller = await started(pilot)
        for step in ORDER[:5]:
            await run_step(pilot, step)
        await pilot.press("enter")
        await until(pilot, lambda: any(line.text == "waiting for release" for line in controller.state.steps["slow"].output), "slow's first line")
        await settled(pilot)
        stack = app.screen.query_one(StatusStack)
        assert _row(stack).startswith("Running 'slow' on local for "), _row(stack)
        assert _row(stack).endswith("· Wait for the service — k stop step · p pause"), _row(stack)
        layouts = _count_layouts(app)
        await pilot.press("p")
        await until(pilot, lambda: _row(stack).startswith("PAUSED"), "the pause on the status row")
        await settled(pilot)
        assert layouts == []
        (Path.cwd() / "release").touch()
        await until(pilot, lambda: not controller.busy, "slow to end")


class _Stack(App[None]):
    """The status stack alone, to read what it says to each role."""

    def compose(self) -> ComposeResult:
        yield StatusStack()


async def _said(state: RunState, width: int = 140) -> dict[Role, str]:
    app = _Stack()
    said: dict[Role, str] = {}
    async with app.run_test(size=(width, 6)):
        stack = app.query_one(StatusStack)
        for role in ROLES:
            stack.show(state, FROZEN, role)
            said[role] = _row(stack)  # drawn from what `show` set, at the widget's size: nothing to wait for
    return said


def _shared() -> RunState:
    return FakeClient(shared_session_events(Path.cwd())).state


def _paused(state: RunState, by: str = "alice", reason: str | None = None) -> RunState:
    """The run paused by `by`, as the journal says it: a bare p journals `paused by NAME` as its reason."""
    from runbook_tui.engine.state import apply

    event = {"type": ev.PAUSED, "seq": state.seq + 1, "ts": "2026-03-14T01:59:00Z", "actor": by, "reason": reason or f"paused by {by}"}
    return apply(state, event)


def _verify_before(state: RunState, step_id: str) -> RunState:
    """The same run with `step_id` needing the verifier's go-ahead (`verify: before`)."""
    return with_plan(state, step_id, verify="before")


def test_a_step_asked_to_stop_reads_stopping_not_running_with_k_offered_again() -> None:
    """Before: after `k` `y` on a command that ignores TERM, the row went on saying `Running 'check' … — k stop step`
    through the grace before KILL, as if nothing had been asked (and a second k was refused). The stop request is
    folded from the journal (the `stop` note), so every screen says it; the next attempt reads Running again."""
    from runbook_tui.engine.state import apply

    running = with_step(_shared(), "check", status="running", started_at="2026-03-14T01:58:30Z")
    stop = {"type": ev.NOTE, "seq": running.seq + 1, "ts": "2026-03-14T01:59:40Z", "actor": "alice", "step": "check", "text": "stop", "request": "stop"}
    stopping = apply(running, stop)
    row = now_status(stopping, FROZEN)
    assert row.text == "Stopping 'check' on local: alice pressed k at 01:59:40 for 1m 30s · Config parses", row.text
    assert row.keys == {"assignee": "p pause", "verifier": "p hold"}, "k is not offered again"
    again = with_step(stopping, "check", status="running", started_at="2026-03-14T01:59:50Z")  # a re-run: a new attempt
    assert now_status(again, FROZEN).text.startswith("Running 'check'")


@pytest.mark.asyncio
async def test_the_calm_line_says_the_same_words_to_every_role_with_its_own_keys() -> None:
    """Nothing needs attention: what is next, what runs (and for how long), whose go-ahead is awaited. The words come
    from the state everyone folds; only the keys differ: the assignee's, the verifier's, none in a replay."""
    state = _shared()
    running = with_step(state, "check", status="running", started_at="2026-03-14T01:58:30Z")
    cases = {
        "next": (state, "Next: 'check' on local · Config parses", {"assignee": "enter run it"}),
        # an attempt ran before (undone by a rollback, then resumed): enter runs it again, as the footer's `⏎ re-run` says
        "next again": (with_step(state, "check", status="undone", attempts=1), "Next: 'check' on local · Config parses", {"assignee": "enter re-run"}),
        "running": (running, "Running 'check' on local for 1m 30s · Config parses", {"assignee": "k stop step · p pause", "verifier": "p hold"}),
        # a wait runs nothing anywhere: it read `Running 'check' on local for 1m 30s`
        "waiting": (
            with_plan(running, "check", kind="wait", wait=600),
            "Waiting at 'check' for 1m 30s of 10m · Config parses",
            {"assignee": "k stop step · p pause", "verifier": "p hold"},
        ),
        "next wait": (with_plan(state, "check", kind="wait", wait=600), "Next: 'check' · Config parses", {"assignee": "enter run it"}),
        "go-ahead": (
            _verify_before(state, "check"),
            "'check' waits for bob's go-ahead · Config parses",
            {"assignee": "enter ask go-ahead", "verifier": "c go-ahead"},
        ),
    }
    # The one whose word is awaited reads it as theirs (bob read `'check' waits for bob's go-ahead`): test_role_words.py.
    own = {
        ("go-ahead", "verifier"): "Your go-ahead for 'check' before it runs · Config parses",
        # whose move it is, and that the verifier's word follows (it read the assignee's words with no key)
        ("next", "verifier"): "Next: 'check' on local: alice runs it, then your word · Config parses",
        ("next again", "verifier"): "Next: 'check' on local: alice runs it, then your word · Config parses",
        ("next wait", "verifier"): "Next: 'check': alice runs it, then your word · Config parses",
    }
    for name, (case, words, keys) in cases.items():
        said = await _said(case)
        for role in ROLES:
            mine = own.get((name, role), words)
            expected = f"{mine} — {keys[role]}" if role in keys else mine
            assert said[role] == expected, (name, role, said[role])


@pytest.mark.asyncio
async def test_a_closing_window_leaves_the_calm_line_standing() -> None:
    """Walked at 80x24 and 140x45: in a window's last half hour its countdown row replaced the calm line, so
    `Next: 'check' — enter run it`, `Running … — k stop step` and `checking the success criteria — k end check` were
    gone when time was shortest (the header says the countdown too). Now the countdown row comes first and the calm
    line follows it, with its keys; a status that needs attention (a pause) still takes its place."""
    base = _shared()
    ticket = {**(base.session.get("ticket") or {}), "window": {"start": "2026-03-14T01:00:00+00:00", "end": "2026-03-14T02:20:00+00:00"}}
    state = dataclasses.replace(base, session={**base.session, "ticket": ticket})
    running = with_step(state, "check", status="running", started_at="2026-03-14T01:58:30Z")
    paused = _paused(state)
    app = _Stack()
    async with app.run_test(size=(80, 6)) as pilot:
        stack = app.query_one(StatusStack)
        for case, role, rows in (
            (state, "assignee", ["window closes in 20m", "Next: 'check' on local · Config parses — enter run it"]),
            (running, "verifier", ["window closes in 20m", "Running 'check' on local for 1m 30s · Config parses — p hold"]),
            (paused, "assignee", ["PAUSED by alice — p resume", "window closes in 20m"]),
        ):
            stack.show(case, FROZEN, role)
            await until(pilot, lambda rows=rows: _rows(stack) == rows, f"the rows {rows}")


@pytest.mark.asyncio
async def test_a_long_calm_line_is_cut_to_one_row_keeping_its_keys() -> None:
    """At 80 columns a long title is cut with … and the key that runs the step stays whole, on one row."""
    state = _shared()
    long_title = "Restart every worker of the payment gateway in the second region after draining its queue"
    state = with_step(state, "check", rendered={"title": long_title})
    said = await _said(state, width=80)
    assert "\n" not in said["assignee"] and len(said["assignee"]) <= 78, said
    assert said["assignee"].startswith("Next: 'check' on local · Restart every worker")
    assert said["assignee"].endswith("… — enter run it"), said
    assert said["replay"].endswith("…") and "enter" not in said["replay"], said


@pytest.mark.asyncio
async def test_a_wrapped_status_never_splits_a_key_hint() -> None:
    """At 80 columns a status too long for one row wraps; its key hints ("enter re-run", "u roll back") each stay on one
    row, after the words where they fit, else on the next row (it read "… q stop" / "here"). Checked on what the stack
    paints, for every length of the verifier's reason from one word to two rows."""
    state = with_step(_shared(), "check", status="rejected", attempts=1, decided_by="bob", decided_at="2026-03-14T01:59:00Z")
    hints = ("enter re-run", "u roll back")
    app = _Stack()
    async with app.run_test(size=(80, 6)) as pilot:
        stack = app.query_one(StatusStack)

        def painted_whole(text: str) -> Callable[[], bool]:
            return lambda: text in " ".join(_rows(stack))

        for length in range(1, 120, 3):
            reason = ("wrong port " * 12)[:length].strip() or "no"
            stack.show(with_step(state, "check", reason=reason), FROZEN, "assignee")
            whole = f"{reason} — enter re-run · u roll back"
            await until(pilot, painted_whole(whole), f"{whole!r} painted on one row or more", seconds=5)
            rows = _rows(stack)
            for hint in hints:
                assert any(hint in row for row in rows), (length, hint, rows)


def test_a_path_is_cut_in_the_middle_to_fit() -> None:
    path = "~/.local/state/runbook-tui/journals/demo-app-config-20261202T081318.399512Z.jsonl"
    assert cut_middle(path, 200) == path
    cut = cut_middle(path, 40)
    assert len(cut) == 40 and "…" in cut and cut.startswith("~/.local/state/") and cut.endswith("399512Z.jsonl"), cut
    assert cut_middle("日本語のパス名", 7) == "日…ス名"  # wide characters: cells (two each), not characters, are counted


@pytest.mark.asyncio
async def test_at_80x24_the_journal_takes_one_row_and_the_help_shows_it_whole(workdir: Path) -> None:
    """The foot said "journal:" and the path wrapped on two more rows at 80 columns; now one row, cut in the middle
    (start and end kept), and `?` shows the path whole."""
    journal = "journals/CHG-42-raise-the-pool-size-of-demo-app-20261202T081318.399512Z.jsonl"
    (workdir / "journals").mkdir()
    app = make_app(journal=journal)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await settled(pilot)
        foot = app.screen.query_one("#journal-path", NoteLine)
        shown = _row(foot)
        # The path comes first: the solo run's unsigned decisions are said in a word after it, not at the path's cost.
        assert foot.region.height == 1 and shown.startswith("journal: journals/CHG-42-") and shown.endswith("399512Z.jsonl · unsigned"), shown
        assert "…" in shown and len(shown) <= 78, shown
        await pilot.press("question_mark")
        await until(pilot, lambda: type(app.screen).__name__ == "HelpScreen", "the help")
        await pilot.press("end")

        def help_text() -> str:
            return "".join(" ".join(painted(widget) for widget in app.screen.query("#dialog-body")).split())

        await until(pilot, lambda: journal in help_text(), f"the journal's whole path in the help: {journal}")


def _verifier_keys(app: Any) -> list[str]:
    return [f"{key.shown} {key.description}" for key in app.screen.query_one(KeyFooter).keys[0]]


@pytest.mark.asyncio
async def test_the_verifiers_footer_drops_hold_while_the_run_is_paused() -> None:
    """`p hold` asks the assignee to pause: on a paused run it says nothing, so the verifier's footer leaves it out
    (and the status row names no key of the assignee's: resuming is theirs)."""
    client = FakeClient(shared_session_events(Path.cwd()))
    app = VerifierApp(client)
    async with app.run_test(size=(140, 45)) as pilot:
        await until(pilot, lambda: type(app.screen).__name__ == "VerifierScreen", "the verifier's screen")
        await settled(pilot)
        assert "p hold" in _verifier_keys(app)
        screen: Any = app.screen
        client.state = _paused(client.state)
        screen._dirty = True
        stack = screen.query_one(StatusStack)
        await until(pilot, lambda: _row(stack) == "PAUSED by alice", "the pause on the verifier's status row (it read `PAUSED: paused by alice`)")
        await until(pilot, lambda: "p hold" not in _verifier_keys(app), "hold to leave the footer")


@pytest.mark.asyncio
async def test_the_verifiers_footer_says_go_ahead_where_c_lets_a_step_start() -> None:
    """Seen in a walk: the status row said `c go-ahead` and the footer `c confirm`. Where the current step needs the
    verifier's word before it starts, the footer says `c go-ahead` (and c sends it); otherwise `c confirm` as before."""
    client = FakeClient(shared_session_events(Path.cwd()))
    client.state = _verify_before(client.state, "check")
    app = VerifierApp(client)
    async with app.run_test(size=(140, 45)) as pilot:
        await until(pilot, lambda: type(app.screen).__name__ == "VerifierScreen", "the verifier's screen")
        await settled(pilot)
        keys = _verifier_keys(app)
        assert "c go-ahead" in keys and "c confirm" not in keys, keys
        await pilot.press("c")
        await until(pilot, lambda: client.sent == [("confirm", "")], "c to send the go-ahead (the verifier's confirm before the step)")
        screen: Any = app.screen
        client.state = with_step(client.state, "check", status="awaiting_verification")
        screen._dirty = True
        screen.refresh_bindings()
        await until(pilot, lambda: "c confirm" in _verifier_keys(app) and "c go-ahead" not in _verifier_keys(app), "c confirm once the step ran")


@pytest.mark.asyncio
async def test_a_click_on_a_footer_key_presses_it() -> None:
    """The footer is one row of text now, not a widget per key: a click on `p pause` still pauses, and one on the
    gap between two keys does nothing; after `p resume`, the row drawn first (kept, not drawn again) still maps clicks
    to its keys."""
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        footer = app.screen.query_one(KeyFooter)
        row = painted(footer)
        gap = row.index(" u roll back")
        await pilot.click(KeyFooter, offset=(gap, 0))  # the click is handled when it returns
        assert not controller.state.paused and type(app.screen).__name__ == "RunScreen", "a click between two keys pressed one"
        await pilot.click(KeyFooter, offset=(row.index("p pause") + 2, 0))
        await until(pilot, lambda: controller.state.paused, "the pause a click asked for")
        await until(pilot, lambda: "p resume" in painted(footer), "the footer's `p resume` once paused")
        paused_row = painted(footer)
        await pilot.click(KeyFooter, offset=(paused_row.index("p resume") + 2, 0))
        await until(pilot, lambda: not controller.state.paused and painted(footer) == row, "the first row again once resumed")
        # That row was drawn before and is kept: a click on it still finds its keys where they are drawn (the gap after
        # `p pause` is inside the longer `p resume` of the other row).
        await pilot.click(KeyFooter, offset=(row.index("p pause") + len("p pause"), 0))
        assert not controller.state.paused, "a click on the gap after `p pause` pressed p"
        await pilot.click(KeyFooter, offset=(row.index("p pause") + 2, 0))
        await until(pilot, lambda: controller.state.paused, "the second pause a click asked for")
        await settled(pilot)
    assert types("j.jsonl", "paused", "resumed") == ["paused", "resumed", "paused"], "the clicks pressed other keys"


class _Foot(App[None]):
    def compose(self) -> ComposeResult:
        yield NoteLine("journal: ", "/tmp/\x1b]0;pwned\x07[bold]j[/bold].jsonl")


@pytest.mark.asyncio
async def test_the_foot_shows_a_hostile_path_literally() -> None:
    """A journal path is the user's text: a terminal escape in it shows as visible characters, markup as written."""
    app = _Foot()
    async with app.run_test(size=(80, 3)):
        row = _row(app.query_one(NoteLine))
        assert "\x1b" not in row and "\x07" not in row and "[bold]j[/bold].jsonl" in row, row
        assert row.startswith("journal: /tmp/␛]0;pwned"), row


class _Keys(App[None]):
    """A screen with the replay's keys (they fill 80 columns on their own)."""

    BINDINGS = [
        ("right", "noop('right')", "next"),
        ("left", "noop('left')", "back"),
        ("space", "noop('space')", "play/pause"),
        ("plus", "noop('plus')", "faster"),
        ("minus", "noop('minus')", "slower"),
        ("g", "noop('g')", "jump to step"),
        ("question_mark", "noop('question_mark')", "help"),
        ("q", "noop('q')", "quit"),
    ]

    def compose(self) -> ComposeResult:
        yield KeyFooter()

    def action_noop(self, key: str) -> None:
        pass


@pytest.mark.asyncio
@pytest.mark.parametrize(("width", "palette"), [(80, False), (140, True)])
async def test_the_palettes_key_gives_way_to_the_screens_keys(width: int, palette: bool) -> None:
    """At 80 columns the replay's footer read `? hel▏^p palette` and had no `q quit`: the palette's key (ctrl+p works
    without it) took the room of the screen's own last keys."""
    app = _Keys()
    async with app.run_test(size=(width, 10)) as pilot:
        footer = app.screen.query_one(KeyFooter)
        await until(pilot, lambda: "q quit" in painted(footer), f"every key whole at {width} columns")
        row = painted(footer)
        assert "? help q quit" in row, row
        assert ("^p palette" in row) == palette, row


@pytest.mark.asyncio
async def test_a_rollback_the_process_died_in_is_not_called_a_failed_one() -> None:
    """After a `kill -9` during an undo, `resume` showed `ROLLBACK STOPPED at 's2': fix it by hand`, the words of an undo
    that failed; its outcome is unknown, and `u` goes on with the rollback."""
    from runbook_tui.engine.state_model import RollbackState

    state = _shared()
    died = RollbackState("full", {}, ("s4", "s3"), finished=True, ok=False, failed_step="s2", interrupted=True)
    said = await _said(dataclasses.replace(state, rollback=died))
    assert said["assignee"].startswith("ROLLBACK DID NOT FINISH: the program stopped during 's2' (its outcome unknown)"), said
    assert "u roll back again" in said["assignee"] and "fix it by hand" not in said["assignee"], said
    failed = dataclasses.replace(died, interrupted=False)
    assert (await _said(dataclasses.replace(state, rollback=failed)))["assignee"].startswith("ROLLBACK STOPPED at 's2': fix it by hand")


def test_a_guards_pause_during_a_running_step_does_not_offer_a_rollback_key_that_does_nothing() -> None:
    """A guard paused the run while 'deploy' runs: the pause lets it end, and u is off until then (the footer drops
    it, the key does nothing). The row must say when u works (`u roll back once 'deploy' has ended`), not offer
    `u roll back` as if it did; once the step has ended, `u roll back` again."""
    words = "guard 'p99' tripped: 341 ms above 300 ms for 30s"

    def paused_with(*more: tuple[str, dict[str, Any]]) -> Any:
        # Fresh events each time: build() takes their `_ts` out of them.
        return [s for s in statuses(build([*journal(), *more]), now) if s.text.startswith("PAUSED")]

    def journal() -> list[tuple[str, dict[str, Any]]]:
        return [
            (ev.SESSION_STARTED, {"session": "s", "runbook": "demo", "title": "Demo", "plan": _plan(), "mode": "live", "_ts": _ts(-5)}),
            (ev.METRICS_STARTED, {"source": {"kind": "prometheus", "url": "http://p:9090"}, "interval": 5.0, "timeout": 5.0, "panels": PANELS, "_ts": _ts(-4)}),
            (ev.STEP_STARTED, {"step": "deploy", "hosts": ["local"], "_ts": _ts(0)}),
            *_series("p99", [290, 322, 341], start=1),
            (ev.GUARD_TRIPPED, {"panel": "p99", "value": 341, "threshold": 300, "for": 30, "action": "pause", "samples": [], "words": words, "_ts": _ts(62)}),
            (ev.PAUSED, {"reason": words, "_ts": _ts(62)}),
        ]

    now = dt.datetime(2026, 11, 23, 2, 2, tzinfo=dt.UTC)
    [paused] = paused_with()
    assert paused.text == f"PAUSED: {words}; still 341 ms"
    assert paused.keys["assignee"] == "u roll back once 'deploy' has ended · p resume"
    [paused] = paused_with((ev.STEP_FINISHED, {"step": "deploy", "status": "done", "hosts": {"local": {"status": "done", "exit_code": 0}}, "_ts": _ts(63)}))
    assert paused.keys["assignee"] == "u roll back · p resume"


def test_a_guards_pause_for_no_data_is_not_called_recovered_from_the_reading_before_the_outage() -> None:
    """The exporter went away and the guard paused for no data: the row said `recovered, now 0.27%` (the last reading
    before the outage) beside a panel reading UNREACHABLE, live, in replay and in practice."""
    words = "guard 'p99' has had no data for 5s (exporter unreachable at http://p:9090: connection refused)"
    state = build(
        [
            (ev.SESSION_STARTED, {"session": "s", "runbook": "demo", "title": "Demo", "plan": _plan(), "mode": "live", "_ts": _ts(-5)}),
            (ev.METRICS_STARTED, {"source": {"kind": "prometheus", "url": "http://p:9090"}, "interval": 5.0, "timeout": 5.0, "panels": PANELS, "_ts": _ts(-4)}),
            *_series("p99", [120, 130, 0], error="exporter unreachable at http://p:9090: connection refused", start=1),
            (
                ev.GUARD_TRIPPED,
                {"panel": "p99", "value": None, "threshold": None, "for": 5, "action": "pause", "no_data": True, "samples": [], "words": words, "_ts": _ts(62)},
            ),
            (ev.PAUSED, {"reason": words, "_ts": _ts(62)}),
        ]
    )
    [paused] = [s for s in statuses(state, dt.datetime(2026, 11, 23, 2, 2, tzinfo=dt.UTC)) if s.text.startswith("PAUSED")]
    assert paused.text == f"PAUSED: {words}", paused.text
    assert paused.tone == "error"


def test_with_no_verifier_joined_the_assignee_reads_that_the_next_verified_step_is_blocked_and_the_ways_on() -> None:
    """The verifier pressed q (or dropped, or never came): the header said `not connected`, and nothing said the step
    could not go on, nor how (wait, or go on solo with a reason). Who came and went is narrated in the log."""
    from runbook_tui.ui.log_lines import log_lines

    shared = dataclasses.replace(_shared(), share={"address": "127.0.0.1:2222", "fingerprint": "SHA256:x"})
    waiting = with_step(shared, "check", status="awaiting_verification")
    ways = "wait for one to join, or q and resume --solo REASON"

    def said(state: RunState) -> list[tuple[str, dict[str, str]]]:
        return [(s.text, dict(s.keys)) for s in statuses(state, FROZEN)]

    assert said(shared) == [
        ("'check' will wait for a verifier's confirmation once it has run: no verifier is connected", {"assignee": f"enter run it · {ways}"})
    ]
    # The row is about a step that has not run: each case says what is true of it, and enter's words are the footer's.
    note = with_plan(shared, "check", kind="note")
    assert said(note)[0][1] == {"assignee": f"enter I did it (nothing runs) · {ways}"}, said(note)
    per_wave = with_plan(shared, "check", verify="per_wave")
    assert said(per_wave)[0][0] == "'check' will wait for a verifier's confirmation after each wave: no verifier is connected"
    let_start = with_step(_verify_before(shared, "check"), "check", go_ahead_by="bob")
    assert said(let_start) == [], "a `before` step with its go-ahead needs no verifier now (it said it would wait for one)"
    for after in ("running", "done", "failed"):
        assert not [text for text, _ in said(with_step(shared, "check", status=after, attempts=1)) if "'check' will wait" in text], after
    assert said(waiting) == [("Waiting for bob to confirm 'check': no verifier is connected", {"verifier": "c confirm · x reject", "assignee": ways})]
    go_ahead = _verify_before(shared, "check")
    assert said(go_ahead) == [("'check' needs a verifier's go-ahead to start: no verifier is connected", {"assignee": ways})]
    joined = {"bob": "verifier", "carol": "observer"}
    assert said(dataclasses.replace(shared, participants=joined)) == []
    assert said(dataclasses.replace(waiting, participants=joined)) == [("Waiting for bob to confirm 'check'", {"verifier": "c confirm · x reject"})]
    assert said(dataclasses.replace(waiting, participants={"carol": "observer"}))[0][0].endswith(": no verifier is connected")
    assert said(dataclasses.replace(shared, session={**shared.session, "solo": "CAB ok"})) == []
    assert said(dataclasses.replace(shared, share={})) == [], "a run not shared: resume says what to do (no verifier can join it)"
    left = {"type": ev.PARTICIPANT_LEFT, "seq": 9, "ts": "2026-03-14T02:00:00Z", "actor": "system", "name": "bob", "role": "verifier"}
    assert log_lines(left) == ["── 02:00:00 bob (verifier) left"]
    assert log_lines({**left, "type": ev.PARTICIPANT_JOINED}) == ["── 02:00:00 bob joined as verifier"]
    looked = {**left, "type": ev.SESSION_INTERRUPTED, "pid": 4242}  # a look-only `resume` found the process gone: said, as a resume is
    assert log_lines(looked) == ["── the run's process was found stopped (by process 4242, which resumed nothing)"]


def test_a_pause_says_what_it_leaves_running_and_that_a_finished_run_ends_on_resume() -> None:
    """Walked at 80x24: `p` while 'check' ran read `PAUSED: paused by alice` over a pane that still said running (the
    row hid `Running 'check'`), as if the step had stopped; with every step done the row said the same over a pane
    titled `finished`, and nothing said the run ends only once resumed. A verifier's hold read `HOLD asked: bob: the
    verifier asks to hold`: the verifier's screen now sends no words, and the row reads `bob asks to hold`."""
    from runbook_tui.engine.state import apply

    base = _shared()
    shared = _paused(base)

    def paused(state: RunState) -> str:
        return next(s.text for s in statuses(state, FROZEN) if s.text.startswith("PAUSED"))

    assert paused(shared) == "PAUSED by alice", "the reason journaled for a bare p is not said again (it read `PAUSED: paused by alice`)"
    assert paused(_paused(base, reason="waiting for DBA")) == "PAUSED by alice: waiting for DBA", "a reason of one's own is kept"
    assert paused(with_step(shared, "check", status="running")) == "PAUSED by alice; 'check' still runs to its end"
    done = dataclasses.replace(shared, steps={sid: dataclasses.replace(step, status="done") for sid, step in shared.steps.items()})
    assert paused(done) == "PAUSED by alice; every step is done: the run finishes when it resumes"
    held = apply(base, {"type": ev.HOLD_REQUESTED, "seq": 9, "ts": "2026-03-14T02:00:00Z", "actor": "bob", "reason": ""})
    assert [s.text for s in statuses(held, FROZEN)] == ["HOLD asked: bob asks to hold"]


def test_the_check_before_the_end_is_said_beside_other_statuses_with_the_controllers_k() -> None:
    """Walked at 140x45: with every step done, a verifier's rollback request up and the check of the success criteria
    waiting, the rows said only the request (the check was the calm line, which any status replaced), and only the
    footer offered `k end check`. Now the check is a status of its own, last; its `k` follows the controller's word
    where the screen has it (a check the dead process began is none), the journal's elsewhere."""
    base = _shared()
    done = dataclasses.replace(base, steps={sid: dataclasses.replace(step, status="done") for sid, step in base.steps.items()})
    state = dataclasses.replace(done, rollback_requested="bob: p99 doubled", success_pending=({"when": "end", "text": "p99 below 250 ms"},))
    checking = Status("Every step is done: checking the success criteria", "muted", {"assignee": "k end check"})
    assert statuses(state, FROZEN)[1:] == [checking], "the journal's word: a check started and not ended"
    assert statuses(state, FROZEN, check_stoppable=True)[1:] == [checking]
    assert statuses(state, FROZEN, check_stoppable=False)[1:] == [], "the controller runs no check: none said, no k offered"
    stale = dataclasses.replace(state, success_pending=({**state.success_pending[0], "process": 0},), resumed=1)
    assert statuses(stale, FROZEN)[1:] == [], "a check the process that died began is none now"


def test_a_step_that_went_on_with_hosts_failed_within_max_fail_says_so_while_it_waits_for_the_verifier() -> None:
    """Before: such a step ended FAILED (the run stopped as if the budget were spent); now it waits for the verifier's
    word like any step that ran, and the row keeps its failed hosts in sight: they are what the verifier weighs."""
    from runbook_tui.engine.state_model import HostState

    state = with_plan(_shared(), "check", max_fail="10%")
    hosts = {f"web{i:02d}": HostState("failed" if i in (3, 4) else "done", 1 if i in (3, 4) else 0, None) for i in range(1, 21)}
    [row] = [s for s in statuses(with_step(state, "check", status="awaiting_verification", hosts=hosts), FROZEN) if s.text.startswith("Waiting")]
    assert "to confirm 'check'; 2 of 20 hosts failed, within max_fail 10%" in row.text, row.text
    clean = {h: HostState("done", 0, None) for h in hosts}
    [row] = [s for s in statuses(with_step(state, "check", status="awaiting_verification", hosts=clean), FROZEN) if s.text.startswith("Waiting")]
    assert "failed" not in row.text, row.text
    # the step list and the detail pane's title: a done step with hosts failed is no clean `✓ done`
    from runbook_tui.ui.glyphs import DONE_WITH_FAILED, looks, status_text
    from runbook_tui.ui.themes import load_themes, theme_folders

    assert looks("done", None, hosts) == DONE_WITH_FAILED and looks("done", None, clean) == "done"
    theme = load_themes(theme_folders())[0][0]
    drawn, clean_drawn = status_text(looks("done", None, hosts), theme), status_text("done", theme)
    assert drawn.plain == "✓ done, hosts failed within max_fail" and clean_drawn.plain == "✓ done"
    assert drawn.style != clean_drawn.style, "drawn in the warning colour, not success's"


def test_a_paused_run_offers_no_enter_on_any_row() -> None:
    """Walked at 80x24: paused over a step of unknown outcome, the row read `'slow' outcome UNKNOWN … — enter re-run · d
    mark done · u roll back` while enter was refused (`the run is paused (by alice); lift the pause first`) and the
    footer left ⏎ out; a failed, a rejected and a rolled-back step's rows the same. Paused, no row names enter; the
    other keys stay, and once resumed enter is back."""
    from runbook_tui.engine.state_model import RollbackState

    base = _shared()
    rolled = dataclasses.replace(
        with_step(base, "check", status="undone", attempts=1), rollback=RollbackState(scope="checkpoint", plan={}, finished=True, ok=True)
    )
    cases = {
        "failed": (with_step(base, "check", status="failed", attempts=1), "u roll back · s skip"),
        "unknown": (with_step(base, "check", status="unknown", attempts=1), "d mark done · u roll back"),
        "rejected": (with_step(base, "check", status="rejected", attempts=1, decision="rejected", decided_by="bob", reason="no"), "u roll back"),
        "rolled back": (rolled, "q quit"),
    }
    for name, (state, rest) in cases.items():
        running = [s.keys.get("assignee", "") for s in statuses(state, FROZEN) if not s.text.startswith("PAUSED")]
        assert any(keys.startswith("enter ") for keys in running), (name, running)
        paused = [s.keys.get("assignee", "") for s in statuses(_paused(state), FROZEN) if not s.text.startswith("PAUSED")]
        assert rest in paused and not any("enter" in keys for keys in paused), (name, paused)
