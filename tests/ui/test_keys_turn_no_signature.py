"""The keys' turn (`keys_in_turn.py`) looks for quiet queues after each key with callbacks Textual is told take no
arguments: with `call_later`'s `partial`, Textual read the method's `inspect.signature` anew for each (~20 us, two or
three a key, on every key's way to the screen)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import textual._callback
from run_screen_helpers import make_app, settled, started, until

from runbook_tui.ui.keys_in_turn import KeysInTurn


@pytest.mark.asyncio
async def test_a_key_s_turn_reads_no_signature(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        controller = await started(pilot)
        read: list[str] = []
        count = textual._callback._count_parameters

        def noted(func: Any) -> int:
            read.append(getattr(func, "__qualname__", repr(func)))
            return count(func)

        monkeypatch.setattr(textual._callback, "_count_parameters", noted)
        await pilot.press("p")
        await until(pilot, lambda: controller.state.paused, "the pause")
        await settled(pilot)
        await until(pilot, lambda: app._busy_since is None, "the keys' turn to end")
        assert not [name for name in read if name.startswith(KeysInTurn.__name__)], read
        assert isinstance(app, KeysInTurn)
