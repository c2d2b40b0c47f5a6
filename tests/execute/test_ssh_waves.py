"""Rolling waves over real SSH: a ramp `serial: [1, 2, "50%"]` with the verifier's word between waves, and a failure budget in percent.

Ten aliases of the session's loopback sshd stand for ten hosts. The order,
the pauses and the stop are asserted from the journal, the one truth every
screen shows.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from peers import Sshd

from runbook_tui.app.session import load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine.controller import Actor, Controller
from runbook_tui.engine.event_words import said

pytestmark = pytest.mark.peers

ALIASES = [f"peer{i:02d}" for i in range(1, 11)]


def write_runbook(tmp_path: Path, sshd: Sshd, step: dict[str, Any]) -> Path:
    hosts = [{"name": name, "address": sshd.address, "port": sshd.port, "user": sshd.user, "identity": str(sshd.client_key)} for name in ALIASES]
    doc = {"runbook": 1, "id": "waves", "title": "Waves", "hosts": {"fleet": hosts}, "sections": [{"id": "impl", "steps": [step]}]}
    path = tmp_path / "waves.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def events_of(journal: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines() if line.strip()]


async def until(what: str, predicate: Callable[[], bool], controller: Controller, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}; step state: {controller.state.steps}")
        await asyncio.sleep(0.02)


def test_a_ramp_of_waves_pauses_for_the_verifier_between_waves(tmp_path: Path, sshd: Sshd, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    step = {"id": "roll", "run": "echo rolled {{ host.name }}", "on": "fleet", "serial": [1, 2, "50%"], "verify": "per_wave"}
    path = write_runbook(tmp_path, sshd, step)
    journal = tmp_path / "j.jsonl"
    bob = Actor("bob", "verifier")

    async def main() -> None:
        session = open_session(
            load(str(path), {}), journal=str(journal), settings=Settings(known_hosts=str(sshd.known_hosts), ssh_config=None), verifier_in_process=True
        )
        controller, alice = session.controller, session.actor
        try:
            controller.run_current(alice)
            for wave in (1, 2, 3):
                await until(f"wave {wave} to wait for the verifier", lambda w=wave: controller.state.steps["roll"].wave_awaiting == w, controller)
                started = [e for e in events_of(journal) if e["type"] == "wave_started"]
                assert len(started) == wave, "the next wave must not start before the verifier's word"
                assert controller.state.steps["roll"].hosts["peer10"].status == "pending", "a later wave's host is not running yet"
                assert not controller.confirm(alice).ok, "the assignee cannot confirm their own wave"
                assert controller.confirm(bob, "roll").ok
            await controller.wait_idle()
            assert controller.state.steps["roll"].status == "awaiting_verification"  # the last wave is confirmed as the step
            assert [list(w) for w in controller.state.steps["roll"].waves] == [ALIASES[:1], ALIASES[1:3], ALIASES[3:8], ALIASES[8:]]
            assert controller.confirm(bob, "roll").ok
        finally:
            await session.close()

    asyncio.run(main())
    events = events_of(journal)
    waves = [e for e in events if e["type"].startswith("wave_")]
    assert [(e["type"], e["wave"]) for e in waves] == [
        ("wave_started", 1), ("wave_finished", 1), ("wave_confirmed", 1),
        ("wave_started", 2), ("wave_finished", 2), ("wave_confirmed", 2),
        ("wave_started", 3), ("wave_finished", 3), ("wave_confirmed", 3),
        ("wave_started", 4), ("wave_finished", 4),
    ]  # fmt: skip
    started = [e for e in waves if e["type"] == "wave_started"]
    assert [e["hosts"] for e in started] == [ALIASES[:1], ALIASES[1:3], ALIASES[3:8], ALIASES[8:]]
    assert all(e["of"] == 4 for e in started)
    assert [e["awaiting"] for e in waves if e["type"] == "wave_finished"] == [True, True, True, False]
    assert all(e["actor"] == "bob" for e in waves if e["type"] == "wave_confirmed")
    # Every host's output lands between its own wave's start and that wave's end.
    bounds = {h: (s["seq"], f["seq"]) for s, f in zip(started, [e for e in waves if e["type"] == "wave_finished"]) for h in s["hosts"]}
    outputs = [e for e in events if e["type"] == "output" and e["step"] == "roll"]
    assert {e["host"] for e in outputs} == set(ALIASES)
    for e in outputs:
        assert e["text"] == f"rolled {e['host']}\n"
        low, high = bounds[e["host"]]
        assert low < e["seq"] < high, e
    [finished] = [e for e in events if e["type"] == "step_finished"]
    assert all(r["status"] == "done" for r in finished["hosts"].values())


def test_a_percentage_failure_budget_stops_the_rollout_before_the_next_wave(tmp_path: Path, sshd: Sshd, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    failing = ("peer03", "peer04", "peer06")
    command = 'case "{{ host.name }}" in ' + "|".join(failing) + ") exit 1;; esac; echo ok"
    # 20% of 10 hosts: two failures are tolerated, the third stops the rollout.
    step = {"id": "roll", "run": command, "on": "fleet", "serial": 2, "max_fail": "20%", "verify": "none"}
    path = write_runbook(tmp_path, sshd, step)
    journal = tmp_path / "j.jsonl"

    async def main() -> None:
        session = open_session(
            load(str(path), {}), journal=str(journal), settings=Settings(known_hosts=str(sshd.known_hosts), ssh_config=None), verifier_in_process=True
        )
        try:
            session.controller.run_current(session.actor)
            await session.controller.wait_idle()
        finally:
            await session.close()

    asyncio.run(main())
    events = events_of(journal)
    finished_waves = [e for e in events if e["type"] == "wave_finished"]
    assert [(e["wave"], e["failed"], e["stopped"]) for e in finished_waves] == [
        (1, [], False),
        (2, ["peer03", "peer04"], False),
        (3, ["peer06"], True),
    ]
    assert [e["hosts"] for e in events if e["type"] == "wave_started"] == [ALIASES[0:2], ALIASES[2:4], ALIASES[4:6]]
    [finished] = [e for e in events if e["type"] == "step_finished"]
    assert finished["status"] == "failed"
    statuses = {h: r["status"] for h, r in finished["hosts"].items()}
    assert statuses == {
        **dict.fromkeys(["peer01", "peer02", "peer05"], "done"),
        **dict.fromkeys(failing, "failed"),
        **dict.fromkeys(ALIASES[6:], "skipped"),
    }
    assert not [e for e in events if e["type"] == "output" and e.get("host") in ALIASES[6:]]


def test_a_rejected_wave_stops_the_rollout_and_the_step_fails_with_the_reason(tmp_path: Path, sshd: Sshd, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    step = {"id": "roll", "run": "echo rolled", "on": "fleet", "serial": ["20%"], "verify": "per_wave"}
    path = write_runbook(tmp_path, sshd, step)
    journal = tmp_path / "j.jsonl"
    bob = Actor("bob", "verifier")

    async def main() -> None:
        session = open_session(
            load(str(path), {}), journal=str(journal), settings=Settings(known_hosts=str(sshd.known_hosts), ssh_config=None), verifier_in_process=True
        )
        controller = session.controller
        try:
            controller.run_current(session.actor)
            await until("wave 1 to wait for the verifier", lambda: controller.state.steps["roll"].wave_awaiting == 1, controller)
            assert controller.reject(bob, "error rate up on peer01", "roll").ok
            await controller.wait_idle()
            assert controller.state.steps["roll"].status == "failed"
            assert controller.state.steps["roll"].wave_awaiting is None
        finally:
            await session.close()

    asyncio.run(main())
    events = events_of(journal)
    assert [e["type"] for e in events if e["type"].startswith("wave_")] == ["wave_started", "wave_finished", "wave_rejected"]
    [rejected] = [e for e in events if e["type"] == "wave_rejected"]
    assert (rejected["actor"], rejected["wave"], rejected["reason"]) == ("bob", 1, "error rate up on peer01")
    [finished] = [e for e in events if e["type"] == "step_finished"]
    assert finished["status"] == "failed"
    assert "the verifier rejected a wave and stopped the rollout: error rate up on peer01" in finished["problems"]
    assert [h for h, r in finished["hosts"].items() if r["status"] == "done"] == ALIASES[:2]
    assert all(finished["hosts"][h]["status"] == "skipped" for h in ALIASES[2:])


def run_rollout(tmp_path: Path, sshd: Sshd, step: dict[str, Any], *, stop_when: str | None = None) -> list[dict[str, Any]]:
    """Run the step to its end; with `stop_when`, alice stops it (k) once some host's output holds that text."""
    tmp_path.mkdir(exist_ok=True)
    path = write_runbook(tmp_path, sshd, step)
    journal = tmp_path / "j.jsonl"

    async def main() -> None:
        session = open_session(load(str(path), {}), journal=str(journal), settings=Settings(known_hosts=str(sshd.known_hosts), ssh_config=None))
        controller = session.controller
        try:
            controller.run_current(session.actor)
            if stop_when is not None:
                said = lambda: any(e["type"] == "output" and stop_when in e["text"] for e in events_of(journal))  # noqa: E731
                await until(f"output {stop_when!r}", said, controller)
                assert controller.stop_step(session.actor).ok
            await controller.wait_idle()
        finally:
            await session.close()

    asyncio.run(main())
    return events_of(journal)


