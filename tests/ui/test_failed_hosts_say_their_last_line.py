"""A step failed on 40 hosts: each host's row in the step pane says what that host said last, not only its exit code.

Walked at 80x24 and 140x45 against 40 aliases of the real sshd, each host's command printing
`nginx: [emerg] cannot load certificate /etc/ssl/webNN.pem` on stderr and exiting 3: the pane read
`✗ 40 hosts (listed below): exit code 3, expected 0` over forty rows `webNN  ✗ FAILED  exit 3`; what each host said was
only in the output pane (six lines at 80x24, the hosts interleaved). Now each row ends with the host's last line of the
attempt (stderr first, else stdout), cut in its middle to the row (the host's own path at its end stays); a re-run's
rows say that attempt's words, never an earlier one's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from peers import Sshd
from run_screen_helpers import painted, prepare_workdir, read_to_end, screen_is, settled, started, until
from textual.pilot import Pilot

from runbook_tui.app.session import Session, load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.ui.app import RunbookApp
from runbook_tui.ui.widgets import StepDetail

pytestmark = pytest.mark.peers

HOSTS = [f"web{n:02d}" for n in range(1, 41)]


def _app(folder: Path, sshd: Sshd) -> RunbookApp:
    login = {"address": sshd.address, "port": sshd.port, "user": sshd.user, "identity": str(sshd.client_key)}
    again = folder / "again"
    run = (
        f"if [ -e {again} ]; then echo quiet this time; exit 4; fi; echo starting; "
        'echo "nginx: [emerg] cannot load certificate /etc/ssl/{{ host.name }}.pem" >&2; echo; exit 3'
    )
    step = {"id": "push", "title": "Push the bundle", "on": "fleet", "run": run, "undo": "true"}
    hosts = [{"name": name, **login} for name in HOSTS]
    doc = {"runbook": 1, "id": "said", "title": "said", "hosts": {"fleet": hosts}, "sections": [{"id": "impl", "kind": "implement", "steps": [step]}]}
    path = folder / "runbook.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    loaded = load(str(path), {})

    def starter(override: str | None) -> Session:
        settings = Settings(known_hosts=str(sshd.known_hosts), ssh_config=None)
        return open_session(loaded, solo="ui test", journal="j.jsonl", override_window=override, settings=settings)

    return RunbookApp(starter)


async def _run(pilot: Pilot[Any], app: RunbookApp, attempt: int) -> None:
    controller = app.handle.controller if app.handle else None
    assert controller is not None
    await pilot.press("enter")
    if type(app.screen).__name__ != "RunScreen":  # the pane shows one host's command of forty: the step whole first
        await screen_is(pilot, "ConfirmPrompt")
        await read_to_end(pilot)
        await pilot.press("y")
    step = lambda: controller.state.steps["push"]  # noqa: E731
    await until(pilot, lambda: step().attempts == attempt and step().status == "failed" and not controller.busy, f"attempt {attempt} to fail", 90)
    await settled(pilot)


def _rows(app: RunbookApp) -> dict[str, str]:
    """Each host's row of the pane's table, as painted."""
    rows = [row.strip() for row in painted(app.screen.query_one(StepDetail)).splitlines()]
    return {row.split()[0]: row for row in rows if row.split() and row.split()[0] in HOSTS}


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)], ids=["80x24", "140x45"])
async def test_each_failed_hosts_row_says_what_it_said_last(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sshd: Sshd, size: tuple[int, int]) -> None:
    """Each row: `webNN  ✗ FAILED  exit 3  nginx: [emerg] …/etc/ssl/webNN.pem` on one row (its own path whole at the end,
    the words' start kept); after a re-run where each host printed `quiet this time` and exited 4, `exit 4  quiet this
    time`, and nothing of the first attempt's words."""
    prepare_workdir(tmp_path, monkeypatch)
    app = _app(tmp_path, sshd)
    async with app.run_test(size=size) as pilot:
        await started(pilot)
        await _run(pilot, app, 1)
        rows = _rows(app)
        assert sorted(rows) == HOSTS, rows
        for host, row in rows.items():
            assert "✗ FAILED" in row and "exit 3" in row, row
            assert row.startswith(host) and row.endswith(f"/etc/ssl/{host}.pem") and "nginx: [emerg]" in row, row
        (tmp_path / "again").touch()
        await _run(pilot, app, 2)
        rows = _rows(app)
        assert sorted(rows) == HOSTS, rows
        for row in rows.values():
            assert "exit 4" in row and row.endswith("quiet this time") and "nginx" not in row, row
