"""Host names said in sentences and lists break after a dot or a hyphen, as in the host table: never inside a label.

Walked in tmux with 50 hosts of long names: the step pane's `hosts:` list, the `k` dialog's `is running on 50 hosts
(…)` and `v`'s `on web: …` wrap at spaces, and a name wider than the line was folded where the width ended
(`…payments.checkout-se` over `rvice.example.com`): a row read as a name no host has. The host table already broke a
name after its last dot or hyphen that fits (ui/host_name.py); the lists and sentences now do the same.
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

import pytest
from rich.console import Console
from run_screen_helpers import FakeClient, painted, screen_is, settled, shared_session_events, until, with_plan

from runbook_tui.engine.state import RunState
from runbook_tui.engine.state_model import HostState, with_step
from runbook_tui.ui.stop_key import stop_dialog_body
from runbook_tui.ui.verifier_app import VerifierApp
from runbook_tui.ui.widgets import StepDetail
from runbook_tui.ui.wrap import wrap_command

#: 91 characters: wider than the step pane at 80 columns.
HOSTS = [f"web{n:02d}-frontend-production-eu-west-1a.internal.payments.checkout-service.example.com" for n in range(1, 51)]


def _read(rows: list[str]) -> str:
    """The rows as a person reads them: a row ending in a dot or a hyphen goes on in the next (a name broken there)."""
    text = ""
    for row in (row.strip() for row in rows):
        text += row if text.endswith((".", "-")) or not text else " " + row
    return text


def _names_whole(rows: list[str], names: list[str]) -> None:
    read = _read(rows)
    assert all(name in read for name in names), rows  # each name whole, read across its rows
    assert not any(row.strip().endswith(("checkout-se", "payments.chec", ".internal.pay")) for row in rows), rows


def _state(state: RunState, running: bool) -> RunState:
    """`check` on the 50 hosts: running on each, or not begun (the pane lists them under the undo then)."""
    state = with_plan(state, "check", on="web", hosts=[{"name": host} for host in HOSTS])
    hosts = {host: HostState("running") for host in HOSTS} if running else {}
    return with_step(state, "check", status="running" if running else "pending", hosts=MappingProxyType(hosts))


def test_a_list_of_names_breaks_a_name_after_a_dot_or_hyphen() -> None:
    rows = wrap_command(", ".join(HOSTS[:3]), 60, 0, ".-")
    assert all(len(row) <= 60 for row in rows), rows
    assert all(row.endswith((".", "-", ",")) for row in rows[:-1]), rows  # whole labels on each row
    _names_whole(rows, HOSTS[:3])


def test_the_stop_dialog_names_running_hosts_whole(workdir: Path) -> None:
    console = Console(width=74, record=True, color_system=None)  # the `k` dialog's body at 80 columns
    console.print(stop_dialog_body(_state(FakeClient(shared_session_events(workdir)).state, running=True), "check"))
    rows = console.export_text().splitlines()
    assert "is running on 50 hosts (web01-" in _read(rows), rows
    _names_whole(rows[: next(n for n, row in enumerate(rows) if not row.strip())], HOSTS[:6])  # the sentence naming them


@pytest.mark.asyncio
async def test_the_step_panes_host_list_and_the_step_whole_name_hosts_whole(workdir: Path) -> None:
    client = FakeClient(shared_session_events(workdir))
    client.state = _state(client.state, running=False)
    app = VerifierApp(client)
    async with app.run_test(size=(80, 24)) as pilot:
        await screen_is(pilot, "VerifierScreen")
        await settled(pilot)
        detail = app.screen.query_one(StepDetail)
        await until(pilot, lambda: "hosts: web01-" in painted(detail), "the pane's host list")
        rows = painted(detail).splitlines()
        listed = rows[next(n for n, row in enumerate(rows) if "hosts: web01-" in row) :]
        _names_whole([row.replace("hosts: ", "") for row in listed], HOSTS)
        await pilot.press("v")
        dialog = await screen_is(pilot, "InfoScreen")
        body = painted(dialog.query_one("#dialog-body")).splitlines()
        _names_whole(body, HOSTS)  # `on web: web01-…, …` names every host
