"""How step, wave and rollback events change the state (part of `state.apply`)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace
from itertools import repeat
from types import MappingProxyType
from typing import Any

from runbook_tui.engine import events as ev
from runbook_tui.engine.event_words import decision_words
from runbook_tui.engine.events import Event
from runbook_tui.engine.layered import with_entry
from runbook_tui.engine.reattach import left_running, undo_left_running
from runbook_tui.engine.state_model import (
    OUTPUT_TAIL,
    HostState,
    OutputLine,
    RollbackState,
    RunState,
    StepState,
    evolve,
    with_step,
)


def _step_started(state: RunState, e: Event) -> RunState:
    """An attempt runs on its `hosts`; hosts of the step it does not name keep their state (a re-run of a rolling step
    the process died in goes on after its finished waves, `StepState.carried_over`), and so does a verifier's word owed
    on one of those waves: the rollout waits for it before its next wave."""
    sid = e["step"]
    history = tuple(s for s in state.history if s != sid) + (sid,)
    state = replace(state, history=history)
    old = state.steps[sid]
    named = list(e.get("hosts", []))
    kept, waves, owed = old.carried_over(set(named))
    at_once = _at_once(e)
    first = set(named[:at_once] if at_once is not None else named)  # the others wait for a slot
    hosts = MappingProxyType({**kept, **{h: HostState("running" if h in first else "pending") for h in named}})
    ran = old.ran_before | {h for h, r in old.hosts.items() if r.started and r.status in _BEGAN}
    commands = e.get("commands") or {}
    follows = {h: run for h, run in left_running(state, sid).items() if h in commands}  # as the runner asks for them
    return with_step(
        state, sid, status="running", hosts=hosts, attempts=old.attempts + 1, started_at=e["ts"], finished_at=None,
        problems=(), attempt_lines=0, ran_by=e["actor"], confirmed_by=None, verified=None, reason=None, commands=MappingProxyType(dict(e.get("commands") or {})),
        not_rolled_back=False,
        gone_back_past=False,
        rendered=_rendered(e) or old.rendered,
        waves=waves, wave_awaiting=owed, at_once=at_once, slot_queue=tuple(named[at_once:]) if at_once is not None else (), slot_next=0,
        ran_before=ran, follows=MappingProxyType(follows),
    )  # fmt: skip


#: A host's end after which its command had begun there (a re-run that cannot start leaves what it did).
_BEGAN = frozenset({"done", "failed", "timed_out", "unknown"})


def _at_once(e: Event) -> int | None:
    """How many of a step's hosts run at once, when fewer than it names (`at_once`); None: all of them."""
    value = e.get("at_once")
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


_RENDERED = ("title", "commands", "undo", "text", "confirm", "env", "now")
#: The texts shown for a step that its capture can change after it ran (`engine.rendered_again`); not its commands: they ran.
AGAIN = ("title", "text", "undo", "confirm", "env")


def _rendered(e: Event) -> Mapping[str, Any]:
    return MappingProxyType({k: e[k] for k in _RENDERED if k in e})


def _step_ready(state: RunState, e: Event) -> RunState:
    return replace(with_step(state, e["step"], rendered=_rendered(e)), announced=e["step"]) if e.get("step") in state.steps else state


def _wave_started(state: RunState, e: Event) -> RunState:
    """The wave's hosts run; hosts of waves not started yet wait (`pending`), not `running`."""
    sid = e["step"]
    step = state.steps[sid]
    wave = tuple(e.get("hosts", ()))
    waves = step.waves + (wave,)
    started = {h for wave in waves for h in wave}
    first = set(wave[: step.at_once] if step.at_once is not None else wave)  # the others wait for a slot

    def now(h: str, r: HostState) -> HostState:
        if h in wave and r.status in ("pending", "running"):
            return HostState("running" if h in first else "pending")  # this wave's turn (it waited since the first wave started)
        return HostState("pending") if h not in started and r.status == "running" else r

    hosts = MappingProxyType({h: now(h, r) for h, r in step.hosts.items()})
    queue = wave[step.at_once :] if step.at_once is not None else ()
    return with_step(state, sid, waves=waves, hosts=hosts, wave_awaiting=None, wave_total=_wave_total(e, step.wave_total), slot_queue=queue, slot_next=0)


