"""A step whose command and undo name each host (`{{ host.name }}`) on 60 hosts, in the step pane at 80x24 and 140x45.

Walked in tmux: the pane listed `run on web01.…:` and its command, `run on web02.…:`, … one block per host, 655 rows at
80x24 (`▼ 655 more lines`); the command's label took 45 of the pane's 78 columns, so the command wrapped in a strip of
29 and broke inside a host name (`…payments.exam` over `ple.com`); the undo, 60 blocks further down, was never in
view. Now hosts sharing a command are one block, a block's long label stands on its own row with the command under it,
and past the first command the pane says how many hosts have their own (`v` shows each); enter still shows the step
whole before it runs (the pane does not hold every command).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from run_screen_helpers import make_app, painted, screen_is, settled, started, until

from runbook_tui.ui.widgets import DetailScroll, StepDetail

NAMES = [f"web{n:02d}.eu-west-1.payments.example.com" for n in range(1, 61)]
RUN = "echo pushed {{ host.name }}; echo 日本語の出力 ✅ 🎉"
UNDO = "cp /etc/ssl/backup/{{ host.name }}/bundle.pem /etc/ssl/private/bundle.pem && systemctl reload nginx"


def _runbook(folder: Path) -> Path:
    hosts = [{"name": name, "address": "127.0.0.1", "port": 9} for name in NAMES]  # never reached: nothing runs
    doc = {
        "runbook": 1, "id": "per-host", "title": "per host", "hosts": {"fleet": hosts},
        "sections": [{"id": "impl", "kind": "implement", "steps": [{"id": "push", "title": "Push the bundle", "on": "fleet", "run": RUN, "undo": UNDO}]}],
    }  # fmt: skip
    path = folder / "per-host.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)], ids=["80x24", "140x45"])
async def test_the_pane_shows_one_hosts_command_and_undo_and_counts_the_others(workdir: Path, size: tuple[int, int]) -> None:
    """In view in the pane: `run on web01.…:` with web01's command whole on the rows under it (not broken inside a
    name), `undo on web01.…:` with its undo, and `59 more hosts, each with its own command: v shows all` under each;
    no web02 block. Enter opens the step whole (every host's command) before anything runs."""
    app = make_app(_runbook(workdir))
    async with app.run_test(size=size) as pilot:
        await started(pilot)
        await settled(pilot)
        detail = app.screen.query_one(StepDetail)
        await until(pilot, lambda: "web01" in painted(detail), "the step's commands in the pane")
        seen = "\n".join(painted(detail).splitlines()[: app.screen.query_one(DetailScroll).scrollable_content_region.height])  # in view
        joined = " ".join(seen.split())
        assert "run on web01.eu-west-1.payments.example.com:" in joined, seen
        assert "echo pushed web01.eu-west-1.payments.example.com; echo 日本語の出力 ✅ 🎉" in joined, seen  # whole, in view
        assert "undo on web01.eu-west-1.payments.example.com:" in joined, seen
        assert "cp /etc/ssl/backup/web01.eu-west-1.payments.example.com/bundle.pem" in joined, seen  # the undo too
        assert joined.count("59 more hosts, each with its own command: v shows all") == 2, seen
        assert "web02.eu-west-1.payments.example.com:" not in joined, seen
        await pilot.press("enter")  # not every command is in the pane: the step whole first
        dialog = await screen_is(pilot, "ConfirmPrompt")
        body = " ".join(painted(dialog.query_one("#dialog-body")).split())
        assert "run on web02.eu-west-1.payments.example.com:" in body, body
