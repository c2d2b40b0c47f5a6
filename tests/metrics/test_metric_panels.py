"""The panel area: drawn from a RunState built from events, so live runs and replays look the same.

Snapshots use a fixed clock and states folded from fixed events; the last
test drives the real run screen: a guard with `on_critical: rollback` pauses
the run and opens the undo list by itself; the rollback runs when the person
says yes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest
from metrics_helpers import metrics_runbook, until
from panel_states import NOW, PANELS, state_for, with_samples
from peers import Exporter
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Static
from written_lines import written_events

from runbook_tui.app.session import load, open_session, resume_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine.controller import Controller
from runbook_tui.engine.state import RunState
from runbook_tui.metrics.guards import format_value
from runbook_tui.metrics.panel_view import panel_view
from runbook_tui.ui.app import RunbookApp
from runbook_tui.ui.panels import MetricPanel, PanelArea
from runbook_tui.ui.run_view import RunView
from runbook_tui.ui.sparkline import ThresholdSparkline
from runbook_tui.ui.status_stack import StatusStack
from tests.ui.run_screen_helpers import showing

SIZE = (110, 16)
APP_CSS = Path(__file__).resolve().parents[2] / "runbook_tui" / "ui" / "app.tcss"


class PanelsApp(App[None]):
    """The panel area alone, styled as on the run screen."""

    CSS_PATH = APP_CSS

    def __init__(self, state: RunState) -> None:
        super().__init__()
        self.state = state

    def compose(self) -> ComposeResult:
        yield PanelArea(lambda: self.state, clock=lambda: NOW, id="metrics")


def panel_of(root: App[None] | Screen[object], panel_id: str) -> MetricPanel:
    return next(p for p in root.query(MetricPanel) if p.panel_id == panel_id)


class Replica:
    """A run view's source whose panels come after the screen is composed (a verifier's replica catching up, a replay)."""

    def __init__(self, state: RunState) -> None:
        self.state = state
        self.listeners: list[Callable[..., None]] = []

    def subscribe(self, listener: Callable[..., None]) -> None:
        self.listeners.append(listener)


class ViewApp(App[None]):
    CSS_PATH = APP_CSS

    def __init__(self, source: Replica) -> None:
        super().__init__()
        self.source = source

    def on_mount(self) -> None:
        self.push_screen(RunView(self.source, ("journal: ", "j.jsonl")))


@pytest.mark.asyncio
async def test_panels_that_come_after_the_screen_get_their_area() -> None:
    """A run without panels has no panel area; panels that arrive later (metrics_started) get one, in the run's state."""
    later = state_for("ok")
    source = Replica(dataclasses.replace(later, metrics={}))
    app = ViewApp(source)
    async with app.run_test(size=(140, 45)):
        await until(lambda: isinstance(app.screen, RunView) and bool(app.screen.query("#output")), what="the run view")
        assert not app.screen.query("#metrics"), "no panels, no area"
        source.state = later
        started = {"type": "metrics_started", "source": later.metrics["source"], "interval": 5.0, "panels": PANELS}
        for listener in source.listeners:
            listener(started, later)
        await until(lambda: bool(app.screen.query("#metrics")), what="the panel area")
        area = app.screen.query_one("#metrics", PanelArea)
        await until(lambda: area.display and any(p.panel_id == "p99" for p in area.query(MetricPanel)), what="the panels drawn")
        # the title says how many panels are out of view until the area has its height (a frame later under load)
        await until(lambda: area.border_title == "metrics", what="every panel in view (the area's title `metrics` alone)")
        assert area.parent is app.screen.query_one("#right")


@pytest.mark.parametrize("kind", ["ok", "warn", "critical", "unreachable", "watching"])
def test_snapshot_panels(kind: str, snap_compare: Callable[..., bool]) -> None:
    """The three panels in each state; the area's title is `metrics` alone: every panel's head is in view (in
    `unreachable` the last panel's foot is cut and the scrollbar shows it; its head, value and state show)."""
    size = (110, 30) if kind == "watching" else SIZE
    assert snap_compare(PanelsApp(state_for(kind)), terminal_size=size)


