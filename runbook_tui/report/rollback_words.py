"""A rollback in the words of the record: its title, its result, and what one that stopped left undone for the Summary."""

from __future__ import annotations

from runbook_tui.engine.event_words import rollback_stopped, status_words
from runbook_tui.engine.history_model import Rollback, UndoResult, back_to_words
from runbook_tui.engine.said import in_host_order
from runbook_tui.engine.undo_notes import HOST_WORDS
from runbook_tui.report.model import Report


def rollback_title(rollback: Rollback) -> str:
    return rollback_heading(rollback.number, rollback.scope, rollback.back_to)


def rollback_heading(number: int, scope: str, back_to: str | None) -> str:
    """`Rollback 1: the last checkpoint (back to backup-config)`, `Rollback 2: the whole change`: the report's heading
    and the cast's chapter mark (which read `rollback (checkpoint)` for every one, wherever it went)."""
    target = "the last checkpoint" if scope == "checkpoint" else "the whole change"
    return f"Rollback {number}: {target}{back_to_words(scope, back_to)}"


def rollback_result(rollback: Rollback) -> str:
    if rollback.ok is None:
        return "did not finish"
    if rollback.finished_at is None:  # no rollback_finished: the process died during it (`session_resumed` made it not ok)
        return "DID NOT FINISH: the program stopped during it"
    if rollback.ok:
        return "completed"
    return rollback_stopped(rollback.failed_step)  # as the Timeline says it (it said `FAILED at a` there)


def host_result(undo: UndoResult) -> str:
    """`Result on host` in a rollback's undo list: how the step had ended there, and what the undo list said of it beyond
    that (`FAILED (injected by rehearse --fail-at: its command never ran)`, `done (step ran, then rejected by bob)`). It
    read `FAILED` alone for a failure rehearse injected, whose command never ran, and for a step a person stopped."""
    said = status_words(undo.original_outcome)
    note = undo.note
    for words in HOST_WORDS.values():  # the bare outcome in words: said already
        note = "" if note == words else note.removeprefix(f"{words}, ")
    return f"{said} ({note})" if note else said


def rollback_left(report: Report) -> str:
    """`; the rollback of the whole change STOPPED at a: undone b; not undone a`: how the run's last rollback stopped,
    where the run ended (or its journal ends) with it (the Outcome read `FAILED` alone, as if nothing had been tried).
    Nothing after a rollback that completed, or one the run went on from (a step started after it)."""
    last = report.rollbacks[-1] if report.rollbacks else None
    if last is None or last.ok or report.session.outcome in ("rolled_back", "done", "done_criteria_failed"):
        return ""
    if any(a.started_at > last.started_at and not a.during_rollback for step in report.steps for a in step.attempts):
        return ""
    target = "to the last checkpoint" if last.scope == "checkpoint" else "of the whole change"
    if last.ok is None:  # the journal ends in it: its undos' ends are not known yet
        return f"; the journal ends during the rollback {target}"
    steps = list(dict.fromkeys(u.step for u in last.undo))
    ended = {s: {u.status for u in last.undo if u.step == s} for s in steps}
    undone = [s for s in steps if ended[s] == {"ok"}]
    unknown = [s for s in steps if s not in undone and ended[s] & {"running", "unknown"}]
    partly = [s for s in steps if s not in undone and s not in unknown and "ok" in ended[s]]  # it read `not undone`
    left = [s for s in steps if s not in undone and s not in unknown and s not in partly]
    said = ["undone " + ", ".join(undone)] if undone else [] if partly else ["nothing undone"]  # (`nothing undone; partly undone a`)
    said += [f"partly undone {s} (on {_hosts(last, s, True)}, not on {_hosts(last, s, False)})" for s in partly]
    said += [f"not undone {', '.join(left)}"] if left else []
    said += [f"undo outcome unknown {', '.join(unknown)}"] if unknown else []
    return f"; the rollback {target} {rollback_result(last)}" + (f": {'; '.join(said)}" if partly or left or unknown else "")


def _hosts(rollback: Rollback, step: str, undone: bool) -> str:
    """The hosts whose undo of `step` ended ok (`undone`), or did not, by name as every view says hosts (not the undo list's
    order, newest host first)."""
    return ", ".join(in_host_order(u.host for u in rollback.undo if u.step == step and (u.status == "ok") == undone))


def rollback_steps_words(report: Report, rollback: Rollback) -> str:
    """`Then the rollback section's steps: r (see Steps).`, and which of them this rollback never reached when it did
    not complete (a rollback the process died in, resumed by another, read as if it had run them: only the later one
    did), or "" (none planned)."""
    if not rollback.rollback_steps:
        return ""
    said = f"Then the rollback section's steps: {', '.join(rollback.rollback_steps)} (see Steps)"
    if rollback.ok:
        return f"{said}."
    after = [r.started_at for r in report.rollbacks if r.number > rollback.number][:1]
    ran = {
        step.id
        for step in report.steps
        for a in step.attempts
        if step.id in rollback.rollback_steps and a.during_rollback and rollback.started_at <= a.started_at and (not after or a.started_at < after[0])
    }
    missed = [sid for sid in rollback.rollback_steps if sid not in ran]
    if not missed:
        return f"{said}."
    which = "" if len(missed) == len(rollback.rollback_steps) else f" {', '.join(missed)}"
    ended = "the journal ends" if rollback.ok is None else "the rollback stopped"  # None: the journal ends during it
    return f"{said}; not reached{which}: {ended} before {'them' if not which or len(missed) > 1 else 'it'}."
