"""At 80x24 a step whose id needs its own rows, with a two-row title and a per-host undo: the undo whole in the pane.

Walked in tmux at 80x24 (no metric panels): the id (71 characters, too long for the pane's border) took two rows (`(step id)` on the second), the
title two, the facts one, and the pane, capped at 55 % of the column, cut the undo after its first row
(`cp /etc/ssl/backup/web01…/bundle.pem`, the `&& systemctl reload nginx` below the pane) while the output had eight
rows. Now `(step id)`, with no room on the id's row, reads `(id)` there instead of taking a row of its own, and the
pane grows past its share when that shows the step's title, command and undo whole, never leaving the
output fewer than six lines; a step that would not fit even then keeps the share (the output keeps its rows).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from run_screen_helpers import make_app, painted, settled, started, until

from runbook_tui.ui.output_pane import OutputLog
from runbook_tui.ui.widgets import DetailScroll, StepDetail

STEP_ID = "push-the-new-certificate-bundle-to-every-frontend-host-in-eu-west-1-now"  # 71: too long for the border
TITLE = "Push the new certificate bundle to every frontend host of the payments fleet and reload"
UNDO = "cp /etc/ssl/backup/{{ host.name }}/bundle.pem /etc/ssl/private/bundle.pem && systemctl reload nginx"


def _runbook(folder: Path, run: str) -> Path:
    hosts = [{"name": f"web{n:02d}.eu-west-1.payments.example.com", "address": "127.0.0.1", "port": 9} for n in range(1, 41)]  # nothing runs
    step = {"id": STEP_ID, "title": TITLE, "on": "fleet", "run": run, "undo": UNDO}
    doc = {"runbook": 1, "id": "tall", "title": "tall", "hosts": {"fleet": hosts}, "sections": [{"id": "impl", "kind": "implement", "steps": [step]}]}
    path = folder / "tall.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def _in_view(app: object) -> str:
    screen = app.screen  # type: ignore[attr-defined]
    rows = painted(screen.query_one(StepDetail)).splitlines()[: screen.query_one(DetailScroll).scrollable_content_region.height]
    return " ".join(" ".join(rows).split())


@pytest.mark.asyncio
async def test_at_80x24_the_pane_grows_to_show_the_undo_whole_and_the_output_keeps_six_lines(workdir: Path) -> None:
    """In view at 80x24: the id with ` (id)` after it, the title, `run on web01…:` with its command, `undo on web01…:` with the undo to its
    end (`&& systemctl reload nginx`); the output pane still has six rows at least."""
    app = make_app(_runbook(workdir, "echo pushed {{ host.name }}"))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await settled(pilot)
        await until(pilot, lambda: "undo on web01" in _in_view(app), "the undo's label in view")
        seen = _in_view(app)
        assert f"{STEP_ID} (id)" in seen, seen  # the id and what it is on one row
        assert "echo pushed web01.eu-west-1.payments.example.com" in seen, seen
        assert "cp /etc/ssl/backup/web01.eu-west-1.payments.example.com/bundle.pem /etc/ssl/private/bundle.pem && systemctl reload nginx" in seen, seen
        assert app.screen.query_one(OutputLog).scrollable_content_region.height >= 6


@pytest.mark.asyncio
async def test_at_80x24_a_step_too_tall_for_any_room_keeps_the_output_its_rows(workdir: Path) -> None:
    """A 40-row command fits no pane at 80x24: the pane keeps its share (it says what it cuts) and the output its eight
    rows; growing would show no more of the step whole."""
    app = make_app(_runbook(workdir, "; ".join(f"echo line {n} of a long script on {{{{ host.name }}}}" for n in range(40))))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await settled(pilot)
        pane = app.screen.query_one(DetailScroll)
        await until(pilot, lambda: "more lines" in str(pane.border_title), "the pane's title to say it cuts the step")
        assert app.screen.query_one(OutputLog).scrollable_content_region.height >= 8
