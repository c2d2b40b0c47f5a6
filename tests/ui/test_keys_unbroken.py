"""A dialog's keys line breaks between keys, never inside one.

Walked in tmux: the mode screen at 80x24 read `enter in a share field: share · … · tab: next · escape:` over a line
`cancel`; the rollback dialog resized to 60x20 read `y start this rollback · f full rollback · n / escape` over
`cancel`, as if escape had no action and `cancel` were a key of its own. Now a line breaks only at a ` · `, its `·`
ending the line (more keys below).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import make_app, painted, prepare_workdir, run_step, screen_is, settled, started, until
from textual.widgets import Input

from runbook_tui.app.session import load
from runbook_tui.ui.app import RunbookApp
from runbook_tui.ui.launch import starters


def _whole_keys(painted_keys: str, *keys: str) -> None:
    """Each of `keys` on one painted line, and no line starting or ending inside a key (a line is whole keys)."""
    lines = [line.strip() for line in painted_keys.splitlines() if line.strip()]
    for key in keys:
        assert any(key in line for line in lines), f"{key!r} is split across lines:\n{painted_keys}"
    assert not any(line.endswith((":", "/")) for line in lines), f"a line ends inside a key:\n{painted_keys}"
    assert all(line.endswith("·") for line in lines if line is not lines[-1] and "·" in line), f"a broken line ends with its `·`:\n{painted_keys}"


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (60, 20)], ids=["80x24", "60x20"])
async def test_the_mode_screen_keeps_each_key_with_its_action(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    prepare_workdir(tmp_path, monkeypatch)
    start_for = starters(mode="live", solo=None, share=None, journal="j.jsonl", override_window=None)
    app = RunbookApp(start_for=start_for, loaded=load("runbook.yaml", {}), ask_mode=True)
    async with app.run_test(size=size) as pilot:
        screen = await screen_is(pilot, "ModeScreen")
        keys = screen.query_one("#dialog-keys")
        await until(pilot, lambda: "escape: cancel" in painted(keys) or "cancel" in painted(keys), "the keys painted")
        _whole_keys(painted(keys), "enter in a share field: share", "enter in the reason: solo", "tab: next", "escape: cancel")
        assert screen.query_one("#mode-address", Input).value == ":2222"
        await pilot.press("enter")  # share without a verifier key: refused, the words above the keys
        await until(pilot, lambda: "verifier's public key" in painted(keys), "the missing key named")
        _whole_keys(painted(keys), "tab: next", "escape: cancel")


ROLLBACK = """\
runbook: 1
id: keys
title: Keys
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - id: backup
        title: Backup
        run: "true"
        checkpoint: true
      - id: edit
        title: Edit
        run: echo edit
        undo: echo unedit
      - id: after
        title: After
        note: the run stays open at this step
"""


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (60, 20)], ids=["80x24", "60x20"])
async def test_the_rollback_dialog_keeps_each_key_with_its_action(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    prepare_workdir(tmp_path, monkeypatch, ROLLBACK)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await started(pilot)
        await run_step(pilot, "backup")
        await run_step(pilot, "edit")
        await settled(pilot)
        await pilot.press("u")
        dialog = await screen_is(pilot, "RollbackModal")
        keys = dialog.query_one("#dialog-keys")
        await until(pilot, lambda: "cancel" in painted(keys), "the rollback's keys painted")
        said = painted(keys)
        _whole_keys(said, "y start this rollback", "f full rollback", "n / escape cancel")
        assert "When it finishes" in said, said
