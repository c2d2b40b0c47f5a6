"""`v` (the step whole) shows what became of the step, as the detail pane does, so the pane's `v shows all` holds.

A step on 30 hosts that failed on each had its per-host results below the pane's fold (`▼ 206 more lines: v shows
all`), and `v` opened a dialog of the commands and the hosts' names only: which host failed, and why, was nowhere
in it."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

import pytest
from run_screen_helpers import FakeClient, painted, screen_is, shared_session_events

from runbook_tui.engine.state_model import HostState, with_step
from runbook_tui.ui.verifier_app import VerifierApp

HOSTS = [f"web{n:02d}-frontend-prod.example.internal" for n in range(1, 31)]


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_v_shows_each_hosts_result_and_why_it_failed(workdir: Path, size: tuple[int, int]) -> None:
    client = FakeClient(shared_session_events(workdir))
    hosts = {host: HostState("failed", error=f"cannot connect to {host} (127.0.0.1:22)") for host in HOSTS[:29]}
    hosts[HOSTS[29]] = HostState("failed", exit_code=3)
    client.state = with_step(client.state, "check", status="failed", attempts=1, hosts=MappingProxyType(hosts))
    app = VerifierApp(client)
    async with app.run_test(size=size) as pilot:
        await screen_is(pilot, "VerifierScreen")
        await pilot.press("v")
        dialog = await screen_is(pilot, "InfoScreen")
        body = " ".join(painted(dialog.query_one("#dialog-body")).split())
        assert "✗ FAILED" in body, body  # the step's status
        assert body.count("cannot connect to") == 29, body  # each host's reason (a long name folds, so it is split here)
        assert all(host[:6] in body for host in HOSTS), body  # and each host named
        assert "exit 3" in body, body
        # A host's name (in its column and in its error) folds onto the next row at 80 columns, never cut with `…`:
        # `web27-frontend-prod.exampl…` lost the part that tells two hosts apart.
        assert "…" not in body, body


def test_v_says_the_plan_fields_in_the_runbooks_words(workdir: Path) -> None:
    """Walked at 80x24: `v` read `timeout 30.0`; a wave list read `serial [1, '25%']` and `expect exit [0, 3]`, Python's
    words. Now as the runbook wrote them and the detail pane says them."""
    from rich.console import Console
    from run_screen_helpers import with_plan
    from textual.theme import BUILTIN_THEMES

    from runbook_tui.ui.step_whole import step_whole

    state = with_plan(FakeClient(shared_session_events(workdir)).state, "check", timeout=30.0, serial=[1, "25%"], expect={"exit": [0, 3]})
    shown = step_whole(state, BUILTIN_THEMES["textual-dark"])
    assert shown is not None
    console = Console(width=200, record=True)
    console.print(shown[1])
    text = console.export_text()
    assert "timeout 30s" in text and "serial 1, 25%" in text and "expect exit 0, 3" in text, text
    assert "30.0" not in text and "[1, '25%']" not in text and "[0, 3]" not in text, text
