"""Events in words: the one formatter behind `exec`'s lines, the run screen's log, replay and the report.

`said(event)` is what an event says: a mark (how the run screen's log starts its line), the
event in words, and detail lines. `exec` prints the words after the time and the type
(engine/describe.py); the log prints them after the mark (ui/log_lines.py); replay rebuilds
the log with the same function; the report's timeline is `exec`'s lines. So the same event
reads the same everywhere.

Every text in an event (runbook titles, commands, notes, reasons, errors, output) is shown
through `visible_line`: an embedded newline or escape sequence can neither forge a line nor
drive a terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from runbook_tui.engine import events as ev
from runbook_tui.engine.actors import YOU, named
from runbook_tui.engine.event_words_watch import guard_tripped, metric_baseline, metrics_started, notified, signed, silence
from runbook_tui.engine.events import Event
from runbook_tui.engine.guard_response import guard_pause_words
from runbook_tui.engine.host_groups import alike_said_once, few_named, hosts_words, said_shared, same_undo
from runbook_tui.engine.host_tally import failed_words, tolerated_problems, tolerated_words
from runbook_tui.engine.injected import NEVER_RAN
from runbook_tui.engine.left_out import left_out_words
from runbook_tui.engine.said import Said, by_host
from runbook_tui.engine.share_words import join_refused, mode_changed, participant, share_closed, share_refusing
from runbook_tui.engine.state_model import HostState, StepState
from runbook_tui.runbook.safe_text import command_lines, visible, visible_line

#: Step statuses as a person says them (the journal keeps the names).
STATUS_WORDS = {
    "pending": "pending",
    "running": "running",
    "awaiting_verification": "waiting for verifier",
    "done": "done",
    "failed": "FAILED",
    "timed_out": "TIMED OUT",
    "rejected": "REJECTED",
    "skipped": "skipped",
    "undone": "undone",
    "unknown": "UNKNOWN",
}
#: A step a rollback passed over (it ran, it has no undo: its change stands), as the step list, its details and the
#: report say it (`StepState.not_rolled_back`): it read `✓ done` as if it stood like the steps before the checkpoint.
NOT_ROLLED_BACK = "ran; no undo, not rolled back"
#: A step a rollback went back past with nothing to undo (`StepState.reset`), as the step list, its details and the
#: verifier's, replay's and practice's screens say it: it read `undone`, though nothing had undone it.
RESET = "reset: runs again"
#: Session outcomes in words: the run screen's and the verifier's last line, exec's, practice's and the report's.
OUTCOME_WORDS = {
    "done": "done",
    "failed": "FAILED",
    "rolled_back": "ROLLED BACK",
    "aborted": "ABORTED",
    "stopped": "stopped",
    "done_criteria_failed": "DONE, SUCCESS CRITERIA NOT MET",
}


def status_words(name: str) -> str:
    """A step status or session outcome as a person says it: `awaiting_verification` → `waiting for verifier`."""
    return STATUS_WORDS.get(name) or OUTCOME_WORDS.get(name, name.replace("_", " "))


def step_status_words(step: StepState) -> str:
    """A step's status as the step list and the detail pane say it (ui/glyphs.step_looks), for `resume`'s list: a step a
    rollback went back past `RESET`, one it passed over (no undo) `NOT_ROLLED_BACK` (they read `undone` and `done`); one
    marked done by hand `marked done`, as the report's Steps table and the detail pane say it (it read `done`)."""
    if step.reset:
        return RESET
    words = str(step.decision) if marked_by_hand(step) else status_words(step.status)
    if step.status == "done" and step.not_rolled_back:  # the report's Steps table says both
        return NOT_ROLLED_BACK if words == "done" else f"{words}; {NOT_ROLLED_BACK}"
    return words


def marked_by_hand(step: StepState) -> bool:
    """Done because someone marked it done (its outcome was unknown) after its last attempt, not seen to succeed: its
    decision is the log's `marked done` (`decision_words`), given after the attempt started (a re-run since: it ran)."""
    marked = step.decision == decision_words({"type": ev.STEP_MARKED_DONE})
    return step.status == "done" and marked and (step.decided_at or "") >= (step.started_at or "")


