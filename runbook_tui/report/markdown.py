"""The change report as Markdown: headings and tables a reviewer reads in a merge request or a wiki.

Every piece of journal text is escaped (`<script>` in a command's output
stays text in any Markdown renderer); commands and output go in fenced
blocks whose fence is longer than any backtick run inside them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from runbook_tui.engine.history_model import Attempt, Participant, Rollback, TailLine
from runbook_tui.engine.left_out import left_out_words
from runbook_tui.report import text as t
from runbook_tui.report.host_rows import host_rows
from runbook_tui.report.model import Panel, Report, Step
from runbook_tui.report.signatures import UNCHECKED_WORDS
from runbook_tui.report.timeline_days import timeline_lines
from runbook_tui.runbook import lazy_re

_SPECIAL = lazy_re.compile(r"([\\`*_\[\]<>|&#~!$])")
_BULLET = lazy_re.compile(r"^()([-+=])")  # a line of text must not become a list item or a heading underline
_NUMBERED = lazy_re.compile(r"^(\d+)([.)])")


def esc(value: object) -> str:
    """Inline text: Markdown and HTML punctuation escaped, on one line (for table cells and headings)."""
    return _SPECIAL.sub(r"\\\1", " ".join(str(value).splitlines()))  # \r, \u2028 too: a table row stays one line


def para(value: object) -> str:
    """Multi-line text as a paragraph: escaped, line starts that would make a list defused, hard line breaks kept."""
    lines = [_NUMBERED.sub(r"\1\\\2", _BULLET.sub(r"\1\\\2", _SPECIAL.sub(r"\\\1", line.lstrip()))) for line in str(value).splitlines() or [""]]
    return "\\\n".join(lines)


def code(value: object, *, cell: bool = True) -> str:
    """An inline code span that holds any text. In a table `cell`, pipes are escaped (the table takes the backslash
    away); outside one a code span keeps backslashes, so they are not (a captured `a|b` read `a\\|b`)."""
    body = " ".join(str(value).splitlines())
    ticks = "`" * (max((len(run) for run in re.findall(r"`+", body)), default=0) + 1)
    pad = " " if body.startswith("`") or body.endswith("`") else ""
    span = f"{ticks}{pad}{body}{pad}{ticks}"
    return span.replace("|", "\\|") if cell else span


def block(body: str, info: str = "") -> list[str]:
    """A fenced code block: the text exactly as it is, whatever it holds."""
    fence = "`" * max(3, max((len(run) for run in re.findall(r"`{3,}", body)), default=0) + 1)
    return [f"{fence}{info}", *body.rstrip("\n").split("\n"), fence]


def table(head: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """A GitHub table; cells must be escaped already."""
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(" --- " for _ in head) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def render(report: Report) -> str:
    sections = (_header, _steps, _skipped, _rollbacks, _guards, _metrics, _notes, _pauses_and_errors, _outreach, _reviews, _signatures, _timeline)
    with t.days_from(report.session.started_at):
        out = [line for section in sections for line in section(report)]
    return "\n".join(out).rstrip("\n") + "\n"


# -- sections ---------------------------------------------------------------------------


def _header(report: Report) -> list[str]:
    s, ticket, integrity = report.session, report.ticket, report.integrity
    title = f"Change report: {esc(s.title)}"
    verdict = "passes" if integrity.verified else "FAILS: " + "; ".join(integrity.problems)
    out = [f"# {title}", "", esc(t.day_words(report)), ""]  # before the first time (it came in Steps, after the Record's)
    if not integrity.verified:
        out += [f"> **Warning:** `journal verify` {esc(verdict)}. This report covers the {integrity.events} whole events before the break.", ""]
    if t.mode_warning(s.mode):
        out += [f"> **{esc(t.mode_warning(s.mode))}**", ""]
    if t.unknown_warning(report):
        out += [f"> **Warning:** {esc(t.unknown_warning(report))}", ""]
    if report.unverified:
        out += [f"> **{len(report.unverified)} step(s) UNVERIFIED:** {esc(', '.join(report.unverified))}", ""]
    for why in report.banner_policy:  # the settings' policy, no signature's: `journal verify` fails it with or without allowed signers
        out += [f"> **NOT trusted: `journal verify` fails it:** {esc(why)}", ""]
    if failing := report.banner_signatures:  # (before: only a FAILS deep in the Signatures table; the Journal row said passes)
        shown = "; ".join(r.failure for r in failing)
        out += [f"> **Signatures FAIL ({len(failing)}), `journal verify --allowed-signers` fails:** {esc(shown)}", ""]
    out += ["## Summary", ""] + table(["What", "Result"], _summary(report)) + ["", "## Record", ""]
    rows = [
        ("Ticket", esc(f"{ticket.id}: {ticket.subject}".rstrip(": ")) if ticket.id else "**NO TICKET**: this run was not tied to an approved change"),
        ("Risk", esc(f"{ticket.risk_level.upper()}: {ticket.risk_summary}".rstrip(": ")) if ticket.risk_level else t.NONE),
        ("Mitigations", esc("; ".join(ticket.mitigations)) or t.NONE),
        ("Runbook", f"{code(s.runbook)} ({esc(s.file)}, {code(s.digest)})"),
        ("Parameters", esc(t.params(report))),
        ("Mode", esc(s.mode)),
        ("Assignee", esc(t.assignee(report))),
        ("Approved window", esc(t.window_record(report.window)) or t.NONE),
    ]
    if s.resumed_at:
        rows.append(("Resumed", esc(t.resumes(report))))
    if s.shared_at:
        rows.append(("Shared at", f"{esc(s.shared_at)}, host key {code(s.share_fingerprint or t.NONE)}"))
    if s.handovers:
        rows.append(("Verifier handovers", esc(", ".join(f"{h.previous} → {h.to} at {t.clock(h.at)}" for h in s.handovers))))
    if s.share_connections:
        rows.append(("Share connections", esc(t.share_connections(s.share_connections))))
    if s.participants:
        rows.append(("Participants", esc(", ".join(f"{p.name} ({p.role}) {t.clock(p.joined_at)}{_until(p)}" for p in s.participants))))
    rows.append(
        (
            "Journal",
            f"{esc(report.source)}: {integrity.events} events, `journal verify` {esc(verdict if not integrity.verified else report.journal_verdict)}; final hash {code(integrity.final_hash)}",
        )
    )
    out += table(["", "Record"], rows)
    if ticket.description:
        out += ["", "**Description**", "", para(ticket.description.rstrip())]
    if ticket.success_criteria:
        out += ["", "**Success criteria**", ""] + [f"- {esc(c)}" for c in ticket.success_criteria]
    return out + [""]


def _until(p: Participant) -> str:
    """When a participant left: a time, `end`, or, joined when the process died, not a leave (the HTML's words too)."""
    if p.gone_with_process:
        return f" until the program stopped (after {t.clock(p.left_at)})"
    return f"–{t.clock(p.left_at) if p.left_at else 'end'}"


def _summary(report: Report) -> list[tuple[str, str]]:
    """What a change board reads first: outcome, window, verifier(s), steps, guard trips, success criteria."""
    return [
        ("**Outcome**", f"**{esc(t.outcome_line(report))}**" + esc(t.finished_words(report))),
        *([("**Still applied**", esc(applied))] if (applied := t.still_applied(report)) else []),
        ("**Window**", esc(t.window_summary(report))),
        ("**Verifier**", esc(t.verifier(report))),
        ("**Steps**", esc(t.summary_counts(report))),
        ("**Guard trips**", esc(t.guard_summary(report))),
        ("**Success criteria**", esc(t.success_summary(report))),
        *([("**Rollback requests declined**", esc(declined))] if (declined := t.declined_summary(report)) else []),
    ]


def _steps(report: Report) -> list[str]:
    rows = [
        (str(s.number), _named(s) + (" (checkpoint)" if s.checkpoint else ""), esc(s.section_title or s.section),
         esc(", ".join(s.hosts)), esc(t.step_outcome(s)), f"**{esc(t.confirmed(s))}**" if s.unverified else esc(t.confirmed(s)), t.duration(s.duration_seconds))
        for s in report.steps
    ]  # fmt: skip
    out = ["## Steps", ""] + table(["#", "Step", "Section", "Hosts", "Outcome", "Confirmed by", "Duration"], rows) + [""]
    for step in report.steps:
        out += _step(step)
    return out


def _step(step: Step) -> list[str]:
    mark = " — UNVERIFIED" if step.unverified else ""
    out = [f"### {step.number}. {_named(step)}{mark}", ""]
    facts = [f"{esc(step.section_kind)} section {esc(step.section_title or step.section)}", f"on {esc(', '.join(step.hosts))}", f"verify {esc(step.verify)}"]
    if step.checkpoint:
        facts.append("checkpoint")
    facts += [f"waves: {esc(step.wave_plan)}"] if step.wave_plan else []
    out += ["; ".join(facts) + ".", ""]
    if step.text:
        out += [para(step.text), ""]
    for label, groups in (("Command", step.command_groups()), ("Undo", step.undo_groups())):
        for hosts, command in groups:
            where = f" on {esc(', '.join(hosts))}" if len(groups) > 1 else ""
            out += [f"{label}{where}:", ""] + block(command, "sh") + [""]
    if not step.attempts and step.outcome != "skipped":
        out += ["Not run.", ""]
    for entry in step.history:
        out += [f"- {esc(t.history_line(step, entry))}"]
        if entry.kind == "attempt" and entry.attempt is not None:
            out += _attempt(step, step.attempt(entry.attempt))
    if step.history:
        out += [""]
    if step.answer is not None:
        out += [f"- answer: {esc(step.answer) or '(empty)'}"]
    out += [f"- captured {esc(name)}: {code(value, cell=False) if value else '(empty)'}" for name, value in step.captured.items()]
    if step.answer is not None or step.captured:
        out += [""]
    return out


def _named(step: Step) -> str:
    """`id: title`, or the id alone for a step whose title is empty (it read `empty: ` with a trailing blank)."""
    return f"{esc(step.id)}: {esc(step.title)}" if step.title.strip() else esc(step.id)


def _attempt(step: Step, attempt: Attempt) -> list[str]:
    """An attempt's problems, the command as it ran when it differs, hosts and output, under its history line."""
    out: list[str] = []
    out += [f"  - check met: {esc(c)}" for c in attempt.checks_met]
    out += [f"  - failed within max_fail: {esc(p)}" for p in attempt.tolerated]  # the step went on
    out += [f"  - {esc(left_out_words(attempt.left_out))}"] if attempt.left_out else []  # not run there: an earlier step failed
    out += [f"  - problem: {esc(p)}" for p in attempt.problems]
    out += [f"  - a try failed: {esc(r)}" for r in attempt.retries]  # the host ran it again within this attempt
    if attempt.commands and attempt.commands != step.commands:
        groups = attempt.command_groups()
        for hosts, command in groups:
            where = f" on {esc(', '.join(hosts))}" if len(groups) > 1 else ""
            out += ["", f"  Ran{where}:", ""] + ["  " + line for line in block(command, "sh")]
    if rows := host_rows(attempt, step.fanned_out):
        out += [""] + ["  " + line for line in table(["Host", "Status", "Exit / error"], ([esc(cell) for cell in row] for row in rows))]
    if attempt.output_tail:
        out += ["", f"  {t.output_label(attempt, step.fanned_out)}", ""] + ["  " + line for line in block(_output(attempt.output_tail, step.fanned_out))]
    return out + [""] if out else out


def _output(lines: Sequence[TailLine], with_host: bool) -> str:
    return "\n".join((f"{line.host} " if with_host else "") + ("! " if line.stream == "stderr" else "| ") + line.text for line in lines)


def _skipped(report: Report) -> list[str]:
    if not report.skipped:
        return []
    rows = []
    for step in report.skipped:
        decision = next((d for d in reversed(step.decisions) if d.kind == "skipped"), None)
        rows.append(
            (
                f"{step.number}. {esc(step.id)}",
                esc(t.who(decision.by if decision else None)),
                t.clock(decision.at if decision else None),
                esc(step.reason or t.NONE),
            )
        )
    return ["## Skipped steps", ""] + table(["Step", "By", "At", "Reason"], rows) + [""]


def _rollbacks(report: Report) -> list[str]:
    if not report.rollbacks:
        return []
    out = ["## Rollbacks", ""]
    for rollback in report.rollbacks:
        out += _rollback(report, rollback)
    return out


def _rollback(report: Report, rollback: Rollback) -> list[str]:
    out = [f"### {esc(t.rollback_title(rollback))}", ""]
    facts = [
        f"Started by {esc(t.who(rollback.started_by))} at {t.clock(rollback.started_at)}" + (f": {esc(rollback.reason)}" if rollback.reason else ""),
        f"Result: **{esc(t.rollback_result(rollback))}**"
        + (f" at {t.clock(rollback.finished_at)} ({t.duration(rollback.duration_seconds)})" if rollback.finished_at else ""),
    ]
    if rollback.requested_by:
        facts.insert(
            0,
            f"Requested by {esc(rollback.requested_by)}{t.at_clock(rollback.requested_at)}"
            + (f": {esc(rollback.requested_reason)}" if rollback.requested_reason else ""),
        )
    if rollback.acknowledged:
        facts.append("Steps without an undo were acknowledged before it started")
    out += [f"- {fact}" for fact in facts] + [""]
    if rollback.undo:
        rows = [(str(i), esc(u.step), esc(u.host), esc(t.host_result(u)), esc(t.undo_status(u.status)), esc(t.exit_text(u)))
                for i, u in enumerate(rollback.undo, 1)]  # fmt: skip
        out += ["Undo list, in the order planned (newest first):", ""]
        out += table(["#", "Step", "Host", "Result on host", "Undo", "Exit / error"], rows) + [""]
        script = "\n".join(
            f"# {i}. {u.step} on {u.host}\n{u.command if u.command is not None else '# (no undo: acknowledged)'}" for i, u in enumerate(rollback.undo, 1)
        )
        out += block(script, "sh") + [""]
        for i, undo in enumerate(rollback.undo, 1):
            if undo.output_tail:
                out += (
                    [f"Output of undo {i} ({esc(undo.step)} on {esc(undo.host)}, {t.undo_output_count(undo)}):", ""]
                    + block(_output(undo.output_tail, False))
                    + [""]
                )
    else:
        out += ["Nothing to undo.", ""]
    if then := t.rollback_steps_words(report, rollback):
        out += [esc(then), ""]
    return out


def _guards(report: Report) -> list[str]:
    if not report.guard_trips:
        return []
    rows = [(t.clock(g.at), esc(g.panel), esc(g.words), esc(g.action or t.NONE), esc(g.step or t.NONE)) for g in report.guard_trips]
    return ["## Guard trips", ""] + table(["At", "Panel", "What", "Action", "At step"], rows) + [""]


def _metrics(report: Report) -> list[str]:
    out: list[str] = []
    if report.panels:
        rows = [(f"{esc(p.title)} ({esc(p.id)})", _v(p, p.before), _v(p, p.after), _v(p, p.min), _v(p, p.max), _line(p, p.warn), _line(p, p.critical),
                 t.samples(p), str(p.trips))
                for p in report.panels]  # fmt: skip
        head = ["Panel", "Before", "After (last)", "Min", "Max", "Warn", "Critical", "Samples", "Guard trips"]
        out += ["## Metrics", ""] + table(head, rows) + [""]
        out += [f"- {esc(p.id)}: before is the {esc(p.before_basis)}" for p in report.panels if p.before_basis] + [""]
    if report.success:
        checks = [(esc(c.when), esc(c.criterion), f"**{t.success_result(c)}**" if c.met is not True else t.success_result(c), esc(c.words), t.clock(c.at))
                for c in report.success]  # fmt: skip
        out += ["## Success criteria, measured", ""] + table(["When", "Criterion", "Result", "Details", "At"], checks) + [""]
    return out


def _v(panel: Panel, number: float | None) -> str:
    return esc(t.value(number, panel.unit, (panel.warn, panel.critical)))


def _line(panel: Panel, number: float | None) -> str:
    return esc(t.threshold(number, panel.unit, panel.direction))


def _signatures(report: Report) -> list[str]:
    if not report.signatures:
        return []
    rows = [
        (str(r.line or ""), esc(r.what), esc(f"signed by {r.by}" if r.key else r.by or t.NONE), code(r.key) if r.key else t.NONE, esc(r.words))
        for r in report.signatures
    ]
    used = report.allowed_signers.words(lambda text: code(text, cell=False), esc) if report.allowed_signers is not None else esc(UNCHECKED_WORDS)
    return ["## Signatures", "", f"{used}.", ""] + table(["Line", "Decision", "Signer", "Key", "Verified"], rows) + [""]


def _notes(report: Report) -> list[str]:
    if not report.notes:
        return []
    rows = [(t.clock(n.at), esc(t.who(n.by)), esc(n.step or t.NONE), esc(n.text)) for n in report.notes]
    return ["## Notes", ""] + table(["At", "By", "Step", "Note"], rows) + [""]


def _pauses_and_errors(report: Report) -> list[str]:
    out: list[str] = []
    if report.pauses:
        rows = [(t.clock(p.at), esc(t.who(p.by)), esc(t.pause_reason(p)), esc(t.pause_end(p))) for p in report.pauses]
        out += ["## Pauses", ""] + table(["At", "By", "Reason", "Went on"], rows) + [""]
    if report.errors:
        rows = [(t.clock(e.at), esc(e.step or t.NONE), esc(e.host or t.NONE), esc(e.message) + (" (transient)" if e.transient else "")) for e in report.errors]
        out += ["## Errors", ""] + table(["At", "Step", "Host", "Message"], rows) + [""]
    return out


def _outreach(report: Report) -> list[str]:
    """Who was told (notifications) and which alerts were silenced, as journaled."""
    out: list[str] = []
    if report.notifications:
        rows = [(t.clock(n.at), esc(n.about), esc(n.target), esc(t.notification_result(n))) for n in report.notifications]
        out += ["## Notifications", ""] + table(["At", "About", "Target", "Result"], rows) + [""]
    if report.silences:
        silences = [
            (t.clock(s.at), code(s.id) if s.id else t.NONE, esc(", ".join(s.matchers) or t.NONE), esc(s.alertmanager), esc(t.silence_status(s)))
            for s in report.silences
        ]
        out += ["## Alertmanager silences", ""] + table(["At", "Silence", "Matchers", "Alertmanager", "What became of it"], silences) + [""]
    return out


def _reviews(report: Report) -> list[str]:
    if not report.reviews:
        return []
    out = ["## Post-change review", ""]
    for review in report.reviews:
        out += [f"By {esc(review.by)} at {t.when(review.at)}.", ""]
        for label, body in (("What went as planned", review.planned), ("What surprised", review.surprised), ("What to change", review.change)):
            out += [f"**{label}**", "", para(body) if body.strip() else t.NONE, ""]
    return out


def _timeline(report: Report) -> list[str]:
    body = "\n".join(timeline_lines(report.timeline, report.session.started_at))
    return ["## Timeline", "", "Every event but output and metric samples, as `exec` prints them (UTC):", ""] + block(body) + [""]