@pytest.mark.asyncio
async def test_a_running_command_step_with_watch_draws_its_panels_large() -> None:
    """`watch:` on a run step (as `runbook-tui new` writes it on a rolling restart and on `kubectl rollout status`):
    before, only a `wait` step's watch was read, so the panels the author named stayed small while it ran, silently."""
    app = PanelsApp(state_for("watching-run"))
    async with app.run_test(size=(110, 30)) as pilot:
        area = app.query_one(PanelArea)
        await until(lambda: area.has_class("watching"), what="the watched panel drawn large")
        await pilot.pause()
        assert [p.panel_id for p in app.query(MetricPanel) if p.has_class("watched")] == ["errors"]


@pytest.mark.asyncio
async def test_the_panels_whose_guard_pauses_or_rolls_back_come_first() -> None:
    """A panel without `critical` guards nothing (its `on_critical` defaults to pause). Before: it was drawn among the
    guard panels, ahead of them when listed first, and on a short terminal a guard's line could be the one pushed off."""
    base = state_for("ok")
    plain = {**PANELS[0], "id": "plain", "title": "Plain", "warn": None, "critical": None, "on_critical": "pause"}
    panels = [plain, PANELS[2], PANELS[0], PANELS[1]]  # no guard, notify, pause, rollback
    state = with_samples(base, {**base.samples, "plain": base.samples["p99"]}, metrics={**base.metrics, "panels": panels})
    app = PanelsApp(state)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert [p.panel_id for p in app.query(MetricPanel)] == ["p99", "errors", "plain", "rps"]


def test_panel_views_say_the_state_in_words() -> None:
    ok = panel_view(PANELS[0], state_for("ok"), NOW, 5.0)
    assert (ok.state, ok.value, ok.baseline, ok.lines, ok.age, ok.stale) == ("ok", 185.0, "before 180 ms", "warn 200 / crit 300 → pause", 2.0, False)
    critical = panel_view(PANELS[0], state_for("critical"), NOW, 5.0)
    assert (critical.state, critical.trend, critical.worsening) == ("critical", "↑", True)
    down = panel_view(PANELS[0], state_for("unreachable"), NOW, 5.0)
    assert down.state == "unreachable" and down.error == "Prometheus unreachable at http://prometheus:9090: connection refused"
    assert down.value == 322.0, "the last value read stays known"
    late = panel_view(PANELS[0], state_for("ok"), NOW + 20, 5.0)
    assert late.stale, "older than three intervals"
    rps = panel_view(PANELS[2], state_for("ok"), NOW, 5.0)
    assert rps.lines == "warn ≤500 / crit ≤200 → notify" and rps.state == "ok"


@pytest.mark.asyncio
async def test_each_panel_says_what_its_guard_does_whole_two_panels_a_row() -> None:
    """What crossing `critical` does (pause, rollback, notify), before it does it, and never cut: at 140x45 the run screen
    gives the panels 88 columns, two a row. Before: the foot read `before 0.18% · warn 1 / crit 5 · no dat…` (the guard's
    action on a critical value was not said at all)."""
    base = state_for("ok")
    errors = {**PANELS[1], "on_no_data": "pause"}
    p99 = {**PANELS[0], "on_no_data": "pause"}
    state = dataclasses.replace(base, metrics={**base.metrics, "panels": [p99, errors, PANELS[2]]})
    app = PanelsApp(state)
    async with app.run_test(size=(88, 16)) as pilot:
        await pilot.pause()
        feet = {pid: " ".join(_painted(panel_of(app, pid).query_one(".panel-foot", Static)).split()) for pid in ("p99", "errors", "rps")}
    assert feet["p99"].startswith("warn 200 / crit 300 or no data → pause before 180 ms · "), feet
    assert feet["errors"].startswith("warn 1 / crit 5 → rollback · no data → pause before "), feet
    assert feet["rps"].startswith("warn ≤500 / crit ≤200 → notify before "), feet
    assert "…" not in "".join(feet.values()), feet


def _guarded_runbook(tmp_path: Path, exporter: Exporter) -> Path:
    """A change (with its undo) and a watch whose guard asks to roll back when the error rate goes critical."""
    runbook = tmp_path / "runbook.yaml"
    runbook.write_text(
        metrics_runbook(
            f'scrape: {{url: "{exporter.url}"}}',
            panels="- {id: err, title: Error rate, query: 'rbt_test_value{service=\"api\"}', unit: '%', critical: 5, for: 0.5s, on_critical: rollback}",
            sections=f"""
            - id: change
              kind: implement
              steps:
                - {{id: edit, title: Change, run: "touch {tmp_path / "changed"}", undo: "rm {tmp_path / "changed"}"}}
                - {{id: soak, title: Watch, wait: 60s, watch: [err]}}
            """,
        ),
        encoding="utf-8",
    )
    return runbook


