"""Which hosts a later step leaves out (engine/left_out.py): the pure decision, folded from events alone.

Before: a host whose `drain` failed within `max_fail` ran `upgrade` too (the step went on, and every later step ran
on every host of its group). Now each later forward `run` step leaves out the hosts an earlier step of the run
failed, timed out or ended unknown on, and says why.
"""

from __future__ import annotations

from typing import Any

from runbook_tui.engine.host_tally import rerun_where
from runbook_tui.engine.left_out import every_host_left_out, left_out, left_out_words, runs_on, skip_reason
from runbook_tui.engine.state import RunState, replay

WEB = ["web1", "web2", "web3", "web4"]


def _step(sid: str, hosts: list[str], kind: str = "run") -> dict[str, Any]:
    return {"id": sid, "kind": kind, "hosts": [{"name": h} for h in hosts]}


PLAN = {
    "sections": [
        {"id": "impl", "kind": "implement", "steps": [_step("drain", WEB), _step("upgrade", WEB), _step("tell", WEB[:1], "note"), _step("check", WEB)]},
        {"id": "solo", "kind": "implement", "steps": [_step("web3-only", ["web3"]), _step("local", ["local"]), _step("local-after", ["local"])]},
        {"id": "back", "kind": "rollback", "steps": [_step("restore", WEB)]},
    ]
}


class Journal:
    """Events as the run writes them, numbered; `state` folds them as resume does."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.add("session_started", plan=PLAN)

    def add(self, kind: str, actor: str = "system", **payload: Any) -> None:
        self.events.append({"seq": len(self.events), "ts": f"2026-12-04T02:00:{len(self.events):02d}.000Z", "type": kind, "actor": actor, **payload})

    def ran(self, sid: str, ends: dict[str, str], status: str = "done", left: dict[str, str] | None = None) -> None:
        hosts = [h for h in ends]
        self.add("step_started", "alice", step=sid, attempt=1, hosts=hosts, phase="run", title=sid, **({"left_out": left} if left else {}))
        results = {h: {"status": s, "exit_code": 0 if s == "done" else 1 if s == "failed" else None, "error": None} for h, s in ends.items()}
        self.add("step_finished", step=sid, status=status, hosts=results, verified=None)

    @property
    def state(self) -> RunState:
        return replay(self.events)


def test_a_host_failed_within_max_fail_is_left_out_of_every_later_step_with_the_step_it_failed_at() -> None:
    j = Journal()
    j.ran("drain", {"web1": "done", "web2": "done", "web3": "failed", "web4": "done"})
    assert left_out(j.state, "upgrade") == {"web3": "failed at step drain"}
    assert runs_on(j.state, "upgrade") == ["web1", "web2", "web4"]
    j.ran("upgrade", {"web1": "done", "web2": "done", "web4": "timed_out"}, left={"web3": "failed at step drain"})
    # two steps on: still the step it first failed at, then the new one's
    assert left_out(j.state, "check") == {"web3": "failed at step drain", "web4": "timed out at step upgrade"}
    assert left_out(j.state, "web3-only") == {"web3": "failed at step drain"} and every_host_left_out(j.state, "web3-only")
    assert not every_host_left_out(j.state, "check")
    # a step on another host, a manual step and a rollback section's step leave nobody out
    assert left_out(j.state, "local") == {} and left_out(j.state, "tell") == {} and left_out(j.state, "restore") == {}
    # a step's own hosts are never left out by itself, nor by a step after it
    assert left_out(j.state, "drain") == {}


def test_an_unknown_outcome_is_left_out_until_marked_done_and_a_rerun_decides_anew() -> None:
    j = Journal()
    j.ran("drain", {"web1": "done", "web2": "unknown", "web3": "done", "web4": "done"}, status="unknown")
    assert left_out(j.state, "upgrade") == {"web2": "outcome unknown at step drain"}
    j.add("step_marked_done", "alice", step="drain", reason="checked by hand", verified=None)
    assert left_out(j.state, "upgrade") == {}

    j = Journal()
    j.ran("drain", {"web1": "failed", "web2": "failed", "web3": "done", "web4": "done"}, status="failed")
    assert list(left_out(j.state, "upgrade")) == ["web1", "web2"]
    j.ran("drain", {h: "done" for h in WEB})  # the re-run came through everywhere: its newer attempt decides
    assert left_out(j.state, "upgrade") == {}


def test_a_failed_step_the_assignee_skipped_leaves_nobody_out() -> None:
    """Skipping a failed step is the assignee's choice to go on without it: a failed local step skipped used to leave
    `local` out of every later step (each skipped itself, 'every host was left out'), and a group's failed hosts too."""
    j = Journal()
    j.ran("drain", {"web1": "done", "web2": "done", "web3": "failed", "web4": "failed"}, status="failed")
    assert list(left_out(j.state, "upgrade")) == ["web3", "web4"]  # failed, not skipped yet: still counted
    j.add("step_skipped", "alice", step="drain", reason="draining is best effort")
    assert left_out(j.state, "upgrade") == {}
    j = Journal()
    j.ran("local", {"local": "failed"}, status="failed")
    assert every_host_left_out(j.state, "local-after")
    j.add("step_skipped", "alice", step="local", reason="not needed tonight")
    assert left_out(j.state, "local-after") == {} and not every_host_left_out(j.state, "local-after")


def test_the_rerun_listing_and_words_name_only_the_hosts_that_will_run() -> None:
    j = Journal()
    j.ran("drain", {"web1": "done", "web2": "done", "web3": "failed", "web4": "done"})
    j.ran("upgrade", {"web1": "done", "web2": "failed", "web4": "done"}, status="failed", left={"web3": "failed at step drain"})
    state = j.state
    left = left_out(state, "upgrade")
    plan = state.plan_steps["upgrade"]
    assert rerun_where(plan, state.steps["upgrade"], left) == " on web1, web2, web4 (not left out)"
    assert rerun_where(plan, state.steps["upgrade"]) == " on all 4 hosts"  # as before, without anyone left out
    assert runs_on(state, "upgrade") == ["web1", "web2", "web4"]


def test_the_words_group_hosts_by_reason_and_cut_a_long_list() -> None:
    assert left_out_words({}) == ""
    assert left_out_words({"web3": "failed at step drain"}) == "left out: web3 (failed at step drain)"
    mixed = {"web3": "failed at step drain", "web7": "timed out at step drain", "web4": "failed at step drain"}
    assert left_out_words(mixed) == "left out: web3, web4 (failed at step drain); web7 (timed out at step drain)"
    many = {f"w{i}": "failed at step drain" for i in range(1, 11)}
    assert left_out_words(many) == "left out: w1, w2, w3, w4 and 6 more (failed at step drain)"
    assert skip_reason({"web3": "failed at step drain"}) == "every host was left out: web3 (failed at step drain)"
