"""What a dry run does not do for a step: nothing ran, so there is nothing to wait for and no result to judge."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from runbook_tui.runbook.durations import format_duration
from runbook_tui.runbook.model import Step
from runbook_tui.runbook.template_simple import split
from runbook_tui.runbook.templating import GLOBALS, TemplateError, analyse, is_template

#: How a dry run's capture ends (`dry_run_capture`): the value is not known, nothing ran to print it.
UNKNOWN_END = ": dry run, nothing ran⟩"


def dry_run_note(step: Step) -> str | None:
    """The note a dry run journals on a step it walks past without doing its part (None: nothing is left out)."""
    if step.kind == "wait":
        return f"dry run: the {format_duration(step.wait_seconds or 0)} wait is not waited"
    unchecked = [name for name, left in (("expect.exit", step.expect.exit != (0,)), ("expect.stdout", step.expect.stdout is not None)) if left]
    if step.kind == "run" and unchecked:
        return f"dry run: {' and '.join(unchecked)} not checked (nothing ran: no exit code or output to match)"
    return None


def judged_in_a_dry_run(step: Step) -> Step:
    """The step as a dry run judges it: the dry run's own `[dry-run] would run …` line, exit 0, stands in for the
    command, so its `expect.exit` and `expect.stdout` are left out (before, they failed every step that had one: a
    dry run of most runbooks stopped at the first check)."""
    return replace(step, expect=replace(step.expect, exit=(0,), stdout=None))


def dry_run_capture(step: Step) -> str:
    """What a dry run captures for a step: words saying nothing was, never its own `[dry-run] would run …` line (which
    later commands then showed inside their own: `-v lsn='[dry-run] would run on db1: runuser …'`)."""
    return f"⟨captured.{step.capture}{UNKNOWN_END}"


def unknown_in_a_dry_run(source: str, captured: Mapping[str, str]) -> str | None:
    """Why a dry run does not render `source`: it computes with a capture the dry run does not know (a filter, a test,
    arithmetic, a condition: anything more than inserting `{{ captured.x }}`, which shows the words saying so); None
    when it does not. Before, such a text was computed with the words in place of the value, silently: `| int` gave 0
    (the run would have given 5), `{% if captured.x == "5" %}` took the other branch."""
    if not is_template(source) or split(source, GLOBALS) is not None:
        return None
    try:
        references = analyse(source).references
    except TemplateError:
        return None  # rendering it says what is wrong
    names = sorted({r.attr for r in references if r.root == "captured" and r.attr and captured.get(r.attr, "").endswith(UNKNOWN_END)})
    if not names:
        return None
    values = ", ".join(f"captured.{name}" for name in names)
    return f"not rendered: it computes with {values}, which a dry run does not know (nothing ran to capture it)"


def unrecorded_capture(step: Step) -> str:
    """What a practice captures from a command the night never ran: words saying nothing was recorded, never the
    recorded executor's own `[practice] this command did not run …` line (the next command showed it as the value)."""
    return f"⟨captured.{step.capture}: not recorded on the night (practice)⟩"


#: What a guard's trip would have done, said in a dry run (which neither pauses nor rolls back on it).
GUARD_WOULD = {
    "pause": "a live run would pause (nothing is paused in a dry run)",
    "rollback": "a live run would pause and ask to roll back to the last checkpoint (nothing is paused in a dry run)",
    "notify": "a live run would notify",
}


def dry_run_guard_note(words: str, action: str) -> str:
    """The note a dry run journals where a guard trips: what a live run would have done. A dry run changed nothing, so
    the guard has nothing to protect; before, the trip was journaled and acted on, and a dry run paused (or was asked
    to roll back) on a reading over the line, or on no data from a source it could not reach."""
    return f"dry run: {words}; {GUARD_WOULD.get(action, 'a live run would only tell')}"
