"""A panel's foot holds four lines (two panels a row at 140x45): an error too long for them is cut with `…` in its
middle, never dropped at the foot's edge with no sign.

Before: a guard panel whose rules wrap (`warn 200 / crit 300 → pause · no data →` over `notify`) and whose source
answered NaN showed `the value is NaN (not a number: e.g. 0/0, or no data in its` and nothing after: the foot's last
line, with the error's end and the reading's age, was below its edge, and the foot read as whole."""

from __future__ import annotations

import dataclasses

import pytest
from metrics_helpers import until
from panel_states import PANELS, state_for
from test_metric_panels import PanelsApp, _painted, panel_of
from textual.widgets import Static

from runbook_tui.ui.panels import FOOT_LINES

NAN = "the value is NaN (not a number: e.g. 0/0, or no data in its window); the exporter's scrape of api answered NaN for every series"


@pytest.mark.asyncio
@pytest.mark.parametrize("width", [88, 120])  # two panels a row (the run screen at 140x45), and three
async def test_an_error_longer_than_the_foot_is_cut_with_an_ellipsis_inside_the_foots_lines(width: int) -> None:
    base = state_for("unreachable")
    panels = [{**PANELS[0], "on_no_data": "notify"}, *PANELS[1:]]  # the rules take two lines at this width
    state = dataclasses.replace(base, metrics={**base.metrics, "panels": panels}, metric_errors={**base.metric_errors, "p99": NAN})
    app = PanelsApp(state)
    async with app.run_test(size=(width, 24)):
        foot = panel_of(app, "p99").query_one(".panel-foot", Static)

        def said() -> str:
            return _painted(foot)

        await until(lambda: "the value is NaN" in said(), what="the error in the foot")
        try:
            await until(lambda: "…" in said(), 5, "the error cut with … to fit the foot")
        except BaseException:
            raise AssertionError(said()) from None
        lines = [line for line in said().splitlines() if line.strip()]
        assert " ".join(" ".join(lines[:2]).split()).startswith("warn 200 / crit 300 → pause · no data → notify"), lines
        assert "the value is NaN" in lines[-1] or "the value is NaN" in lines[-2], "the error's start: what failed"
        assert said().rstrip().endswith("for every series"), "the error's end: its cause, cut in the middle between"
        assert "last 322 ms, 7s ago" in said(), "the last value and its age come before the error and stay"
        # What the foot holds is what it paints: no line of it lies below the foot's edge.
        whole = foot.visual.render_strips(foot.content_region.width, None, foot.visual_style, foot.styles)  # type: ignore[union-attr]
        assert len(whole) <= FOOT_LINES, [strip.text for strip in whole]
