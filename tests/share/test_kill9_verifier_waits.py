"""kill -9 of a shared `exec` (then of each `resume`) while the run waits for the verifier, then `resume` as a person would.

A real `runbook-tui exec --share` process, a real verifier (bob, a ShareClient
over SSH), and a `verify: per_wave` rollout over the session's real sshd
(three aliases of it). Each command appends to a ledger. The run is killed
(1) while wave 1 of the rollout waits for bob's word, (2) while a `verify:
both` step runs after bob's go-ahead, (3) while that step waits for bob's
confirmation. After each kill `resume --headless` must say exactly where
the run stands and what each decision does, and the next `resume` must ask
bob for the word still owed: never run a finished wave again, never run on a
go-ahead given for the run that died.
"""

from __future__ import annotations

import asyncio
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
from share_peers import CLI, NO_AGENT, Lab, journal, of_type, start_shared, until

from runbook_tui.share.client import ShareClient

pytestmark = [pytest.mark.asyncio, pytest.mark.peers]


class Run:
    """One `runbook-tui exec|resume ... --share` process and bob following it."""

    def __init__(self, lab: Lab, proc: subprocess.Popen[bytes], out: Path, bob: ShareClient, follow: asyncio.Task[None]) -> None:
        self.lab, self.proc, self.out, self.bob, self.follow = lab, proc, out, bob, follow

    @classmethod
    async def start(cls, lab: Lab, name: str, *args: str) -> Run:
        keys = ["--verifier-key", f"{lab.root / 'bob'}.pub"]
        env = lab.env(**NO_AGENT, RUNBOOK_TUI_SETTINGS=str(lab.root / "settings.yaml"))
        proc, out, port = await start_shared(lab, name, args, keys, env)
        bob = lab.client(lab.root / "bob", port)
        return cls(lab, proc, out, bob, asyncio.create_task(bob.run()))

    def step(self, sid: str) -> Any:
        return self.bob.state.steps.get(sid)

    async def confirm(self, expected: str) -> None:
        reply = await self.bob.send("confirm")
        assert reply.ok and expected in reply.message, reply.message

    async def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)
        await self.close()

    async def close(self) -> None:
        self.follow.cancel()
        await self.bob.close()


def _runbook(lab: Lab, sshd: Sshd) -> Path:
    led, release = lab.root / "ledger", lab.root / "release"
    fleet = [{"name": f"peer{i}", "address": sshd.address, "port": sshd.port, "user": sshd.user, "identity": str(sshd.client_key)} for i in (1, 2, 3)]
    steps = [
        {"id": "cp", "run": "true", "checkpoint": True, "verify": "none"},
        {"id": "roll", "on": "fleet", "serial": 1, "verify": "per_wave", "run": f"echo roll-{{{{ host.name }}}} >> {led}", "undo": "true"},
        {"id": "fin", "verify": "both", "run": f"echo fin >> {led}; while [ ! -e {release} ]; do sleep 0.05; done", "undo": "true"},
    ]
    doc = {"runbook": 1, "id": "waits", "title": "Waits", "hosts": {"fleet": fleet}, "sections": [{"id": "impl", "steps": steps}]}
    (lab.root / "settings.yaml").write_text(yaml.safe_dump({"ssh": {"known_hosts": str(sshd.known_hosts), "config": False}}))
    return lab.runbook(yaml.safe_dump(doc, sort_keys=False))


