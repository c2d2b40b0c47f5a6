"""One night, every view: a rolling rollout through a bastion, killed twice, a verifier who asks for a rollback the
assignee does not start, leaves mid-wave, an observer who joins late, and the assignee finishing solo.

The same journal is then read by replay, practice and the report: each must say the same about every step, host,
wave, person and outcome as the screens said on the night.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import signal
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from peers import Sshd
from share_peers import CLI, HOST, NO_AGENT, Lab, free_port, journal, of_type, start_shared, until

from runbook_tui.app.practice import open_practice
from runbook_tui.app.session import resume_session
from runbook_tui.app.sharing import share_options
from runbook_tui.engine.recording import record
from runbook_tui.engine.state import replay as replay_events
from runbook_tui.share.client import ShareClient
from runbook_tui.ui.app import RunbookApp
from runbook_tui.ui.practice_screens import PracticeApp
from runbook_tui.ui.replay_app import ReplayApp
from runbook_tui.ui.replay_screen import ReplayScreen
from runbook_tui.ui.status_stack import StatusStack, statuses
from runbook_tui.ui.widgets import RunHeader
from tests.ui.run_screen_helpers import painted, read_to_end, screen_is, started
from tests.ui.run_screen_helpers import until as ui_until

pytestmark = [pytest.mark.asyncio, pytest.mark.peers]


def _runbook(lab: Lab, sshd: Sshd) -> Path:
    led, gate = lab.root / "ledger", lab.root / "gate"
    login = {"port": sshd.port, "user": sshd.user, "identity": str(sshd.client_key)}
    fleet = [{"name": f"peer{i}", "address": sshd.address, **login} for i in (1, 2, 3)]
    roll = f"echo roll-{{{{ host.name }}}} >> {led}; if [ {{{{ host.name }}}} = peer2 ]; then while [ ! -e {gate} ]; do sleep 0.05; done; fi"
    steps = [
        {"id": "cp", "run": "true", "checkpoint": True, "verify": "none"},
        {"id": "roll", "on": "fleet", "serial": 1, "verify": "per_wave", "run": roll, "undo": f"echo undo-{{{{ host.name }}}} >> {led}"},
        {"id": "fin", "run": f"echo fin >> {led}", "undo": "true"},
    ]
    hosts = {"bastions": [{"name": "jump", "address": sshd.address, **login}], "fleet": {"via": "jump", "hosts": fleet}}
    doc = {"runbook": 1, "id": "night", "title": "Night", "hosts": hosts, "sections": [{"id": "impl", "steps": steps}]}
    (lab.root / "settings.yaml").write_text(yaml.safe_dump({"ssh": {"known_hosts": str(sshd.known_hosts), "config": False}}))
    return lab.runbook(yaml.safe_dump(doc, sort_keys=False))


def _env(lab: Lab) -> dict[str, str]:
    return lab.env(**NO_AGENT, RUNBOOK_TUI_SETTINGS=str(lab.root / "settings.yaml"))


def _cli(lab: Lab, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], cwd=lab.root, env=_env(lab), capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def _ledger(lab: Lab) -> Counter[str]:
    path = lab.root / "ledger"
    return Counter(path.read_text().split()) if path.exists() else Counter()


class Process:
    """`runbook-tui exec|resume ... --share` with bob following it."""

    def __init__(self, proc: subprocess.Popen[bytes], out: Path, port: int) -> None:
        self.proc, self.out, self.port = proc, out, port

    @classmethod
    async def start(cls, lab: Lab, name: str, *args: str) -> Process:
        keys = ["--verifier-key", "bob.pub", "--observer-key", "carol.pub"]  # relative: the journal names them whole
        proc, out, port = await start_shared(lab, name, args, keys, _env(lab))
        return cls(proc, out, port)

    async def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)


def _rows(stack: Any) -> list[str]:
    """The status stack's rows as a person reads them, without the key hints (which differ by role)."""
    return [" ".join(line.split()).split(" — ")[0] for line in painted(stack).splitlines() if line.strip() and not line.strip().startswith("— ")]


