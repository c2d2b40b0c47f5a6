"""A key handled before the screen's first layout waits for it, rather than measure a pane of no size.

Seen in a tmux walk: the first enter, about 4 s after start on a loaded machine, opened the step whole (`Run 'one'`,
`The step pane does not show all of this step now`) on a one-line step the pane shows whole: handled before the first
layout, `pane_shows_whole` read a detail pane of no size (its cap resolved against a parent of 0 rows) and found the
step cut. Now the key waits for the layout and then measures: the short step runs on enter, the verifier's `c` sends
its go-ahead, at 80x24 and 140x45.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import FakeClient, make_app, prepare_workdir, settled, shared_session_events, until

from runbook_tui.ui.modals import ConfirmPrompt
from runbook_tui.ui.run_screen import RunScreen
from runbook_tui.ui.verifier_app import VerifierApp
from runbook_tui.ui.verifier_screen import VerifierScreen

BOTH = pytest.mark.parametrize("size", [(80, 24), (140, 45)], ids=["80x24", "140x45"])


def _runbook(verify: str) -> str:
    return f"""\
runbook: 1
id: short
title: A short step
ticket: {{id: CHG-7, subject: short, assignee: alice, verifier: bob, risk: {{level: low, summary: echoes}}}}
sections:
  - id: main
    title: Main
    kind: implement
    steps:
      - {{id: one, title: Say one, run: echo one, undo: echo undo, verify: {verify}}}
      - {{id: after, title: After, run: echo after, verify: none}}
"""


def _key_at_mount(monkeypatch: pytest.MonkeyPatch, screen: type[Any], key: Callable[[Any], None]) -> list[int]:
    """`key` handled as the screen mounts, before its first layout; returns the detail pane's width then (0: unlaid)."""
    widths: list[int] = []
    mounted = screen.on_mount

    def on_mount(self: Any) -> None:
        mounted(self)
        widths.append(self.query_one("#step-detail").size.width)
        key(self)

    monkeypatch.setattr(screen, "on_mount", on_mount)
    return widths


def _no_dialog(app: Any, prompts: list[object]) -> None:
    """Every read-first dialog the app opens is kept in `prompts`."""
    pushed = app.push_screen

    def push(screen: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(screen, ConfirmPrompt):
            prompts.append(screen)
        return pushed(screen, *args, **kwargs)

    app.push_screen = push


@pytest.mark.asyncio
@BOTH
async def test_enter_before_the_first_layout_runs_a_short_step(workdir: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    prepare_workdir(workdir, monkeypatch, _runbook("none"))
    widths = _key_at_mount(monkeypatch, RunScreen, lambda screen: screen.action_run_step())
    app = make_app()
    prompts: list[object] = []
    _no_dialog(app, prompts)
    async with app.run_test(size=size) as pilot:
        await until(
            pilot, lambda: (app.handle is not None and app.handle.controller.state.steps["one"].status == "done") or bool(prompts), "enter to run 'one'"
        )
        assert widths == [0], f"the key came before the first layout: {widths}"
        assert not prompts, "a one-line step the pane shows whole opened the step whole first"


@pytest.mark.asyncio
@BOTH
async def test_the_verifiers_go_ahead_before_the_first_layout(workdir: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    prepare_workdir(workdir, monkeypatch, _runbook("before"))
    widths = _key_at_mount(monkeypatch, VerifierScreen, lambda screen: screen.action_go_ahead())
    client = FakeClient(shared_session_events(workdir))
    app = VerifierApp(client)
    prompts: list[object] = []
    _no_dialog(app, prompts)
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: client.sent == [("confirm", "")] or bool(prompts), "c to send the go-ahead")
        await settled(pilot)
        assert widths == [0], f"the key came before the first layout: {widths}"
        assert not prompts and client.sent == [("confirm", "")], (prompts, client.sent)
