"""`plan --format md`: the plan for review as Markdown, to attach to a change ticket.

Every runbook string is escaped (no raw HTML reaches a renderer; a `|` or a
newline cannot break a table); commands go in fenced blocks whose fence is
longer than any backtick run inside them.
"""

from __future__ import annotations

from runbook_tui.report.markdown import block, code, esc, para, table
from runbook_tui.report.plan_view import PerHost, PlanView, StepView


def render_plan_md(view: PlanView) -> str:
    lines = [f"# Change plan: {esc(view.title)}", ""]
    lines += [f"Runbook {code(view.id)} from {code(view.file)} ({code(view.digest)}). Nothing has run yet: this is what will run, in order.", ""]
    lines += _ticket(view)
    lines += _success(view)
    if view.params:
        lines += ["## Parameters", "", *table(["name", "value", "what"], ([code(n), code(v), esc(d)] for n, v, d in view.params)), ""]
    if view.hosts:
        lines += ["## Hosts", "", *table(["group", "host", "address", "user"], ([esc(g), esc(h), code(a), esc(u)] for g, h, a, u in view.hosts)), ""]
    if view.guards:
        lines += ["## Guards (watched during the run)", ""]
        lines += [*table(["panel", "query", "when it trips"], ([esc(t), code(q), esc(r)] for t, q, r in view.guards)), ""]
    if view.silences:
        lines += ["## Alertmanager silences", "", esc(view.silenced[:1].upper() + view.silenced[1:]) + ".", ""]
        lines += [*table(["matchers", "comment"], ([code(m), esc(c)] for m, c in view.silences)), ""]
    if view.notices:
        lines += ["## Notices (the run's events, posted besides the settings' receivers)", ""]
        lines += [*table(["receiver", "events", "format"], ([code(u), esc(e), esc(f)] for u, e, f in view.notices)), ""]
    lines += _overview(view)
    for section in view.sections:
        lines += [f"## {esc(section.title)}", ""]
        if not section.heading.lower().startswith(section.title.lower()):
            lines += [f"*{esc(section.heading)}*", ""]
        for step in section.steps:
            lines += _step(step)
    lines += _rollback(view)
    return "\n".join(lines).rstrip("\n") + "\n"


def _ticket(view: PlanView) -> list[str]:
    ticket = view.ticket
    if ticket is None:
        return ["> **No ticket:** this runbook is not tied to an approved change.", ""]
    risk = ticket["risk"]
    window = ticket["window"]
    rows = [
        ["Ticket", esc(ticket["id"])],
        ["Subject", esc(ticket["subject"])],
        ["Window", esc(f"{window['start']} to {window['end']}") if window["start"] else "not set"],
        ["Assignee", esc(ticket["assignee"] or "not set")],
        ["Verifier", esc(ticket["verifier"] or "not set")],
        ["Risk", f"**{esc(risk['level'].upper())}**: {esc(risk['summary'])}" if risk else "not assessed"],
    ]
    lines = ["## The change", "", *table(["", ""], rows), ""]
    if ticket["description"]:
        lines += [para(ticket["description"]), ""]
    if risk and risk["mitigations"]:
        lines += ["Mitigations:", "", *(f"- {esc(m)}" for m in risk["mitigations"]), ""]
    return lines


def _success(view: PlanView) -> list[str]:
    if not view.success:
        return []
    return ["## Success criteria", "", *(f"- {esc(s)}" for s in view.success), ""]


def _overview(view: PlanView) -> list[str]:
    rows = []
    for section in view.sections:
        for step in section.steps:
            undo = "yes" if step.undo else ("**none**" if step.mutating else "n/a")
            rows.append(
                [
                    str(step.number),
                    esc(section.title),
                    f"{esc(step.title)} ({code(step.id)})",
                    esc(step.where),
                    undo,
                    "**checkpoint**" if step.checkpoint else "",
                ]
            )
    return ["## Steps at a glance", "", *table(["#", "section", "step", "where", "undo", ""], rows), ""]


def _commands(label: str, commands: list[PerHost]) -> list[str]:
    lines: list[str] = []
    for command in commands:
        on = f" on {esc(command.host)}" if command.host else ""
        lines += [f"{label}{on}:", "", *block(command.text, "sh"), ""]
    return lines


def _step(step: StepView) -> list[str]:
    mark = " (checkpoint)" if step.checkpoint else ""
    lines = [f"### {step.number}. {esc(step.title)}{mark}", ""]
    facts = [f"id {code(step.id)}"]
    if step.where:
        facts.append(esc(step.where))
    facts.append(esc(step.verify))
    lines += ["; ".join(facts), ""]
    if step.confirm:
        lines += [f"> **Must be acknowledged before it runs:** {esc(step.confirm)}", ""]
    if step.kind == "run":
        lines += _commands("Runs", step.body)
    elif step.kind == "wait":
        lines += [f"Waits {esc(step.body[0].text)}.", ""]
    else:
        quoted = para(step.body[0].text).replace("\n", "\n> ")
        lines += [f"{esc(step.action)}:", "", f"> {quoted}", ""]
    if step.checks:
        lines += ["Succeeds when: " + "; ".join(esc(c) for c in step.checks) + ".", ""]
    if step.details:
        lines += ["Also: " + "; ".join(esc(d) for d in step.details) + ".", ""]
    if step.undo:
        lines += _commands("Undo", step.undo)
    elif step.mutating:
        lines += ["**No undo:** a rollback lists this step to be acknowledged, and cannot reverse it.", ""]
    return lines


def _rollback(view: PlanView) -> list[str]:
    lines = ["## If it goes wrong", ""]
    if view.checkpoints:
        points = ", ".join(f"{s.number}. {esc(s.title)}" for s in view.checkpoints)
        lines += [f"Checkpoints: {points}. A rollback to a checkpoint runs, newest first, the undo of every step after the last checkpoint reached.", ""]
    else:
        lines += ["No checkpoint: a rollback goes back to the start.", ""]
    lines += [esc(view.full_rollback), ""]
    if view.without_undo:
        lines += ["Steps that change something and have no undo:", "", *(f"- step {s.number}: {esc(s.title)} ({code(s.id)})" for s in view.without_undo), ""]
    return lines
