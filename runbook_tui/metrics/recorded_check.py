"""Measured checks in practice: judged as the night's were, on the readings the night journaled while it checked.

Nothing is measured in a practice run, and before this no check was made at all: a step whose `expect.metric` failed
on the night passed in practice, and a run whose success criteria were not met on the night ended `done`; the trainee
never met what the night met. Now an attempt's `expect.metric` reads the night's readings of the same attempt
(`Recording.check_readings`: from its hosts' end to its `step_finished`), and the check of `metrics.success` before the
end reads those of the night's check before the end (`Recording.success_readings`): the first reading that holds meets
it, as live; none holding fails it, with the last one. Where the record holds no such reading (the night never got
there, or read no metrics), the check cannot be made: its words say so plainly, on the screen and in the journal, and
it counts as met. The night's check after the verify section (`when: verify`), which decides nothing, is played back
at the point of the run it came at, as the night's readings are (engine/practice.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from runbook_tui.engine import events as ev
from runbook_tui.engine.controller import SYSTEM, Controller
from runbook_tui.engine.ports import StopSignal
from runbook_tui.engine.recording import Recording
from runbook_tui.engine.step_stop import running_now
from runbook_tui.metrics.guards import check_words, format_value, holds
from runbook_tui.runbook.durations import format_duration
from runbook_tui.runbook.model import MetricCheck
from runbook_tui.runbook.plan import check_json


def verdict(check: MetricCheck, unit: str, readings: Sequence[float | None] | None, what: str) -> tuple[bool, float | None, str]:
    """(met, the deciding reading, words) of `check` on the night's `readings`; `what` names the check where it cannot
    be made (no reading)."""
    text = check_words(check, unit)
    if not readings:
        return True, None, f"[practice] {what} {text}: cannot be checked in practice, the record holds no reading the night's check took here; it counts as met"
    met = next((value for value in readings if holds(check, value)), None)
    if met is not None:
        return True, met, f"{text}: met ({format_value(met, unit, (check.below, check.above))}, the night's reading)"
    last = readings[-1]
    if last is None:
        return False, None, f"{text}: no value to check: the night's reading had none"
    waited = f" after {format_duration(check.within_seconds)}" if check.within_seconds else ""
    return False, last, f"{text}: NOT met{waited} (the night's last reading {format_value(last, unit, (check.below, check.above))})"


class RecordedChecks:
    """The practice controller's `metric_judge` (expect.metric) and `before_finish` (metrics.success)."""

    def __init__(self, controller: Controller, recording: Recording) -> None:
        self.controller = controller
        self.recording = recording
        metrics = controller.runbook.metrics
        self.units = {panel.id: panel.unit for panel in metrics.panels} if metrics is not None else {}
        self.success = metrics.success if metrics is not None else ()
        controller.metric_judge = self.judge
        if self.success:
            controller.before_finish = self.check_success

    def _attempt_readings(self, step: str | None, panel: str) -> list[float | None]:
        """The night's readings of `panel` during its check of this attempt (its last one, for more than it made)."""
        attempts = self.recording.check_readings.get(step or "")
        if step is None or not attempts:
            return []
        readings = attempts[min(self.controller.state.steps[step].attempts, len(attempts)) - 1]
        return [value for name, value in readings or () if name == panel]

    async def judge(self, check: MetricCheck) -> tuple[bool, str]:
        running = running_now(self.controller.state)
        step = running[0] if running else None
        readings = self._attempt_readings(step, check.panel)
        met, _value, words = verdict(check, self.units.get(check.panel, ""), readings, "expect.metric")
        if not readings:
            self.controller.emit(ev.NOTE, SYSTEM, step=step, text=words)
        return met, words

    async def check_success(self, _stop: StopSignal) -> None:
        """The check before the end: journaled as the metrics layer journals it, each criterion decided at once (no wait
        for a stop to end)."""
        criteria = [{**check_json(check), "text": check_words(check, self.units.get(check.panel, ""))} for check in self.success]
        now = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        self.controller.emit(ev.SUCCESS_CHECK_STARTED, SYSTEM, when="end", criteria=criteria, until=now)
        for check, criterion in zip(self.success, criteria):
            readings = self.recording.success_readings.get(("end", criterion["text"]))
            met, value, words = verdict(check, self.units.get(check.panel, ""), readings, "the success criterion")
            self.controller.emit(ev.SUCCESS_CHECKED, SYSTEM, criterion=criterion, met=met, value=value, when="end", words=words)
