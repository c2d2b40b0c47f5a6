"""What the two-person check (trust/two_person.py) asks of a shared run, event by event, on journals as the program writes
them and as a rewrite leaves them: no false alarm on an honest stop between waves, each missing word said once."""

from __future__ import annotations

from typing import Any

from runbook_tui.trust.two_person import missing_words


def _step(sid: str, verify: str, serial: list[int] | None = None) -> dict[str, Any]:
    return {"id": sid, "title": sid, "kind": "run", "verify": verify, "serial": serial or [], "checkpoint": False, "undo": None}


def _journal(*events: dict[str, Any], solo: str | None = None) -> list[dict[str, Any]]:
    plan = {"sections": [{"id": "impl", "kind": "implement", "steps": [_step("roll", "per_wave", [1]), _step("check", "after")]}]}
    started = {"type": "session_started", "actor": "alice", "assignee": "alice", "solo": solo, "mode": "dry-run", "plan": plan, "session": "s"}
    return [e | {"seq": n, "ts": f"2026-12-05T09:00:{n:02d}.000Z"} for n, e in enumerate([started, *events])]


ROLL = {"type": "step_started", "actor": "alice", "step": "roll", "attempt": 1, "hosts": ["web1", "web2", "web3"], "phase": "run"}


def _wave(kind: str, wave: int, **extra: Any) -> dict[str, Any]:
    return {"type": kind, "actor": "system", "step": "roll", "wave": wave, "of": 3} | extra


FIRST_WAVE = [ROLL, _wave("wave_started", 1, hosts=["web1"]), _wave("wave_finished", 1, failed=[], stopped=False, awaiting=True)]


def test_a_stop_while_a_wave_waits_for_the_verifier_is_no_missing_word() -> None:
    """`k` between waves ends the rollout (the waves not run are skipped); the next step owes nothing to that wave."""
    stopped = {"type": "step_finished", "actor": "system", "step": "roll", "status": "failed", "hosts": {}, "problems": ["stopped"]}
    skipped = {"type": "step_skipped", "actor": "alice", "step": "roll", "reason": "stopped on purpose"}
    check = {"type": "step_started", "actor": "alice", "step": "check", "attempt": 1, "hosts": ["local"], "phase": "run"}
    assert missing_words(_journal(*FIRST_WAVE, stopped, skipped, check)) == []


def test_a_wave_started_while_the_one_before_waited_is_said_once() -> None:
    second = _wave("wave_started", 2, hosts=["web2"])
    third = _wave("wave_started", 3, hosts=["web3"])
    assert missing_words(_journal(*FIRST_WAVE, second, third)) == [
        (4, "line 4: wave 1 of 'roll' waited for the verifier's word, and the run went on to wave 2 of 'roll' at line 5 without it:"
         " the two-person rule's evidence is missing")
    ]  # fmt: skip
    confirmed = _wave("wave_confirmed", 1, attempt=1)
    assert missing_words(_journal(*FIRST_WAVE, confirmed, second)) == []
    assert missing_words(_journal(*FIRST_WAVE, second, solo="no verifier tonight")) == [], "a solo run waits for nobody"
