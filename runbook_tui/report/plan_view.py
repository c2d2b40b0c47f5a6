"""The plan for review: a runbook as a change board reads it, before it runs.

Both `plan --format md` and `--format html` render this one view, so the two
say the same things in the same order: the ticket and its risk, what "done"
means, the parameters and hosts, the guards, then every step (command,
undo, checks, who confirms), then how it is rolled back.
"""

from __future__ import annotations

from typing import Any

from runbook_tui.engine.host_tally import wave_plan_words
from runbook_tui.engine.http_bounded import without_password
from runbook_tui.runbook.durations import format_duration, timeout_words, written_duration
from runbook_tui.runbook.lean_dataclass import dataclass, field
from runbook_tui.runbook.model import MUTATING_SECTION_KINDS, Runbook
from runbook_tui.runbook.params import yaml_value
from runbook_tui.runbook.plan import step_json
from runbook_tui.runbook.plan_words import PlanWords
from runbook_tui.runbook.safe_text import visible_line

SECTION_WORDS = {
    "precheck": "Pre-checks (nothing changes yet)",
    "backup": "Backup",
    "implement": "The change",
    "verify": "Verification",
    "postcheck": "Post-checks",
    "rollback": "Rollback (runs only if the change is aborted)",
}
VERIFY_WORDS = {
    "after": "the verifier confirms the result",
    "before": "the verifier approves before it starts",
    "both": "the verifier approves before it starts and confirms the result",
    "none": "no confirmation asked (journaled)",
    "per_wave": "the verifier confirms each wave before the next starts, and the last",
}
GUARD_WORDS = {"pause": "pauses the run", "rollback": "rolls back to the last checkpoint", "notify": "notifies"}
ACTION_WORDS = {"run": "Runs", "note": "Manual step", "wait": "Waits", "ask": "Asks"}


@dataclass(frozen=True, slots=True)
class PerHost:
    """A command as it will run: `host` is None when it is the same on every host."""

    host: str | None
    text: str


@dataclass
class StepView:
    number: int
    id: str
    title: str
    section: str
    kind: str
    where: str
    action: str
    body: list[PerHost]
    undo: list[PerHost] | None  # None: no undo
    mutating: bool
    checkpoint: bool
    verify: str
    confirm: str | None
    checks: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)


@dataclass
class SectionView:
    id: str
    title: str
    kind: str
    heading: str
    steps: list[StepView]


@dataclass
class PlanView:
    title: str
    id: str
    file: str
    digest: str
    ticket: dict[str, Any] | None
    params: list[tuple[str, str, str]]  # name, value, description
    hosts: list[tuple[str, str, str, str]]  # group, host, address:port, user
    guards: list[tuple[str, str, str]]  # panel title, query, rule
    success: list[str]
    sections: list[SectionView]
    checkpoints: list[StepView]
    without_undo: list[StepView]
    silenced: str = ""  # where the silences are made and how long they last ("" without any)
    silences: list[tuple[str, str]] = field(default_factory=list)  # matchers, comment
    notices: list[tuple[str, str, str]] = field(default_factory=list)  # receiver (query values ***), events, format

    @property
    def full_rollback(self) -> str:
        """What aborting the whole change runs, after the undos: the rollback sections' steps, by name, or nothing."""
        steps = [s for section in self.sections if section.kind == "rollback" for s in section.steps]
        if not steps:
            return "Aborting the whole change runs the undo of every completed step, newest first (this runbook has no rollback section)."
        named = ", ".join(f"{s.number}. {s.title}" for s in steps)
        return f"Aborting the whole change runs the undo of every completed step, newest first, then the rollback sections' steps, in order: {named}."


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value)
    return "" if value is None else str(value)


def _param_value(value: Any) -> str:
    """A parameter's value as the text plan writes it (`yaml_value`: a list `["a, b", "c"]`, a newline `⏎`), so the board
    approves what runs; an empty string as YAML writes it, `""`."""
    return '""' if value == "" else visible_line(yaml_value(value))


def _per_host(values: dict[str, str] | None) -> list[PerHost] | None:
    if values is None:
        return None
    if len(set(values.values())) <= 1:
        return [PerHost(None, next(iter(values.values()), ""))]
    return [PerHost(host, text) for host, text in values.items()]


def _number(value: float) -> str:
    return f"{value:g}"


def _check_words(check: dict[str, Any] | None, unit: dict[str, str]) -> str | None:
    if check is None:
        return None
    side = f"below {_number(check['below'])}" if check.get("below") is not None else f"above {_number(check['above'])}"
    within = f" within {format_duration(check['within'])}" if check.get("within") is not None else ""
    suffix = f" {unit.get(check['panel'], '')}".rstrip()
    return f"panel {check['panel']} {side}{suffix}{within}"


