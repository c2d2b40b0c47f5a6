"""Runbook text as people see it: rendered with the values known now, secrets masked.

The one place that turns a step's templates into the words shown on the
assignee's and the verifier's screens, in replay and in the report (they
all read it from the journal's `step_ready` / `step_started` events). How a
value is passed to the shell may differ from how it is shown; this shows
the human-readable command.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from runbook_tui.runbook.model import Host, Runbook, Text
from runbook_tui.runbook.templating import context_for, render_text


def display_text(runbook: Runbook, text: Text, *, host: Host | None = None, captured: Mapping[str, str] | None = None, now: dt.datetime | None = None) -> str:
    """`text` rendered for people (secrets as `***`); raises TemplateError naming what is missing."""
    return render_text(text, context_for(runbook, host=host, captured=captured, now=now))
