"""The text plan's last parts: what a run does besides its steps (`plan`, and `approve` and `rehearse` before asking).

A guard with `on_critical: rollback` rolls the change back on its own, the success criteria decide whether the run ends
done, `alerts:` silences every alert its matchers take from the session's start, and `notify:` posts the run's events
to receivers the runbook names. The text plan said none of these (`plan --format md` had the guards and criteria only).
"""

from __future__ import annotations

from runbook_tui.engine.http_bounded import without_password
from runbook_tui.report.plan_view import build_plan_view
from runbook_tui.runbook.model import Runbook
from runbook_tui.runbook.safe_text import visible_line

UNTIL_WORDS = {"session_end": "expired when the session ends", "window_end": "kept to the change window's end"}


def beyond_steps_lines(runbook: Runbook) -> list[str]:
    """The guards, the success criteria, the silences and the notices, each part only when the runbook has it."""
    view = build_plan_view(runbook)
    lines = []
    if view.guards:
        lines += ["", "== Guards  (watched during the run)", *(f"  {title}: {query}: {rule}" for title, query, rule in view.guards)]
    if view.success:
        lines += ["", "== Success criteria", *(f"  {criterion}" for criterion in view.success)]
    if (alerts := runbook.alerts) is not None and alerts.silences:
        lines += ["", f"== Alertmanager silences  (made as the session starts, at {without_password(alerts.alertmanager)}; {UNTIL_WORDS[alerts.until]})"]
        lines += [f"  {', '.join(map(str, s.matchers))}" + (f"  (comment: {s.comment})" if s.comment else "") for s in alerts.silences]
    if runbook.notify:
        lines += ["", "== Notices  (the run's events, posted besides the settings' receivers)"]
        for target in runbook.notify:
            events = ", ".join(target.events) if target.events else "every event"
            lines.append(f"  {without_password(target.shown_url)}: {events} ({target.format})")
    return [visible_line(line) for line in lines]
