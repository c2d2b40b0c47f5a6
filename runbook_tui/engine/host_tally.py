"""How a failed step on a group stands across its hosts, in the few words a status row has room for.

`'push' FAILED (exit 1, 127, 3, 42)` was all the row said of a step that failed on 7 of 21 hosts: the codes sorted
as text, and nothing of the hosts it could not reach, the one that timed out, nor the 14 a rolling step never ran
after `max_fail` stopped it. The pane's lines had it, scrolled off at 80x24.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from runbook_tui.engine.fanout import batches, fail_limit
from runbook_tui.engine.state_model import HostState
from runbook_tui.runbook import lazy_re

#: Host statuses that count as failed (against `max_fail` too).
FAILED_HERE = frozenset({"failed", "timed_out", "unknown"})


#: The executor's words before a bastion's own failure, one per hop (`through bastion jump: jump: through bastion b1: `).
_THROUGH = lazy_re.compile(r"through bastion ([^:]+): (?:\1: )?")


def _refusal(host: HostState) -> str | None:
    """What refused a host the command never started on, from the executor's own words (its error begins with them;
    a command's output never reaches `error`): `host key CHANGED` or `host key REVOKED` (`bastion host key CHANGED` when a
    bastion's key, on the way to the host, changed: the host's own key is not the one to check) or `sudo refused`."""
    error = host.error or ""
    hops = 0
    while found := _THROUGH.match(error):  # a host behind bastions: what failed is said after them
        error, hops = error[found.end() :], hops + 1
    for words, why in (("REMOTE HOST IDENTIFICATION HAS CHANGED", "host key CHANGED"), ("REVOKED HOST KEY DETECTED", "host key REVOKED")):
        if error.startswith("host key for ") and words in error:
            return f"bastion {why}" if hops else why
    return "sudo refused" if error.startswith("sudo -n refused") else None


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def failed_words(hosts: Mapping[str, HostState], plan: Mapping[str, Any]) -> str:
    """` (exit 3)` for one host (` (timed out)`, ` (never started)`, ` (stopped)`; nothing for an expectation not met:
    the problem line says it); for a group ` on 7 of 21 hosts (exit 1, 3, 42; 2 never started; 1 timed out)`, and
    `; 14 not run: more than max_fail 1 failed` when a rollout stopped before their batch (`; 18 undone` after a
    rollback that stopped part way: those hosts no longer count as failed)."""
    failed = [h for h in hosts.values() if h.status in FAILED_HERE]
    codes = sorted({h.exit_code for h in failed if h.exit_code is not None and h.exit_code != 0})
    causes = [f"exit {', '.join(str(c) for c in codes)}"] if codes else []
    never = sum(1 for h in failed if not h.started)
    refused = Counter(r for r in (_refusal(h) for h in failed if not h.started) if r)  # why, where the executor said
    timed_out = sum(1 for h in failed if h.status == "timed_out" and h.started)
    unknown = sum(1 for h in failed if h.status == "unknown" and h.started)
    stopped = sum(1 for h in failed if h.status == "failed" and h.started and (h.error or "").startswith("stopped by "))  # `k`
    other = len(failed) - never - timed_out - unknown - stopped - sum(1 for h in failed if h.started and h.exit_code not in (None, 0))
    causes += [f"{never} never started" + (f": {', '.join(f'{n} {why}' for why, n in refused.items())}" if refused else "")] if never else []
    causes += [f"{timed_out} timed out"] if timed_out else []
    causes += [f"{unknown} outcome unknown"] if unknown else []
    causes += [f"{stopped} stopped"] if stopped else []
    causes += [_plural(other, "other error")] if other > 0 else []
    if len(hosts) <= 1:  # the cause without a count: `'slow' FAILED` said nothing of a timeout (the pane below did)
        alone = [cause.removeprefix("1 ") for cause in causes if not cause.endswith("other error")]
        return f" ({next(iter(refused))})" if refused and not codes else f" ({alone[0]})" if alone else ""
    words = f" on {len(failed)} of {len(hosts)} hosts" + (f" ({'; '.join(causes)})" if causes else "") if failed else ""
    undone = sum(1 for h in hosts.values() if h.status == "undone")  # a rollback that stopped undid these already
    words += (f"; {undone} undone" if words else f": {undone} of {len(hosts)} hosts undone") if undone else ""
    not_run = sum(1 for h in hosts.values() if h.status == "skipped")
    if not_run:  # with none failed (a pause or the verifier cut the rollout) it read `on 0 of 5 hosts; 4 not run`
        words += f"; {not_run} not run" if words else f": {not_run} of {len(hosts)} hosts not run"
        if "max_fail" not in plan:  # exec's line: the wave's own line said why the rollout stopped
            return words
        max_fail = plan["max_fail"]
        try:
            limit = fail_limit(max_fail, len(hosts))
        except ValueError:  # a plan from an edited journal: say the count, not a reason made up
            return words
        if len(failed) > limit:
            words += f": more than max_fail {max_fail} failed" if str(max_fail) == str(limit) else f": more than max_fail {max_fail} ({limit}) failed"
    return words


def tolerated_words(hosts: Mapping[str, HostState], max_fail: object) -> str:
    """`; 2 of 20 hosts failed, within max_fail 10%` for a step that went on with hosts failed within its budget
    (`step_finished`'s `tolerated`); "" when every host is done. The step is no stopped rollout, and no clean one."""
    failed = sum(1 for h in hosts.values() if h.status in FAILED_HERE)
    if not failed:
        return ""
    return f"; {failed} of {_plural(len(hosts), 'host')} failed, within max_fail {max_fail}"


def tolerated_problems(finished: Mapping[str, Any]) -> list[str]:
    """A `step_finished`'s words for its hosts that failed within `max_fail` (`tolerated`); [] without (a journal is read as given)."""
    within = finished.get("tolerated")
    said = within.get("problems") if isinstance(within, dict) else None
    return [str(p) for p in said] if isinstance(said, list) else []


def wave_plan_words(hosts: int, serial: Sequence[Any], max_fail: Any) -> str:
    """A group step's waves and failure budget, for the change board: `3 waves of 1, 5, 14 hosts (serial 1, 25%, 100%);
    max_fail 10% (2 hosts): one more failed host stops the rollout before its next wave` (`one wave of 4 hosts; max_fail 0:
    a failed host fails the step`); "" on one host."""
    if hosts < 2:
        return ""
    written = ", ".join(str(s) for s in serial)
    try:
        sizes = [len(b) for b in batches(list(range(hosts)), list(serial))]
        limit = fail_limit(max_fail, hosts)
    except (TypeError, ValueError):  # a plan from an edited journal: say it as written, no reckoning made up
        return f"serial {written or 'none'}; max_fail {max_fail}"
    if len(sizes) == 1:
        waves = f"one wave of {hosts} hosts"
    elif len(set(sizes)) == 1:
        waves = f"{len(sizes)} waves of {_plural(sizes[0], 'host')} each"
    else:
        waves = f"{len(sizes)} waves of {', '.join(str(n) for n in sizes)} hosts"
    waves += f" (serial {written})" if written else ""
    budget = f"max_fail {max_fail}" + ("" if str(max_fail) == str(limit) else f" ({_plural(limit, 'host')})")
    who = "a failed host" if limit == 0 else "one more failed host"
    return f"{waves}; {budget}: {who} " + ("stops the rollout before its next wave" if len(sizes) > 1 else "fails the step")


def rerun_where(plan: Mapping[str, Any], held: Any, left_out: Collection[str] = ()) -> str:
    """Where enter's re-run of a step on several hosts runs, as `waves.rollout` decides: ` on all 6 hosts` (a failed
    or rejected step runs again everywhere, the hosts it was done on too), ` on web3, web4 (not done)` (an unknown
    outcome goes on where it is not known done); ` in waves` where the step rolls out. "" on one host (the pane says
    which). Before, the row said `enter re-run` alone, and a rejected group step ran again on all its hosts at once.
    `left_out`: hosts an earlier step failed on (engine/left_out.py), never run: ` on web1, web2 (not left out)`."""
    hosts = [str(h.get("name")) for h in plan.get("hosts") or () if isinstance(h, Mapping)]
    if plan.get("kind") != "run" or len(hosts) < 2:
        return ""
    done = {name for name, host in held.hosts.items() if host.status == "done"} if held.status == "unknown" else set()
    left = [h for h in hosts if h not in done and h not in left_out]
    waves = " in waves" if plan.get("serial") and len(left) > 1 else ""
    if not done and not left_out:
        return f" on {'both' if len(hosts) == 2 else f'all {len(hosts)}'} hosts{waves}"  # `all 2 hosts` read oddly
    why = ", ".join(w for w, out in (("not done", done), ("not left out", left_out)) if out)
    if len(left) <= 3:
        return f" on {', '.join(left)} ({why}){waves}"
    return f" on the {len(left)} of {len(hosts)} hosts {why}{waves}"