async def _until_the_guard_opens_the_undo_list(app: RunbookApp, pilot: Pilot[None], exporter: Exporter, tmp_path: Path) -> Controller:
    """Run the change, start the watch, make the error rate critical: the undo list opens by itself, nothing undone yet."""
    await until(lambda: app.handle is not None and type(app.screen).__name__ == "RunScreen", what="the run screen")
    assert app.handle is not None
    controller = app.handle.controller
    await pilot.press("enter")
    await until(lambda: controller.state.steps["edit"].status == "done", what="the change")
    await pilot.press("enter")
    await until(lambda: controller.state.steps["soak"].status == "running", what="the watch")
    area = app.screen.query_one(PanelArea)
    await until(lambda: area.has_class("watching"), what="the watched panel drawn large")
    exporter.set(8)
    await until(lambda: showing(app, "RollbackModal"), timeout=10, what="the undo list, opened by the guard")
    assert controller.state.steps["soak"].status == "failed", "the trip cut the watch short"
    assert controller.state.guard_trips[0]["action"] == "rollback"
    assert controller.state.paused and controller.state.rollback is None, "paused; nothing undone before the person says yes"
    assert (tmp_path / "changed").exists()
    undo = f"rm {tmp_path / 'changed'}"
    await until(lambda: any(undo in _painted(body) for body in app.screen.query("#dialog-body").results(Static)), what="the list saying what will run")
    return controller


async def _yes_rolls_back(app: RunbookApp, pilot: Pilot[None], controller: Controller, tmp_path: Path) -> None:
    await pilot.press("y")
    await until(lambda: controller.state.rollback is not None and controller.state.rollback.finished, timeout=10, what="the rollback")
    assert not (tmp_path / "changed").exists(), "the undo ran"
    stack = app.screen.query_one(StatusStack)
    await until(lambda: "Rolled back to the start; 'edit' is next again" in _painted(stack), what="the status stack showing the rollback")


@pytest.mark.peers
@pytest.mark.asyncio
async def test_a_rollback_guard_shows_the_undo_list_then_rolls_back_on_yes(exporter: Exporter, tmp_path: Path) -> None:
    loaded = load(str(_guarded_runbook(tmp_path, exporter)), {})
    app = RunbookApp(lambda _override: open_session(loaded, solo="tui test", journal=str(tmp_path / "j.jsonl"), settings=Settings()))
    async with app.run_test(size=(140, 45), notifications=True) as pilot:
        controller = await _until_the_guard_opens_the_undo_list(app, pilot, exporter, tmp_path)
        await _yes_rolls_back(app, pilot, controller, tmp_path)
        await pilot.press("q")
    # The journal (and so the report and the verifier) says the rollback answered the guard, as exec's does. Before:
    # "started from the run screen", the guard's request lost.
    [started] = [e for e in written_events(tmp_path / "j.jsonl") if e["type"] == "rollback_started"]
    trip = controller.state.guard_trips[0]["words"]
    assert (
        started["actor"] != "system"
        and started["reason"] == f"started from the run screen, answering: {trip}: the guard asks to roll back to the last checkpoint"
    )


@pytest.mark.peers
@pytest.mark.asyncio
async def test_a_guard_rollback_left_unanswered_opens_the_undo_list_again_on_resume(exporter: Exporter, tmp_path: Path) -> None:
    """The person leaves the guard's undo list (escape) and quits; `resume` opens the list again by itself, and yes rolls back."""
    journal = str(tmp_path / "j.jsonl")
    loaded = load(str(_guarded_runbook(tmp_path, exporter)), {})
    app = RunbookApp(lambda _override: open_session(loaded, solo="tui test", journal=journal, settings=Settings()))
    async with app.run_test(size=(140, 45), notifications=True) as pilot:
        await _until_the_guard_opens_the_undo_list(app, pilot, exporter, tmp_path)
        await pilot.press("escape")
        await until(lambda: type(app.screen).__name__ == "RunScreen", what="the run screen again, the request left open")
        await pilot.press("q")
        await until(lambda: showing(app, "ConfirmPrompt"), what="the quit prompt")
        await pilot.press("y")
    assert (tmp_path / "changed").exists(), "nothing undone before the process ended"
    exporter.set(0)  # the error rate is back to normal: the guard does not trip again; only the unanswered request is left

    resumed = RunbookApp(lambda _override: resume_session(journal, settings=Settings()))
    async with resumed.run_test(size=(140, 45), notifications=True) as pilot:
        await until(lambda: showing(resumed, "RollbackModal"), timeout=10, what="the undo list, opened again on resume")
        assert resumed.handle is not None
        controller = resumed.handle.controller
        assert controller.state.rollback is None, "nothing undone before the person says yes"
        await _yes_rolls_back(resumed, pilot, controller, tmp_path)
        await pilot.press("q")