def host_status_words(status: str) -> str:
    """A host's status in a step that started, as resume, the run screen and the report say it: `pending` is a host
    whose wave has not begun (`not started`), the rest as `status_words`."""
    return "not started" if status == "pending" else status_words(status)


#: Where an event holds commands (a step's run and undo by host; a rollback's undo entries): they keep their newlines
#: (`visible`: nothing else of them reaches a terminal) and are shown line by line by `command_lines`, never with an f-string.
_COMMANDS: dict[str, frozenset[str]] = {ev.STEP_READY: frozenset({"commands", "undo"}), ev.ROLLBACK_STARTED: frozenset({"command", "rollback_commands"})}


def _visible(value: Any, commands: frozenset[str] = frozenset(), lines: bool = False) -> Any:
    """The same structure with every string shown on one line, but the values under a key in `commands` (`lines`),
    whose newlines are kept."""
    if isinstance(value, str):
        return visible(value) if lines else visible_line(value)
    if isinstance(value, dict):
        return {visible_line(k) if isinstance(k, str) else k: _visible(v, commands, lines or k in commands) for k, v in value.items()}
    if isinstance(value, list):
        return [_visible(v, commands, lines) for v in value]
    return value


def _undone_on(results: dict[str, Any]) -> str:
    """`web1: ok exit 0; web2: failed exit 1`: ok only where the undo ran and exited 0 (`events.undid`, as the report says it);
    a result many hosts share said once (`ok exit 0 on 50 hosts (web01, web02, web03 and 47 more)`)."""
    parts = []
    for host, r in by_host(results):
        code = r.get("exit_code")
        detail = ("ok" if ev.undid(r) else "failed") + (f" exit {code}" if code is not None else "")
        parts.append((host, detail + (f" ({r['error']})" if r.get("error") else "")))
    return "; ".join(alike_said_once(parts))


def _reason(e: Event) -> str:
    return f": {e['reason']}" if e.get("reason") else ""


#: The words journaled for a verifier's request made without any (`bob asks to hold`: engine/verifier_intents.py).
ASKED = {ev.HOLD_REQUESTED: "asks to hold", ev.ROLLBACK_REQUESTED: "requests a rollback"}


def asked_reason(e: Event, default: str) -> str:
    """`: REASON` of a verifier's request, unless it is the one put in for a request without words ("bob asks to hold"):
    the line read `hold asked by bob: bob asks to hold` (and exec's pause `bob asked to hold: bob asks to hold`)."""
    return "" if e.get("reason") == f"{e['actor']} {default}" else _reason(e)


def _on(e: Event) -> str:
    """`web1, web2`; `50 hosts (web01, web02, web03 and 47 more)`: a line per host filled the log pane."""
    return hosts_words([str(h) for h in e.get("hosts", [])])


def _step_started(e: Event) -> str:
    """`deploy started (attempt 1) on web1, web2`; a step with no command (a note, a question, a wait) runs nothing
    anywhere, as the run screen's status row and details say (it read `started (attempt 1) on local`)."""
    started = f"{e['step']} started (attempt {e.get('attempt')})"
    left = e.get("left_out")  # hosts an earlier step failed on: `; left out: web3 (failed at step drain)`
    also = f"; {left_out_words(left)}" if isinstance(left, dict) and left else ""
    if e.get("injected"):  # rehearse --fail-at: nothing starts (it read `tune started (attempt 1) on local`)
        return f"{e['step']} (attempt {e.get('attempt')}) on {_on(e)}: failure {NEVER_RAN}"
    return f"{started}: nothing runs" if e.get("commands") == {} else f"{started} on {_on(e)}{also}"


# -- each type ------------------------------------------------------------------------------------


def _session_started(e: Event) -> Said:
    ticket = (e.get("ticket") or {}).get("id") or "NO TICKET"
    solo = f", solo: {e['solo']}" if e.get("solo") else ""
    who, planned = e.get("actor"), e.get("planned_assignee")
    by = f"planned: {planned}, ran by: {who}" if planned and planned != who else f"by {who}"
    return Said("──", [f"{e.get('runbook')} ({e.get('title')}) {ticket}, mode {e.get('mode')}{solo}, {by}"])


