"""The rendered plan: every step, where it runs, its command and undo, as people and machines read it.

Commands are shown per host where they differ. Text that depends on a
capture, on `host` (shown once for several hosts) or on `now` says so in
words (`⟨captured.replica: from step 'pick'⟩`, `⟨host.name⟩`, `⟨now⟩`: see
`plan_words`), never as `{{`; secrets always show as `***`.
"""

from __future__ import annotations

from typing import Any

from runbook_tui.runbook.durations import timeout_words, written_duration
from runbook_tui.runbook.model import MetricCheck, Runbook, Step, Text
from runbook_tui.runbook.params import yaml_value
from runbook_tui.runbook.plan_words import PlanWords
from runbook_tui.runbook.safe_text import command_lines, visible, visible_line


def _per_host(words: PlanWords, step: Step, text: Text | None) -> dict[str, str] | None:
    if text is None:
        return None
    return {host.name: words.text(text, host) for host in words.runbook.targets(step)}


def _once(words: PlanWords, step: Step, text: Text) -> str:
    """A text shown once for the step (title, note, env, cwd, ...): `⟨host.name⟩` where its hosts differ."""
    return words.text(text, hosts=words.runbook.targets(step))


def check_json(check: MetricCheck) -> dict[str, Any]:
    """A criterion as the plan and the journal record it: {panel, below|above, within?}."""
    result: dict[str, Any] = {"panel": check.panel}
    if check.below is not None:
        result["below"] = check.below
    if check.above is not None:
        result["above"] = check.above
    if check.within_seconds is not None:
        result["within"] = check.within_seconds
    return result


def _expect_json(words: PlanWords, step: Step) -> dict[str, Any]:
    expect = step.expect
    return {
        "exit": list(expect.exit),
        "stdout": None if expect.stdout is None else _once(words, step, expect.stdout),
        "metric": None if expect.metric is None else check_json(expect.metric),
    }


def step_json(runbook: Runbook, step: Step, words: PlanWords | None = None) -> dict[str, Any]:
    """One step of `plan --json` (`words`: the runbook's, made once for a whole plan)."""
    words = PlanWords(runbook) if words is None else words
    hosts = runbook.targets(step)
    commands = _per_host(words, step, step.body) if step.kind == "run" else None
    undo = _per_host(words, step, step.undo)
    return {
        "id": step.id,
        "title": words.title(step),
        "section": step.section_id,
        "kind": step.kind,
        "on": step.on,
        "hosts": [{"name": h.name, "address": h.address, "port": h.port, "user": h.user, "via": h.via.name if h.via else None, "path": h.path} for h in hosts],
        "run": commands,
        "note": _once(words, step, step.body) if step.kind == "note" and step.body else None,
        "ask": _once(words, step, step.body) if step.kind == "ask" and step.body else None,
        "wait": step.wait_seconds,
        "watch": list(step.watch),
        "undo": undo,
        "checkpoint": step.checkpoint,
        "verify": step.verify,
        "confirm": None if step.confirm is None else _once(words, step, step.confirm),
        "expect": _expect_json(words, step),
        "timeout": step.timeout_seconds,
        "retries": step.retries,
        "retry_delay": step.retry_delay_seconds,
        "capture": step.capture,
        "sudo": step.sudo,
        "cwd": None if step.cwd is None else _once(words, step, step.cwd),
        "env": {name: _once(words, step, value) for name, value in step.env},
        "serial": list(step.serial),
        "max_fail": step.max_fail,
    }


