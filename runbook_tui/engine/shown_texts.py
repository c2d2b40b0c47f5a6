"""A step's texts as people read them: rendered with what the run knows now (secrets `***`), the rest in words.

A capture not known yet reads `⟨captured.backup: from step 'backup', not run yet⟩` (`engine.pending_captures`).
A text shown once for a step on several hosts (its title, note, confirm, env) that uses `host` reads as it
renders when that is the same on every host; otherwise `host` is said in words, `⟨host.name⟩`, as the plan
says it. Until session 22 such a title named the first host only (`Restart nginx on web1` for a step that
runs on web1..web3) and a confirm was shown as its template (`Restart {{ host.name }} now?`) at run time.

What runs is always rendered from the real values per host (`runner._command`), never from this.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from runbook_tui.engine.dry_run import unknown_in_a_dry_run
from runbook_tui.engine.pending_captures import pending_captures
from runbook_tui.engine.state import RunState
from runbook_tui.runbook.display import display_text
from runbook_tui.runbook.model import Host, Runbook, Text
from runbook_tui.runbook.plan_words import PlanWords
from runbook_tui.runbook.templating import TemplateError


def shown_text(
    runbook: Runbook, state: RunState, text: Text | None, host: Host | None = None, hosts: Sequence[Host] = (), now: dt.datetime | None = None
) -> str:
    """`text` on `host`, or shown once for `hosts` (a step's text that is not per host), with the step's `now`; where it
    cannot render yet, the template and why."""
    if text is None:
        return ""
    if state.mode == "dry-run" and (unknown := unknown_in_a_dry_run(text.source, state.captured)):
        return f"{text.source}  ({unknown})"
    if host is None and len(hosts) == 1:
        host = hosts[0]
    if host is None and len(hosts) > 1 and "host" in text.uses:
        each = {shown_text(runbook, state, text, one, now=now) for one in hosts}
        if len(each) == 1:
            return each.pop()
        return PlanWords(runbook, captured=state.captured).text(text, hosts=tuple(hosts))
    try:
        return display_text(runbook, text, host=host, captured=state.captured, now=now)
    except TemplateError as exc:
        problem = exc
    pending = pending_captures(runbook, state)  # a capture not known yet: where it comes from, in words
    try:
        shown = pending.shown(display_text(runbook, text, host=host, captured=pending.captured, now=now)) if pending.words else None
    except TemplateError:
        shown = None
    return f"{text.source}  (cannot render yet: {problem})" if shown is None else shown