def _painted(widget: Static) -> str:
    """What the widget paints now, without styles."""
    width, height = widget.size
    return "\n".join(strip.text for strip in widget.render_lines(Region(0, 0, width, height)))


@pytest.mark.asyncio
async def test_a_hostile_error_or_title_from_the_journal_is_one_literal_bounded_line_on_the_panel() -> None:
    """A journal from another program (or version) holding a peer's raw error: escapes, markup, a newline, 1 MB.

    Before: the panel handed the error to the terminal as it was (ESC and BEL included), all of it."""
    hostile = "\x1b]0;pwned\x07\x1b[2J[bold]red[/] [@click=app.quit]x[/]\nforged" + "y" * 1_000_000
    base = state_for("unreachable")
    state = dataclasses.replace(base, metric_errors={**base.metric_errors, "p99": hostile})
    panels = [{**PANELS[0], "title": "p99 \x1b]0;title\x07[b]x[/b]"}, *PANELS[1:]]
    state = dataclasses.replace(state, metrics={**state.metrics, "panels": panels})
    view = panel_view(panels[0], state, NOW, 5.0)
    assert view.error is not None and view.error.startswith("␛]0;pwned␇␛[2J[bold]red[/] [@click=app.quit]x[/]⏎forged")
    assert len(view.error) <= 300 and view.title == "p99 ␛]0;title␇[b]x[/b]"
    app = PanelsApp(state)
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.pause()
        panel = panel_of(app, "p99")
        shown = "\n".join(
            strip.text for part in panel.walk_children() if part.size.area for strip in part.render_lines(Region(0, 0, part.size.width, part.size.height))
        )
        assert "\x1b" not in shown and "\x07" not in shown
        assert "␛]0;pwned␇␛[2J[bold]red[/]" in shown and "p99 ␛]0;title␇[b]x[/b]" in shown, shown


@pytest.mark.asyncio
async def test_an_escape_in_a_unit_or_the_source_address_is_shown_literally() -> None:
    """`validate` accepts any text as a unit or an address (a YAML "\\e" is ESC). Before: the head, the before/lines foot,
    the success line and the source line handed it to the terminal as it was."""
    base = state_for("critical")
    unit = "\x1b]0;pwn\x07[b]ms"
    panels = [{**PANELS[0], "unit": unit}, *PANELS[1:]]
    success = [{**base.metrics["success"][0], "text": f"p99 below 250 {unit}"}]
    source = {"kind": "prometheus", "url": "http://prom/\x1b[2J[b]y"}
    state = dataclasses.replace(base, metrics={**base.metrics, "panels": panels, "source": source, "success": success})
    app = PanelsApp(state)
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.pause()
        shown = "\n".join(_painted(widget) for widget in app.query(Static))
        assert "\x1b" not in shown, shown
        assert "341 ␛]0;pwn␇[b]ms" in shown and "before 180 ␛]0;pwn␇[b]ms" in shown and "http://prom/␛[2J[b]y" in shown, shown
        assert "success: p99 below 250 ␛]0;pwn␇[b]ms" in shown, shown