def how_it_runs(step: Mapping[str, Any]) -> str:
    """Where and as whom a step's commands run, as the plan says it: `in /srv/app; with sudo -n; env MODE=x` (`run on
    local: rm -rf data` said neither folder nor sudo); "" for a step with none of them. `step`: a step_ready event, or
    the step as the screens show it (`widgets.step_as_shown`): exec, the log, the detail pane and the step-whole dialogs."""
    env = ", ".join(f"{name}={value}" for name, value in (step.get("env") or {}).items())
    how = [f"in {step.get('cwd')}"] * bool(step.get("cwd")) + ["with sudo -n"] * bool(step.get("sudo")) + [f"env {env}"] * bool(env)
    return "; ".join(how)


#: A command that rendered empty (`{% if %}` false): it runs nothing and passes; a bare `run on local: ` read as cut off.
EMPTY_COMMAND = "(empty once rendered: runs nothing)"


def _step_ready(e: Event) -> Said:
    title = str(e.get("title") or "")
    lines = [f"{e['step']}: {title}" if title.strip() else str(e["step"])]  # an empty title read `empty: `, a trailing blank
    how = how_it_runs(e)
    lines += [f"   {how}"] if how and e.get("commands") else []
    for label, key in (("run", "commands"), ("undo", "undo")):  # a command of several lines: each under the first
        alike: dict[str, list[str]] = {}  # a command, and the hosts that run it as it is
        for host, command in by_host(e.get(key) or {}):
            alike.setdefault(str(command) if str(command).strip() else EMPTY_COMMAND, []).append(str(host))
        for command, hosts in alike.items():
            if len(hosts) == 1:
                lines += command_lines(f"   {label} on {hosts[0]}: ", command)
                continue
            # Said once for the hosts that run it alike, its lines under the hosts (a fleet of 20 printed it 20 times
            # before the step began; under a lead of 20 names its further lines would start past the screen's edge).
            lines.append(f"   {label} on {len(hosts)} hosts ({few_named(hosts)}):")
            lines += command_lines("     │ ", command)
    left = e.get("left_out")  # not run there: an earlier step failed on them
    lines += [f"   {left_out_words(left)}"] if isinstance(left, dict) and left else []
    return Said("──", lines + ([f"   {e['text']}"] if e.get("text") else []))


def _step_finished(e: Event) -> Said:
    unverified = " [unverified]" if e.get("verified") is False and e["status"] == "done" else ""
    # `pending`: practice, a host whose wave the night's process never began (engine/night_stopped.py)
    results = by_host(e.get("hosts", {}))
    skipped = [f"{host}: {r.get('error') or 'not run'}" for host, r in results if r.get("status") in ("skipped", "pending")]
    # An `ask` step's answer: what the verifier confirms (before, only the report had it, under a line saying `done`).
    answer = [f"   answer: {e['answer'] or '(empty)'}"] if e.get("answer") is not None else []
    # expect.metric that held, with its reading: what the verifier confirms (before, no word of it anywhere).
    met = [f"   ✓ {check}" for check in e.get("checks_met", [])]
    head = f"{e['step']} {status_words(str(e['status']))}{unverified}{_across(e)}"
    # the first: failed within max_fail; words many hosts share said once (a line per host filled the log pane)
    problems = [f"   ✗ {p}" for p in said_shared([*tolerated_problems(e), *e.get("problems", [])], (h for h, _ in results))]
    not_run = [f"   ↷ {p}" for p in said_shared(skipped, (h for h, _ in results))]
    return Said("──", [head] + answer + met + problems + not_run)


def _across(e: Event) -> str:
    """` on 7 of 21 hosts (exit 1, 3; 2 never started); 14 not run` after a group step that failed, as the status
    row counts them (`engine.host_tally`): exec and the pane listed a line per host and no count."""
    hosts = e.get("hosts")
    tolerated = e.get("tolerated")
    if not isinstance(hosts, dict) or len(hosts) < 2:
        return ""
    held = {str(h): _host_state(r) for h, r in hosts.items() if isinstance(r, dict)}
    if isinstance(tolerated, dict) and e.get("status") in ("done", "awaiting_verification"):
        return tolerated_words(held, tolerated.get("max_fail"))
    return failed_words(held, {}) if e.get("status") in ("failed", "timed_out") else ""


