"""Events in words: one readable line per event, for `exec`'s stdout and for logs."""

from __future__ import annotations

from typing import Any

from runbook_tui.engine import events as ev
from runbook_tui.engine.events import Event
from runbook_tui.runbook.safe_text import visible_line


def _hosts(results: dict[str, Any]) -> str:
    parts = []
    for host, r in results.items():
        code = r.get("exit_code")
        detail = r.get("status", "?") + (f" exit {code}" if code is not None else "")
        parts.append(f"{host}: {detail}" + (f" ({r['error']})" if r.get("error") else ""))
    return "; ".join(parts)


def _number(value: Any) -> str:
    return "?" if value is None else f"{value:.4g}" if isinstance(value, float) else str(value)


def _visible(value: Any) -> Any:
    """The same structure with every string shown on one line."""
    if isinstance(value, str):
        return visible_line(value)
    if isinstance(value, dict):
        return {visible_line(k) if isinstance(k, str) else k: _visible(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_visible(v) for v in value]
    return value


def describe(event: Event) -> list[str]:
    """The lines `exec` prints for an event (output events print one line per output line).

    Every text in the event (runbook titles, commands, notes, reasons, errors) is shown through
    `visible_line`: an embedded newline or escape sequence can neither forge an event line nor
    drive the terminal.
    """
    if event["type"] == ev.OUTPUT:
        prefix = f"  {visible_line(str(event.get('host')))} {'!' if event.get('stream') == 'stderr' else '|'} "
        return [prefix + visible_line(line) for line in str(event.get("text", "")).splitlines()]
    event = _visible(event)
    kind = event["type"]
    time = str(event.get("ts", ""))[11:19]
    who = event.get("actor", "")
    head = f"{time} {kind:<18}"
    if kind == ev.SESSION_STARTED:
        ticket = (event.get("ticket") or {}).get("id") or "NO TICKET"
        solo = f", solo: {event['solo']}" if event.get("solo") else ""
        planned = event.get("planned_assignee")
        by = f"planned: {planned}, ran by: {who}" if planned and planned != who else f"by {who}"
        return [f"{head} {event.get('runbook')} ({event.get('title')}) {ticket}, mode {event.get('mode')}{solo}, {by}"]
    if kind == ev.STEP_READY:
        lines = [f"{head} {event['step']}: {visible_line(str(event.get('title', '')))}"]
        for label, key in (("run", "commands"), ("undo", "undo")):
            lines += [f"    {label} on {host}: {visible_line(str(command))}" for host, command in (event.get(key) or {}).items()]
        if event.get("text"):
            lines.append(f"    {visible_line(str(event['text']))}")
        return lines
    if kind == ev.CRITERIA_ACCEPTED:
        return [f"{head} by {who}: {'; '.join(event.get('criteria') or [])} NOT met, accepted: {event.get('reason')}"]
    if kind == ev.MODE_CHANGED:
        return [f"{head} by {who}: {event.get('reason')}"]
    if kind == ev.STEP_STARTED:
        return [f"{head} {event['step']} (attempt {event.get('attempt')}) on {', '.join(event.get('hosts', []))}"]
    if kind == ev.STEP_FINISHED:
        problems = "".join(f"\n    problem: {p}" for p in event.get("problems", []))
        unverified = " [unverified]" if event.get("verified") is False else ""
        return [f"{head} {event['step']} {event['status']}{unverified}: {_hosts(event.get('hosts', {}))}{problems}"]
    if kind in (ev.STEP_CONFIRMED, ev.STEP_REJECTED, ev.STEP_SKIPPED, ev.STEP_MARKED_DONE):
        reason = f": {event['reason']}" if event.get("reason") else ""
        phase = f" ({event['phase']})" if event.get("phase") else ""
        return [f"{head} {event['step']}{phase} by {who}{reason}"]
    if kind == ev.WAVE_STARTED:
        return [f"{head} {event['step']} wave {event.get('wave')}/{event.get('of')}: {', '.join(event.get('hosts', []))}"]
    if kind == ev.WAVE_FINISHED:
        failed = f", failed: {', '.join(event['failed'])}" if event.get("failed") else ""
        then = " - rollout STOPPED (failure budget spent)" if event.get("stopped") else " - waiting for the verifier" if event.get("awaiting") else ""
        return [f"{head} {event['step']} wave {event.get('wave')}/{event.get('of')}{failed}{then}"]
    if kind in (ev.WAVE_CONFIRMED, ev.WAVE_REJECTED):
        reason = f": {event['reason']}" if event.get("reason") else ""
        return [f"{head} {event['step']} wave {event.get('wave')} by {who}{reason}"]
    if kind == ev.ROLLBACK_STARTED:
        plan = event.get("plan", {})
        lines = [f"{head} scope {event.get('scope')}, back to {plan.get('checkpoint_step') or 'the start'}"]
        for entry in plan.get("entries", []):
            command = entry.get("command") or "(no undo: acknowledged)"
            lines.append(f"    undo {entry['step_id']} on {entry['host']}: {command}")
        lines += [f"    then rollback step {s}" for s in plan.get("rollback_steps", [])]
        return lines
    if kind == ev.UNDO_STARTED:
        return [f"{head} {event['step']} on {', '.join(event.get('hosts', []))}"]
    if kind == ev.UNDO_FINISHED:
        return [f"{head} {event['step']}: {_hosts(event.get('hosts', {}))}"]
    if kind == ev.ROLLBACK_FINISHED:
        failed = f", failed at {event['failed_step']}" if event.get("failed_step") else ""
        return [f"{head} {'ok' if event.get('ok') else 'NOT COMPLETE'}{failed}"]
    if kind in (ev.NOTE, ev.ERROR):
        step = f"[{event['step']}] " if event.get("step") else ""
        return [f"{head} {step}{event.get('text') or event.get('message')}"]
    if kind == ev.SESSION_FINISHED:
        return [f"{head} outcome {event.get('outcome')}"]
    if kind == ev.METRIC_SAMPLE:
        return []  # every reading is journaled; exec prints trips, checks and failures instead
    if kind == ev.GUARD_TRIPPED:
        words = event.get("words") or f"guard '{event.get('panel')}' tripped at {event.get('value')}"
        return [f"{head} {words} -> {event.get('action')}"]
    if kind == ev.METRICS_STARTED:
        source = event.get("source") or {}
        panels = ", ".join(p.get("id", "?") for p in event.get("panels", []))
        return [f"{head} {source.get('kind')} {source.get('url')} every {event.get('interval'):g}s: {panels or 'no panels'}"]
    if kind == ev.METRIC_BASELINE:
        if event.get("error"):
            return [f"{head} {event.get('panel')}: no baseline: {event['error']}"]
        return [f"{head} {event.get('panel')}: before {_number(event.get('value'))} ({event.get('basis')})"]
    if kind == ev.SUCCESS_CHECK_STARTED:
        criteria = "; ".join(str(c.get("text")) for c in event.get("criteria", []))
        return [f"{head} ({event.get('when')}) {criteria}"]
    if kind == ev.SUCCESS_CHECKED:
        return [f"{head} ({event.get('when')}) {event.get('words')}"]
    if kind in (ev.NOTIFIED, ev.NOTIFY_FAILED):
        result = f"HTTP {event.get('status')}" if kind == ev.NOTIFIED else f"FAILED: {event.get('error')}"
        return [f"{head} {event.get('event')} to {event.get('target')}: {result} (attempts {event.get('attempts')})"]
    if kind in (ev.SILENCE_CREATED, ev.SILENCE_EXPIRED, ev.SILENCE_KEPT, ev.SILENCE_FAILED):
        matchers = ", ".join(event.get("matchers") or [])
        detail = {ev.SILENCE_CREATED: f"{matchers} until {event.get('ends_at')}", ev.SILENCE_KEPT: f"until {event.get('until')}"}.get(kind, "")
        failure = f"could not {event.get('action')}: {event.get('error')}" if kind == ev.SILENCE_FAILED else ""
        return [f"{head} {event.get('id') or matchers} at {event.get('alertmanager')} {detail or failure}".rstrip()]
    if kind in (ev.DECISION_SIGNED, ev.SEAL, ev.PLAN_APPROVED):
        found = event.get("statement")
        said: dict[str, Any] = found if isinstance(found, dict) else {}
        about = {
            ev.DECISION_SIGNED: f"{said.get('action')} {said.get('step') or ''} (line {_number(event.get('decision'))})",
            ev.SEAL: f"line {_number(said.get('seq'))}",
        }
        return [f"{head} {about.get(kind, 'plan ' + str(said.get('plan'))[:16])} by {said.get('by')} with {event.get('key')}"]
    rest = {k: v for k, v in event.items() if k not in ("seq", "ts", "type", "actor", "prev", "hash")}
    return [f"{head} " + ", ".join(f"{k}={v}" for k, v in rest.items())]