async def test_a_night_of_waves_kills_a_held_rollback_request_a_leaving_verifier_and_a_late_observer_reads_alike_everywhere(
    lab: Lab, sshd: Sshd, monkeypatch: pytest.MonkeyPatch
) -> None:
    lab.key("bob")
    lab.key("carol")
    rb, path = _runbook(lab, sshd), lab.root / "J.jsonl"
    keys = {"verifier-key": [str(lab.root / "bob.pub")], "observer-key": [str(lab.root / "carol.pub")]}

    # 1. exec --share: bob lets wave 1 (peer1) through; wave 2 (peer2) hangs; kill -9.
    first = await Process.start(lab, "first", "exec", str(rb), "--journal", str(path))
    bob = lab.client(lab.root / "bob", first.port)
    follow = asyncio.create_task(bob.run())
    await until(lambda: (s := bob.state.steps.get("roll")) is not None and s.wave_awaiting == 1, 30, "wave 1 waiting for bob")
    assert (await bob.send("confirm")).ok
    await until(lambda: _ledger(lab)["roll-peer2"] == 1, 30, "peer2 running")
    await first.kill()
    follow.cancel()
    await bob.close()
    assert [e.get("keys") for e in of_type(journal(path), "share_started")] == [keys], "the key files, whole, for the resume command"

    # 2. resume --rerun --continue --share: peer1 is not run again; peer2's run, still hanging there, is followed, not
    # started a second time beside it (engine/reattach.py; before: `roll-peer2` twice); kill -9 while it is followed.
    second = await Process.start(lab, "second", "resume", str(path), "--rerun", "--continue")

    def following() -> bool:
        written = journal(path)
        notes = [n for n, e in enumerate(written) if e["type"] == "note" and e.get("request") == "follow"]
        return bool(notes) and any(e["type"] == "wave_started" for e in written[notes[-1] :])

    await until(following, 30, "peer2's run followed in wave 2")
    await second.kill()
    assert _ledger(lab) == Counter({"roll-peer1": 1, "roll-peer2": 1})

    # 3. The assignee's screen at 80x24 (resume --share, in this process): enter re-runs 'roll'.
    port = free_port()
    monkeypatch.chdir(lab.root)
    for name, value in _env(lab).items():
        monkeypatch.setenv(name, value)
    session = resume_session(str(path), share=share_options(f"{HOST}:{port}", ["bob.pub"], ["carol.pub"]))
    app = RunbookApp(lambda _override: session, opens_at_once=False)
    async with app.run_test(size=(80, 24)) as pilot:
        controller = await started(pilot)
        run = app.screen
        header, stack = run.query_one(RunHeader), run.query_one(StatusStack)
        await ui_until(pilot, lambda: bool(controller.state.share.get("address")), "the share to open")
        await lab.trust(session.share.fingerprint, port)
        bob = lab.client(lab.root / "bob", port)
        follow = asyncio.create_task(bob.run())
        await ui_until(pilot, lambda: "verifier bob connected" in painted(header), "the header to say bob is connected")
        (lab.root / "gate").touch()
        await pilot.press("enter")
        ask = await screen_is(pilot, "ConfirmPrompt")  # peer2's run may still be going: said, and asked, first
        assert "may still be running on peer2" in " ".join(painted(ask.query_one("#dialog-body")).split())
        await read_to_end(pilot)  # y counts once the commands it re-runs have been read to the end (tests/ui/test_read_first.py)
        await pilot.press("y")
        await ui_until(pilot, lambda: controller.state.steps["roll"].wave_awaiting == 2, "wave 2 waiting for bob")

        # bob asks for a rollback while wave 2 waits for his word: nothing can roll back before he stops the rollout,
        # and every view says so (before: his reply said "the assignee sees it now", the row offered u, u did nothing).
        reply = await bob.send("request_rollback", "5xx on peer2")
        assert reply.ok and "wave 2 of 'roll' still waits for your word: x rejects it" in reply.message, reply.message
        held = "ROLLBACK REQUESTED: bob: 5xx on peer2; wave 2 of 'roll' still waits for the verifier's word: a rollback starts once they reject it"
        await ui_until(pilot, lambda: held in " ".join(painted(stack).split()), "the request on the assignee's screen")
        assert "u show the undo list" not in painted(stack), painted(stack)
        await pilot.press("u")
        await ui_until(
            pilot, lambda: any("a rollback can start once they reject it (x)" in str(n.message) for n in app._notifications), "u to say why it waits"
        )
        assert type(app.screen).__name__ == "RunScreen" and controller.state.rollback is None
        assistant_rows = _rows(stack)

        # carol joins late, as an observer: her replica, bob's and the assignee's state say the same
        carol = lab.client(lab.root / "carol", port, observe=True)
        carol_follow = asyncio.create_task(carol.run())
        await ui_until(pilot, lambda: carol.state.seq == controller.state.seq == bob.state.seq and "carol" in carol.state.participants, "carol caught up")
        for replica in (bob.state, carol.state):
            assert replica.steps == controller.state.steps and replica.rollback_requested == controller.state.rollback_requested
            assert [s.text for s in statuses(replica, dt.datetime.now(dt.UTC))] == [s.text for s in statuses(controller.state, dt.datetime.now(dt.UTC))]

        # bob lets wave 2 through after all: his last word stands, the request is withdrawn everywhere
        assert (await bob.send("confirm")).ok
        await ui_until(pilot, lambda: controller.state.steps["roll"].status == "awaiting_verification", "roll waiting for bob's word")
        assert controller.state.rollback_requested is None and "ROLLBACK" not in painted(stack)
        await ui_until(pilot, lambda: carol.state.seq == controller.state.seq and carol.state.rollback_requested is None, "carol to see it withdrawn")

        # bob leaves while 'roll' waits for his word
        follow.cancel()
        await bob.close()
        await ui_until(pilot, lambda: "bob" not in controller.state.participants, "bob to leave")
        await ui_until(pilot, lambda: "verifier bob not connected" in painted(header), "the header to name bob, not connected")
        assert "no verifier is connected" in " ".join(painted(stack).split())
        await pilot.press("q")
        prompt = await screen_is(pilot, "ConfirmPrompt")
        body = "".join(painted(prompt.query_one("#dialog-body")).split())  # the dialog wraps the long paths anywhere
        address = controller.state.share["address"]
        assert f"--share{address}--verifier-key{lab.root}/bob.pub--observer-key{lab.root}/carol.pub(theverifierjoins" in body, body
        await pilot.press("y")
        await ui_until(pilot, lambda: not app.is_running, "the assignee to quit")
    carol_follow.cancel()
    await carol.close()

    # 4. The assignee goes on alone: 'roll' is recorded unverified, 'fin' runs, the run is done.
    last = _cli(lab, "resume", str(path), "--solo", "bob went home", "--continue")
    assert last.returncode == 0, last.stdout + last.stderr
    assert _ledger(lab) == Counter({"roll-peer1": 1, "roll-peer2": 1, "roll-peer3": 1, "fin": 1})  # peer2's one run, followed twice
    assert _cli(lab, "journal", "verify", str(path)).returncode == 0
    events = journal(path)
    night = replay_events(events)
    assert night.outcome == "done" and {sid: s.status for sid, s in night.steps.items()} == {"cp": "done", "roll": "done", "fin": "done"}
    assert night.verifiers_heard == ("bob",)  # carol observed; alice marked 'roll' done: neither gave a verifier's word

    # The report (json and md) says what the screens said: who gave which word, which steps were verified.
    report = json.loads(_cli(lab, "report", str(path), "--format", "json").stdout)
    by_id = {s["id"]: s for s in report["steps"]}
    assert {sid: (s["outcome"], s["verification"]) for sid, s in by_id.items()} == {
        "cp": ("done", "not required"),  # verify: none, done while bob was there (before: UNVERIFIED, the run ended solo)
        "roll": ("done", "unverified"),
        "fin": ("done", "unverified"),
    }
    assert [(d["kind"], d["by"]) for d in by_id["roll"]["decisions"]] == [("wave 1 confirmed", "bob"), ("wave 2 confirmed", "bob"), ("marked done", "alice")]
    assert [a["status"] for a in by_id["roll"]["attempts"]] == ["unknown", "unknown", "awaiting_verification"]
    assert report["unverified"] == ["roll", "fin"]
    markdown = _cli(lab, "report", str(path)).stdout
    assert "| **Verifier** | bob, then solo (bob went home) |" in markdown, markdown  # before: "none: solo run"
    assert "rollback requested by bob: 5xx on peer2" in markdown and "roll wave 2 confirmed by bob" in markdown

    # replay at 80x24: at the request, the same rows the assignee read; at the end, the same outcome
    asked = next(i for i, e in enumerate(events) if e["type"] == "rollback_requested")
    replay_app = ReplayApp(events, label="J.jsonl")
    async with replay_app.run_test(size=(80, 24)) as pilot:
        await ui_until(pilot, lambda: isinstance(replay_app.screen, ReplayScreen), "the replay screen")
        screen = replay_app.screen
        assert isinstance(screen, ReplayScreen)
        screen.replay.seek(asked + 1)
        screen._moved(True)
        replay_stack = screen.query_one(StatusStack)
        await ui_until(pilot, lambda: _rows(replay_stack) == assistant_rows, f"the replay's rows {_rows(replay_stack)} to be {assistant_rows}")
        await pilot.press("end")
        await ui_until(pilot, lambda: "Session finished: done" in painted(replay_stack), "the replay's end")
        # its header names who verified before the run went solo, as the report does (before: `SOLO (bob went home)`);
        # at 80 columns the solo reason gives way to the checkpoint (it was the checkpoint that was cut off)
        said = " ".join(painted(screen.query_one("#header")).split())
        assert "bob, then SOLO (bob went …): unverified ⚑ last checkpoint: cp" in said, said

    # practice: the recording plays each host as the night ended it. peer1 ended done in wave 1 of the attempt killed in
    # wave 2 (before: `the command's end was not recorded`, and the trainee's rollout failed on peer1 at every try);
    # peer3, which no killed attempt reached, has only the take of the attempt that ran it.
    recording = record(events)
    assert [(t.status, t.exit_code) for t in recording.takes[("run", "roll", "peer1")]] == [("ok", 0)]
    assert [t.status for t in recording.takes[("run", "roll", "peer2")]] == ["unknown", "unknown", "ok"]
    assert [(t.status, t.exit_code) for t in recording.takes[("run", "roll", "peer3")]] == [("ok", 0)]
    trainee = PracticeApp(open_practice(str(path), out_journal=str(lab.root / "practice.jsonl")))
    async with trainee.run_test(size=(80, 24)) as pilot:
        await ui_until(pilot, lambda: trainee.handle is not None, "the practice run")
        assert trainee.handle is not None
        practice = trainee.handle.controller
        for _ in range(12):  # enter whenever a step may run: cp, then roll three times (as on the night), then fin
            await ui_until(pilot, lambda: practice.state.finished or "run" in practice.allowed_intents(), "the trainee's turn", seconds=20)
            if practice.state.finished:
                break
            await pilot.press("enter")
        await ui_until(pilot, lambda: practice.state.finished, "the practice run to end")
    played = journal(lab.root / "practice.jsonl")
    assert [sorted(e["hosts"]) for e in of_type(played, "step_finished") if e["step"] == "roll"] == [["peer1", "peer2", "peer3"]] * 3
    # the two tries the night's process died in end unknown, as `resume` found them: peer3's wave never began (pending)
    # (before: `failed`, and peer3 `skipped`; `d` was never offered)
    assert [(e["status"], {h: r["status"] for h, r in e["hosts"].items()}) for e in of_type(played, "step_finished") if e["step"] == "roll"] == [
        ("unknown", {"peer1": "done", "peer2": "unknown", "peer3": "pending"}),
        ("unknown", {"peer1": "done", "peer2": "unknown", "peer3": "pending"}),
        ("awaiting_verification", {"peer1": "done", "peer2": "done", "peer3": "done"}),
    ]
    assert [e["reason"] for e in of_type(played, "rollback_requested")] == ["5xx on peer2"], "bob's request, once, on the third attempt"


