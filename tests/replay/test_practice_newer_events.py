"""Practice over a journal a newer version wrote: the trainee is told, before the first step and in the results, that
the night holds events this version does not know, whose part of the night practice cannot play."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from replay_helpers import text_of, until

from runbook_tui.app import practice
from runbook_tui.engine.journal import read_events
from runbook_tui.engine.practice_results import compare
from runbook_tui.report import practice_md
from runbook_tui.ui.modals import InfoScreen
from runbook_tui.ui.practice_screens import PracticeApp, PracticeResultsScreen
from runbook_tui.ui.run_screen import RunScreen
from tests.engine.test_event_shapes import rechained

DATA = Path(__file__).parents[1] / "report" / "data"
#: What the trainee must read before the first step, and the trainer in the results.
SAID = "1 event of a kind this version does not know (step_[quarantined] by alice at 2026-11-23 "
NOT_PLAYED = "practice plays back only what this version knows"


@pytest.fixture()
def newer_night(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The report fixture's night with `step_[quarantined]` (a kind this version never wrote; markup in its name) after
    its first failure, its chain recomputed as its writer would have, beside its runbook."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (tmp_path / "no-settings.yaml").touch()
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(tmp_path / "no-settings.yaml"))
    monkeypatch.setenv("RUNBOOK_TUI_USER", "carol")
    folder = tmp_path / "night"
    folder.mkdir()
    shutil.copy(DATA / "h2-rollout.yaml", folder / "h2-rollout.yaml")
    monkeypatch.chdir(tmp_path)
    night = [dict(e) for e in read_events(DATA / "change.jsonl").events]
    at = next(n for n, e in enumerate(night) if e["type"] == "step_finished" and e.get("status") == "failed") + 1
    newer = {"type": "step_[quarantined]", "actor": "alice", "ts": night[at - 1]["ts"], "step": night[at - 1]["step"], "reason": "[b]web2[/b] fenced"}
    return rechained([*night[:at], newer, *night[at:]], folder / "change.jsonl")


@pytest.mark.asyncio
async def test_the_trainee_is_told_first_that_the_night_holds_events_this_version_cannot_play(newer_night: Path, tmp_path: Path) -> None:
    """Before: the practice opened on the run screen as for any night, the event silently left out of what was played
    (the report has flagged such events since session 27; replay shows them; practice said nothing)."""
    run = practice.open_practice(str(newer_night), out_journal=str(tmp_path / "practice.jsonl"))
    out = tmp_path / "results.md"
    app = PracticeApp(run, out=str(out))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: isinstance(app.screen, InfoScreen) and NOT_PLAYED in text_of(app.screen), pilot, "the notice before the first step")
        words = text_of(app.screen)
        assert SAID in words and "a newer version wrote" in words, words  # the kind's name literal, never markup
        await pilot.press("escape")
        await until(lambda: isinstance(app.screen, RunScreen), pilot, "the run screen")
        await pilot.press("q")
        await until(lambda: isinstance(app.screen, PracticeResultsScreen), pilot, "the results")
        await until(lambda: NOT_PLAYED in text_of(app.screen), pilot, "the notice on the results screen")
        await pilot.press("q")
    written = out.read_text(encoding="utf-8")
    assert SAID.replace("[", "\\[").replace("]", "\\]").replace("_", "\\_") in written and NOT_PLAYED in written, written


def test_a_night_of_known_events_gets_no_such_notice() -> None:
    night = read_events(DATA / "change.jsonl").events
    results = compare(night, [])
    assert results.unknown == [] and "does not know" not in practice_md.render(results, "change.jsonl", "carol")