def _wave_finished(state: RunState, e: Event) -> RunState:
    """The wave's hosts ended: `failed` names the ones that did not succeed, the rest are done (the exit codes come with
    `step_finished`). A process that dies before that keeps them known: resume turns only the running wave unknown."""
    sid, wave = e["step"], e.get("wave")
    step = state.steps[sid]
    ended = set(step.waves[wave - 1]) if isinstance(wave, int) and 0 < wave <= len(step.waves) else set()
    failed = set(e.get("failed") or ())
    hosts = {h: HostState("failed" if h in failed else "done") if h in ended and r.status == "running" else r for h, r in step.hosts.items()}
    return with_step(state, sid, hosts=MappingProxyType(hosts), wave_awaiting=wave if e.get("awaiting") else None, wave_total=_wave_total(e, step.wave_total))


#: What a host of a running step may end as (`host_finished`); anything else in an edited journal changes nothing.
_HOST_ENDS = frozenset({"done", "failed", "timed_out", "unknown"})


def _host_finished(state: RunState, e: Event) -> RunState:
    """One host of a running step ended: it is known from now on, as `step_finished` will say it (the process may die
    before that: `lost_with_the_process` turns only the hosts still running unknown)."""
    sid, host = e["step"], e.get("host")
    step = state.steps[sid]
    held = step.hosts.get(host) if isinstance(host, str) else None
    if held is None or held.status != "running" or e.get("status") not in _HOST_ENDS:
        return state
    code = e.get("exit_code")
    ended = HostState(
        e["status"], code if isinstance(code, int) and not isinstance(code, bool) else None,
        e["error"] if isinstance(e.get("error"), str) else None, e.get("started") is not False,
    )  # fmt: skip
    hosts = with_entry(step.hosts, str(host), ended)  # not a copy of every host per host (N^2)
    queue, at = step.slot_queue, step.slot_next
    if step.at_once is not None and step.stopping is None:  # its slot goes to the next host waiting (of the wave that runs), as
        # fanout.py gives it; after a `k` (its note is journaled before the signal) no host starts any more
        while at < len(queue) and hosts.get(queue[at], ended).status != "pending":
            at += 1
        if at < len(queue):
            hosts, at = with_entry(hosts, queue[at], HostState("running")), at + 1
    return with_step(state, sid, hosts=hosts, slot_next=at)


def _wave_total(e: Event, known: int | None) -> int | None:
    """The rollout's number of waves as its wave events say it (`of`), else what was known."""
    total = e.get("of")
    return total if isinstance(total, int) and not isinstance(total, bool) and total > 0 else known


def _word_given(state: RunState, e: Event) -> RunState:
    """A verifier's word to go on (a confirmation, a go-ahead, a wave let through) withdraws their own rollback request
    made before it: the last word is the one that stands (before: the request stood, the status row said ROLLBACK
    REQUESTED to the end, and `resume --continue` failed the run on it after bob had let the rollout go on)."""
    state = _heard(state, e)
    if state.rollback_requested is None or state.rollback_asked_by != e["actor"]:
        return state
    return replace(state, rollback_requested=None, rollback_asked_by=None)


def _heard(state: RunState, e: Event) -> RunState:
    """A verifier's word on a step: they are the verifier now, and among those heard (`RunState.verifiers_heard`)."""
    actor = e["actor"]
    return replace(state, active_verifier=actor, heard=state.heard if actor in state.heard else state.heard + (actor,))


def _wave_decided(state: RunState, e: Event) -> RunState:
    state = _word_given(state, e) if e["type"] == ev.WAVE_CONFIRMED else _heard(state, e)
    return with_step(state, e["step"], wave_awaiting=None)


def output_lines(e: Event) -> tuple[OutputLine, ...]:
    """An `output` event's lines as the state keeps them: only the last OUTPUT_TAIL can survive the cut: split and build no more (a 256 KiB chunk of `seq` is ~37,000 lines).

    Each `OutputLine` is made by `tuple.__new__` from `zip`'s tuples: no Python-level call per line.
    """
    host, stream, phase = e.get("host", ""), e.get("stream", "stdout"), e.get("phase", "run")
    fields = zip(repeat(host), repeat(stream), last_lines(str(e.get("text", "")), OUTPUT_TAIL), repeat(phase))
    return tuple(map(tuple.__new__, repeat(OutputLine), fields))


def with_output(state: RunState, sid: str, lines: Iterable[OutputLine]) -> RunState:
    """`lines` appended to a step's output tail (a step not in the plan: unchanged)."""
    step = state.steps.get(sid)
    if step is None:
        return state
    added = tuple(lines)
    return with_step(state, sid, output=(step.output + added)[-OUTPUT_TAIL:], attempt_lines=min(step.attempt_lines + len(added), OUTPUT_TAIL))