async def _exec_with_bob(lab: Lab, sshd: Sshd) -> tuple[Path, Process, ShareClient, asyncio.Task[None]]:
    """`exec --share` of the rollout with its gate open (nothing hangs), and bob following it: the journal, the
    process, bob's client and the task that follows."""
    lab.key("bob")
    lab.key("carol")
    rb, path = _runbook(lab, sshd), lab.root / "J.jsonl"
    (lab.root / "gate").touch()
    run = await Process.start(lab, "exec", "exec", str(rb), "--journal", str(path))
    bob = lab.client(lab.root / "bob", run.port)
    return path, run, bob, asyncio.create_task(bob.run())


async def test_exec_goes_on_after_the_verifier_withdraws_a_rollback_request_and_a_hold_names_the_shared_resume(lab: Lab, sshd: Sshd) -> None:
    """exec --share: bob asks for a rollback while wave 1 waits for his word, then lets it through after all. Before: exec
    kept the request and failed the run once the rollout ended. A hold then leaves the journal open, and the command
    printed shares the run again with the same key files (before: a bare `resume JOURNAL`, unshared)."""
    path, run, bob, follow = await _exec_with_bob(lab, sshd)
    try:
        await until(lambda: (s := bob.state.steps.get("roll")) is not None and s.wave_awaiting == 1, 30, "wave 1 waiting for bob")
        assert (await bob.send("request_rollback", "5xx on peer1")).ok
        await until(lambda: bob.state.rollback_requested is not None, 30, "bob's request in his replica")
        assert (await bob.send("confirm")).ok  # wave 1 after all
        await until(lambda: bob.state.steps["roll"].wave_awaiting == 2, 30, "wave 2 waiting for bob")
        assert bob.state.rollback_requested is None, "bob's later word withdrew his request"
        assert (await bob.send("confirm")).ok
        await until(lambda: bob.state.steps["roll"].status == "awaiting_verification", 30, "roll waiting for bob's word")
        assert (await bob.send("hold", "checking the dashboards")).ok
        await until(lambda: run.proc.poll() is not None, 30, "exec to stop at the hold")
    finally:
        follow.cancel()
        await bob.close()
    out = run.out.read_text()
    assert run.proc.returncode == 1, out
    events = journal(path)
    assert not of_type(events, "rollback_started") and not of_type(events, "session_finished"), out
    assert _ledger(lab) == Counter({"roll-peer1": 1, "roll-peer2": 1, "roll-peer3": 1})
    address = of_type(events, "share_started")[-1]["address"]
    said = f"outcome: paused (the journal is left open); continue with: runbook-tui resume {path} --share {address} --verifier-key {lab.root}/bob.pub --observer-key {lab.root}/carol.pub\n"
    assert said in out, out


