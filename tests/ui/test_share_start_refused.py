"""A shared session that cannot open (its port taken, its address unknown) is said in a notification, in the operating
system's words, literally: an address or error text holding `[`…`]` is not Textual markup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import painted, screen_is, until, write_runbook

from runbook_tui.app.session import Session, load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.ui.app import RunbookApp

ONE_STEP = "runbook: 1\nid: one\ntitle: One step\nsections:\n  - id: c\n    steps:\n      - {id: only, title: Only, run: echo only}\n"


@pytest.mark.asyncio
async def test_a_share_that_cannot_open_is_said_literally(workdir: Path) -> None:
    write_runbook(workdir, ONE_STEP)
    loaded = load("runbook.yaml", {})

    def starter(override: str | None) -> Session:
        session = open_session(loaded, solo="ui test", journal="j.jsonl", override_window=override, settings=Settings())

        async def refused() -> None:
            raise OSError(98, "[b]Address[/b] already in use")

        session.start = refused  # type: ignore[method-assign]
        return session

    app: Any = RunbookApp(starter)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await screen_is(pilot, "RunScreen")
        await until(pilot, lambda: bool(app.screen.query("Toast")), "a notification saying the shared session did not open")
        toasts = " ".join(" ".join(painted(toast).replace("▌", " ").split()) for toast in app.screen.query("Toast"))
        assert "could not open the shared session: [b]Address[/b] already in use" in toasts, toasts