@pytest.mark.asyncio
async def test_a_source_that_answers_without_a_number_is_not_called_unreachable() -> None:
    """NaN, an infinity or an empty result: Prometheus answered. Before: the head said UNREACHABLE for each. An
    infinity is a reading past every line on its side, which its guard judges so (it trips: `+Inf above 5%`): the head
    says `+Inf CRIT` (it said `NO VALUE` while the guard tripped), and `-Inf` on a panel where high is bad is ok."""
    base = state_for("unreachable")
    errors = {
        "p99": "the value is NaN (not a number: e.g. 0/0, or no data in its window)",
        "errors": "the value is +Inf (infinite: above every line)",
        "rps": "Prometheus unreachable at http://prometheus:9090: connection refused",
    }
    state = dataclasses.replace(base, metric_errors={**base.metric_errors, **errors})
    kinds = {p["id"]: panel_view(p, state, NOW, 5.0).state for p in PANELS}
    assert kinds == {"p99": "novalue", "errors": "critical", "rps": "unreachable"}
    below = dataclasses.replace(base, metric_errors={**base.metric_errors, "errors": "the value is -Inf (infinite: below every line)"})
    assert panel_view(PANELS[1], below, NOW, 5.0).state == "ok"
    empty = dataclasses.replace(base, metric_errors={**base.metric_errors, "p99": "the query returned no data (empty result)"})
    assert panel_view(PANELS[0], empty, NOW, 5.0).state == "novalue"
    app = PanelsApp(state)
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.pause()
        heads = {}
        for pid in errors:
            head = panel_of(app, pid).query_one(".panel-head", Static)
            heads[pid] = "".join(strip.text for strip in head.render_lines(Region(0, 0, head.size.width, head.size.height)))
        assert "NO VALUE" in heads["p99"] and "UNREACHABLE" not in heads["p99"], heads
        assert heads["errors"].rstrip().endswith("+Inf% CRIT") and "UNREACHABLE" in heads["rps"], heads


@pytest.mark.asyncio
async def test_panel_ids_that_are_not_textual_identifiers_are_drawn() -> None:
    """A panel id may hold '.' (`p99.latency`, as the runbook format allows) and an edited journal's anything (markup, escapes,
    a leading digit, the same id twice): each was made a Textual DOM id, and the run screen, replay and practice crashed with
    BadIdentifier / MountError. Now panels are kept by id, never as DOM ids."""
    base = state_for("ok")
    odd = ["p99.latency", "5xx", "err[link=x]ors\x1b]0;t\x07", "5xx"]
    panels = [{**PANELS[0], "id": pid, "title": f"panel {n}"} for n, pid in enumerate(odd)]
    state = dataclasses.replace(base, metrics={**base.metrics, "panels": panels, "success": []})
    app = PanelsApp(state)
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.pause()
        assert sorted(p.panel_id for p in app.query(MetricPanel)) == sorted(set(odd))
        head = panel_of(app, "p99.latency").query_one(".panel-head", Static)
        assert "panel 0" in "".join(strip.text for strip in head.render_lines(Region(0, 0, head.size.width, head.size.height)))


@pytest.mark.asyncio
async def test_huge_tiny_and_negative_readings_are_drawn_short_at_80x24() -> None:
    """Valid floats from a peer: near ±1.8e308, 1e-9, negative. Before: the sparkline and the trend raised (NaN bar height,
    an overflowing mean) and took the screen down with a traceback; a value of 1e300 was a 400-character number."""
    base = state_for("ok")
    huge = [-1.7e308, -1.7e308, 1.7e308, 1e300]
    samples = {**base.samples, "p99": tuple((ts, v) for (ts, _v), v in zip(base.samples["p99"], huge)),
               "errors": ((base.samples["errors"][0][0], 1e-9), (base.samples["errors"][1][0], -0.000123)),
               "rps": ((base.samples["rps"][0][0], -5e20),)}  # fmt: skip
    state = with_samples(base, samples)
    views = {p["id"]: panel_view(p, state, NOW, 5.0) for p in PANELS}
    assert views["p99"].trend == "↑" and views["p99"].state == "critical"
    assert format_value(1e300, "ms") == "1e+300 ms" and format_value(-5e20, "/s") == "-5e+20 /s"
    assert format_value(999_999_999_999, "B") == "999,999,999,999 B" and format_value(1e-9, "%") == "1e-09%"
    app = PanelsApp(state)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        heads = {}
        for pid in ("p99", "errors", "rps"):
            panel = panel_of(app, pid)
            heads[pid] = _painted(panel.query_one(".panel-head", Static))
            assert _painted(panel.query_one(ThresholdSparkline)).strip(), f"{pid}: no bars"
        assert "1e+300 ms" in heads["p99"] and "-0.000123%" in heads["errors"] and "-5e+20 /s" in heads["rps"], heads