async def test_the_verifier_leaving_mid_wave_then_resume_solo_goes_on_where_the_rollout_stopped(lab: Lab, sshd: Sshd) -> None:
    """bob leaves while wave 1 waits for his word; the assignee stops exec and goes on alone. The interrupted line names
    the shared resume (before: a bare `resume J`); the solo resume says a re-run asks nobody's word (before: "the
    verifier's word on wave 1" in a run gone solo) and runs peer2 and peer3 only."""
    path, run, bob, follow = await _exec_with_bob(lab, sshd)
    await until(lambda: (s := bob.state.steps.get("roll")) is not None and s.wave_awaiting == 1, 30, "wave 1 waiting for bob")
    follow.cancel()
    await bob.close()
    await until(lambda: bool(of_type(journal(path), "participant_left")), 30, "bob's leaving journaled")
    run.proc.send_signal(signal.SIGTERM)
    run.proc.wait(10)
    address = of_type(journal(path), "share_started")[-1]["address"]
    said = (
        f"interrupted; the journal is kept: runbook-tui resume {path} --share {address} --verifier-key {lab.root}/bob.pub --observer-key {lab.root}/carol.pub\n"
    )
    assert said in run.out.read_text(), run.out.read_text()
    # the record says why the journal stops here (before: it ended at bob's leaving, the signal unsaid)
    [stop] = [e for e in journal(path) if e["type"] == "note" and e["actor"] == "system" and "exec was stopped" in e["text"]]
    assert stop["text"].startswith("exec was stopped by SIGTERM") and stop["text"].endswith("; the journal is kept"), stop
    went = _cli(lab, "resume", str(path), "--solo", "bob went home", "--rerun", "--continue")
    assert went.returncode == 0, went.stdout + went.stderr
    assert "Decide: --rerun (on peer2, peer3; not again on peer1), or --rollback.\n" in went.stdout, went.stdout
    assert _ledger(lab) == Counter({"roll-peer1": 1, "roll-peer2": 1, "roll-peer3": 1, "fin": 1})
    report = json.loads(_cli(lab, "report", str(path), "--format", "json").stdout)
    assert report["session"]["outcome"] == "done" and report["unverified"] == ["roll", "fin"]
