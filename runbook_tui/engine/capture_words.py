"""Why a command's captures cannot be used as they are: one kept masked by the journal, or one never made.

A resumed run knows a capture holding a secret only as journaled (`***`): the command is refused rather than run
with that in its place. A capture of a step the run never reached (a rollback section's step using the capture of a
step after the one that failed) failed in Jinja's words, `'dict object' has no attribute 'lsn'`; it is said here
in the runbook's words instead.
"""

from __future__ import annotations

from collections.abc import Mapping

from runbook_tui.engine.redact import MASK
from runbook_tui.runbook.model import Runbook, Step, Text
from runbook_tui.runbook.templating import analyse


def _used(step: Step, text: Text) -> list[str]:
    """The capture names the command, its env and its cwd use."""
    sources = [text.source, *(value.source for _name, value in step.env), step.cwd.source if step.cwd else ""]
    return sorted({ref.attr for source in sources for ref in analyse(source).references if ref.root == "captured" and ref.attr})


def masked_capture(step: Step, text: Text, known: Mapping[str, str], unmasked: Mapping[str, str]) -> str | None:
    """The refusal of a command whose capture the journal kept masked and this process never saw printed, or None."""
    for name in _used(step, text):
        if MASK in known.get(name, "") and name not in unmasked:
            return (
                f"captured.{name} held a secret, which the journal keeps masked ({known[name]!r}); this resumed run "
                "never saw it printed, so the command was not run with *** in its place"
            )
    return None


def missing_capture(runbook: Runbook, step: Step, text: Text, known: Mapping[str, str]) -> str | None:
    """Words for a render that failed on a capture the run does not have, naming the step that makes it; or None."""
    for name in _used(step, text):
        if name not in known:
            owner = next((s.id for s in runbook.steps if s.capture == name), None)
            who = f"step '{owner}', which captures it," if owner is not None else "no step that captures it"
            return f"captured.{name} has no value: {who} has not run in this session"
    return None
