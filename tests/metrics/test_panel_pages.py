"""`m` pages through the metric panels out of view: each page starts at a panel's head.

Before: `m` scrolled the area by its height, and panels are of uneven heights (rules that wrap, the series a value is
of): at 140x45 the second page began with the last line of a panel whose head was on the page before
(`worst of 40 series: service="svc39"` alone at the top, under `▲ 4 more panels`), a line of no panel."""

from __future__ import annotations

import dataclasses

import pytest
from metrics_helpers import until
from panel_states import PANELS, state_for
from test_metric_panels import PanelsApp
from textual.widgets import Static

from runbook_tui.ui.head_pages import top as _top
from runbook_tui.ui.panels import MetricPanel, PanelArea
from runbook_tui.ui.panels_hidden import more_panels


@pytest.mark.asyncio
async def test_each_page_of_m_starts_at_a_panels_head() -> None:
    base = state_for("ok")
    # Panels of three heights at 88 columns, two a row: rules that wrap (no-data action), plain ones, and a lone one.
    panels = [{**PANELS[0], "id": f"p{n}", "title": f"Latency {n}", **({"on_no_data": "notify"} if n % 3 == 0 else {})} for n in range(16)]
    state = dataclasses.replace(base, metrics={**base.metrics, "panels": panels, "success": []})
    app = PanelsApp(state)
    async with app.run_test(size=(88, 16)) as pilot:
        area = app.query_one(PanelArea)
        await until(lambda: area.max_scroll_y > 0 and all(p.size.width for p in app.query(MetricPanel)), what="panels laid out, taller than the area")
        await pilot.pause()
        heads = {_top(p, area) for p in app.query(MetricPanel)}
        end = area.max_scroll_y  # the last head is below it: the last page needs room made below the panels
        assert max(heads) > end, (sorted(heads), end)
        seen: list[int] = []
        for _ in range(8):
            before = area.scroll_y
            more_panels(app.screen)
            await until(lambda: area.scroll_y != before, 5, "m scrolled the area")  # noqa: B023 (awaited here, in the loop)
            await pilot.pause()
            at = round(area.scroll_y)
            seen.append(at)
            if at == 0:
                break
            # The first row in view is a panel's head, the last page's too (room is made below its panels).
            assert at in heads, (at, sorted(heads), area.max_scroll_y)
            first = min((p for p in app.query(MetricPanel) if _top(p, area) >= at), key=lambda p: _top(p, area))
            assert first.query_one(".panel-head", Static).region.y == area.content_region.y, "a head is the page's first row"
        assert seen[-1] == 0, f"m comes back to the first page: {seen}"
        assert len(seen) > 2, f"more than one page of panels: {seen}"
        assert app.query_one("#metrics-grid").styles.padding.bottom == 0, "the room made for the last page goes with it"
