"""Hosts a step leaves out, on screen before enter runs it: against aliases of the real sshd, `drain` fails on peer03
within `max_fail: 1`, and `upgrade` (a step to acknowledge) then runs on the other three only.

Before: nothing said peer03 would be left out (it was not: `upgrade` ran there too), and the acknowledgement of a
re-run listed the commands of the last attempt's hosts, whichever enter was about to run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from peers import Sshd
from run_screen_helpers import painted, screen_is, settled, started, until

from runbook_tui.app.session import Session, load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.ui.app import RunbookApp
from runbook_tui.ui.status_stack import StatusStack
from runbook_tui.ui.widgets import StepDetail

pytestmark = pytest.mark.peers


def app_for(folder: Path, sshd: Sshd) -> RunbookApp:
    hosts = [{"name": f"peer{i:02d}", "address": sshd.address, "port": sshd.port, "user": sshd.user, "identity": str(sshd.client_key)} for i in range(1, 5)]
    steps: list[dict[str, Any]] = [
        {"id": "drain", "on": "fleet", "max_fail": 1, "run": "case {{ host.name }} in peer03) exit 1;; esac", "undo": "true"},
        {"id": "upgrade", "on": "fleet", "run": "case {{ host.name }} in peer02) exit 2;; esac; echo up {{ host.name }}",
         "undo": "echo down {{ host.name }}", "confirm": "Upgrades the web hosts"},
    ]  # fmt: skip
    doc = {"runbook": 1, "id": "left-out", "title": "left out", "hosts": {"fleet": hosts}, "sections": [{"id": "impl", "kind": "implement", "steps": steps}]}
    path = folder / "runbook.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    loaded = load(str(path), {})

    def starter(override: str | None) -> Session:
        settings = Settings(known_hosts=str(sshd.known_hosts), ssh_config=None)
        return open_session(loaded, solo="ui test", journal="j.jsonl", override_window=override, settings=settings)

    return RunbookApp(starter)


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_the_row_and_the_dialog_say_who_is_left_out_and_list_only_the_hosts_that_run(workdir: Path, sshd: Sshd, size: tuple[int, int]) -> None:
    app = app_for(workdir, sshd)
    async with app.run_test(size=size) as pilot:
        controller = await started(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: controller.state.steps["drain"].status == "done" and not controller.busy, "drain to go on within max_fail")
        await settled(pilot)
        stack = flat(painted(app.screen.query_one(StatusStack)))
        assert "'upgrade' left out: peer03 (failed at step drain)" in stack, stack
        assert "Next: 'upgrade'" in stack and "enter run it" in stack, stack  # the calm line and its key stay
        detail = flat(painted(app.screen.query_one(StepDetail)))
        assert "left out: peer03 (failed at step drain)" in detail and "run on peer03" not in detail, detail

        await pilot.press("enter")
        prompt = await screen_is(pilot, "ConfirmPrompt")
        body = flat(painted(prompt.query_one("#dialog-body")))
        assert "left out: peer03 (failed at step drain)" in body, body
        assert "peer03" not in body.replace("left out: peer03", ""), body  # no command listed for it
        await pilot.press("y")
        await until(pilot, lambda: controller.state.steps["upgrade"].status == "failed" and not controller.busy, "upgrade to fail on peer02")
        await settled(pilot)
        stack = flat(painted(app.screen.query_one(StatusStack)))
        assert "enter re-run on peer01, peer02, peer04 (not left out)" in stack, stack

        # the re-run's acknowledgement: the commands of the hosts it runs on, never peer03's
        await pilot.press("enter")
        prompt = await screen_is(pilot, "ConfirmPrompt")
        body = flat(painted(prompt.query_one("#dialog-body")))
        keys = flat(painted(prompt.query_one("#dialog-keys")))
        assert "left out: peer03 (failed at step drain)" in body and "peer03" not in body.replace("left out: peer03", ""), body
        assert "peer01" in body and "peer04" in body, body
        assert "y I understand, re-run it on peer01, peer02, peer04 (not left out)" in keys, keys
        await pilot.press("escape")
