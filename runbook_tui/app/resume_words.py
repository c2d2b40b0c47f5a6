"""What `resume` says about what the process died in: a step (where it stood on each host, what a re-run does) or a
rollback (what was undone, what was running (unknown), what is left)."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from runbook_tui.engine.event_words import host_status_words, paused_words, status_words, step_status_words
from runbook_tui.engine.events import NOTE, REOPENABLE
from runbook_tui.engine.guard_response import unanswered_guard_rollback
from runbook_tui.engine.host_result import is_retry_note
from runbook_tui.engine.invocation import invocation
from runbook_tui.engine.mark_done import EXIT_NOTE, failed_for_sure, left_words, may_still_run, undo_stopped_on_exit
from runbook_tui.engine.outcomes import exit_code
from runbook_tui.engine.reattach import undo_left_running, undo_waits_first
from runbook_tui.engine.rollback import RollbackPlan, nothing_to_roll_back
from runbook_tui.engine.said import said_now
from runbook_tui.engine.state import RUNNABLE, RunState
from runbook_tui.engine.state_model import StepState
from runbook_tui.engine.undo_notes import planned_rollback, reopenable, section_stop, section_stop_words, still_applied
from runbook_tui.engine.wait_cut import NOTHING_IN_DOUBT, cut_wait
from runbook_tui.runbook.model import Runbook
from runbook_tui.runbook.safe_text import shell_word, visible_line

#: A journal whose one line, session_started, is torn: each step waits for its own event on disk, so none began.
NEVER_BEGAN = (
    "its only line, the session's start, was cut short when the process stopped: the run never began (no step ran);"
    " nothing to resume (the file is left as it is); start the run again with runbook-tui run or exec"
)


def not_resumable(path: object, session: Mapping[str, object], modes: Collection[str]) -> str | None:
    """Why `resume` refuses the journal of a session by its mode, or None. An unknown mode (only in a re-chained, edited
    journal) would run as live. A practice's own journal has no recordings of its own: a resume went on with it as a
    dry run (`[dry-run] would run ...` written into the trainee's record as if played back)."""
    mode = session.get("mode", "live")
    if mode == "practice":
        return (
            f"{path}: a practice run's journal (replay --practice): resume goes on with runs, and a practice has no recordings of"
            f" its own; practise again with: {practise_again(session)}; what the trainee did: {invocation()}"
            f" report {shell_word(str(path))}"
        )
    if mode not in modes:
        return f"{path}: session_started: mode {mode!r} is not one this program writes ({', '.join(sorted(modes))}); refusing to resume"
    return None


def practise_again(session: Mapping[str, object]) -> str:
    """The command that practises a practice's night again: its journal named where the practice recorded it
    (`session_started.practised`, since session 38; older practices read NIGHT_JOURNAL, to be filled in)."""
    night = session.get("practised")
    journal = night.get("journal") if isinstance(night, Mapping) else None
    return f"{invocation()} replay {shell_word(journal) if isinstance(journal, str) and journal else 'NIGHT_JOURNAL'} --practice"


#: A dry run's end that failed or was rolled back to a checkpoint, as exec and resume's look say it: they advised
#: `resume --rollback` (`--full`) to undo what a run that ran nothing had changed.
DRY_RUN_END = "dry run: nothing ran on any host, so nothing stands and there is nothing to roll back"


def already_finished(state: RunState, rollback: bool, full: bool = False) -> tuple[str, int] | None:
    """Why `resume` (`rollback`: `--rollback`, `full`: `--full`) of a finished session does nothing, and its exit code;
    None when it goes on (a session rolled back to a checkpoint is reopened by `--rollback --full` while undos are left)."""
    if not state.finished or (rollback and reopenable(state, full)):
        return None
    said = f"this session already finished ({state.outcome}); nothing to resume"
    applied = still_applied(state)
    if rollback:  # a rollback asked for and not done is no success, whatever the run's end (it exited 0 after a done run)
        if (stop := section_stop(state)) is not None:
            return f"{said}; {_section_stop_words(stop)}: nothing was rolled back", 1
        if state.outcome == "rolled_back":
            return f"{said}; {_rolled_back_words(state, applied)}: nothing was rolled back", 1
        return f"{said}; --rollback reopens only a session that ended {', '.join(sorted(REOPENABLE))}: nothing was rolled back", 1
    if state.mode == "dry-run" and (state.outcome in REOPENABLE or applied):
        return f"{said}; {DRY_RUN_END}", exit_code(state.outcome)
    hint = "; `resume --rollback` (or `--rollback --full`) undoes what it changed" if state.outcome in REOPENABLE else ""
    hint = f"; {_section_stop_words(stop)}" if hint and (stop := section_stop(state)) is not None else hint
    hint += f"; {_rolled_back_words(state, applied)}" if applied else ""
    return said + hint, exit_code(state.outcome)  # exit "as run" (the contract's `resume`): 0 for a session that ended done


def nothing_to_reopen(state: RunState, runbook: Runbook, full: bool) -> str | None:
    """Why `resume --rollback` (`full`: `--full`) does not reopen this finished session: its rollback would list nothing,
    as `u` and `exec --on-failure rollback` refuse one (it journaled a reopening and a rollback of nothing, and the report
    read ROLLED BACK over a failure that had changed nothing); None when the rollback has something to do."""
    if not state.finished or (why := _planned(runbook, state, full).runs_nothing) is None:
        return None
    said = f"this session ended {status_words(str(state.outcome))}; {nothing_to_roll_back(why)}: nothing was reopened, nothing journaled"
    if not full and _planned(runbook, state, True).runs_nothing is None:
        said += "; `resume --rollback --full` undoes what ran before the checkpoint"
    return said


def _planned(runbook: Runbook, state: RunState, full: bool) -> RollbackPlan:
    return planned_rollback(runbook, state, "full" if full else "checkpoint", lambda _step, _host: "")  # what it lists, not the commands


def _section_stop_words(stop: str) -> str:
    """What goes on with a rollback of the whole change stopped at rollback section step `stop`: `--rollback` alone ran
    nothing and ended the run ROLLED BACK, the step that failed never run to its end."""
    return section_stop_words(stop, "`resume --rollback --full`")


def _rolled_back_words(state: RunState, applied: tuple[str, ...]) -> str:
    """What a session that ended rolled back left applied, and what undoes it: `--rollback --full`, or nothing."""
    if not applied:
        whole = state.rollback is not None and state.rollback.scope == "full"
        return "nothing is left to undo: " + ("the full rollback undid every step that ran" if whole else "no step still applied has an undo")
    back_to = state.rollback.plan.get("checkpoint_step") if state.rollback is not None else None
    return (
        f"the rollback to checkpoint '{visible_line(str(back_to))}' left applied: {_names(list(applied))} (newest first);"
        " `resume --rollback --full` undoes them (--rollback alone goes back to that checkpoint again)"
    )


def rollback_words(state: RunState, reopening: bool) -> list[str]:
    """Lines for the resume summary about the last rollback or one asked for: cut short by the process dying, asked by a
    reopening that died before it started, or finished to a checkpoint the run stands at (the last two not said when
    `reopening`: this resume's `--rollback` runs the rollback now, and goes on from there)."""
    return interrupted_rollback(state) or ([] if reopening else reopened_not_rolled_back(state) or back_at_checkpoint(state))


def rollback_first(state: RunState, journal: str) -> str | None:
    """Why `resume --rerun` / `--mark-done` is refused while the last rollback stands unfinished, in a headless command's
    words (the controller's say `u goes on with it`, the run screen's key); None when no rollback stands in the way."""
    rollback = state.rollback
    if rollback is None or not state.rollback_stopped:
        return None
    where = f" at '{visible_line(rollback.failed_step)}'" if rollback.failed_step else ""
    again = " --full" if rollback.scope == "full" else ""
    return (
        f"runbook-tui: resume: the last rollback did not finish{where}, and it goes first: `{invocation()} resume {shell_word(journal)} --rollback{again}`"
        " goes on with it; no step is re-run or marked done before it has finished (nothing was done)"
    )


def interrupted_rollback(state: RunState) -> list[str]:
    """Lines for the resume summary; none unless the last rollback was cut short by the process dying."""
    rollback = state.rollback
    if rollback is None or not rollback.interrupted:
        return []
    planned = list(dict.fromkeys(str(e.get("step_id")) for e in rollback.plan.get("entries", ()) if e.get("command") is not None))
    rollback_steps = [str(s) for s in rollback.plan.get("rollback_steps", ())]
    undone = [s for s in planned if s in rollback.done_steps]
    running = [rollback.failed_step] if rollback.failed_step else []
    running += [s for s in rollback_steps if s in state.steps and state.steps[s].status == "unknown"]
    ran = [s for s in rollback_steps if s in state.steps and state.steps[s].status in ("done", "awaiting_verification")]
    left = [s for s in planned + rollback_steps if s not in undone and s not in running and s not in ran]
    lines = [f"A rollback ({rollback.scope}) was running when the program stopped; it did not finish."]
    if undone or ran:
        lines.append("  finished: " + ", ".join(visible_line(s) for s in undone + ran))
    for sid in running:
        what = "the undo of" if sid == rollback.failed_step else "rollback step"
        stopped = sid == rollback.failed_step and undo_stopped_on_exit(state, sid)  # exec's SIGTERM, the TUI's q: stopped here
        how = "the program stopped it as it left" if stopped else "nothing stopped it: it may still be running"
        lost = undo_left_running(state).get(sid, {})  # an ended host whose link was lost: followed, as said below
        ended = tuple(h for h in rollback.ended_hosts if h not in lost) if sid == rollback.failed_step else ()
        undoing = [str(e.get("host")) for e in rollback.plan.get("entries", ()) if e.get("step_id") == sid and e.get("command") is not None]
        on = f" on {_names([h for h in state.steps[sid].hosts if h in undoing and h not in ended])}" if ended else ""
        lines.append(f"  {what} '{visible_line(sid)}' was running{on}: its outcome is unknown, and {how}")
        lines += [f"  it had ended before on {_undo_ends(state.steps[sid], ended)}: not run there again"] if ended else []
    lines.append("  not run yet: " + (", ".join(visible_line(s) for s in left) or "nothing"))
    again = f"; '{visible_line(running[0])}' runs again" if running else ""
    left_there = undo_left_running(state).get(rollback.failed_step or "", {})  # remote: followed, not started beside it
    first = [h for h in undo_waits_first(state, rollback.failed_step, left_there) if h in left_there] if rollback.failed_step else []
    if first:  # stopped while it followed the command a lost link left there: no undo had begun
        lines.append(
            f"--rollback first follows the run the lost link left on {_names(first)} to its end (the stopped rollback was"
            " following it: no undo had begun there), then runs the undo there."
        )
    followed = [h for h in left_there if h not in first]
    if followed:
        sid = visible_line(str(rollback.failed_step))
        lines.append(
            f"--rollback follows the undo of '{sid}' left running on {_names(followed)} (its output from the start, then how it"
            " ended) instead of starting it again there; where that undo is gone, it starts again."
        )
        skip = {*followed, *rollback.ended_hosts}
        rest = [str(e.get("host")) for e in rollback.plan.get("entries", ()) if e.get("step_id") == rollback.failed_step and e.get("host") not in skip]
        again = f"; the undo of '{sid}' is followed" + (f" (it runs again on {_names(rest)})" if rest else "")
    lines.append(f"Nothing was re-run. --rollback{' --full' if rollback.scope == 'full' else ''} runs what is left{again} (what finished is not run again).")
    return lines


def _undo_ends(step: StepState, hosts: tuple[str, ...]) -> str:
    """`peer01 (undone), peer03 (undo failed: undo exited 2)`: how the undo ended on the hosts whose end was journaled."""
    ends = [(h, step.hosts[h]) for h in hosts if h in step.hosts]
    return ", ".join(f"{visible_line(h)} ({'undone' if hs.status == 'undone' else 'undo failed: ' + visible_line(hs.error or '')})" for h, hs in ends)


def _names(hosts: list[str]) -> str:
    return ", ".join(visible_line(h) for h in hosts)


def unknown_step(state: RunState, sid: str) -> list[str]:
    """Lines for the resume summary about the current step left `unknown`: what was running, where it is known done,
    and what each decision does (a re-run goes on where a rollout stopped, `waves.rollout`)."""
    step = state.steps[sid]
    by: dict[str, list[str]] = {}
    said: dict[str, list[str]] = {}  # as said: an end journaled with its exit code says it (`failed (exit 3)`)
    for host, held in step.hosts.items():
        by.setdefault(held.status, []).append(host)
        code = f" (exit {held.exit_code})" if held.exit_code is not None and held.status in ("done", "failed") else ""
        said.setdefault(host_status_words(held.status) + code, []).append(host)
    done, unknown, never = by.get("done", []), by.get("unknown", []), by.get("pending", [])
    name = visible_line(sid)
    owed = step.wave_awaiting
    cut = cut_wait(state.plan_steps.get(sid, {}), step.started_at)
    if owed is not None and not unknown:
        lines = [f"'{name}' stopped between waves: wave {owed} had finished and waited for the verifier's word; nothing was running."]
    elif not unknown and not never and (state.plan_steps.get(sid, {}).get("expect") or {}).get("metric"):
        lines = [f"'{name}' had ended on every host; its expect.metric was being checked when the program stopped. Nothing was re-run."]
    else:
        if cut is not None:
            lines = [f"'{name}' ({cut[1]}) had not ended when the program stopped: {NOTHING_IN_DOUBT}. Nothing was re-run."]
        else:
            lines = [f"'{name}' was running when the program stopped; its outcome is unknown. Nothing was re-run."]
            lines += [f"  a try had failed, and a retry was due: {retry} (whether it had begun is not journaled)"] if (retry := _retry_due(state, sid)) else []
        lines += [f"  {stop} asked to stop it (k); the program stopped before it had ended"] if (stop := _stop_asked(state, sid)) else []
        lines += [f"  {quit_}, as the journal's note says"] if (quit_ := _stopped_by(state, sid)) else []
        lines += [running] if (running := may_still_run(state, sid)) is not None else []  # a re-run beside it is no safe default
    if len(said) > 1:  # a rollout that stopped part way, or hosts of a fan-out that ended before the process died
        lines.append("  " + "; ".join(f"{words} on {_names(hosts)}" for words, hosts in said.items()))
    rerun = "--rerun"
    if done:
        # A run gone solo (resume --solo) asks no verifier's word: the summary said it would, then the re-run went on.
        first = f"the verifier's word on wave {owed}, then " if owed is not None and not state.solo else ""
        rest = [h for h in step.hosts if h not in done]
        rerun += f" ({first}{'on ' + _names(rest) if rest else 'its checks'}; not again on {_names(done)})"
    if step.go_ahead_by is not None and _asks_go_ahead(state, sid):
        rerun += f" (asks the verifier's go-ahead first: {visible_line(step.go_ahead_by)}'s was for the run that stopped)"
    failed = failed_for_sure(step, state.plan_steps.get(sid, {}).get("max_fail", 0))  # mark-done refuses then
    if cut is not None:
        rerun, mark = f"--rerun (the whole {cut[0]} wait again)", ", --mark-done REASON (it waited long enough)"
    else:
        mark = "" if never or failed else ", --mark-done REASON (you checked it by hand)"
    if state.rollback is not None and state.rollback_stopped:  # (it offered --rerun and --mark-done, both refused until then)
        full = " --full" if state.rollback.scope == "full" else ""
        lines.append(f"The unfinished rollback goes first: --rollback{full} goes on with it; --rerun and --mark-done are refused until it has finished.")
    else:
        lines.append(f"Decide: {rerun}{mark}, or --rollback.")
    return lines


def _retry_due(state: RunState, sid: str) -> str | None:
    """The program's last retry note of `sid`'s latest attempt (`web2: exit code 7, expected 0; retry 1/2 in 30s`): a
    process that died in the retry's delay ran nothing then, and the look said only that the step was running."""
    started = state.steps[sid].started_at or ""
    notes = [n for n in state.notes if n.get("step") == sid and str(n.get("ts")) >= started and is_retry_note({"type": NOTE, **n})]
    return visible_line(str(notes[-1].get("text"))) if notes else None


def _stop_asked(state: RunState, sid: str) -> str | None:
    """Who asked to stop `sid`'s latest attempt, and when (`alice at 00:31:08`): the stop is journaled before any signal,
    and a process that died before the step ended left it unsaid in the look, its command perhaps still running."""
    started = state.steps[sid].started_at or ""
    asked = [n for n in state.notes if n.get("step") == sid and n.get("request") == "stop" and str(n.get("ts")) >= started]
    return visible_line(f"{asked[-1].get('actor')} at {str(asked[-1].get('ts'))[11:19]}") if asked else None


def _stopped_by(state: RunState, sid: str) -> str | None:
    """What stopped the program while `sid`'s latest attempt ran, from its last note (`run was stopped by the assignee's
    quit (q) at 10:12:03`): a person's own quit read as a crash, "was running when the program stopped" alone."""
    started = state.steps[sid].started_at or ""
    exits = [n for n in state.notes if n.get("ran") == sid and n.get("request") == EXIT_NOTE and str(n.get("ts")) >= started]
    if not exits:
        return None
    text = str(exits[-1].get("text"))
    said = text.partition(f" while '{sid}' ran")[0] if f" while '{sid}' ran" in text else text.partition("; the journal is kept")[0]
    return visible_line(f"{said} at {str(exits[-1].get('ts'))[11:19]}")


def why_left(state: RunState) -> list[str]:
    """A line for the resume summary saying why the process before this one left the run, from its last note (a signal,
    or `run was stopped by alice's quit (q) at 'check' (nothing was running)`): a quit between steps read as nothing.
    A step left unknown says it under its own line (`unknown_step`); a note from before an earlier resume is not said."""
    if state.left is None or state.left[0] < state.resumed - 1:
        return []
    note = state.left[1]
    sid = note.get("step")
    if sid is not None and sid == state.current and state.steps[sid].status == "unknown" and f" while '{sid}' ran" in str(note.get("text")):
        return []
    return [left_words(note)]


def _asks_go_ahead(state: RunState, sid: str) -> bool:
    return not state.solo and state.plan_steps.get(sid, {}).get("verify") in ("before", "both")


def standing_go_ahead(state: RunState, sid: str) -> list[str]:
    """A line for the resume summary when the current step has a verifier's go-ahead given before the process died."""
    step = state.steps[sid]
    if step.status not in RUNNABLE - {"unknown"} or not step.has_go_ahead or not _asks_go_ahead(state, sid):
        return []
    return [f"'{visible_line(sid)}' has {visible_line(str(step.go_ahead_by))}'s go-ahead (given {said_now(step.decided_at)}); --continue runs it."]


def reopened_not_rolled_back(state: RunState) -> list[str]:
    """Lines for the resume summary when `resume --rollback` reopened the session and the process died before the
    rollback it asked for started. Before: a session rolled back to its checkpoint read as standing there, `--continue`
    running the undone steps again (the change the person had asked to undo altogether applied anew)."""
    reopened, scope = state.reopened, state.reopened_scope
    if reopened is None or scope is None:
        return []
    flag = "--rollback --full" if scope == "full" else "--rollback"
    what = "the whole change" if scope == "full" else "to the last checkpoint"
    return [
        f"The session had ended {visible_line(str(reopened.get('outcome')))}; `resume {flag}` reopened it to roll back {what},"
        " and the program stopped before that rollback started: nothing of it ran.",
        f"{flag} (or --continue) runs that rollback; nothing runs without one of them.",
    ]


def back_at_checkpoint(state: RunState) -> list[str]:
    """A line for the resume summary when the last rollback (to a checkpoint) finished and the session was not ended:
    `exec --on-failure rollback` ends it there, but the process may have died first. Nothing in the journal ends the
    run, so it stands at the checkpoint as after `u`; the summary says what --continue would run again."""
    rollback = state.rollback
    if state.finished or rollback is None or not rollback.finished or not rollback.ok or rollback.scope != "checkpoint":
        return []
    undone = [sid for sid in state.order if state.steps[sid].status == "undone"]
    if not undone:
        return []
    back_to = rollback.plan.get("checkpoint_step")
    where = f"checkpoint '{visible_line(str(back_to))}'" if back_to else "the start (no checkpoint had been reached)"
    return [
        f"A rollback to {where} finished and the session was not ended; the run stands there.",
        f"--continue runs the steps after it again ({_again(state, undone)}); without it nothing runs.",
    ]


def _again(state: RunState, steps: list[str]) -> str:
    """`undone: edit; reset (nothing to undo): look`: the steps that run again, split as a rollback left them (the
    look it went back past read `undone` too)."""
    reset = [sid for sid in steps if state.steps[sid].reset]
    undone = [sid for sid in steps if sid not in reset]
    return "; ".join(f"{what}: {_names(names)}" for what, names in (("undone", undone), ("reset (nothing to undo)", reset)) if names)


def final_check_owed(state: RunState) -> list[str]:
    """A line for the resume summary when the run stopped before its final success checks were decided."""
    if not state.final_check_owed:
        return []
    return ["Every step is done, but the success criteria (metrics.success) were not checked to the end when the program stopped:",
            "--continue checks them again before the run can end done."]  # fmt: skip


def next_move(state: RunState, journal: str) -> list[str]:
    """The look's last line when nothing else said what to do: the process died between steps (nothing was running), at a
    failed step nobody had decided on, or with every step done and the run not ended. Before, such a look listed the
    statuses alone and exited 1, leaving the reader to guess."""
    if state.finished or state.paused:
        return []
    if state.rollback is not None and state.rollback_stopped:  # (one the process died in was said by interrupted_rollback)
        full = " --full" if state.rollback.scope == "full" else ""
        return [f"The last rollback stopped at a failed undo: --rollback{full} goes on with it; no step runs before it has finished."]
    current = state.current
    if current is None:
        return ["Every step is done; the run was not ended when the program stopped: --continue ends it."]
    name, status = visible_line(current), state.steps[current].status
    if status in ("failed", "rejected", "timed_out"):
        lost = [f"  {running}"] if (running := may_still_run(state, current)) is not None else []  # a lost link: it may run on there
        return [f"'{name}' {status_words(status)} before the program stopped, and nobody had decided. Nothing was re-run.", *lost,
                "Decide: --rerun, or --rollback; --continue alone does what --on-failure says (stop: the run ends failed)."]  # fmt: skip
    if status in ("pending", "undone"):
        planned = state.plan_steps.get(current, {})
        if planned.get("kind") in ("note", "ask"):
            return [
                f"Nothing was running when the program stopped. Next is '{name}', a person's step: `{invocation()} resume {shell_word(journal)}` in a terminal."
            ]
        if planned.get("confirm") is not None:  # (it said "--continue goes on with 'b'", and --continue stopped there, exit 1)
            return [
                f"Nothing was running when the program stopped. Next is '{name}', whose confirm text a person acknowledges before it runs:"
                f" `{invocation()} resume {shell_word(journal)}` in a terminal, or --continue --ack-manual REASON."
            ]
        return [f"Nothing was running when the program stopped: --continue goes on with '{name}'."]
    return []


def paused(state: RunState, journal: str) -> list[str]:
    """Lines for the resume summary when the run is paused (a guard, the verifier's hold, the assignee), or a verifier's
    hold or rollback request was journaled and not acted on before the process died."""
    if state.finished:
        return []
    lines = []
    if unanswered_guard_rollback(state):  # the runbook's on_critical: rollback already decided it, as exec does live
        lines.append(f"Unanswered: {visible_line(state.rollback_requested or '')}: --continue rolls back to the last checkpoint.")
    elif state.rollback_requested:
        lines.append(f"Unanswered: {visible_line(state.rollback_requested)} (a rollback request): --continue answers it as --on-failure says.")
    if state.hold_requested and not state.paused:
        lines.append(f"Unanswered: {visible_line(state.hold_requested)} (a hold): --continue pauses the run.")
    if state.paused:
        why = visible_line(paused_words(state.paused_by, state.pause_reason or "by the assignee"))  # said once: `(by alice)`
        lines.append(f"The run is paused ({why}): no step starts until a person lifts it: p in `{invocation()} resume {shell_word(journal)}` at a terminal,")
        lines.append("or headless --lift-pause REASON (journaled), with --continue to go on.")
    return lines


def full_rollback_unended(state: RunState) -> bool:
    """A full rollback finished well and `session_finished` never followed (outside a rehearsal, which checks after it):
    `--continue` would run the change again from the start."""
    rollback = state.rollback
    done = rollback is not None and rollback.scope == "full" and rollback.ok is True and not rollback.interrupted
    return done and not state.finished and state.session.get("mode") != "rehearsal"


def summary(state: RunState, journal: str, *, shared: bool = False, look: bool = False, reopened: bool = False) -> str:
    """Where a resumed (or `look`: looked at) run stands, and what the assignee may do about a step left unknown
    (`reopened` for `--rollback`: a rollback to a checkpoint it had ended with is no place the run stands to go on from)."""
    session = {k: visible_line(str(v)) for k, v in state.session.items() if k in ("runbook", "title")}
    started = visible_line(said_now(state.session.get("started_at")))  # a clock time (dated another day), not raw ISO
    lines = [f"{'looked at' if look else 'resumed'} {session.get('runbook')} ({session.get('title')}), started {started}"]
    for sid in state.order:
        step = state.steps[sid]
        lines.append(f"  {step_status_words(step):<22} {visible_line(sid)}")
    for sid in state.rollback_order:  # a rollback section's step shows once it ran (a full rollback)
        if (status := state.steps[sid].status) != "pending":
            lines.append(f"  {status_words(status):<22} {visible_line(sid)} (rollback)")
    lines.extend(why_left(state))  # (not what to do: a look still says that)
    listed = len(lines)
    lines.extend(rollback_words(state, reopened))
    lines.extend(final_check_owed(state) + paused(state, journal))
    current = state.current
    if current and state.steps[current].status == "awaiting_verification" and not state.solo:
        if shared:  # this process shares the run: the verifier joins it
            lines.append(f"'{current}' ran and waits for a verifier's confirmation: the verifier joins this shared run and confirms it.")
        else:
            lines.append(f"'{current}' ran and waits for a verifier's confirmation. A verifier can join only a shared run:")
            lines.append("resume with --share ADDR --verifier-key FILE (then `runbook-tui join ADDR`), or --solo REASON to go on unverified.")
    if current and state.steps[current].status == "unknown":
        lines.extend(unknown_step(state, current))
    if current:
        lines.extend(standing_go_ahead(state, current))
    if look and len(lines) == listed:
        lines.extend(next_move(state, journal))  # the statuses alone said nothing of what to do
    return "\n".join(lines) + "\n"