def _output(state: RunState, e: Event) -> RunState:
    return with_output(state, e["step"], output_lines(e))


def last_lines(text: str, count: int) -> list[str]:
    """`text.splitlines()[-count:]` (count > 0) without splitting all of a long text.

    The tail starts right after the first `\\n` of the shortest end of the text holding
    count+1 of them (found by counting in C, the end widened fourfold each time): a line
    boundary (a `\\r\\n` stays whole before it) with at least `count` lines after it.
    """
    window = 16 * (count + 1)
    while window < len(text):
        start = len(text) - window
        if text.count("\n", start) > count:
            return text[text.index("\n", start) + 1 :].splitlines()[-count:]
        window *= 4
    return text.splitlines()[-count:]


def _hosts_from(payload: Mapping[str, Any]) -> Mapping[str, HostState]:
    return MappingProxyType({h: HostState(r.get("status", "done"), r.get("exit_code"), r.get("error"), r.get("started", True)) for h, r in payload.items()})


def _step_finished(state: RunState, e: Event) -> RunState:
    sid = e["step"]
    captured = state.captured
    if e.get("captured"):
        captured = MappingProxyType({**state.captured, **e["captured"]})
    state = replace(state, captured=captured)
    for ahead, title in (e.get("titles") or {}).items() if isinstance(e.get("titles"), Mapping) else ():  # engine/rendered_again.py
        if ahead in state.steps and state.steps[ahead].status == "pending" and isinstance(title, str):
            state = with_step(state, ahead, rendered=MappingProxyType({**state.steps[ahead].rendered, "title": title}))
    return with_step(
        state,
        sid,
        status=e["status"],
        hosts=_hosts_from(e.get("hosts", {})),
        finished_at=e["ts"],
        verified=e.get("verified"),
        answer=e.get("answer"),
        problems=tuple(e.get("problems", ())),
        wave_awaiting=None,
        rendered=_rendered_again(state.steps[sid].rendered, e.get("rendered")),
    )


def _rendered_again(shown: Mapping[str, Any], again: object) -> Mapping[str, Any]:
    """The step's texts with those a capture rendered again (`engine.rendered_again`): never its commands, which ran as said."""
    if not isinstance(again, Mapping):
        return shown
    return MappingProxyType({**shown, **{key: again[key] for key in AGAIN if key in again}})


def _step_confirmed(state: RunState, e: Event) -> RunState:
    sid = e["step"]
    state = _word_given(state, e)
    if e.get("phase") == "before":
        return with_step(
            state, sid, go_ahead_by=e["actor"], go_ahead_void=False, decided_by=e["actor"], decided_at=e["ts"], decision="go-ahead", decided_seq=e.get("seq")
        )
    verdicts = state.steps[sid].verdicts + 1
    return with_step(
        state,
        sid,
        status="done",
        confirmed_by=e["actor"],
        verified=e["actor"] != state.steps[sid].ran_by,
        decided_by=e["actor"],
        decided_at=e["ts"],
        decided_seq=e.get("seq"),
        decision="confirmed",
        verdicts=verdicts,
    )


def _step_rejected(state: RunState, e: Event) -> RunState:
    state = _heard(state, e)
    verdicts = state.steps[e["step"]].verdicts + int(e.get("phase") != "before")
    # `decision`: `go-ahead refused` (phase before) or `rejected`, as the log says it (the pane said `rejected` for both).
    return with_step(
        state,
        e["step"],
        status="rejected",
        reason=e.get("reason"),
        verdicts=verdicts,
        go_ahead_void=True,
        **_decided(e),
    )


def _decided(e: Event) -> dict[str, Any]:
    """Who decided on the step, when, and what (`decision_words`: as the log and the report's history say it)."""
    return {"decided_by": e["actor"], "decided_at": e["ts"], "decision": decision_words(e), "decided_seq": e.get("seq")}


def _step_skipped(state: RunState, e: Event) -> RunState:
    """Skipped once a rollback undid it: its capture was of the undone run (a lease it released), so it is gone, and a
    later step using it reads `skipped, nothing captured` and cannot run with the stale value. A step skipped after it
    failed keeps what it printed: its own undo may still need it."""
    sid = e["step"]
    name = state.plan_steps.get(sid, {}).get("capture")
    if name in state.captured and (held := state.steps.get(sid)) is not None and held.status == "undone":
        state = replace(state, captured=MappingProxyType({k: v for k, v in state.captured.items() if k != name}))
    return with_step(state, sid, status="skipped", reason=e.get("reason"), **_decided(e))