def plan_json(runbook: Runbook) -> dict[str, Any]:
    """The whole plan for machines: stable keys, secrets masked, no `{{` (`plan_words`)."""
    words = PlanWords(runbook)
    return {
        "runbook": runbook.id,
        "format": runbook.version,
        "title": _now_words(words, runbook.title_template, runbook.title),
        "file": runbook.file,
        "digest": runbook.digest,
        "ticket": None if runbook.ticket is None else runbook.ticket.as_context(),
        "params": dict(runbook.param_values),
        "hosts": {group: [h.name for h in hosts] for group, hosts in runbook.hosts},
        "secrets": sorted(s.name for s in runbook.secrets),
        "panels": [p.id for p in runbook.metrics.panels] if runbook.metrics else [],
        "sections": [
            {
                "id": section.id,
                "title": _now_words(words, section.title_template, section.title),
                "kind": section.kind,
                "steps": [step_json(runbook, step, words) for step in section.steps],
            }
            for section in runbook.sections
        ],
    }


def metrics_json(runbook: Runbook) -> dict[str, Any]:
    """`plan --json`'s keys for the metrics beyond `panels` (the ids, kept as they were): each panel with its thresholds
    and guard (the keys the journal's panels have, metrics.guards.panel_json), and the measured success criteria. Kept out of `plan_json`, which an approval binds (an approval made
    before stays valid; the runbook's digest binds these values already)."""
    metrics = runbook.metrics
    words = PlanWords(runbook)
    return {
        "panel_details": [
            {
                "id": p.id,
                "title": p.title,
                "query": words.text(p.query),
                "unit": p.unit,
                "warn": p.warn,
                "critical": p.critical,
                "direction": p.direction,
                "for": p.for_seconds,
                "on_critical": p.on_critical,
                "on_no_data": p.on_no_data,
                "guarded": p.critical is not None,  # without `critical` nothing trips: on_critical and on_no_data never act
            }
            for p in (metrics.panels if metrics else ())
        ],
        "success_checks": [check_json(c) for c in metrics.success] if metrics else [],
    }


def _now_words(words: PlanWords, template: str | None, title: str) -> str:
    """The runbook's or a section's title: its template in words when it reads `now` (see `PlanWords.text`)."""
    return title if template is None else words.source(template)


# -- the plan for people ------------------------------------------------------------


def format_plan(runbook: Runbook) -> str:
    """The plan as an SRE reads it the evening before: what runs where, what undoes it. Runbook strings are hostile:
    their control characters are shown (`␛`), never sent to the reviewer's terminal (`plan`, `approve`)."""
    one = visible_line  # a field of one line: a newline in it is shown (`⏎`), so it cannot draw a line of the plan
    words = PlanWords(runbook)
    lines = [f"{one(_now_words(words, runbook.title_template, runbook.title))}  [{runbook.id}]", f"  file {one(runbook.file)}  {runbook.digest[:19]}"]
    lines += _ticket_lines(runbook)
    if runbook.param_values:
        lines.append("  params: " + ", ".join(f"{k}={one(yaml_value(v))}" for k, v in runbook.param_values))
    number = 0
    for section in runbook.sections:
        lines.append("")
        lines.append(f"== {one(_now_words(words, section.title_template, section.title))}  ({section.kind}, {section.id})")
        for step in section.steps:
            number += 1
            lines += _step_lines(words, step, number)
    return visible("\n".join(lines) + "\n")


def _ticket_lines(runbook: Runbook) -> list[str]:
    ticket = runbook.ticket
    if ticket is None:
        return ["  NO TICKET: this run is not tied to an approved change"]
    lines = [f"  ticket {ticket.id}: {ticket.subject}".rstrip(": ")]
    if ticket.risk:
        lines.append(f"  risk {ticket.risk.level.upper()}: {ticket.risk.summary}".rstrip(": "))
    if ticket.window_start:
        lines.append(f"  window {ticket.window_start} -> {ticket.window_end}")
    lines.append(f"  assignee {ticket.assignee or '?'}, verifier {ticket.verifier or '?'}")
    return [visible_line(line) for line in lines]