def _host_state(r: Mapping[str, Any]) -> HostState:
    """A host's result in `step_finished` as the fold keeps it (a journal is read as given: odd types count as absent)."""
    code, error = r.get("exit_code"), r.get("error")
    code = code if isinstance(code, int) and not isinstance(code, bool) else None
    return HostState(str(r.get("status")), code, error if isinstance(error, str) else None, r.get("started") is not False)


#: A decision on a step in words, by type and phase ("before": a go-ahead); the report's step history names them the same.
_DECISIONS = {
    (ev.STEP_CONFIRMED, "before"): "go-ahead",
    (ev.STEP_CONFIRMED, "after"): "confirmed",
    (ev.STEP_REJECTED, "before"): "go-ahead refused",
    (ev.STEP_REJECTED, "after"): "rejected",
}


def decision_words(e: Event) -> str:
    """`go-ahead`, `confirmed`, `go-ahead refused`, `rejected`, `skipped`, `marked done`, `wave 2 confirmed` or `wave 2 rejected`."""
    if e["type"] in (ev.WAVE_CONFIRMED, ev.WAVE_REJECTED):
        return f"wave {e.get('wave')} {str(e['type']).removeprefix('wave_')}"
    phase = "before" if e.get("phase") == "before" else "after"
    return _DECISIONS.get((e["type"], phase)) or str(e["type"]).removeprefix("step_").replace("_", " ")


def self_confirmed_words(by: str) -> str:
    """A confirmation by the person who ran the step (`StepState.self_confirmed`), as the report, the run screen and practice say it."""
    return f"UNVERIFIED: confirmed by {by}, who ran it"


def _step_decision(mark: str) -> Callable[[Event], Said]:
    return lambda e: Said(mark, [f"{e['step']} {decision_words(e)} by {e['actor']}{_reason(e)}"], decision=True)


def _wave_finished(e: Event) -> Said:
    failed = f", failed: {', '.join(e['failed'])}" if e.get("failed") else ""
    last = e.get("wave") == e.get("of")  # the last wave: there is no rollout left to stop
    spent = " - failure budget spent" if last else " - rollout STOPPED (failure budget spent)"
    then = spent if e.get("stopped") else " - waiting for the verifier" if e.get("awaiting") else ""
    within = e.get("within")
    if isinstance(within, dict) and failed and not e.get("stopped"):  # the rollout goes on: its failures are within max_fail
        so_far = "" if last else " so far"
        then = f" - {within.get('failed')} of {within.get('hosts')} hosts failed{so_far}, within max_fail {within.get('max_fail')}{then}"
    return Said("──", [f"{e['step']} wave {e.get('wave')}/{e.get('of')} finished{failed}{then}"])


def _rollback_started(e: Event) -> Said:
    """Who started it and why, as the report's rollback section says: a replay read `rollback (checkpoint) started`
    and the trainee could not tell alice's `u` from exec's `--on-failure rollback` or a guard's."""
    plan = e.get("plan", {})
    lines = [f"rollback ({e.get('scope')}) started by {e['actor']}, back to {plan.get('checkpoint_step') or 'the start'}{_reason(e)}"]
    # hosts whose undo is the same, said once as the undo list does (a step on 50 hosts printed 50 lines of it)
    for entry, hosts in same_undo(plan.get("entries", []), lambda e: (e["step_id"], _marked(e), e.get("command")), lambda e: str(e["host"])):
        where = hosts[0] if len(hosts) == 1 else f"{len(hosts)} hosts ({', '.join(hosts)})"
        command = entry.get("command")  # None: no undo; "" (or blanks): one that rendered empty, which runs and passes
        said = "(no undo: acknowledged)" if command is None else str(command) if str(command).strip() else EMPTY_COMMAND
        lines += command_lines(f"   undo {entry['step_id']}{_marked(entry)} on {where}: ", said)
    section = plan.get("rollback_commands") or {}  # what each rollback section step runs, by host (older journals: none)
    for step_id in plan.get("rollback_steps", []):
        commands = section.get(step_id) or {"": None}  # a note or a wait: it runs nothing on a host
        for host, command in by_host(commands):
            where = f" on {host}: " if command is not None else ""
            lines += command_lines(f"   then rollback step {step_id}{where}", "" if command is None else str(command))
    return Said("↩", lines, decision=True)


