"""In practice the metric panels play the night's readings; the line over them named the night's source as if it were
read now (`metrics from scrape http://127.0.0.1:9100/metrics, every 5s`) while nothing is read (the trainee, watching a
spike, could take it for the exporter of today). It now says the readings are the night's, played back."""

from __future__ import annotations

from pathlib import Path

import pytest
from replay_helpers import text_of, until
from test_practice_meets_the_night import forbid_processes_and_connections, night  # noqa: F401  (a fixture)

from runbook_tui.app import practice
from runbook_tui.ui.modals import InfoScreen
from runbook_tui.ui.panels import PanelArea
from runbook_tui.ui.practice_screens import PracticeApp
from runbook_tui.ui.run_screen import RunScreen


@pytest.mark.asyncio
async def test_the_panels_say_their_readings_are_the_nights(night: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """At 140x45 (at 80x24 the line gives its row to the panels)."""
    run = practice.open_practice(str(night), out_journal=str(tmp_path / "practice.jsonl"))
    forbid_processes_and_connections(monkeypatch)
    app = PracticeApp(run)
    async with app.run_test(size=(140, 45)) as pilot:
        await until(lambda: isinstance(app.screen, InfoScreen), pilot, "the scenario")
        await pilot.press("escape")
        await until(lambda: isinstance(app.screen, RunScreen), pilot, "the run screen")
        area = app.screen.query_one(PanelArea)
        said = "the night's readings, played back (nothing is read now): scrape http://127.0.0.1:9100"
        await until(lambda: said in text_of(area), pilot, f"the source line; the area reads {text_of(area)!r}", limit=10)
        assert "metrics from" not in text_of(area), text_of(area)