def _step_lines(words: PlanWords, step: Step, number: int) -> list[str]:
    hosts = words.runbook.targets(step)
    where = "local" if step.on == "local" else f"{step.on} ({', '.join(h.path for h in hosts)})"
    flags = [f"verify {step.verify}"]
    if step.checkpoint:
        flags.insert(0, "CHECKPOINT")
    if step.sudo:
        flags.append("sudo")
    if step.timeout_seconds is not None:
        flags.append(timeout_words(step.timeout_seconds, step.undo))
    if step.retries:
        flags.append(f"retries {step.retries}")
    if step.serial:
        flags.append("serial " + ", ".join(str(s) for s in step.serial))
    if step.max_fail:
        flags.append(f"max_fail {step.max_fail}")
    if step.watch and step.kind != "wait":  # (a wait says it on its own line)
        flags.append("watching " + ", ".join(step.watch))
    lines = [f"  {number:>3}. {step.id}: {visible_line(words.title(step))}", visible_line(f"       on {where}; " + "; ".join(flags))]
    if step.cwd is not None:
        lines.append(f"       in: {visible_line(_once(words, step, step.cwd))}")
    lines += [f"       env: {name}={visible_line(_once(words, step, value))}" for name, value in step.env]
    if step.kind == "wait":
        watch = f", watching {', '.join(step.watch)}" if step.watch else ""
        lines.append(f"       wait {written_duration(step.wait_seconds or 0)}{watch}")
    elif step.body is not None:
        lines += _per_host_lines(words, step, step.body, step.kind)
    if step.confirm is not None:
        lines.append(f"       confirm: {visible_line(_once(words, step, step.confirm))}")
    if step.kind == "run":
        lines.append("       expect: " + _expect_text(words, step))
    if step.undo is not None:
        lines += _per_host_lines(words, step, step.undo, "undo")
    elif step.kind in ("run", "note"):
        lines.append("       undo: (none)")
    if step.capture:  # on a group, one host's stdout is kept: the plan says whose (the spec's example captures on one)
        later = "; if it fails within max_fail, of the next that succeeds" if step.max_fail else ""  # engine/host_result.py
        whose = f" (stdout of {hosts[0].name}, the first of its {len(hosts)} hosts{later})" if step.kind == "run" and len(hosts) > 1 else ""
        lines.append(visible_line(f"       capture -> captured.{step.capture}{whose}"))
    return lines


def _per_host_lines(words: PlanWords, step: Step, text: Text, label: str) -> list[str]:
    if step.kind in ("note", "ask") and text is step.body:
        return command_lines(f"       {label}: ", _once(words, step, text), sanitise=False)  # one text, on the first host
    rendered = {host: command if command.strip() else EMPTY_WORDS[label] for host, command in (_per_host(words, step, text) or {}).items()}
    distinct = set(rendered.values())
    if len(distinct) <= 1:
        return command_lines(f"       {label}: ", next(iter(distinct), None) or words.text(text), sanitise=False)  # `format_plan` sanitises
    return [line for host, command in rendered.items() for line in command_lines(f"       {label} [{host}]: ", command, sanitise=False)]


#: A command that renders empty (`{% if %}` false for these values, or on that host) in words: `run: ""` is refused,
#: but this one runs nothing and passes, and a bare `run: ` line read as cut off.
EMPTY_WORDS = {"run": "(empty once rendered: nothing runs, and the step passes)", "undo": "(empty once rendered: a rollback runs nothing here)"}


def _expect_text(words: PlanWords, step: Step) -> str:
    expect = step.expect
    parts = ["exit " + " or ".join(str(c) for c in expect.exit)]
    if expect.stdout is not None:
        parts.append(f"stdout /{_once(words, step, expect.stdout)}/")
    if expect.metric is not None:
        check = expect.metric
        side = f"below {check.below:g}" if check.below is not None else f"above {check.above:g}"
        within = f" within {written_duration(check.within_seconds)}" if check.within_seconds is not None else ""  # it waits that long
        parts.append(f"panel {check.panel} {side}{within}")
    return ", ".join(parts)