def _marked(entry: dict[str, Any]) -> str:
    """How the step stands on the entry's host: ` (step failed)`, as the undo list said it (engine/undo_notes.py)."""
    if "note" in entry:
        return f" ({entry['note']})" if entry["note"] else ""
    outcome = entry.get("outcome")  # a journal from before the notes
    return "" if outcome in (None, "done") else f" (step {str(outcome).replace('_', ' ')})"


def rollback_stopped(failed_step: str | None) -> str:
    """How a rollback that did not finish well ended, in the one set of words the log, exec and the report all say."""
    return f"STOPPED at {failed_step}" if failed_step else "STOPPED"


def _rollback_finished(e: Event) -> Said:
    return Said("──", ["rollback finished" if e.get("ok") else f"rollback {rollback_stopped(e.get('failed_step'))}"])


def _where(e: Event) -> str:
    return (f"[{e['step']}] " if e.get("step") else "") + (f"{e['host']}: " if e.get("host") else "")


def lifted_words(e: Event) -> str | None:
    """The words a pause was lifted with (`resumed` journaled by `resume --lift-pause REASON`: "pause lifted (resume
    --lift-pause): REASON"); None for `p`'s bare `resumed`. The log, the report's pauses and practice read these."""
    reason = str(e.get("reason") or "resumed")
    return reason if e["type"] == ev.RESUMED and reason != "resumed" else None


def own_reason(kind: str, by: object, reason: object) -> str:
    """`: REASON` of a pause or a resume, unless it is the one journaled for a bare p (`paused by alice`, `resumed`)."""
    said = str(reason or "")
    return "" if said in ("", kind, f"{kind} by {by}") else f": {said}"


def paused_words(by: object, reason: object, head: str = "") -> str:
    """Why the run is paused, said once, as the status row (`PAUSED by alice`), enter's refusal and resume's summary say
    it: they read `PAUSED: paused by alice` and `The run is paused (paused by alice)`, a bare p's journaled reason after
    the word it repeats. A reason of one's own is kept (`by alice: waiting for DBA`); a guard's (the system's) words
    alone name their cause; with nobody named (a state made by hand), the reason as journaled. `head`: the words go
    after it (`PAUSED by alice`, `PAUSED: guard 'errors' tripped ...`)."""
    if by is None or by == ev.SYSTEM:
        said = str(reason or "paused")
        return f"{head}: {said}" if head else said
    said = f"by {by}{own_reason(ev.PAUSED, by, reason)}"
    return f"{head} {said}" if head else said


def _pause(e: Event) -> Said:
    """`paused by the program for guard 'errors': check the panels …` (its trip's line has its words: `guard_pause_words`), with
    the time, a decision's (the log's next line may be minutes on); a bare p's reason (`paused by alice`) is not said twice."""
    guard = guard_pause_words(str(e.get("reason") or "")) if e["type"] == ev.PAUSED and e["actor"] == ev.SYSTEM else None
    said = f" {guard}" if guard else own_reason(e["type"], e["actor"], e.get("reason"))
    return Said("‖", [f"{e['type']} by {named(e['actor'])}{said}"], decision=True)


def declined_words(by: object, reason: object, request: object) -> str:
    """A declined rollback request, as exec, the log, replay, the verifier's screen and the report say it."""
    return f"rollback declined by {by}: {reason} (asked: {request})"


def _handover(e: Event) -> str:
    """`verifier bob hands over to carol` (carol gave a word after bob's); to bob, whose screen it is, carol took over."""
    came, went = e.get("to"), e.get("from")
    return f"verifier {came} takes over from you" if went == YOU else f"verifier {went} hands over to {came}"


def _plain(words: Callable[[Event], str], mark: str = "──", *, decision: bool = False) -> Callable[[Event], Said]:
    return lambda e: Said(mark, [words(e)], decision)