@pytest.mark.asyncio
async def test_panels_that_do_not_fit_are_counted_in_the_areas_title_with_their_worst_states() -> None:
    """At 80x24, twenty panels (ten one-line rows): the area grew past the screen's foot, the last rows drawn under the
    journal line and the footer, with no scrollbar and no word of them. Now it takes at most a third of the column,
    scrolls, and its title says how many panels are out of view and which of them are CRIT; scrolled to the end, the
    title counts those above instead."""
    critical, ok = state_for("critical"), state_for("ok")
    panels = [dict(p, id=f"{p['id']}{i}", title=f"{p['title']} {i}") for i in range(7) for p in PANELS][:20]
    samples = {p["id"]: (critical if p["id"].startswith("p99") else ok).samples[p["id"][:-1]] for p in panels}
    state = with_samples(ok, samples, metrics={**ok.metrics, "panels": panels})
    app = ViewApp(Replica(state))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: isinstance(app.screen, RunView) and bool(app.screen.query(MetricPanel)), what="the panels")
        area = app.screen.query_one("#metrics", PanelArea)
        await until(lambda: "more panels" in str(area.border_title), what="the title to count the panels out of view")
        assert area.region.bottom <= app.screen.query_one("#journal-path").region.y, "the area ends above the foot"
        rows = area.scrollable_content_region.height
        hidden = 20 - 2 * rows
        assert str(area.border_title) == f"metrics · ▼ {hidden} more panels, 2 CRIT (m shows them)", area.border_title
        # The keyboard's way to them (scrolling was the mouse's alone, and the title said `(scroll)`): m, a page at a time.
        await pilot.press("m")
        await until(lambda: f"▲ {2 * rows} more panels" in str(area.border_title), what="m to show the next panels")
        for _ in range(20):
            if "▼" not in str(area.border_title):
                break
            before = area.scroll_y
            await pilot.press("m")
            await until(lambda before=before: area.scroll_y > before, what="m to scroll on")
        assert str(area.border_title).startswith(f"metrics · ▲ {hidden} more panels"), area.border_title
        await pilot.press("m")  # at the last ones: the first again
        await until(lambda: area.scroll_y == 0 and "▲" not in str(area.border_title), what="m to go back to the first panels")


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (64, 24), (140, 24)])
async def test_one_line_heads_in_an_outage_say_the_last_value_and_its_age_fitted_to_the_width(size: tuple[int, int]) -> None:
    """At 80x24 only the heads show (two panels a row, the area `one-line`). Before: `⚠ API p99 latency  UNREACHABLE`,
    no value nor age; the foot that had them is hidden there. Now the head says the last value and its own age, in the
    longest form that leaves the title a few columns (or the panel's id whole), and nothing is cut: `UNREACHABLE (last 322 ms 2m ago)`, shorter
    (`(322 ms 2m)`) where the panel is narrower."""
    state = state_for("unreachable")
    views = {p["id"]: panel_view(p, state, NOW + 125, 5.0) for p in PANELS}
    assert views["p99"].value == 322.0 and views["p99"].value_age == pytest.approx(132)

    class Clocked(RunView):
        def panel_clock(self) -> float:
            return NOW + 125

    class OneLine(App[None]):
        CSS_PATH = APP_CSS

        def __init__(self, source: Replica) -> None:
            super().__init__()
            self.source = source

        def on_mount(self) -> None:
            self.push_screen(Clocked(self.source, ("journal: ", "j.jsonl")))

    app = OneLine(Replica(state))
    async with app.run_test(size=size):
        await until(lambda: isinstance(app.screen, RunView) and len(app.screen.query(MetricPanel)) == 3, what="the panels")
        area = app.screen.query_one("#metrics", PanelArea)
        assert area.has_class("one-line"), "a short terminal: heads only"
        panels = {pid: panel_of(app.screen, pid) for pid in ("p99", "errors", "rps")}
        heads = {pid: panel.query_one(".panel-head", Static) for pid, panel in panels.items()}
        await until(lambda: all("(" in _painted(h) for h in heads.values()), what="the heads fitted to their width")
        for pid, value in (("p99", "322 ms"), ("errors", "0.2%"), ("rps", "848 /s")):
            head = _painted(heads[pid])
            assert "UNREACHABLE (" in head and f"{value} 2m" in head and head.rstrip().endswith(")"), (size, head)
            # Named by its title's start, or (where the title does not fit) by its id whole: `⚠ p99 UNREACHABLE (…)`.
            assert head.lstrip().startswith((f"⚠ {views[pid].title[:4]}", f"⚠ {pid} ")), (size, head)
            if size[0] == 140:
                assert f"UNREACHABLE (last {value} 2m ago)" in head, head