def _step_marked_done(state: RunState, e: Event) -> RunState:
    step = state.steps[e["step"]]
    hosts = MappingProxyType({h: (replace(hs, status="done") if hs.status == "unknown" else hs) for h, hs in step.hosts.items()})
    return with_step(state, e["step"], status="done", hosts=hosts, reason=e.get("reason"), verified=e.get("verified"), **_decided(e))


def _checkpoint(state: RunState, e: Event) -> RunState:
    return replace(state, checkpoint=e["step"])


def _rollback_started(state: RunState, e: Event) -> RunState:
    """The rollback runs; every go-ahead given before it is void (what it agreed to ran, or no longer applies). The steps its
    plan lists without an undo (acknowledged) stay as they are: `not_rolled_back` (they read as plainly done before)."""
    void = {sid: evolve(step, go_ahead_void=True) for sid, step in state.steps.items() if step.has_go_ahead}
    kept = {str(entry.get("step_id")) for entry in e.get("plan", {}).get("entries", []) if entry.get("command") is None}
    kept = {sid for sid in kept if sid in state.steps}
    changed = {sid: evolve(void.get(sid, state.steps[sid]), not_rolled_back=True) for sid in kept}
    if void or changed:
        state = replace(state, steps=MappingProxyType({**state.steps, **void, **changed}))
    return replace(
        state,
        rollback=RollbackState(
            e["scope"],
            MappingProxyType(e.get("plan", {})),
            started_seq=e.get("seq"),
            started_at=e.get("ts"),
            started_by=e.get("actor"),
            driver=str(e.get("driver") or "") or None,
            **_left_unknown(state, e),
        ),
        rollback_requested=None,
        paused=False,
        hold_requested=None,  # answered as a pause is: before, "HOLD asked" stood over the rolled-back run, and p was refused
        hold_asked_by=None,
        reopened=None,  # the rollback a reopening asked for (or another) has started
        announced=None,  # the step the run stands on once it has ended is announced afresh
    )


def _left_unknown(state: RunState, e: Event) -> dict[str, Any]:
    """What a rollback carries over from the one before it: the undos left running that it follows (a process that dies
    before its follow note leaves them to be followed again, not this rollback's runs, never begun); after a rollback the
    process died in, the undo that was running then (its outcome unknown) and the hosts where its end was journaled, until
    this rollback starts that undo again (before, a process that died in between left it reading `not run yet`, and a
    remote one was started again beside the one running on)."""
    follows = {"follows": MappingProxyType(dict(undo_left_running(state)))}  # as the runner asks for them
    before = state.rollback
    if before is None or not before.interrupted or before.failed_step is None:
        return follows
    planned = {str(entry.get("step_id")) for entry in e.get("plan", {}).get("entries", ()) if entry.get("command") is not None}
    if before.failed_step not in planned:
        return follows
    return {**follows, "left_unknown": before.failed_step, "ended_hosts": before.ended_hosts}


def _undo_started(state: RunState, e: Event) -> RunState:
    if state.rollback is None:
        return state
    return replace(state, rollback=replace(state.rollback, running_step=e["step"], ended_hosts=(), left_unknown=None))


def _undone_on(previous: HostState, result: Mapping[str, Any]) -> HostState:
    """A host after its undo ended: `undone`, or as it stood with the undo's failure as its error."""
    return replace(previous, status="undone") if ev.undid(result) else replace(previous, error=result.get("error") or f"undo exited {result.get('exit_code')}")


def _undo_host_finished(state: RunState, e: Event) -> RunState:
    """One host's undo ended while the others' run on: known from now on (a process that dies next leaves it so, and the
    resumed rollback plans the undo only where it is not `undone`)."""
    sid, host = e["step"], e.get("host")
    held = state.steps[sid].hosts.get(host) if isinstance(host, str) else None
    if state.rollback is None or held is None:
        return state
    state = replace(state, rollback=replace(state.rollback, ended_hosts=(*state.rollback.ended_hosts, str(host))))
    return with_step(state, sid, hosts=with_entry(state.steps[sid].hosts, str(host), _undone_on(held, e)))


def undone_as_a_whole(hosts: Mapping[str, HostState]) -> bool:
    """Every host of a step is undone, or never ran it (skipped, pending): the step is undone, not undone on some hosts."""
    return all(h.status in ("undone", "skipped", "pending") for h in hosts.values())