def _step(runbook: Runbook, number: int, section_kind: str, data: dict[str, Any], units: dict[str, str]) -> StepView:
    kind = data["kind"]
    hosts = [h["name"] for h in data["hosts"]]
    where = "this machine (local)" if data["on"] == "local" else f"{data['on']}: {', '.join(hosts)}"
    if kind == "run":
        body = _per_host(data["run"]) or []
    elif kind == "wait":
        body = [PerHost(None, written_duration(data["wait"] or 0))]
    else:
        body = [PerHost(None, data[kind] or "")]
    view = StepView(
        number=number, id=data["id"], title=data["title"], section=data["section"], kind=kind,
        where=where if kind == "run" else "by the assignee" if kind in ("note", "ask") else "",
        action=ACTION_WORDS[kind], body=body, undo=_per_host(data["undo"]),
        mutating=section_kind in MUTATING_SECTION_KINDS and kind in ("run", "note"),
        checkpoint=data["checkpoint"], verify=VERIFY_WORDS[data["verify"]], confirm=data["confirm"],
    )  # fmt: skip
    expect = data["expect"]
    if kind == "run":
        view.checks.append("exit " + " or ".join(str(c) for c in expect["exit"]))
        if expect["stdout"] is not None:
            view.checks.append(f"stdout matches /{expect['stdout']}/")
        metric = _check_words(expect["metric"], units)
        if metric:
            view.checks.append(metric)
    details = view.details
    if data["sudo"]:
        details.append("with sudo")
    if data["timeout"] is not None:
        details.append(timeout_words(data["timeout"], data["undo"]))
    if data["retries"]:
        times = "once" if data["retries"] == 1 else f"{data['retries']} times"
        details.append(f"retried {times}, {written_duration(data['retry_delay'])} apart")
    if kind == "run" and len(hosts) > 1 and (data["serial"] or data["max_fail"]):  # it read `stopping after 0 failed hosts`
        details.append(wave_plan_words(len(hosts), data["serial"], data["max_fail"] or 0))
    if data["cwd"]:
        details.append(f"in {data['cwd']}")
    details += [f"env {name}={value}" for name, value in data["env"].items()]
    if data["watch"]:
        details.append("shows panels " + ", ".join(data["watch"]))
    if data["capture"]:
        later = "; if it fails within max_fail, of the next that succeeds" if data["max_fail"] else ""
        whose = f" (the output of {hosts[0]}, the first of its {len(hosts)} hosts{later})" if kind == "run" and len(hosts) > 1 else ""
        details.append(f"keeps its output as captured.{data['capture']}{whose}")
    if any("⟨captured." in c.text for c in view.body + (view.undo or [])):
        details.append("⟨captured.NAME⟩ is filled in when it runs, from an earlier step's output")
    return view


def build_plan_view(runbook: Runbook) -> PlanView:
    metrics = runbook.metrics
    units = {p.id: p.unit for p in metrics.panels} if metrics else {}
    sections: list[SectionView] = []
    words = PlanWords(runbook)  # made once: where each capture comes from
    number = 0
    for section in runbook.sections:
        steps = []
        for step in section.steps:
            number += 1
            steps.append(_step(runbook, number, section.kind, step_json(runbook, step, words), units))
        sections.append(SectionView(section.id, section.title, section.kind, SECTION_WORDS.get(section.kind, section.kind), steps))
    every = [s for section in sections for s in section.steps]
    declared = {p.name: p for p in runbook.params}
    guards = []
    for panel in metrics.panels if metrics else ():
        if panel.critical is None:
            rule = "shown, no guard" + (f" (warning at {_number(panel.warn)} {panel.unit}".rstrip() + ")" if panel.warn is not None else "")
        else:
            lasting = f" for {format_duration(panel.for_seconds)}" if panel.for_seconds else ""
            rule = f"{panel.direction} {_number(panel.critical)} {panel.unit}".rstrip() + f"{lasting}: {GUARD_WORDS[panel.on_critical]}"
        guards.append((panel.title, panel.query.value or panel.query.source, rule))
    ticket = runbook.ticket.as_context() if runbook.ticket else None
    success = list(ticket["success_criteria"]) if ticket else []
    success += (
        [f"measured: {_check_words({'panel': c.panel, 'below': c.below, 'above': c.above, 'within': c.within_seconds}, units)}" for c in metrics.success]
        if metrics
        else []
    )
    return PlanView(
        title=runbook.title,
        id=runbook.id,
        file=runbook.file,
        digest=runbook.digest,
        ticket=ticket,
        params=[(name, _param_value(value), declared[name].description if name in declared else "") for name, value in runbook.param_values],
        hosts=[(group, h.path, f"{h.address}:{h.port}", h.user or "") for group, hosts in runbook.hosts if group != "local" for h in hosts],
        guards=guards,
        success=success,
        sections=sections,
        checkpoints=[s for s in every if s.checkpoint],
        without_undo=[s for s in every if s.mutating and s.undo is None],
        **_reach(runbook),
    )


#: How long `alerts:` silences last, by `until:`.
UNTIL_WORDS = {"session_end": "expired when the session ends", "window_end": "kept to the change window's end"}


def _reach(runbook: Runbook) -> dict[str, Any]:
    """What the run does outside its hosts: the Alertmanager silences it makes as it starts (every alert their matchers
    take stops paging) and where `notify:` posts its events; no plan said either."""
    alerts = runbook.alerts
    reach: dict[str, Any] = {"notices": [(without_password(t.shown_url), ", ".join(t.events) or "every event", t.format) for t in runbook.notify]}
    if alerts is not None and alerts.silences:
        reach["silenced"] = f"made as the session starts, at {without_password(alerts.alertmanager)}; {UNTIL_WORDS[alerts.until]}"
        reach["silences"] = [(", ".join(map(str, s.matchers)), s.comment) for s in alerts.silences]
    return reach
