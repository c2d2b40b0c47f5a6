"""`?` and its close draw no row anew once the help was open once: the run screen's widgets and the help's keep what they
drew, and each screen's own cells (one background colour) are blank rows, not rows drawn through Textual's style cache,
which every resume emptied (the screen refreshes itself): 45 rows of the run screen at each close, of the help at each
open, ~1 ms each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import make_app, screen_is, settled, started
from textual._styles_cache import StylesCache


async def _open_and_close(pilot: Any) -> None:
    await pilot.press("question_mark")
    await screen_is(pilot, "HelpScreen")
    await settled(pilot)
    await pilot.press("question_mark")
    await screen_is(pilot, "RunScreen")
    await settled(pilot)


@pytest.mark.asyncio
async def test_the_help_opened_and_closed_again_draws_no_row_anew(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app()
    drawn: list[str] = []
    render_line = StylesCache.render_line

    def counted(self: StylesCache, styles: Any, y: int, *args: Any, **kwargs: Any) -> Any:
        drawn.append(f"{type(styles.node).__name__} row {y}")
        return render_line(self, styles, y, *args, **kwargs)

    async with app.run_test(size=(140, 45)) as pilot:
        await started(pilot)
        await _open_and_close(pilot)  # the help is built, styled and drawn once
        monkeypatch.setattr(StylesCache, "render_line", counted)
        await _open_and_close(pilot)
        assert drawn == []
