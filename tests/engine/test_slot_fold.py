"""Hosts waiting for a slot (more hosts than `max_concurrency`) are `pending` in the state until one frees.

Before: `step_started` made every host of the step `running`, so a process that died while 50 hosts ran and 150
waited for a slot left 200 hosts `unknown`: resume called them all maybe-changed, `--mark-done` counted them, and a
rollback ran the undo on 150 hosts the change never reached. Now `step_started` says how many run at once
(`at_once`): the first ones run, each host's end (`host_finished`) gives its slot to the next host waiting, in order
(as engine/fanout.py does), within the wave that runs.
"""

from __future__ import annotations

from typing import Any

from runbook_tui.engine.state import RunState, replay

HOSTS = ["h1", "h2", "h3", "h4", "h5"]


def events(*more: dict[str, Any]) -> list[dict[str, Any]]:
    plan = {"sections": [{"id": "impl", "kind": "implement", "steps": [{"id": "roll"}]}]}
    head = [{"type": "session_started", "actor": "alice", "plan": plan}]
    return [{"seq": i, "ts": f"2026-12-05T06:00:{i:02d}.000Z", "actor": "system", **e} for i, e in enumerate(head + list(more))]


def statuses(state: RunState) -> dict[str, str]:
    return {h: s.status for h, s in state.steps["roll"].hosts.items()}


def started(**more: Any) -> dict[str, Any]:
    return {"type": "step_started", "step": "roll", "attempt": 1, "hosts": HOSTS, "phase": "run", **more}


def ended(host: str) -> dict[str, Any]:
    return {"type": "host_finished", "step": "roll", "host": host, "status": "done", "exit_code": 0, "error": None}


def test_only_the_first_hosts_run_and_each_end_gives_its_slot_to_the_next_in_order() -> None:
    assert statuses(replay(events(started(at_once=2)))) == dict(zip(HOSTS, ["running", "running", "pending", "pending", "pending"]))
    after = replay(events(started(at_once=2), ended("h2")))
    assert statuses(after) == dict(zip(HOSTS, ["running", "done", "running", "pending", "pending"]))
    died = replay(events(started(at_once=2), ended("h2"), {"type": "session_resumed", "pid": 1}))
    assert statuses(died) == dict(zip(HOSTS, ["unknown", "done", "unknown", "pending", "pending"]))


def test_without_at_once_every_host_runs_as_before() -> None:
    assert set(statuses(replay(events(started()))).values()) == {"running"}
    assert set(statuses(replay(events(started(at_once=0), ended("h1")))).values()) == {"running", "done"}  # a forged 0: ignored


def test_within_waves_a_slot_goes_to_a_host_of_the_wave_that_runs() -> None:
    wave1 = {"type": "wave_started", "step": "roll", "wave": 1, "of": 2, "hosts": ["h1", "h2", "h3"]}
    state = replay(events(started(at_once=2), wave1))
    assert statuses(state) == dict(zip(HOSTS, ["running", "running", "pending", "pending", "pending"]))
    state = replay(events(started(at_once=2), wave1, ended("h1"), ended("h2")))
    assert statuses(state) == dict(zip(HOSTS, ["done", "done", "running", "pending", "pending"]))  # h4 waits for wave 2
    wave2 = {"type": "wave_started", "step": "roll", "wave": 2, "of": 2, "hosts": ["h4", "h5"]}
    state = replay(events(started(at_once=2), wave1, ended("h1"), ended("h2"), ended("h3"), wave2))
    assert statuses(state) == dict(zip(HOSTS, ["done", "done", "done", "running", "running"]))


def test_after_a_stop_no_waiting_host_gets_a_slot() -> None:
    """`k`: the stop is journaled before the signal, and engine/fanout.py starts no host after it."""
    stop = {"type": "note", "step": "roll", "text": "stopped", "request": "stop", "actor": "alice"}
    died = replay(events(started(at_once=2), stop, ended("h1"), {"type": "session_resumed", "pid": 1}))
    assert statuses(died) == dict(zip(HOSTS, ["done", "unknown", "pending", "pending", "pending"]))


def test_a_rerun_that_cannot_start_on_a_host_the_dead_attempt_reached_still_leaves_it_for_the_rollback() -> None:
    """The process died while h1's command ran (unknown: it may have changed h1). The re-run could not start there
    (`started: false`: no connection). Before, the rollback planned h1 as one nothing ran on and skipped its undo, so a
    change the first attempt may have made stayed; now an earlier attempt's command that began there stands."""
    from runbook_tui.engine.undo_notes import step_records

    cannot = {"type": "host_finished", "step": "roll", "host": "h1", "status": "failed", "exit_code": None, "error": "no connection", "started": False}
    rerun = {**started(), "attempt": 2}
    finished = {"type": "step_finished", "step": "roll", "status": "failed", "hosts": {h: {"status": "done", "exit_code": 0} for h in HOSTS[1:]}}
    finished["hosts"]["h1"] = {"status": "failed", "exit_code": None, "error": "no connection", "started": False}
    state = replay(events(started(), {"type": "session_resumed", "pid": 1}, rerun, cannot, finished))
    [record] = step_records(state)
    assert dict(record.hosts)["h1"] == "failed", record.hosts  # planned: its undo runs
    never = replay(events(started(), cannot, finished))  # the first attempt itself could not start there: nothing to undo
    assert dict(step_records(never)[0].hosts)["h1"] == "skipped"
