"""Which hosts a step leaves out: those an earlier step of this run failed on (as Ansible drops a failed host).

A step on a group whose `max_fail` tolerated a failed host went on, and every later step ran on that host too: at
2 AM, `upgrade` ran on the host whose `drain` had failed. Now a forward `run` step leaves out each of its hosts that
failed, timed out or ended with an unknown outcome in the last attempt of an earlier forward step (one marked done by
hand counts as done; a re-run's newer attempt decides). A failed step the assignee skipped leaves nobody out: they chose
to go on without it (before, a failed local step skipped left `local` out of every later step, and the rest of the
runbook skipped itself). Decided here from the state alone, so the run, `resume`,
the verifier's replica, replay and the report reckon the same hosts from the same events; `step_started` journals
them (`left_out` {host: why}), and a step with every host left out is skipped with that reason (`step_skipped`).
A rollback still undoes a step on every host it ran on: a left-out host never ran it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runbook_tui.engine.host_tally import FAILED_HERE
from runbook_tui.engine.said import by_host
from runbook_tui.engine.state_model import RunState
from runbook_tui.runbook.model import Runbook, Step

#: How a host's end at an earlier step reads in the reason it is left out.
_HOW = {"failed": "failed", "timed_out": "timed out", "unknown": "outcome unknown"}
#: Host names said before `and N more`, per reason.
NAMES_SAID = 4


def planned_hosts(state: RunState, step_id: str) -> list[str]:
    """A step's hosts as the plan names them (session_started), in order."""
    hosts = state.plan_steps.get(step_id, {}).get("hosts") or ()
    return [str(h.get("name")) for h in hosts if isinstance(h, Mapping)]


def left_out(state: RunState, step_id: str) -> dict[str, str]:
    """The hosts of forward `run` step `step_id` an earlier forward step of this run ended badly on: {host: why}
    (`failed at step drain`), in the plan's order of the step's hosts; {} for a rollback section's step, a manual one,
    or a step whose hosts all came through (or were skipped past by the assignee)."""
    if step_id not in state.order or state.plan_steps.get(step_id, {}).get("kind") != "run":
        return {}
    names = planned_hosts(state, step_id)
    named = set(names)
    why: dict[str, str] = {}
    for earlier in state.order[: state.order.index(step_id)]:
        held = state.steps[earlier]
        for host, hs in held.hosts.items() if held.attempts and held.status != "skipped" else ():
            if hs.status in FAILED_HERE and host in named and host not in why:
                why[host] = f"{_HOW[hs.status]} at step {earlier}"
    return {h: why[h] for h in names if h in why}


def every_host_left_out(state: RunState, step_id: str) -> bool:
    """Every host of the step is left out: it runs nowhere, and is skipped with why."""
    left = left_out(state, step_id)
    return bool(left) and len(left) == len(set(planned_hosts(state, step_id)))


def left_out_words(left: Mapping[str, Any]) -> str:
    """`left out: web3 (failed at step drain)`; hosts left out for one reason together (`web3, web4 (failed at step
    drain); web7 (timed out at step drain)`), a long list cut (`web1, web2, web3, web4 and 12 more (…)`); "" for none."""
    by_reason: dict[str, list[str]] = {}
    for host, reason in by_host(left):
        by_reason.setdefault(str(reason), []).append(str(host))
    parts = []
    for reason, hosts in by_reason.items():
        more = f" and {len(hosts) - NAMES_SAID} more" if len(hosts) > NAMES_SAID + 1 else ""
        shown = hosts[:NAMES_SAID] if more else hosts
        parts.append(f"{', '.join(shown)}{more} ({reason})")
    return f"left out: {'; '.join(parts)}" if parts else ""


def skip_reason(left: Mapping[str, Any]) -> str:
    """Why a step with every host left out is skipped, as `step_skipped` journals it."""
    return f"every host was left out: {left_out_words(left).removeprefix('left out: ')}"


def runs_on(state: RunState, step_id: str) -> list[str]:
    """The hosts enter's next attempt of the step runs on, as the runner decides it (`waves.rollout` and `left_out`):
    its hosts not left out, and of a step the process died in only those not known done."""
    left = left_out(state, step_id)
    held = state.steps.get(step_id)
    done = {h for h, hs in held.hosts.items() if hs.status == "done"} if held is not None and held.status == "unknown" else set()
    return [h for h in planned_hosts(state, step_id) if h not in left and h not in done]


def named_later(runbook: Runbook, step: Step) -> set[str] | None:
    """The hosts a later forward step runs on (a host of none is let go once its part of `step` is over); None for a
    rollback section's step (the run is ending: nothing is let go early)."""
    forward = runbook.forward_steps
    at = next((i for i, s in enumerate(forward) if s is step), None)
    if at is None:
        return None
    return {h.name for s in forward[at + 1 :] if s.kind == "run" for h in runbook.targets(s)}