def _cli(lab: Lab, *args: str) -> subprocess.CompletedProcess[str]:
    env = lab.env(**NO_AGENT, RUNBOOK_TUI_SETTINGS=str(lab.root / "settings.yaml"))
    return subprocess.run([*CLI, *args], cwd=lab.root, env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def _ledger(lab: Lab) -> Counter[str]:
    path = lab.root / "ledger"
    return Counter(path.read_text().split()) if path.exists() else Counter()


def _looked(lab: Lab, path: Path) -> str:
    """`resume --headless`: where the run stands; it decides nothing and runs nothing."""
    before = _ledger(lab)
    looked = _cli(lab, "resume", str(path), "--headless")
    assert looked.returncode == 1, looked.stdout + looked.stderr
    assert "Traceback" not in looked.stdout + looked.stderr
    assert _ledger(lab) == before, "resume without a decision ran something"
    return looked.stdout


async def test_kill_9_while_the_run_waits_for_the_verifier_resumes_asking_for_the_word_still_owed(lab: Lab, sshd: Sshd) -> None:
    lab.key("bob")
    rb, path = _runbook(lab, sshd), lab.root / "J.jsonl"

    # 1. Killed while wave 1 (peer1) waits for bob's word.
    run = await Run.start(lab, "first", "exec", str(rb), "--journal", str(path))
    await until(lambda: run.step("roll") is not None and run.step("roll").wave_awaiting == 1, 30, "wave 1 waiting for bob")
    await run.kill()
    assert _ledger(lab) == Counter(["roll-peer1"])
    out = _looked(lab, path)
    # Before: "'roll' was running when the program stopped; its outcome is unknown", and --rerun ran peer1 again.
    assert "'roll' stopped between waves: wave 1 had finished and waited for the verifier's word; nothing was running.\n" in out, out
    assert "  done (exit 0) on peer1; not started on peer2, peer3\n" in out, out
    assert "Decide: --rerun (the verifier's word on wave 1, then on peer2, peer3; not again on peer1), or --rollback.\n" in out, out

    # The re-run asks bob's word on wave 1 before anything runs, then goes on with peer2 and peer3 only.
    run = await Run.start(lab, "second", "resume", str(path), "--rerun", "--continue")
    await until(lambda: run.step("roll") is not None and run.step("roll").status == "running" and run.step("roll").wave_awaiting == 1, 30, "bob's word owed")
    assert run.step("roll").waves == (("peer1",),) and _ledger(lab) == Counter(["roll-peer1"]), "a wave started before bob's word"
    await run.confirm("confirmed wave 1 of 'roll'")
    await until(lambda: run.step("roll").wave_awaiting == 2, 30, "wave 2 waiting for bob")
    await run.confirm("confirmed wave 2 of 'roll'")
    await until(lambda: run.step("roll").status == "awaiting_verification", 30, "roll waiting for bob")
    await run.confirm("confirmed 'roll'")
    # 2. 'fin' (verify: both) gets bob's go-ahead and is killed while it runs.
    await until(lambda: run.step("fin") is not None and run.step("fin").go_ahead_asked, 30, "the go-ahead asked for fin")
    await run.confirm("go-ahead given for 'fin'")
    await until(lambda: _ledger(lab)["fin"] == 1, 30, "fin running")
    await run.kill()
    assert _ledger(lab) == Counter(["roll-peer1", "roll-peer2", "roll-peer3", "fin"])
    out = _looked(lab, path)
    assert "'fin' was running when the program stopped; its outcome is unknown. Nothing was re-run.\n" in out, out
    assert "Decide: --rerun (asks the verifier's go-ahead first: bob's was for the run that stopped), --mark-done REASON" in out, out

    # Before: the re-run went ahead on the go-ahead bob gave for the run that died, before he had even joined.
    run = await Run.start(lab, "third", "resume", str(path), "--rerun", "--continue")
    await until(lambda: run.step("fin") is not None and run.step("fin").go_ahead_asked, 30, "the go-ahead asked again")
    assert _ledger(lab)["fin"] == 1, "fin ran again without bob's go-ahead"
    await run.confirm("go-ahead given for 'fin'")
    (lab.root / "release").touch()
    # 3. Killed while 'fin' waits for bob's confirmation.
    await until(lambda: run.step("fin").status == "awaiting_verification", 30, "fin waiting for bob")
    await run.kill()
    out = _looked(lab, path)
    assert "  waiting for verifier   fin\n" in out and "'fin' ran and waits for a verifier's confirmation." in out, out

    run = await Run.start(lab, "fourth", "resume", str(path), "--continue")
    await until(lambda: run.step("fin") is not None and run.step("fin").status == "awaiting_verification", 30, "fin waiting for bob again")
    assert "'fin' ran and waits for a verifier's confirmation: the verifier joins this shared run and confirms it.\n" in run.out.read_text()
    await run.confirm("confirmed 'fin'")
    await asyncio.wait_for(run.follow, 30)  # bob's client ends with the session (his seal given), and so does the process
    assert run.proc.wait(30) == 0, run.out.read_text()
    await run.close()

    assert _ledger(lab) == Counter(["roll-peer1", "roll-peer2", "roll-peer3", "fin", "fin"]), "only fin, re-run on purpose, ran twice"
    events = journal(path)
    words = [(e["type"], e["actor"], e.get("wave")) for e in events if e["type"] in ("wave_confirmed", "step_confirmed")]
    assert words == [
        ("wave_confirmed", "bob", 1), ("wave_confirmed", "bob", 2), ("step_confirmed", "bob", None),
        ("step_confirmed", "bob", None), ("step_confirmed", "bob", None), ("step_confirmed", "bob", None),
    ], words  # fmt: skip
    assert [e["hosts"] for e in of_type(events, "step_started") if e["step"] == "roll"] == [["peer1", "peer2", "peer3"], ["peer2", "peer3"]]
    [finished] = [e for e in of_type(events, "step_finished") if e["step"] == "roll"]
    assert {h: r["status"] for h, r in finished["hosts"].items()} == {"peer1": "done", "peer2": "done", "peer3": "done"}
    assert of_type(events, "session_finished")[-1]["outcome"] == "done"
    assert _cli(lab, "journal", "verify", str(path)).returncode == 0
    roll = next(s for s in json.loads(_cli(lab, "report", str(path), "--format", "json").stdout)["steps"] if s["id"] == "roll")
    first, second = roll["attempts"]  # the killed attempt as the journal left it: peer1 done, the others never started
    assert [(h["host"], h["status"]) for h in first["hosts"]] == [("peer1", "done"), ("peer2", "pending"), ("peer3", "pending")], first
    assert first["problems"] == ["the program stopped while wave 1 waited for the verifier's word; nothing was running"]
    assert [(h["host"], h["status"]) for h in second["hosts"]] == [("peer1", "done"), ("peer2", "done"), ("peer3", "done")], second
    assert [(d["kind"], d["by"]) for d in roll["decisions"]] == [("wave 1 confirmed", "bob"), ("wave 2 confirmed", "bob"), ("confirmed", "bob")]