@pytest.mark.asyncio
@pytest.mark.parametrize("width", [88, 80, 60])
async def test_a_long_address_in_an_error_is_cut_in_the_middle_and_the_cause_stays(width: int) -> None:
    """At 140x45 the panels get 88 columns, two a row. Before: the foot's last line was cut and
    `exporter at http://…/metrics answered` lost `HTTP 503`, the cause; now the address is cut in its middle."""
    base = state_for("unreachable")
    url = "http://prometheus-exporter-" + "very-long-name-" * 6 + "shop.example.internal:9100/metrics"
    error = f"exporter at {url} answered HTTP 503"
    state = dataclasses.replace(base, metric_errors={**base.metric_errors, "p99": error})
    app = PanelsApp(state)
    async with app.run_test(size=(width, 24)):

        def foot() -> str:
            return " ".join(_painted(panel_of(app, "p99").query_one(".panel-foot", Static)).split())

        await until(lambda: "exporter at" in foot(), what="the error in the foot")
        try:  # once laid out (a scrollbar may come and narrow the panels: the foot is fitted again)
            await until(lambda: foot().endswith("/metrics answered HTTP 503"), 5, "the cause at the foot's end")
        except AssertionError:
            raise AssertionError(foot()) from None
        said = foot()
    assert said.endswith("/metrics answered HTTP 503"), said
    # the address's start kept, then its middle cut (how much of it fits depends on the panel's width: with a scrollbar
    # come, as on a loaded run, `http://prom…` at 88 columns)
    assert "exporter at http://prom" in said and "…" in said, said


@pytest.mark.asyncio
async def test_the_foot_says_whose_age_it_gives_beside_the_baseline() -> None:
    """Before: `before 180 ms · 2s ago` read as if the baseline were 2 s old; the age is the last reading's."""
    app = PanelsApp(state_for("ok"))
    async with app.run_test(size=(88, 16)):

        def foot() -> str:
            return " ".join(_painted(panel_of(app, "p99").query_one(".panel-foot", Static)).split())

        await until(lambda: "before 180 ms" in foot(), 5, "the foot painted")
        said = foot()
    assert said.endswith("before 180 ms · last reading 2s ago"), said


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_a_head_names_its_panel_whole_by_title_or_else_by_id(size: tuple[int, int]) -> None:
    """Titles of 30 to 40 characters, at 80x24 (two one-line heads a row of 78) and 140x45. Before, each head cut its
    title (`■ Checkout requests per se… 848 /s CRIT`): nothing whole named the panel, nor tied it to the status stack's
    `guard 'rps' tripped`. Now a head shows its title whole, or, when that does not fit, the panel's id whole first
    (`■ rps Checkout requests… 848 /s CRIT`), as the guards, the journal and the report name it."""
    titles = {"p99": "Checkout upstream p99 latency", "errors": "Checkout 5xx ratio over all web hosts", "rps": "Checkout requests per second"}
    base = state_for("critical")
    panels = [{**panel, "title": titles[panel["id"]]} for panel in PANELS]
    state = dataclasses.replace(base, metrics={**base.metrics, "panels": panels})
    app = ViewApp(Replica(state))
    async with app.run_test(size=size):
        await until(lambda: isinstance(app.screen, RunView) and len(app.screen.query(MetricPanel)) == 3, what="the panels")

        def heads() -> dict[str, str]:
            return {pid: _painted(panel_of(app.screen, pid).query_one(".panel-head", Static)).strip() for pid in titles}

        def named(pid: str, head: str) -> bool:
            return titles[pid] in head or head[2:].startswith(f"{pid} ")

        await until(lambda: all(named(pid, head) for pid, head in heads().items()), what=f"every head named whole: {heads()}")
        for head in heads().values():
            assert any(unit in head for unit in (" ms ", "% ", " /s ")), f"the value is on the head too: {head}"
        if size == (80, 24):
            assert any(head[2:].startswith(f"{pid} ") for pid, head in heads().items()), f"at 80 columns some title does not fit: {heads()}"
        assert titles["rps"] in heads()["rps"] if size == (140, 45) else True, f"a title that fits is shown whole: {heads()}"
