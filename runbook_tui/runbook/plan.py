"""The rendered plan: every step, where it runs, its command and undo, as people and machines read it.

Commands are shown per host where they differ. Text that depends on a
capture is shown as its template (the value exists only once the earlier
step ran), and so is text that reads `now`; secrets always show as `***`.
"""

from __future__ import annotations

from typing import Any

from runbook_tui.runbook.durations import format_duration
from runbook_tui.runbook.model import Expect, Host, MetricCheck, Runbook, Step, Text
from runbook_tui.runbook.params import yaml_value
from runbook_tui.runbook.safe_text import command_lines, visible, visible_line
from runbook_tui.runbook.templating import Raw, TemplateError, context_for, render_text


class _NotYetCaptured(dict[str, Raw]):
    """Captures before the run: each renders as its own template, unquoted, so a plan shows where it goes."""

    def __missing__(self, name: str) -> Raw:
        return Raw(f"{{{{ captured.{name} }}}}")


def preview(runbook: Runbook, text: Text, host: Host | None = None) -> str:
    """What `text` will be on `host`, as far as it is known before the run. Text reading `now` is shown as its
    template: the time is the run's, and an approval of a plan holding the time it was rendered was never met."""
    if "now" in text.uses:
        return text.source
    if text.value is not None:
        return text.value
    context = context_for(runbook, host=host)
    context["captured"] = _NotYetCaptured()
    try:
        return render_text(text, context)
    except TemplateError:
        return text.source


def _title(step: Step) -> str:
    """A step's title as a plan shows it: its template when it reads `now` (see `preview`)."""
    return step.title_text.source if step.title_text is not None and "now" in step.title_text.uses else step.title


def _per_host(runbook: Runbook, step: Step, text: Text | None) -> dict[str, str] | None:
    if text is None:
        return None
    return {host.name: preview(runbook, text, host) for host in runbook.targets(step)}


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


def _expect_json(runbook: Runbook, expect: Expect) -> dict[str, Any]:
    return {
        "exit": list(expect.exit),
        "stdout": None if expect.stdout is None else preview(runbook, expect.stdout),
        "metric": None if expect.metric is None else check_json(expect.metric),
    }


def step_json(runbook: Runbook, step: Step) -> dict[str, Any]:
    """One step of `plan --json`."""
    hosts = runbook.targets(step)
    commands = _per_host(runbook, step, step.body) if step.kind == "run" else None
    undo = _per_host(runbook, step, step.undo)
    return {
        "id": step.id,
        "title": _title(step),
        "section": step.section_id,
        "kind": step.kind,
        "on": step.on,
        "hosts": [{"name": h.name, "address": h.address, "port": h.port, "user": h.user, "via": h.via.name if h.via else None, "path": h.path} for h in hosts],
        "run": commands,
        "note": preview(runbook, step.body) if step.kind == "note" and step.body else None,
        "ask": preview(runbook, step.body) if step.kind == "ask" and step.body else None,
        "wait": step.wait_seconds,
        "watch": list(step.watch),
        "undo": undo,
        "checkpoint": step.checkpoint,
        "verify": step.verify,
        "confirm": None if step.confirm is None else preview(runbook, step.confirm),
        "expect": _expect_json(runbook, step.expect),
        "timeout": step.timeout_seconds,
        "retries": step.retries,
        "retry_delay": step.retry_delay_seconds,
        "capture": step.capture,
        "sudo": step.sudo,
        "cwd": None if step.cwd is None else preview(runbook, step.cwd),
        "env": {name: preview(runbook, value) for name, value in step.env},
        "serial": list(step.serial),
        "max_fail": step.max_fail,
    }


def plan_json(runbook: Runbook) -> dict[str, Any]:
    """The whole plan for machines: stable keys, secrets masked."""
    return {
        "runbook": runbook.id,
        "format": runbook.version,
        "title": runbook.title_template or runbook.title,
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
                "title": section.title_template or section.title,
                "kind": section.kind,
                "steps": [step_json(runbook, step) for step in section.steps],
            }
            for section in runbook.sections
        ],
    }


