"""enter on a step that failed because its host's link was lost for good mid-command (the command ran on detached).

The host's error says `the command may still be running there … check whether it still runs before re-running the
step`. Before, enter re-ran it under a new key: the command started a second time beside the first, whose end was
never learned. Now the re-run follows the run the lost link left there (engine/reattach.py), as it does for a run a
killed process left, and the acknowledgement says so first.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from peers import PeerError, Sshd, make_sshd
from run_screen_helpers import painted, screen_is, settled, started, until

from runbook_tui.app.session import Session, load, open_session, resume_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine.reattach import FOUND_RUN
from runbook_tui.ui.app import RunbookApp

pytestmark = pytest.mark.peers


@pytest.fixture
def own(tmp_path: Path) -> Iterator[Sshd]:
    """An sshd of this test's own, to lose."""
    (tmp_path / "own").mkdir()
    try:
        server = make_sshd(tmp_path / "own")
    except PeerError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    (tmp_path / "release").touch()
    server.stop()


def ledger(folder: Path) -> Counter[str]:
    path = folder / "ledger"
    return Counter(path.read_text().split()) if path.exists() else Counter()


def app_for(folder: Path, sshd: Sshd) -> RunbookApp:
    led, release = folder / "ledger", folder / "release"
    run = f"echo start >> {led}; echo before\nwhile [ ! -e {release} ]; do sleep 0.05; done\necho after; echo end >> {led}\n"
    host = {"name": "peer01", "address": sshd.address, "port": sshd.port, "user": sshd.user, "identity": str(sshd.client_key)}
    doc = {
        "runbook": 1, "id": "lost-link", "title": "lost link", "hosts": {"fleet": [host]},
        "sections": [{"id": "impl", "kind": "implement", "steps": [{"id": "roll", "on": "fleet", "run": run}, {"id": "next", "run": f"echo next >> {led}"}]}],
    }  # fmt: skip
    path = folder / "runbook.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    loaded = load(str(path), {})

    def starter(override: str | None) -> Session:
        settings = Settings(known_hosts=str(sshd.known_hosts), ssh_config=None, reconnect_attempts=1)
        return open_session(loaded, solo="ui test", journal=str(folder / "j.jsonl"), override_window=override, settings=settings)

    return RunbookApp(starter)


@pytest.mark.asyncio
async def test_enter_after_a_lost_link_follows_the_run_left_there_instead_of_starting_it_again(workdir: Path, own: Sshd) -> None:
    async with app_for(workdir, own).run_test(size=(140, 45)) as pilot:
        controller = await started(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: ledger(workdir)["start"] == 1, "the command to start", seconds=60)
        own.stop()  # every sshd process: the link drops; the detached command lives on
        await until(pilot, lambda: controller.state.steps["roll"].status == "failed" and not controller.busy, "the step to fail", seconds=90)
        assert "may still be running" in (controller.state.steps["roll"].hosts["peer01"].error or "")
        own.start()
        await settled(pilot)
        await pilot.press("enter")
        prompt = await screen_is(pilot, "ConfirmPrompt")
        said = " ".join(painted(prompt.query_one("#dialog-body")).split())
        assert "'roll' failed. Its connection to peer01 was lost while it ran, and the command ran on there unwatched: it may still be running." in said, said
        assert "A re-run follows the run left on peer01" in said, said
        await pilot.press("y")
        await until(pilot, lambda: controller.state.steps["roll"].attempts == 2, "the re-run to start", seconds=60)
        (workdir / "release").touch()
        await until(pilot, lambda: controller.state.steps["roll"].status == "done" and not controller.busy, "the re-run to end", seconds=90)
    assert ledger(workdir) == Counter(["start", "end"]), ledger(workdir)  # once (before: started again beside the first)
    written = [json.loads(line) for line in (workdir / "j.jsonl").read_text().splitlines()]
    [again] = [e for e in written if e["type"] == "step_started" and e.get("attempt") == 2]
    after = written[written.index(again) - 1 :]
    [note] = [e for e in after if e["type"] == "note" and e.get("request") == "follow"]
    assert note["follows"] == {"peer01": [1, ""]}, note
    assert any(e["type"] == "note" and e["text"] == f"peer01: {FOUND_RUN}" for e in after), after
    assert "".join(e["text"] for e in after if e["type"] == "output") == "before\nafter\n"  # from its first byte, once


@pytest.mark.asyncio
async def test_a_quit_after_a_lost_link_then_resume_asks_and_follows_the_run_left_there(workdir: Path, own: Sshd) -> None:
    """The assignee quits at the failed step (the journal left open), then resumes: enter asks as above, y follows."""
    async with app_for(workdir, own).run_test(size=(140, 45)) as pilot:
        controller = await started(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: ledger(workdir)["start"] == 1, "the command to start", seconds=60)
        own.stop()
        await until(pilot, lambda: controller.state.steps["roll"].status == "failed" and not controller.busy, "the step to fail", seconds=90)
        await settled(pilot)
        await pilot.press("q")
        await screen_is(pilot, "ConfirmPrompt")
        await pilot.press("y")
    look = subprocess.run([sys.executable, "-m", "runbook_tui", "resume", "j.jsonl", "--headless"], cwd=workdir, capture_output=True, text=True, timeout=60)
    said = " ".join(look.stdout.split())
    assert "'roll' FAILED before the program stopped, and nobody had decided. Nothing was re-run. Its connection to peer01 was lost while it ran" in said, said
    assert "A re-run follows the run left on peer01" in said, said  # (before: nothing said the command might still run)
    own.start()
    settings = Settings(known_hosts=str(own.known_hosts), ssh_config=None, reconnect_attempts=1)
    async with RunbookApp(lambda _override: resume_session(str(workdir / "j.jsonl"), settings=settings)).run_test(size=(140, 45)) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        await pilot.press("enter")
        prompt = await screen_is(pilot, "ConfirmPrompt")
        said = " ".join(painted(prompt.query_one("#dialog-body")).split())
        assert "A re-run follows the run left on peer01" in said, said
        await pilot.press("y")
        await until(pilot, lambda: controller.state.steps["roll"].attempts == 2, "the re-run to start", seconds=60)
        (workdir / "release").touch()
        await until(pilot, lambda: controller.state.steps["roll"].status == "done" and not controller.busy, "the re-run to end", seconds=90)
    assert ledger(workdir) == Counter(["start", "end"]), ledger(workdir)
