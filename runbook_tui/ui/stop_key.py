"""`k` on the assignee's run screen: stop the step that runs now (or end the wait of the success criteria's check
before the end), after saying exactly what that does.

The dialog names the step, where it still runs, what `y` does, and its command (and its undo: a stopped change is
often rolled back next); `y` sends the controller's `stop_step` (engine/step_stop.py), which journals the stop before any signal.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from rich.console import Group
from rich.text import Text

from runbook_tui.engine.actors import Actor, Reply
from runbook_tui.engine.ports import KILL_GRACE_SECONDS
from runbook_tui.engine.state import RunState
from runbook_tui.engine.state_model import HostState
from runbook_tui.engine.step_stop import running_now
from runbook_tui.runbook.durations import format_duration
from runbook_tui.runbook.safe_text import visible, visible_line
from runbook_tui.ui.host_name import HostWords
from runbook_tui.ui.step_whole import runs_and_undo
from runbook_tui.ui.widgets import step_as_shown

if TYPE_CHECKING:
    from textual.app import App

    from runbook_tui.engine.controller import Controller

#: Hosts named in the dialog before "and N more".
NAMED_HOSTS = 6
#: What `y` does when `k` ends the wait of the check of `metrics.success` before the end.
FINAL_CHECK_STOP = (
    "y writes the stop to the journal with your name and ends the wait now: the criteria not met by then count as "
    "NOT met. Then you decide: a accepts them with a reason, u rolls back."
)

#: What `y` does when `k`, between steps, ends the wait of the check a verify section began.
VERIFY_CHECK_STOP = (
    "y writes the stop to the journal with your name and ends the wait now: the criteria not met by then stay not "
    "decided (this check decides nothing; the check before the end does). The run goes on: enter runs the next step."
)


def stop_dialog_body(state: RunState, step_id: str, phase: str = "run", live: tuple[str, Mapping[str, str]] = ("", {})) -> Group:
    """Where the step still runs, what `y` does, then what it runs (and its undo), in that order: `y` acts at once (the
    emergency key asks no reading to the end), so what it does comes before a command that may fill the dialog (at
    80x24 a 300-character command and its undo put it six lines below the edge, `y stop it` pinned in view). `live`:
    the controller's `live_hosts` (no event says that one host ended: the journal has its wave's hosts all `running`
    until the wave ends)."""
    step = state.steps[step_id]
    entry = step_as_shown(state, step_id)
    title = visible_line(str(entry.get("title") or step_id))
    if phase == "undo":
        does = (
            f"y writes the stop to the journal with your name, then sends TERM to the undo's process group wherever it "
            f"still runs, and KILL {KILL_GRACE_SECONDS:g} s later if anything is left. The rollback stands stopped at "
            f"'{visible_line(step_id)}', as after a failed undo: what it undid already stays undone, and u tries again from this undo."
        )
        return Group(Text(visible(f"The rollback is undoing '{title}'.")), Text(""), Text(does), Text(""), runs_and_undo(entry))
    if entry.get("wait"):
        return Group(Text(f"'{title}' is waiting."), Text(""), Text("y ends the wait now; the step ends as failed, with your name."))
    said = f"'{title}' {_where(step.hosts, live[1] if live[0] == step_id else None)}."
    does = (
        f"y writes the stop to the journal with your name, then sends TERM to the command's process group wherever it "
        f"still runs, and KILL {KILL_GRACE_SECONDS:g} s later if anything is left. "
        + ("Hosts not started are not started, and no retry follows. " if len(step.hosts) > 1 else "No retry follows. ")
        + "The step ends as failed; what the command changed already stays changed. Then you decide: enter runs it "
        "again, u rolls back, s skips it."
    )
    return Group(HostWords(said), Text(""), Text(does), Text(""), runs_and_undo(entry))


def criteria_now(state: RunState, when: str = "end") -> Text:
    """Each criterion the check (`when`: before the end, or a verify section's) waits for, against the panel's newest
    reading taken since the check began: `✗ p99 below 250 ms within 10m: now 262 ms, NOT met`. A reading from before
    is no reading of this check (it counts only those taken after it began): `?`, with that reading and how old it
    was. Before, the newest reading decided the mark whenever it was taken, and the dialog read `✓ met` for a
    criterion the check had not yet found met: `y` then counted it NOT met."""
    from runbook_tui.metrics.guards import format_value
    from runbook_tui.metrics.panel_view import parse_ts

    units = {str(p.get("id")): str(p.get("unit") or "") for p in state.metrics.get("panels") or ()}
    lines = Text()
    for criterion in (c for c in state.checking_now if c.get("when", "end") == when):
        panel = str(criterion.get("panel"))
        unit = visible_line(units.get(panel, ""))
        started = _time(str(criterion.get("started")), parse_ts)
        samples = list(state.samples.get(panel, ()))
        infinite = {"the value is +Inf": math.inf, "the value is -Inf": -math.inf}.get(str(state.metric_errors.get(panel) or "")[:17])
        if samples and samples[-1][1] is None and infinite is not None:  # the newest reading is an infinity: a reading, as for the guards
            samples[-1] = (samples[-1][0], infinite)
        readings = [(_time(str(ts), parse_ts), v) for ts, v in samples if v is not None]
        fresh = next((v for at, v in reversed(readings) if started is None or (at is not None and at > started)), None)
        line = criterion.get("below") if criterion.get("below") is not None else criterion.get("above")
        if fresh is None or line is None:
            mark, now = "?", "no reading yet: counts as NOT met"
            # Past the kept readings (a long outage left none of them a value), the last value the fold keeps.
            kept = state.metric_last.get(panel)
            last = readings[-1] if readings else (_time(kept[0], parse_ts), kept[1]) if kept else None
            if last is not None and started is not None and line is not None:
                at, value = last
                before = f", {format_duration(max(started - at, 1))} before it" if at is not None else ""
                now = f"not read since the check began (last {format_value(value, unit, (line,))}{before}): counts as NOT met"
        else:
            met = fresh < float(line) if criterion.get("below") is not None else fresh > float(line)  # strictly, as `guards.holds`
            mark = "✓" if met else "✗"
            now = f"now {format_value(fresh, unit, (float(line),))}, {'met' if met else 'NOT met'}"
        lines.append(f"{mark} {visible_line(str(criterion.get('text') or panel))}: {now}\n", style="bold" if mark != "✓" else "")
    lines.rstrip()
    return lines


def _time(text: str, parse: Callable[[str], float]) -> float | None:
    """A journal's time as Unix time; None when it is not one (a journal is hostile)."""
    try:
        return parse(text)
    except ValueError:
        return None


def _where(hosts: Mapping[str, HostState], live: Mapping[str, str] | None) -> str:
    """`is running on 1 host (web07); 19 have ended`, `...; 5 more have not started` (waiting for their wave or a slot).
    Without `live` (another process ran it), as the journal has it: a host runs until its end is journaled
    (`host_finished`, or its wave's end); the journal cannot say which of them wait for a slot."""
    begun = [h for h, hs in hosts.items() if hs.status == "running"]
    running = begun if live is None else [h for h in begun if live.get(h) == "running"]
    ended_live = 0 if live is None else sum(1 for h in begun if live.get(h) == "ended")
    waiting = sum(1 for hs in hosts.values() if hs.status == "pending") + len(begun) - len(running) - ended_live
    ended = ended_live + sum(1 for hs in hosts.values() if hs.status in ("done", "failed", "timed_out", "unknown"))  # journaled
    names = [visible_line(h) for h in running]
    named = ", ".join(names[:NAMED_HOSTS]) + (f" and {len(names) - NAMED_HOSTS} more" if len(names) > NAMED_HOSTS else "")
    where = f"is running on {named}" if len(running) == 1 else f"is running on {len(running)} hosts ({named})" if running else "runs on no host now"
    where += f"; {ended} {'has' if ended == 1 else 'have'} ended" if ended else ""
    return where + (f"; {waiting} more {'has' if waiting == 1 else 'have'} not started" if waiting else "")


def ask_to_stop(app: App[object], controller: Controller, actor: Actor, say: Callable[[Reply], None]) -> None:
    """`k`: the dialog first; `y` stops the step. Pressed when nothing can be stopped, the controller's refusal says why (`say`
    shows refusals)."""
    from runbook_tui.ui.modals import ConfirmPrompt  # dialogs load when first opened

    running = running_now(controller.state)
    if running is None and "stop" in controller.allowed_intents():  # the success criteria's check waits: before the end, or a verify section's
        final = controller.final_check_stoppable()
        title = "End the check of the success criteria now?" if final else "End the verify section's check of the success criteria now?"
        body = Group(criteria_now(controller.state, "end" if final else "verify"), Text(""), Text(FINAL_CHECK_STOP if final else VERIFY_CHECK_STOP))
        app.push_screen(ConfirmPrompt(title, body, "end it"), lambda yes: say(controller.stop_step(actor)) if yes else None)
        return
    if running is None or "stop" not in controller.allowed_intents():
        say(controller.stop_step(actor))
        return
    step, phase = running
    title = f"Stop the rollback at '{visible_line(step)}' now?" if phase == "undo" else f"Stop '{visible_line(step)}' now?"
    app.push_screen(
        ConfirmPrompt(title, stop_dialog_body(controller.state, step, phase, controller.live_hosts), "stop it"),
        lambda yes: say(controller.stop_step(actor, running)) if yes else None,  # the step named, or nothing
    )
