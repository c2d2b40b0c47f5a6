"""One host's part of a step, as `step_finished` journals it: from the executor's `Result` to a status in words."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from runbook_tui.engine import events as ev
from runbook_tui.engine.events import Event
from runbook_tui.engine.fanout import HostOutcome
from runbook_tui.engine.ports import Result
from runbook_tui.engine.reattach import LEFT_RUNNING, RETRY_FOLLOWS
from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.model import Step


def undo_end(step: Step, result: Result) -> dict[str, Any]:
    """How one host's undo ended, as `undo_host_finished` / `undo_finished` journal it. The step's timeout bounds its undo
    too: an undo it stopped says so (it read `failed` with no reason, and nothing had said the timeout applied)."""
    error = result.error
    if result.status == "timeout":
        error = f"timed out after {step.timeout_seconds:g}s, the step's timeout" + (f"; {error}" if error else "")
    return {"status": result.status, "exit_code": result.exit_code, "error": error}


def host_result(step: Step, outcome: HostOutcome, unmatched: str | None, problems: list[str], not_run: str | None = None) -> dict[str, Any]:
    """How one host ended, as `step_finished` journals it; what went wrong is added to `problems` in words."""
    result = outcome.result
    host = outcome.host
    if result is not None and result.error:  # the executor's words may begin with the host (`db1: through bastion b: ...`)
        result = replace(result, error=result.error.removeprefix(f"{host}: "))
    if result is None:
        return {"status": "skipped", "exit_code": None, "error": not_run or "not run: the rollout stopped before this host's batch"}
    never = {} if result.started else {"started": False}  # stopped or timed out before it began: nothing to undo there
    if result.status == "stopped":
        problems.append(f"{host}: {result.error}")
        return {"status": "failed", "exit_code": None, "error": result.error, **never}
    if result.status == "timeout":  # the executor's words: the command never started, or may still run where it was not stopped
        problems.append(f"{host}: timed out after {step.timeout_seconds:g}s" + (f"; {result.error}" if result.error else ""))
        return {"status": "timed_out", "exit_code": None, "error": f"timed out; {result.error}" if result.error else "timed out", **never}
    if result.status in ("error", "unknown"):  # unknown: practice, the night's process died in it (engine/night_stopped.py)
        problems.append(f"{host}: {result.error}")
        if not result.started:  # no connection, no process: a rollback has nothing to undo there
            return {"status": "failed", "exit_code": None, "error": result.error, "started": False}
        lost = result.status == "unknown" or LEFT_RUNNING in (result.error or "")
        return {"status": "unknown" if lost else "failed", "exit_code": None, "error": result.error}
    if result.exit_code not in step.expect.exit:
        expected = " or ".join(str(c) for c in step.expect.exit)
        problems.append(f"{host}: exit code {result.exit_code}, expected {expected}")
        return {"status": "failed", "exit_code": result.exit_code, "error": None}
    if unmatched is not None:
        problems.append(f"{host}: {unmatched}")
        return {"status": "failed", "exit_code": result.exit_code, "error": "stdout did not match"}
    return {"status": "done", "exit_code": result.exit_code, "error": None}


def captured_from(hosts: list[str], results: Mapping[str, Mapping[str, Any]]) -> str | None:
    """Whose stdout a group step's `capture:` keeps: the first host (in the order it ran) where the command succeeded, so a
    host that failed within `max_fail` (left out of the later steps) never hands them its error; with none, the first."""
    return next((host for host in hosts if results.get(host, {}).get("status") == "done"), hosts[0] if hosts else None)


def host_end(step: Step, host: str, result: Result, unmatched: str | None) -> ev.HostFinished:
    """`host_finished`'s payload: how `host` ended, as `step_finished` will say it in `hosts`."""
    said = host_result(step, HostOutcome(host, result), unmatched, [])
    end = ev.HostFinished(step=step.id, host=host, status=said["status"], exit_code=said["exit_code"], error=said["error"])
    if "started" in said:
        end["started"] = bool(said["started"])
    return end


def stopped_before_retry(reason: str, last: Result, retry: str) -> Result:
    """A person's stop before a retry (during its delay): the host ends stopped, saying who stopped it as a stop while the
    command ran says, and how its last try ended (a try stopped itself says so already)."""
    if last.status == "stopped":
        return last
    ended = f"exit code {last.exit_code}" if last.status == "ok" else "a timeout" if last.status == "timeout" else last.error or last.status
    return Result("stopped", error=f"{reason} before retry {retry} (the last try ended with {ended})")


def never_retried(result: Result, left: int) -> Result:
    """A host whose host key did not verify (`Result.final`) while `retries:` had tries `left`: its words say it was
    not tried again, and why (a retry would offer the credentials again to whoever answered)."""
    if not result.final or left <= 0:
        return result
    return replace(result, error=f"{(result.error or '').rstrip('.')}; not retried ({_tries(left)} left): a host key that does not verify is never tried again")


def _tries(count: int) -> str:
    return "1 retry" if count == 1 else f"{count} retries"


#: The end of the note the runner journals before each retry of a host's command (`retry_note`); a journal from before
#: it said why the try failed reads `web2: retry 1/2 in 5s`.
_RETRY = lazy_re.compile(r"[:;] retry \d+/\d+ in \S+s$")


def left_there(result: Result) -> bool:
    """Whether a try's command ran on detached on its host when the link to it was lost for good (execute/ssh_lost.py):
    a retry follows that run (its key) instead of starting the command a second time beside it. Before, the retry
    started it again while the first still ran, and the first one's end was never learned."""
    return result.started and result.status == "error" and LEFT_RUNNING in (result.error or "")


def retry_note(step: Step, host: str, failed: Result, unmatched: str | None, retry: str) -> str:
    """`web2: exit code 7, expected 0; retry 1/2 in 5s`: how the try that is retried ended, in `step_finished`'s words
    (it read `web2: retry 1/2 in 5s`, and the failed try's exit code was in no record: the report showed the host done,
    exit 0, and practice said the step ran cleanly)."""
    problems: list[str] = []
    host_result(step, HostOutcome(host, failed), unmatched, problems)
    follows = f"; {RETRY_FOLLOWS}" if left_there(failed) else ""
    return f"{problems[0] if problems else host}{follows}; retry {retry} in {step.retry_delay_seconds:g}s"


def is_retry_note(event: Event) -> bool:
    """Whether a note is the program's before a retry (`retry_note`); a person's note never is, whatever it says."""
    return event["type"] == ev.NOTE and event["actor"] == ev.SYSTEM and not event.get("request") and bool(_RETRY.search(str(event.get("text", ""))))


def within_max_fail(results: Mapping[str, Mapping[str, Any]], limit: int) -> list[str]:
    """The hosts that failed when their failures stay within the step's `max_fail` (`limit` hosts), else [].

    Such a step is no stopped rollout: every wave ran, and the run goes on (its failed hosts stay failed in the record
    and in the undo list). Not within the budget: no failure (nothing to tolerate), more than `limit`, a host the
    rollout never reached, or no host done at all (a budget tolerates some hosts failing, not the whole step)."""
    failed = [h for h, r in results.items() if r.get("status") != "done"]
    if not failed or len(failed) > limit or len(failed) == len(results):
        return []
    return [] if any(results[h].get("status") in ("skipped", "pending") for h in failed) else failed
