"""The check at load of values picking what one step places and another runs (`shell_other_steps`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.model import Section, Step
from runbook_tui.runbook.shell_other_steps import paths, paths_run
from runbook_tui.runbook.templating import TemplateError, is_template, render_command
from runbook_tui.runbook.texts import TextMaker

#: The commands that place files a value picks (`shell_files.COPIERS`, `shell_archives`, `shell_downloads`): only a
#: step naming one is read again.
_PLACING = lazy_re.compile(r"\b(?:cp|mv|install|ln|rsync|scp|tar|gtar|bsdtar|unzip|7zz?|7za|7zr|cpio|curl|wget|git)\b")


def check_other_steps(sections: Iterable[Section], texts: TextMaker) -> None:
    """Refuse, at the value, one picking what a step's command places in a folder another step runs code from."""
    if texts.context is None:
        return
    steps = [step for section in sections for step in section.steps]
    named = [_named(step) for step in steps]
    counts = Counter(path for own in named for path in own)
    for step, own in zip(steps, named, strict=True):
        text = step.body if step.kind == "run" else None
        if text is None or text.value is None or not is_template(text.source) or not _PLACING.search(text.source):
            continue
        others = frozenset(path for path, count in counts.items() if count > (path in own))
        if not others:
            continue
        try:
            render_command(text.source, texts.context, step.cwd.value if step.cwd is not None else None, others)
        except TemplateError as exc:
            where = texts.mark_at(text.mark, text.source, exc.offset) if exc.offset is not None else text.mark
            texts.diags.error(where, f"another step runs code from where this command puts what the value picks: {exc}")


def _named(step: Step) -> set[str]:
    """Where a step runs code: the absolute paths its `run` and `undo` run from, and its `cwd`."""
    found = {path for text in (step.body if step.kind == "run" else None, step.undo) if text is not None for path in paths_run(text.source)}
    return found | (paths(step.cwd.source) if step.cwd is not None else set())
