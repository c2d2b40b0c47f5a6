"""A step's texts a person acts on (its note, its question, its confirm) that cannot be made when the step starts.

A command, `env`, `cwd` or `expect.stdout` that cannot render stops its step before anything runs, naming the field
and where it is written (runner). These three were shown as their template instead (`do {{ captured.n // 0 }}  (cannot
render yet: ...)`) and the step went on: a note done, a confirm acknowledged and its command run under words nobody
could read. Now the step fails in the same way: no `{{` is what a person is asked to act on. (A title is a label: one
that cannot render is shown with the reason, and its step, a rollback section's too, still runs its command.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from runbook_tui.runbook.model import Host, Step, Text
from runbook_tui.runbook.templating import TemplateError


def unrendered(step: Step, hosts: Sequence[Host], render: Callable[[Text, Host], str]) -> str | None:
    """Why `step`'s note, question or confirm cannot render on `hosts` (`cannot render confirm (FILE:LINE:COL): ...`),
    or None when they render (a text without `host` is rendered once, as it is shown)."""
    body = step.body if step.kind in ("note", "ask") else None
    for name, text in ((step.kind, body), ("confirm", step.confirm)):
        if text is None:
            continue
        for host in hosts if "host" in text.uses else hosts[:1]:
            try:
                render(text, host)
            except TemplateError as exc:
                return f"cannot render {name} ({text.mark}): {exc}"
    return None
