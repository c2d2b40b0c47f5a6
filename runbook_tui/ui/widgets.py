"""The run screen's parts. Each renders a piece of `RunState`; none of them decides anything."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.widgets import DataTable, Static

from runbook_tui.engine.state import RunState
from runbook_tui.runbook.durations import format_duration
from runbook_tui.ui.glyphs import colour, status_text

RISK_TONE = {"low": "success", "medium": "warning", "high": "error", "critical": "error"}
#: Minutes before the window closes when the countdown turns amber, then red.
AMBER_MINUTES = 30
RED_MINUTES = 10


def window_left(state: RunState, now: dt.datetime) -> dt.timedelta | None:
    window = (state.session.get("ticket") or {}).get("window") or {}
    end = window.get("end")
    if not end:
        return None
    return dt.datetime.fromisoformat(end) - now


def countdown_tone(left: dt.timedelta) -> str:
    minutes = left.total_seconds() / 60
    if minutes <= RED_MINUTES:
        return "error"
    if minutes <= AMBER_MINUTES:
        return "warning"
    return "success"


def _clock(delta: dt.timedelta) -> str:
    seconds = int(abs(delta.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}h{rest // 60:02d}m" if hours else f"{rest // 60}m{rest % 60:02d}s"


class RunHeader(Static):
    """Ticket, title, risk, who is who, the mode, and the countdown to the end of the window."""

    def show(self, state: RunState, now: dt.datetime, connected: Mapping[str, str]) -> None:
        theme = self.app.current_theme
        session = state.session
        ticket = session.get("ticket") or {}
        line1 = Text()
        line1.append(f" {ticket.get('id') or 'NO TICKET'} ", style=f"bold reverse {colour(theme, 'error' if not ticket else 'primary')}")
        line1.append(f"  {session.get('title', '')}", style="bold")
        risk = (ticket.get("risk") or {}).get("level")
        if risk:
            line1.append("   RISK ")
            line1.append(risk.upper(), style=f"bold {colour(theme, RISK_TONE.get(risk, 'warning'))}")
        mode = str(session.get("mode", "live"))
        if mode != "live":
            line1.append(f"   {mode.upper()}: NOTHING IS EXECUTED " if mode in ("dry-run", "practice") else f"   {mode.upper()} ", style=f"bold reverse {colour(theme, 'warning')}")
        line2 = Text()
        line2.append(f" assignee {session.get('assignee') or '?'}")
        if session.get("solo"):
            line2.append(f"   SOLO ({session['solo']}): steps are recorded unverified", style=colour(theme, "warning"))
        else:
            joined = [name for name, role in connected.items() if role == "verifier"]
            verifier = session.get("verifier") or (", ".join(joined) if joined else "?")
            online = bool(joined)
            line2.append(f"   verifier {verifier} ")
            line2.append("connected" if online else "not connected", style=colour(theme, "success" if online else "warning"))
        if state.checkpoint:
            line2.append(f"   ⚑ last checkpoint: {state.checkpoint}", style=colour(theme, "secondary"))
        left = window_left(state, now)
        if left is not None:
            tone = countdown_tone(left)
            words = f"window closes in {_clock(left)}" if left.total_seconds() > 0 else f"WINDOW CLOSED {_clock(left)} ago"
            line2.append(f"   {words}", style=f"bold {colour(theme, tone)}")
        elif not ticket:
            line2.append("   no change window", style=colour(theme, "warning"))
        if state.silences:  # last: the countdown matters more; Alertmanager silences made for this change (journal: silence_created)
            line2.append(f"   🔕 {len(state.silences)} alert silence{'s' if len(state.silences) > 1 else ''}", style=colour(theme, "secondary"))
        self.update(Group(line1, line2))


class StepTable(DataTable[Any]):
    """Every step with its status; the current one is highlighted."""

    def on_mount(self) -> None:
        self.cursor_type = "row"
        # Fixed widths: the list must fit its pane (no sideways scrolling at 2 AM); long titles are cut.
        self.add_column("", key="status", width=2)
        self.add_column("step", key="step", width=24)
        self.add_column("section", key="section", width=9)

    def show(self, state: RunState) -> None:
        theme = self.app.current_theme
        plan = state.plan_steps
        ids = list(state.order) + list(state.rollback_order)
        if self.row_count != len(ids):
            self.clear()
            rollback = set(state.rollback_order)
            for sid in ids:
                entry = plan.get(sid, {})
                title = Text(("⚑ " if entry.get("checkpoint") else "") + (entry.get("title") or sid), no_wrap=True, overflow="ellipsis")
                section = Text(("↩ " if sid in rollback else "") + str(entry.get("section", "")), no_wrap=True, overflow="ellipsis")
                if sid in rollback:
                    title.stylize(colour(theme, "muted"))
                    section.stylize(colour(theme, "muted"))
                self.add_row(status_text("pending", theme, with_label=False), title, section, key=sid)
        for sid in ids:
            self.update_cell(sid, "status", status_text(state.steps[sid].status, theme, with_label=False))
        current = state.current
        if current is not None:
            row = self.get_row_index(current)
            if self.cursor_row != row:
                self.move_cursor(row=row)


class StepDetail(Static):
    """The current step: what it runs, where, its undo and how it is verified; per-host results."""

    def show(self, state: RunState, step_id: str | None, preview: Mapping[str, Any] | None = None) -> None:
        """`preview`: the step rendered with the captures known now (the assignee's controller has it)."""
        theme = self.app.current_theme
        if step_id is None:
            words = f"Session finished: {state.outcome}." if state.outcome else "Every step is done."
            self.update(Text(words, style="bold"))
            return
        entry = state.plan_steps.get(step_id, {})
        step = state.steps[step_id]
        title = Text()
        title.append(f"{entry.get('title', step_id)}", style="bold")
        title.append(f"  [{step_id}]  ")
        title.append_text(status_text(step.status, theme))
        hosts = [h.get("path") or h["name"] for h in entry.get("hosts", [])]  # `db1 via bastion1`
        verify = "unverified (solo)" if state.solo else f"verify {entry.get('verify')}"
        facts = [f"on {entry.get('on')}" + (f" ({', '.join(hosts)})" if entry.get("on") != "local" else ""), verify]
        if entry.get("checkpoint"):
            facts.insert(0, "CHECKPOINT")
        if entry.get("timeout"):
            facts.append(f"timeout {format_duration(entry['timeout'])}")
        if entry.get("serial"):
            facts.append("serial " + ", ".join(str(s) for s in entry["serial"]))
        lines: list[Text | Table] = [title, Text("  ·  ".join(facts), style=colour(theme, "muted"))]
        if preview:
            entry = {**entry, **preview}  # captures filled in as far as they are known
        if step.commands:
            entry = {**entry, "run": dict(step.commands)}  # as it ran
        lines += self._body(entry)
        if step.problems:
            for problem in step.problems:
                lines.append(Text(f"✗ {problem}", style=f"bold {colour(theme, 'error')}"))
        if step.reason:
            lines.append(Text(f"reason: {step.reason}", style=colour(theme, "warning")))
        if step.wave_awaiting is not None:
            lines.append(Text(f"wave {step.wave_awaiting} of {len(step.waves)}+ done: the next waits for the verifier", style=colour(theme, "warning")))
        if len(step.hosts) > 1 or any(h.error for h in step.hosts.values()):
            lines.append(self._hosts(step, theme))
        self.update(Group(*lines))

    def _body(self, entry: Mapping[str, Any]) -> list[Text]:
        lines: list[Text] = []
        kind = entry.get("kind")
        if kind == "run":
            commands = entry.get("run") or {}
            distinct = set(commands.values())
            if len(distinct) == 1:
                lines.append(Text("run:  " + distinct.pop()))
            else:
                lines += [Text(f"run [{host}]:  {cmd}") for host, cmd in commands.items()]
        elif kind == "wait":
            lines.append(Text(f"wait {format_duration(entry.get('wait') or 0)}"))
        elif kind in ("note", "ask"):
            lines.append(Text(f"{kind}:  {entry.get(kind)}"))
        undo = entry.get("undo")
        if undo:
            values = set(undo.values())
            lines.append(Text("undo: " + (values.pop() if len(values) == 1 else "; ".join(f"[{h}] {c}" for h, c in undo.items()))))
        elif kind in ("run", "note"):
            lines.append(Text("undo: (none)"))
        if entry.get("confirm"):
            lines.append(Text(f"confirm: {entry['confirm']}", style="bold"))
        return lines

    def _hosts(self, step: Any, theme: Any) -> Table:
        table = Table.grid(padding=(0, 2))
        waves = step.waves or (tuple(step.hosts),)  # serial: each wave's hosts as a group
        for number, wave in enumerate(waves, 1):
            if len(step.waves) > 1:
                table.add_row(Text(f"wave {number}", style="bold"), "", "", "")
            for host in wave:
                result = step.hosts.get(host)
                if result is not None:
                    code = "" if result.exit_code is None else f"exit {result.exit_code}"
                    table.add_row(host, status_text(result.status, theme), code, result.error or "")
        return table


class Banner(Static):
    """What needs attention now, in one line: waiting, paused, failed, a request from the verifier."""

    def show(self, state: RunState, hints: bool = True) -> None:
        """`hints`: add what the assignee's keys do about it (not on the verifier's or a replay's screen)."""
        text, tone = banner_for(state)
        if not hints:
            text = text.split(" — ")[0]
        self.set_class(bool(text), "visible")
        self.update(Text(text, style=f"bold {colour(self.app.current_theme, tone)}"))


def banner_for(state: RunState) -> tuple[str, str]:
    """The most important thing to say about the run right now, and its tone."""
    if state.finished:
        tone = "success" if state.outcome == "done" else "error"
        return f"Session finished: {state.outcome}. The journal has everything; q quits.", tone
    if state.rollback is not None and not state.rollback.finished:
        return f"Rolling back ({state.rollback.scope}): {state.rollback.running_step or 'starting'}…", "warning"
    if state.rollback is not None and state.rollback.finished and not state.rollback.ok:
        return f"ROLLBACK STOPPED at {state.rollback.failed_step}: fix by hand, then u to try again", "error"
    current_status = state.steps[state.current].status if state.current else None
    if state.rollback is not None and state.rollback.ok and current_status == "undone":
        back_to = state.rollback.plan.get("checkpoint_step") or "the start"
        return f"Rolled back to {back_to}. '{state.current}' is next again — enter runs it, q stops here", "warning"
    if state.rollback_requested:
        return f"ROLLBACK REQUESTED: {state.rollback_requested} — u shows the undo list", "error"
    if state.hold_requested:
        return f"HOLD: {state.hold_requested} — p pauses", "warning"
    if state.paused:
        return f"PAUSED: {state.pause_reason} — p resumes", "warning"
    current = state.current
    if current is None:
        return "", "success"
    step = state.steps[current]
    if step.status == "awaiting_verification":
        return f"Waiting for the verifier to confirm '{current}'", "warning"
    if step.wave_awaiting is not None:
        return f"Wave {step.wave_awaiting} of '{current}' done: waiting for the verifier to confirm it before the next wave", "warning"
    if step.status in ("failed", "timed_out"):
        return f"'{current}' FAILED — enter re-runs it, u rolls back to the last checkpoint, s skips (with a reason)", "error"
    if step.status == "rejected":
        return f"'{current}' REJECTED by the verifier: {step.reason} — enter re-runs, u rolls back", "error"
    if step.status == "unknown":
        return f"'{current}' outcome UNKNOWN (the program stopped while it ran) — enter re-runs, d marks it done, u rolls back", "warning"
    return "", "accent"