def wave_lines(events: list[dict[str, Any]]) -> list[str]:
    return [said(e).lines[0] for e in events if e["type"] == "wave_finished"]  # type: ignore[union-attr]


def test_a_persons_stop_of_a_rolling_step_is_not_called_a_spent_failure_budget(tmp_path: Path, sshd: Sshd, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: alice's `k` during the last wave, with one host of ten stopped and max_fail 50%, read `roll wave 2/2
    finished, failed: peer03 - rollout STOPPED (failure budget spent)` in exec, the pane and replay."""
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    command = 'case "{{ host.name }}" in peer03) echo slow one started; sleep 30;; esac; echo ok'
    step = {"id": "roll", "run": command, "on": "fleet", "serial": [1, "100%"], "max_fail": "50%", "verify": "none"}
    events = run_rollout(tmp_path, sshd, step, stop_when="slow one started")
    [finished] = [e for e in events if e["type"] == "step_finished"]
    assert finished["hosts"]["peer03"]["error"] == "stopped by alice", finished["hosts"]["peer03"]
    assert [(e["wave"], e["failed"], e["stopped"]) for e in events if e["type"] == "wave_finished"] == [(1, [], False), (2, ["peer03"], False)]
    assert wave_lines(events) == ["roll wave 1/2 finished", "roll wave 2/2 finished, failed: peer03"]


def test_a_failure_budget_spent_by_the_last_wave_stops_no_rollout(tmp_path: Path, sshd: Sshd, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: `roll wave 2/2 finished, failed: peer03 - rollout STOPPED (failure budget spent)`: nothing was left to
    stop after the last wave. A wave before the last still says the rollout stopped."""
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    command = 'case "{{ host.name }}" in peer02|peer03) exit 1;; esac; echo ok'
    last = run_rollout(tmp_path / "last", sshd, {"id": "roll", "run": command, "on": "fleet", "serial": [2, "100%"], "verify": "none"})
    assert wave_lines(last) == ["roll wave 1/2 finished, failed: peer02 - rollout STOPPED (failure budget spent)"]
    rest = run_rollout(tmp_path / "rest", sshd, {"id": "roll", "run": command, "on": "fleet", "serial": [1, "100%"], "verify": "none"})
    assert wave_lines(rest) == ["roll wave 1/2 finished", "roll wave 2/2 finished, failed: peer02, peer03 - failure budget spent"]


def test_a_last_waves_failures_within_max_fail_are_said_on_its_line(tmp_path: Path, sshd: Sshd, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: `roll wave 2/2 finished, failed: peer02, peer03`, as a spent budget's line reads but for its end: only
    the step's final line said the failures were within max_fail."""
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    command = 'case "{{ host.name }}" in peer02|peer03) exit 1;; esac; echo ok'
    events = run_rollout(tmp_path, sshd, {"id": "roll", "run": command, "on": "fleet", "serial": [1, "100%"], "max_fail": 2, "verify": "none"})
    count = len([e for e in events if e["type"] == "wave_started"][-1]["hosts"]) + 1
    assert wave_lines(events) == ["roll wave 1/2 finished", f"roll wave 2/2 finished, failed: peer02, peer03 - 2 of {count} hosts failed, within max_fail 2"]
    [finished] = [e for e in events if e["type"] == "step_finished"]
    assert finished["status"] == "done" and finished["tolerated"]["allowed"] == 2, finished