# -- the plan for people ------------------------------------------------------------


def format_plan(runbook: Runbook) -> str:
    """The plan as an SRE reads it the evening before: what runs where, what undoes it. Runbook strings are hostile:
    their control characters are shown (`␛`), never sent to the reviewer's terminal (`plan`, `approve`)."""
    one = visible_line  # a field of one line: a newline in it is shown (`⏎`), so it cannot draw a line of the plan
    lines = [f"{one(runbook.title_template or runbook.title)}  [{runbook.id}]", f"  file {one(runbook.file)}  {runbook.digest[:19]}"]
    lines += _ticket_lines(runbook)
    if runbook.param_values:
        lines.append("  params: " + ", ".join(f"{k}={one(yaml_value(v))}" for k, v in runbook.param_values))
    number = 0
    for section in runbook.sections:
        lines.append("")
        lines.append(f"== {one(section.title_template or section.title)}  ({section.kind}, {section.id})")
        for step in section.steps:
            number += 1
            lines += _step_lines(runbook, step, number)
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


def _step_lines(runbook: Runbook, step: Step, number: int) -> list[str]:
    hosts = runbook.targets(step)
    where = "local" if step.on == "local" else f"{step.on} ({', '.join(h.path for h in hosts)})"
    flags = [f"verify {step.verify}"]
    if step.checkpoint:
        flags.insert(0, "CHECKPOINT")
    if step.sudo:
        flags.append("sudo")
    if step.timeout_seconds is not None:
        flags.append(f"timeout {format_duration(step.timeout_seconds)}")
    if step.retries:
        flags.append(f"retries {step.retries}")
    if step.serial:
        flags.append("serial " + ", ".join(str(s) for s in step.serial))
    if step.max_fail:
        flags.append(f"max_fail {step.max_fail}")
    lines = [f"  {number:>3}. {step.id}: {visible_line(_title(step))}", visible_line(f"       on {where}; " + "; ".join(flags))]
    if step.cwd is not None:
        lines.append(f"       in: {visible_line(preview(runbook, step.cwd))}")
    lines += [f"       env: {name}={visible_line(preview(runbook, value))}" for name, value in step.env]
    if step.kind == "wait":
        watch = f", watching {', '.join(step.watch)}" if step.watch else ""
        lines.append(f"       wait {format_duration(step.wait_seconds or 0)}{watch}")
    elif step.body is not None:
        lines += _per_host_lines(runbook, step, step.body, step.kind)
    if step.confirm is not None:
        lines.append(f"       confirm: {visible_line(preview(runbook, step.confirm))}")
    if step.kind == "run":
        lines.append("       expect: " + _expect_text(runbook, step.expect))
    if step.undo is not None:
        lines += _per_host_lines(runbook, step, step.undo, "undo")
    elif step.kind in ("run", "note"):
        lines.append("       undo: (none)")
    if step.capture:
        lines.append(f"       capture -> captured.{step.capture}")
    return lines


def _per_host_lines(runbook: Runbook, step: Step, text: Text, label: str) -> list[str]:
    rendered = _per_host(runbook, step, text) or {}
    distinct = set(rendered.values())
    if len(distinct) <= 1:
        return command_lines(f"       {label}: ", next(iter(distinct), text.source), sanitise=False)  # `format_plan` sanitises
    return [line for host, command in rendered.items() for line in command_lines(f"       {label} [{host}]: ", command, sanitise=False)]


def _expect_text(runbook: Runbook, expect: Expect) -> str:
    parts = ["exit " + " or ".join(str(c) for c in expect.exit)]
    if expect.stdout is not None:
        parts.append(f"stdout /{preview(runbook, expect.stdout)}/")
    if expect.metric is not None:
        check = expect.metric
        side = f"below {check.below:g}" if check.below is not None else f"above {check.above:g}"
        parts.append(f"panel {check.panel} {side}")
    return ", ".join(parts)
