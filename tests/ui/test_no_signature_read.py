"""The keys' turn (`keys_in_turn.py`) looks for quiet queues after each key, and the footer hears that the keys changed,
through callbacks whose arguments Textual is told (`no_signature.py`): with `call_later`'s `partial` and a signal's,
Textual read the method's `inspect.signature` anew for each (~20-50 us, three or four a key, on every key's way to the
screen)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import textual._callback
from run_screen_helpers import make_app, settled, started, until

from runbook_tui.ui.footer import KeyFooter
from runbook_tui.ui.keys_in_turn import KeysInTurn


@pytest.mark.asyncio
async def test_a_key_s_turn_and_the_footer_s_news_read_no_signature(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
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
        assert not [name for name in read if name.startswith((KeysInTurn.__name__, KeyFooter.__name__))], read
        assert isinstance(app, KeysInTurn)
