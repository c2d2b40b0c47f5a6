"""A shared run whose runbook silences alerts: the assignee's screen names where to join and the session's host key.

The run screen is made before the session's start when that start waits for the change's alert silences (so a
silence failing meanwhile is in its log), and the share opens at the end of that start. The screen kept the share
note it was made with, none: walked in tmux (80x24 and 140x45) with Alertmanager down at the start, the foot read
`journal: …` alone, while the verifier's first contact asked them to compare the host key with the assignee's screen.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from share_peers import HOST, free_port, make_key
from ui.run_screen_helpers import painted
from waiting import pilot_until
from written_lines import written_events

from runbook_tui.app.session import load
from runbook_tui.app.sharing import share_options
from runbook_tui.ui.app import RunbookApp
from runbook_tui.ui.launch import opens_at_once, starters
from runbook_tui.ui.modals import LoadingScreen

pytestmark = pytest.mark.peers  # the share is a real SSH server on loopback

RUNBOOK = """\
runbook: 1
id: shared-silenced
title: Shared with silences
alerts:
  alertmanager: http://127.0.0.1:{am_port}
  silence:
    - {{matchers: ['alertname="HighErrorRate"', 'service="api"'], comment: the change}}
sections:
  - id: change
    kind: implement
    steps:
      - {{id: one, run: "echo one", undo: "echo undo"}}
"""


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_the_share_note_shows_once_the_silences_let_the_run_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    (tmp_path / "rb.yaml").write_text(RUNBOOK.format(am_port=free_port()))  # Alertmanager down at the start
    bob = make_key(tmp_path, "bob")
    port = free_port()
    share = share_options(f"{HOST}:{port}", [f"{bob}.pub"])
    loaded = load("rb.yaml", {})
    start_for = starters(mode="live", solo=None, share=share, journal="j.jsonl", override_window=None)
    app = RunbookApp(start_for(loaded), opens_at_once=opens_at_once(loaded, share))
    async with app.run_test(size=size) as pilot:
        await pilot_until(pilot, lambda: isinstance(app.screen, LoadingScreen), "the loading screen for the silences", timeout=30)
        await pilot_until(pilot, lambda: type(app.screen).__name__ == "RunScreen" and app.screen.is_mounted, "the run screen", timeout=60)
        [started] = [e for e in written_events(tmp_path / "j.jsonl") if e["type"] == "share_started"]
        notes = app.screen.query("#share-note")
        assert notes, "the run screen has no share note"
        # Laid out with the run screen, painted at its first refresh after that (under load: after the screen mounted).
        await pilot_until(pilot, lambda: bool(painted(notes.first()).strip()), "the share note painted", timeout=30)
        words = " ".join(painted(notes.first()).split())
        assert f"shared at {HOST}:{port}, host key {started['fingerprint']}" in words, words
        app.exit()
