"""A step failed on fifty hosts, each with its own long error: the command to re-run stays in the step pane's view.

Walked in tmux at 80x24: a step on 50 hosts (66-character names) whose sshd was down. Each host's problem is its own
(`✗ web01-…: cannot connect to web01-… (127.0.0.1:1): connection refused (nothing listens on that port: …)`, four
rows at 80 columns), and the pane put all fifty above the command: 200 rows, `run:` and `undo:` far below the pane's
end while the status row said `enter re-run on all 50 hosts`. Now the why takes at most three rows above the command
(a row each of the first, cut, and how many more), and each problem is said whole under the undo.
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

import pytest
from run_screen_helpers import FakeClient, painted, screen_is, settled, shared_session_events, until

from runbook_tui.engine.state_model import HostState, with_step
from runbook_tui.ui.verifier_app import VerifierApp
from runbook_tui.ui.widgets import DetailScroll, StepDetail

HOSTS = [f"web{n:02d}-frontend-production-eu-west-1a.internal.payments.example.com" for n in range(1, 51)]


def _error(host: str) -> str:
    return f"cannot connect to {host} (127.0.0.1:1): connection refused (nothing listens on that port: sshd down or restarting?)"


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_fifty_long_errors_leave_the_command_and_its_undo_in_view(workdir: Path, size: tuple[int, int]) -> None:
    client = FakeClient(shared_session_events(workdir))
    hosts = {host: HostState("failed", exit_code=None, error=_error(host)) for host in HOSTS}
    problems = tuple(f"{host}: {_error(host)}" for host in HOSTS)
    client.state = with_step(client.state, "check", status="failed", attempts=1, hosts=MappingProxyType(hosts), problems=problems)
    app = VerifierApp(client)
    async with app.run_test(size=size) as pilot:
        await screen_is(pilot, "VerifierScreen")
        await settled(pilot)
        detail, pane = app.screen.query_one(StepDetail), app.screen.query_one(DetailScroll)
        await until(pilot, lambda: "undo:" in painted(detail), "the step drawn")
        seen = painted(detail).splitlines()[: pane.scrollable_content_region.height]  # the rows in view
        assert round(pane.scroll_y) == 0
        assert any(row.lstrip().startswith("✗ web01-frontend") for row in seen), seen  # the first problem, named, above
        assert any("48 more, each whole under the undo" in row for row in seen), seen  # how many, and where
        run = next(n for n, row in enumerate(seen) if "run:  echo check >> marks; echo config ok" in row)
        assert run <= 5 and any(row.lstrip().startswith("undo:") for row in seen[run:]), seen  # the command and its undo in view
        whole = " ".join(painted(detail).split())
        missing = [host for host in HOSTS if f"✗ {host}: {_error(host)}" not in whole]
        assert not missing, missing  # each whole
        assert whole.index("undo:") < whole.index(f"✗ {HOSTS[0]}: {_error(HOSTS[0])}"), whole[:1000]  # under the undo


@pytest.mark.asyncio
async def test_a_short_why_stays_whole_above_the_command(workdir: Path) -> None:
    """One host's short problem is not cut nor said twice: `✗ local: exit code 3, expected 0` right under the title."""
    client = FakeClient(shared_session_events(workdir))
    hosts = {"local": HostState("failed", exit_code=3)}
    client.state = with_step(client.state, "check", status="failed", attempts=1, hosts=MappingProxyType(hosts), problems=("local: exit code 3, expected 0",))
    app = VerifierApp(client)
    async with app.run_test(size=(80, 24)) as pilot:
        await screen_is(pilot, "VerifierScreen")
        await settled(pilot)
        detail = app.screen.query_one(StepDetail)
        await until(pilot, lambda: "undo:" in painted(detail), "the step drawn")
        rows = painted(detail).splitlines()
        assert painted(detail).count("exit code 3, expected 0") == 1, rows
        assert [row.strip() for row in rows].index("✗ local: exit code 3, expected 0") < next(n for n, row in enumerate(rows) if "run:" in row), rows
        assert "under the undo" not in painted(detail), rows
