"""The header's last checkpoint is named at 60 columns too.

Walked in tmux, a solo run with a checkpoint done, the terminal narrowed to 60x20: the header's second row read
`assignee alice  SOLO (…): unverified   ⚑ last checkpoint: …`, the checkpoint (where `u` goes back to) cut to
nothing. Where the words do not fit, the flag alone goes before the id, as the step list marks a checkpoint
(`⚑ backup`); with room, `⚑ last checkpoint: backup` as before.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import make_app, painted, prepare_workdir, run_step, settled, started, until


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(60, 20), (80, 24), (140, 45)], ids=["60x20", "80x24", "140x45"])
async def test_the_last_checkpoint_is_named_in_a_narrow_header(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    prepare_workdir(tmp_path, monkeypatch)
    app = make_app(solo="the verifier is off sick today")
    async with app.run_test(size=size) as pilot:
        await started(pilot)
        await run_step(pilot, "check")
        await run_step(pilot, "backup")
        await settled(pilot)
        header = app.screen.query_one("#header")
        await until(pilot, lambda: "⚑" in painted(header), "the checkpoint in the header")
        row = painted(header).splitlines()[1]
        assert row.rstrip().endswith("⚑ backup") or row.rstrip().endswith("⚑ last checkpoint: backup"), row
        if size[0] >= 80:
            assert "⚑ last checkpoint: backup" in row, row