def _undo_finished(state: RunState, e: Event) -> RunState:
    rollback = state.rollback
    if rollback is None:
        return state
    sid = e["step"]
    step = state.steps[sid]
    hosts = dict(step.hosts)
    for host, result in e.get("hosts", {}).items():
        hosts[host] = _undone_on(hosts.get(host, HostState()), result)
    state = with_step(state, sid, hosts=MappingProxyType(hosts))
    if undone_as_a_whole(hosts):
        state = with_step(state, sid, status="undone", gone_back_past=False)
    return replace(state, rollback=replace(rollback, done_steps=rollback.done_steps + (sid,), running_step=None))


def _rollback_finished(state: RunState, e: Event) -> RunState:
    rollback = state.rollback
    if rollback is None:
        return state
    rollback = replace(rollback, finished=True, ok=bool(e.get("ok")), running_step=None, failed_step=e.get("failed_step"))
    checkpoint = state.checkpoint
    if rollback.ok and rollback.scope == "checkpoint":
        # Back at the checkpoint: the steps after it are pending again.
        checkpoint = rollback.plan.get("checkpoint_step")
        state = _gone_back_past(state, checkpoint)
    return replace(state, rollback=rollback, checkpoint=checkpoint)


def _gone_back_past(state: RunState, checkpoint: Any) -> RunState:
    """The steps after the checkpoint with nothing to undo (a `wait`, an `ask`, a look in a precheck or verify section)
    stand `undone` too: the rollback went back past them, so they run again. Before, they stood done, and the re-run
    went past them: the soak after a re-done reload was not waited, its check not made again. A step the plan listed
    without an undo (acknowledged: its change stands, `not_rolled_back`) stays as it is."""
    again = {sid: _stood_back(state.steps[sid]) for sid in going_back_past(state, checkpoint)}
    return replace(state, steps=MappingProxyType({**state.steps, **again})) if again else state


#: How a step may stand when a rollback goes back past it with nothing to undo: it ran (done, or ended otherwise: a
#: failed look in a verify section, the one that called for the rollback). A failed one read FAILED when the run came
#: back to it, as if the re-done change had failed it again; its failed attempt stays in its history.
_RAN = frozenset({"done", "failed", "timed_out", "unknown", "rejected"})


def _stood_back(step: StepState) -> StepState:
    """A step the rollback went back past: `undone`, and so is each host where it ran, so it runs again; reset, not
    undone (`StepState.reset`): nothing undid it."""
    hosts = MappingProxyType({h: replace(hs, status="undone") if hs.status in _RAN else hs for h, hs in step.hosts.items()})
    return evolve(step, status="undone", hosts=hosts, gone_back_past=True)


def going_back_past(state: RunState, checkpoint: Any, kept: Collection[str] = ()) -> tuple[str, ...]:
    """The steps after `checkpoint` a rollback to it stands `undone` once it has ended (`_gone_back_past`), in run order:
    each that ran (`_RAN`) but those whose change stands (`kept`: a rollback not started yet lists them without an undo;
    after one, `not_rolled_back`) and those it undid. The undo list says before `y` that they run again (rollback_modal.py)."""
    order = state.order
    start = order.index(checkpoint) + 1 if checkpoint in order else 0
    return tuple(sid for sid in order[start:] if (step := state.steps[sid]).status in _RAN and not step.not_rolled_back and sid not in kept)


STEP_HANDLERS = {
    ev.STEP_STARTED: _step_started,
    ev.OUTPUT: _output,
    ev.STEP_FINISHED: _step_finished,
    ev.STEP_CONFIRMED: _step_confirmed,
    ev.STEP_REJECTED: _step_rejected,
    ev.STEP_SKIPPED: _step_skipped,
    ev.WAVE_STARTED: _wave_started,
    ev.WAVE_FINISHED: _wave_finished,
    ev.HOST_FINISHED: _host_finished,
    ev.WAVE_CONFIRMED: _wave_decided,
    ev.WAVE_REJECTED: _wave_decided,
    ev.STEP_MARKED_DONE: _step_marked_done,
    ev.CHECKPOINT_REACHED: _checkpoint,
    ev.ROLLBACK_STARTED: _rollback_started,
    ev.UNDO_STARTED: _undo_started,
    ev.UNDO_HOST_FINISHED: _undo_host_finished,
    ev.UNDO_FINISHED: _undo_finished,
    ev.ROLLBACK_FINISHED: _rollback_finished,
    ev.STEP_READY: _step_ready,
}
