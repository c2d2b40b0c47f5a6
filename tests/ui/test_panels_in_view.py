"""At 80x24 with the step list shown (`l`; replay's `t`), every metric panel is in the column or counted as out of view.

Found in a walk: the demo's replay at 80x24, `t` pressed: the metric area went to one column, three rows, and grew
past the foot of its column, its third panel drawn under the journal's line. The area's title said nothing and `m`
said `every metric panel is in view`. Now the detail pane gives the rows the area needs (it says `v shows all` when
it is cut), so the panels stay in the column, or the area scrolls and its title counts the rest."""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import make_app, settled, started, until, write_runbook

from runbook_tui.ui.panels import MetricPanel, PanelArea
from runbook_tui.ui.widgets import RightColumn

PANELS = "\n".join(f"    - {{id: p{n}, title: Panel {n}, query: metric_{n}}}" for n in range(1, 4))
RUNBOOK = f"""\
runbook: 1
id: panels
title: Three panels
metrics:
  source:
    scrape: {{url: "http://127.0.0.1:9/metrics"}}
  interval: 1h
  panels:
{PANELS}
sections:
  - id: main
    title: Main
    kind: implement
    steps:
      - id: one
        title: One
        run: |
          echo line 1
          echo line 2
          echo line 3
          echo line 4
          echo line 5
          echo line 6
          echo line 7
          echo line 8
          echo line 9
          echo line 10
          echo line 11
          echo line 12
        undo: echo undo one
"""


@pytest.mark.asyncio
async def test_with_the_step_list_shown_each_panel_is_in_its_column_or_counted(workdir: Path) -> None:
    write_runbook(workdir, RUNBOOK, "panels.yaml")
    app = make_app("panels.yaml")
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("l")
        await settled(pilot)
        column = app.screen.query_one(RightColumn)
        area = app.screen.query_one(PanelArea)

        def told() -> bool:
            return "more panel" in str(area.border_title)

        await until(pilot, lambda: area.region.bottom <= column.region.bottom, f"the metric area inside its column ({area.region} in {column.region})")
        hidden = [
            panel for panel in area.query(MetricPanel) if not (area.scroll_y <= panel.virtual_region.y < area.scroll_y + area.scrollable_content_region.height)
        ]
        assert not hidden or told(), (area.border_title, [p.region for p in hidden])
