"""The text plan's last parts: what a run does besides its steps (`plan`, and `approve` and `rehearse` before asking).

A guard with `on_critical: rollback` rolls the change back on its own, the success criteria decide whether the run ends
done, `alerts:` silences every alert its matchers take from the session's start, and `notify:` posts the run's events
to receivers the runbook names. The text plan said none of these (`plan --format md` and `html` had the guards and criteria only; they now list the silences and notices too).
"""

from __future__ import annotations

from runbook_tui.report.plan_view import build_plan_view
from runbook_tui.runbook.model import Runbook
from runbook_tui.runbook.safe_text import visible_line


def beyond_steps_lines(runbook: Runbook) -> list[str]:
    """The guards, the success criteria, the silences and the notices, each part only when the runbook has it."""
    view = build_plan_view(runbook)
    lines = []
    if view.guards:
        lines += ["", "== Guards  (watched during the run)", *(f"  {title}: {query}: {rule}" for title, query, rule in view.guards)]
    if view.success:
        lines += ["", "== Success criteria", *(f"  {criterion}" for criterion in view.success)]
    if view.silences:
        lines += ["", f"== Alertmanager silences  ({view.silenced})"]
        lines += [f"  {matchers}" + (f"  (comment: {comment})" if comment else "") for matchers, comment in view.silences]
    if view.notices:
        lines += ["", "== Notices  (the run's events, posted besides the settings' receivers)"]
        lines += [f"  {url}: {events} ({shape})" for url, events, shape in view.notices]
    return [visible_line(line) for line in lines]