SAYS: dict[str, Callable[[Event], Said]] = {
    ev.SESSION_STARTED: _session_started,
    ev.STEP_READY: _step_ready,
    ev.STEP_STARTED: _plain(_step_started),
    ev.STEP_FINISHED: _step_finished,
    ev.STEP_CONFIRMED: _step_decision("✓"),
    ev.STEP_REJECTED: _step_decision("✗"),
    ev.STEP_SKIPPED: _step_decision("↷"),
    ev.STEP_MARKED_DONE: _step_decision("✓"),
    ev.WAVE_STARTED: _plain(lambda e: f"{e['step']} wave {e.get('wave')}/{e.get('of')}: {_on(e)}"),
    ev.WAVE_FINISHED: _wave_finished,
    ev.WAVE_CONFIRMED: _step_decision("✓"),
    ev.WAVE_REJECTED: _step_decision("✗"),
    ev.HOLD_REQUESTED: _plain(lambda e: f"hold asked by {e['actor']}{asked_reason(e, ASKED[ev.HOLD_REQUESTED])}", "‖", decision=True),
    ev.ROLLBACK_REQUESTED: _plain(lambda e: f"rollback requested by {e['actor']}{asked_reason(e, ASKED[ev.ROLLBACK_REQUESTED])}", "↩", decision=True),
    ev.ROLLBACK_DECLINED: _plain(lambda e: declined_words(e["actor"], e.get("reason"), e.get("request")), "✗", decision=True),
    ev.CRITERIA_ACCEPTED: _plain(
        lambda e: f"unmet success criteria accepted by {e['actor']}{_reason(e)} (NOT met: {'; '.join(e.get('criteria') or [])})", "!", decision=True
    ),
    ev.CRITERIA_ACCEPTANCE_CONFIRMED: _plain(lambda e: f"acceptance confirmed by {e['actor']}", "✓", decision=True),
    ev.MODE_CHANGED: mode_changed,
    ev.ROLLBACK_STARTED: _rollback_started,
    ev.UNDO_STARTED: _plain(lambda e: f"undo {e['step']} on {_on(e)}"),
    ev.UNDO_FINISHED: _plain(lambda e: f"undo {e['step']}: {_undone_on(e.get('hosts', {}))}"),
    ev.ROLLBACK_FINISHED: _rollback_finished,
    # A person's note says when it was written, as a decision does (the log has no time column; the program's notes do not).
    ev.NOTE: lambda e: Said("──", [f"{_where(e)}note by {named(e['actor'])}: {e.get('text')}"], decision=e["actor"] != ev.SYSTEM),
    ev.ERROR: _plain(lambda e: f"{_where(e)}{e.get('message')}", "!!"),
    ev.SESSION_FINISHED: _plain(lambda e: f"outcome {status_words(str(e.get('outcome')))}"),
    ev.GUARD_TRIPPED: guard_tripped,
    ev.METRICS_STARTED: metrics_started,
    ev.METRIC_BASELINE: metric_baseline,
    ev.SUCCESS_CHECK_STARTED: _plain(lambda e: f"({e.get('when')}) {'; '.join(str(c.get('text')) for c in e.get('criteria', []))}"),
    ev.SUCCESS_CHECKED: _plain(lambda e: f"({e.get('when')}) {e.get('words')}"),
    ev.NOTIFIED: notified,
    ev.NOTIFY_FAILED: notified,
    **dict.fromkeys((ev.SILENCE_CREATED, ev.SILENCE_EXTENDED, ev.SILENCE_EXPIRED, ev.SILENCE_KEPT, ev.SILENCE_FAILED), silence),
    **dict.fromkeys((ev.DECISION_SIGNED, ev.SEAL, ev.PLAN_APPROVED), signed),
    ev.REVIEW: _plain(lambda e: f"post-change review by {e['actor']}"),
    ev.SESSION_RESUMED: _plain(lambda e: f"resumed by {e['actor']} (process {e.get('pid')})"),
    ev.SESSION_INTERRUPTED: _plain(
        lambda e: (
            f"the run's process was found stopped (by process {e.get('pid')}, which resumed nothing)"
            if not e.get("elsewhere")
            else f"the run's process, {e['elsewhere']}, could not be checked from this machine: whether that run still goes on is unknown"
            f" (looked by process {e.get('pid')}, which resumed nothing)"
        )
    ),
    ev.SESSION_REOPENED: _plain(lambda e: f"reopened by {e['actor']} (it ended {status_words(str(e.get('outcome')))}){_reason(e)}"),
    ev.WINDOW_OVERRIDE: _plain(lambda e: f"{'went on' if e.get('resumed') else 'started'} outside the window by {e['actor']}{_reason(e)}", "!", decision=True),
    ev.CHECKPOINT_REACHED: _plain(lambda e: f"checkpoint {e['step']}", "⚑"),
    ev.PAUSED: _pause,
    ev.RESUMED: _pause,
    ev.PARTICIPANT_JOINED: participant,
    ev.PARTICIPANT_LEFT: participant,
    ev.VERIFIER_HANDOVER: _plain(_handover),
    ev.SHARE_STARTED: _plain(lambda e: f"shared at {e.get('address')}, host key {e.get('fingerprint')}"),
    ev.SHARE_CLOSED: share_closed,
    ev.SHARE_REFUSING: share_refusing,
    ev.JOIN_REFUSED: join_refused,
}


