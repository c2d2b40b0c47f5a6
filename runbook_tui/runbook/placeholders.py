"""What `runbook-tui new` leaves for the author to fill in: a runbook still carrying it is a draft, not ready to run.

The scaffold (`scaffold.py`) writes a ticket of placeholders (`id: CHG-0000`, `assignee: EDIT-assignee`, `verifier:
EDIT-verifier`, texts starting `EDIT`) and marks the parameters whose default is an example with `(EDIT)` in their
description (`default: [web1, web2]`). Before, such a runbook validated and ran: a change recorded against ticket
CHG-0000 by "EDIT-assignee", confirmed by "EDIT-verifier", on hosts named web1 and web2. Now each placeholder is a
warning at its value saying what to write there: `validate` passes (issue 22: the scaffold "validates as written"), and
every command that starts a run or signs its plan refuses it (`refused_drafts`). Only values are read (a `# EDIT` comment is a hint, not a value), and
only where the scaffold writes them: the ticket and parameter descriptions (a note saying "EDIT /etc/hosts" is prose).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.diagnostics import Collector, Diagnostic, shown
from runbook_tui.runbook.model import Mark
from runbook_tui.runbook.yaml_values import YList, YMap

#: Every message about a placeholder starts so (`new` tells them from other problems and lists them as a to-do).
SAID = "placeholder from `runbook-tui new`"
#: `EDIT`, `EDIT:`, `EDIT-assignee`, `EDIT what ...` at the start of a value, or `(EDIT)` anywhere in it.
_EDIT = lazy_re.compile(r"\AEDIT(?![A-Za-z0-9_])|\(EDIT\)")  # compiled for a value with EDIT in it: a scaffold's
#: Whole values the scaffold writes that carry no EDIT word.
_WHOLE = frozenset({"CHG-0000"})
#: What to write instead, per key of the ticket.
_TICKET_WHAT = {
    "id": "the approved change's id (CHG-2041)",
    "subject": "the change in one line",
    "description": "why this change, its scope and its impact",
    "assignee": "the name of who executes",
    "verifier": "the name of who confirms, another person than the assignee",
    "summary": "what could go wrong, and for whom",
    "mitigations": "what limits the risk",
    "success_criteria": 'what "done" looks like, in words the change board reads',
}


def is_placeholder(value: Any) -> bool:
    return isinstance(value, str) and (value.strip() in _WHOLE or ("EDIT" in value and _EDIT.search(value.strip()) is not None))


def check_placeholders(root: YMap, diags: Collector) -> None:
    """A warning at every placeholder value left in the ticket and the parameters' descriptions."""
    for mark, where, value, expected in _found(root):
        diags.warning(mark, f"{SAID} in {where} ({shown(value)}): expected {expected}")


def refused_drafts(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """The placeholders among a loaded runbook's warnings, as errors: what stops a run (or an approval) of a draft."""
    return [replace(d, severity="error") for d in diagnostics if d.severity == "warning" and d.message.startswith(SAID)]


def _found(root: YMap) -> Iterator[tuple[Mark, str, Any, str]]:
    ticket = root.get("ticket")
    if isinstance(ticket, YMap):
        yield from _in(ticket, ("id", "subject", "description", "assignee", "verifier", "success_criteria"))
        risk = ticket.get("risk")
        if isinstance(risk, YMap):
            yield from _in(risk, ("summary", "mitigations"))
    params = root.get("params")
    for name, param in params.items() if isinstance(params, YMap) else ():
        if isinstance(param, YMap) and is_placeholder(param.get("description")):
            expected = f"its default set for this change (or -p {name}=VALUE), then the description without '(EDIT)'"
            yield param.value_mark("description"), f"the description of '{name}'", param["description"], expected


def _in(m: YMap, keys: tuple[str, ...]) -> Iterator[tuple[Mark, str, Any, str]]:
    for key in keys:
        value = m.get(key)
        if is_placeholder(value):
            yield m.value_mark(key), f"'{key}'", value, _TICKET_WHAT[key]
        elif isinstance(value, YList):
            yield from ((mark, f"'{key}'", item, _TICKET_WHAT[key]) for item, mark in zip(value, value.item_marks) if is_placeholder(item))
