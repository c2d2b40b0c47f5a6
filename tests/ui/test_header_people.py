"""The header's second row keeps `connected` / `not connected` and `SOLO (…): unverified` when the names are long.

Names as a directory gives them (`alexandra.konstantinopoulou@example.com`): walked in tmux at 80x24 (a shared run,
`--verifier-key bob.pub`), the row read `assignee alexandra.konstantinopoulou@example.com ▸ verifier
bartholomew.vander…`: whether the verifier was connected, and the last checkpoint, were cut off. Now the names give
way first, each cut at its end, the longest first.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import FakeClient, painted, prepare_workdir, shared_session_events, until

from runbook_tui.engine import events as ev
from runbook_tui.engine.state import RunState, apply
from runbook_tui.ui.header_people import NAME_LEAST, fit_names
from runbook_tui.ui.verifier_app import VerifierApp
from runbook_tui.ui.widgets import RunHeader

ALICE, BOB = "alexandra.konstantinopoulou@example.com", "bartholomew.vanderberghe@example.com"


@pytest.fixture(autouse=True)
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    prepare_workdir(tmp_path, monkeypatch)
    yield tmp_path


def _then(state: RunState, kind: str, **fields: Any) -> RunState:
    return apply(state, {"type": kind, "seq": state.seq + 1, "ts": "2026-03-14T02:00:00Z", "actor": "alice", **fields})


def _client(**session: Any) -> FakeClient:
    client = FakeClient(shared_session_events(Path.cwd()))
    client.state = dataclasses.replace(client.state, session={**client.state.session, "assignee": ALICE, "planned_assignee": ALICE, "verifier": BOB, **session})
    return client


async def _second_row(client: FakeClient, size: tuple[int, int], ends: str) -> str:
    """The row once laid out for the screen's width (the first frame draws it before the width is known)."""
    app = VerifierApp(client)
    async with app.run_test(size=size) as pilot:
        header = app.screen.query_one(RunHeader)

        def row() -> str:
            return (painted(header).splitlines() + ["", ""])[1]

        await until(pilot, lambda: row().endswith(ends), f"the header's second row to end {ends!r}: {row()!r}")
        return row()


@pytest.mark.asyncio
async def test_long_names_give_way_to_whether_the_verifier_is_connected() -> None:
    client = _client()
    row = await _second_row(client, (80, 24), " not connected")
    assert " assignee alexandra.konst" in row and "▸ verifier bartholomew.v" in row and row.count("…") == 2, row
    client.state = _then(client.state, ev.PARTICIPANT_JOINED, actor="system", name=BOB, role="verifier")
    row = await _second_row(client, (80, 24), "… connected")
    assert await _second_row(client, (140, 45), f" assignee {ALICE} ▸ verifier {BOB} connected")  # whole where they fit


@pytest.mark.asyncio
async def test_a_long_name_gives_way_to_solo_unverified() -> None:
    longer = "alexandra.konstantinopoulou.operations@example.com"
    row = await _second_row(_client(solo="bob is ill", assignee=longer, planned_assignee=longer), (80, 24), "): unverified")
    assert row.startswith(" assignee alexandra.konst") and "…  SOLO (" in row, row


def test_the_longest_name_is_cut_first_and_none_below_the_least() -> None:
    assert fit_names(["a" * 40, "b" * 20], 44) == ["a" * 23 + "…", "b" * 20]
    assert fit_names(["a" * 40, "b" * 30], 40) == ["a" * 19 + "…", "b" * 19 + "…"]
    assert fit_names(["a" * 40, "b" * 30], 0) == ["a" * (NAME_LEAST - 1) + "…", "b" * (NAME_LEAST - 1) + "…"]
    assert fit_names(["short", "names"], 80) == ["short", "names"]