#: Where an event names a participant other than as its actor: who joined or left, a handover's two verifiers.
_NAMED = {ev.PARTICIPANT_JOINED: ("name",), ev.PARTICIPANT_LEFT: ("name",), ev.VERIFIER_HANDOVER: ("from", "to")}


def _read_by(e: Event, reader: str) -> Event:
    """The event as `reader` reads it on their own screen: where it names them (as who acted, joined, left or took
    over), `you`; the words journaled for their request made without any (`bob asks to hold`), theirs too. What someone
    wrote (a reason, a note) is left as written."""
    mine = {key: YOU for key in ("actor", *_NAMED.get(e["type"], ())) if e.get(key) == reader}
    asked = ASKED.get(e["type"])
    if "actor" in mine and asked and e.get("reason") == f"{reader} {asked}":
        mine["reason"] = f"{YOU} {asked}"
    return {**e, **mine}


def said(event: Event, reader: str | None = None) -> Said | None:
    """What an event says (None for a metric sample: every reading is journaled, none is worth a line; nor for one host's
    end: the step's final line says every host's). `reader`: the person whose screen it is (the verifier's), who reads
    their own acts as `you`, as that screen's status rows say them; None (exec, the assignee's log, replay, the report):
    every name as journaled."""
    if event["type"] in (ev.OUTPUT, ev.METRIC_SAMPLE, ev.HOST_FINISHED, ev.UNDO_HOST_FINISHED):  # a host's end: the step's own line says each host
        return None
    if ev.said_by_its_own(event):  # its notify_failed/silence_failed said it
        return None
    shown = _visible(event, _COMMANDS.get(event["type"], frozenset()))
    say = SAYS.get(shown["type"])
    if say is not None:
        return say(shown if reader is None else _read_by(shown, visible_line(reader)))
    # A kind this version does not know (a newer version wrote it): who, and its fields as journaled (the report's
    # Timeline read `reason=…, step=…` alone; replay's log said who in words of its own).
    rest = ", ".join(f"{k}={v}" for k, v in shown.items() if k not in ev.ENVELOPE)
    return Said("?", [f"by {shown.get('actor', '')}, not known to this version" + (f": {rest}" if rest else "")])


def output_lines(event: Event, separator: str) -> list[str]:
    """An output event's lines: `host SEP text`, `!` instead of SEP for stderr, `undo ` first in a rollback."""
    prefix = output_prefix(event, separator)
    return [visible_line(prefix + line) for line in str(event.get("text", "")).splitlines()]


def output_prefix(event: Event, separator: str) -> str:
    """What each of an output event's lines follows, not yet sanitised: `host SEP `, `undo host ! ` (see `output_lines`)."""
    mark = "!" if event.get("stream") == "stderr" else separator
    undo = "undo " if event.get("phase") == "undo" else ""
    return f"{undo}{event.get('host', '')} {mark} "
