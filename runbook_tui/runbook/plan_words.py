"""Text rendered only when its step starts, as a plan reads it: `⟨captured.replica: from step 'pick'⟩`, never `{{`.

A step's strings may use `captured.*`, `host` and `now`: their values exist
only just before the step runs (see `runbook.templating`). `plan`, `plan
--json`, `approve` and the journal's plan (which the step list and a step
looked at ahead show, `not_rendered_yet`) say them in words instead: a
capture as the capture and the step it comes from, `host.name` and `now` as
`⟨host.name⟩`, `⟨now⟩`; a secret as `***`. The words come from the runbook
alone, so the plan an approval signs is the same on every machine and at
every time.

A text renders with a plain stand-in word for each late value (no quoting
changes it), then the stand-ins are replaced by their words. Where that
cannot be done (a filter or a method needs the real value, or a condition
reads one, which a stand-in would decide), each `{{ … }}` is shown on its
own: rendered when it reads no late value, in words when it does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.model import Host, Runbook, Step, Text, TextKind
from runbook_tui.runbook.templating import MASK, TemplateError, context_for, render

#: A template expression left in a plan's text: what renders only when its step starts (`captured.*`, `host`, `now`).
_LATE = lazy_re.compile(r"\{\{-?\s*((?:captured|host|now)\b.*?)\s*-?\}\}", re.S)
_CAPTURE = lazy_re.compile(r"captured\.(\w+)")
#: A capture in words with where it comes from (a plan's text, as the journal holds it).
_SOURCED = lazy_re.compile(r"⟨(captured\.\w+): from step '[^'⟩]*'⟩")

_STAND_IN = "rbtplanlate{}x"
#: Any stand-in, in any case (a filter such as `| upper` may have changed it).
_ANY_STAND_IN = lazy_re.compile(r"rbtplanlate\d+x", re.IGNORECASE)
_STAND_INS = lazy_re.compile(r"rbtplanlate\d+x")
#: Every tag of a template: `{% raw %}…{% endraw %}` (kept as written), `{{ expression }}`, `{% statement %}`, `{# #}`.
_TAG = lazy_re.compile(
    r"\{%-?\s*raw\s*-?%\}(?P<raw>.*?)\{%-?\s*endraw\s*-?%\}|\{\{-?(?P<expr>.*?)-?\}\}|\{%-?(?P<stmt>.*?)-?%\}|\{#.*?#\}",
    re.S,
)
_READS_LATE = lazy_re.compile(r"\b(?:captured|host|now)\b")
_READS_LATE_BUT_HOST = lazy_re.compile(r"\b(?:captured|now)\b")
_READS_SECRET = lazy_re.compile(r"\bsecrets\b")
#: An expression that decides something on a value (`'a' if captured.x == 'b'`): a stand-in would decide it wrong.
_DECIDES = lazy_re.compile(r"==|!=|<|>|\bif\b|\bin\b|\bis\b|\bnot\b|\band\b|\bor\b")


def late_word(expression: str, sources: Mapping[str, str], *, short: bool = False) -> str:
    """One late expression in words: `⟨captured.backup: from step 'backup'⟩`, `⟨host.name⟩` (`short`: no source)."""
    expression = " ".join(expression.split())
    name = _CAPTURE.fullmatch(expression)
    source = sources.get(name.group(1)) if name is not None and not short else None
    return f"⟨{expression}: from step '{source}'⟩" if source is not None else f"⟨{expression}⟩"


def capture_sources(steps: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """Each capture's name -> the first step (of `(step id, capture name or None)`) that captures it."""
    sources: dict[str, str] = {}
    for sid, name in steps:
        if name:
            sources.setdefault(str(name), sid)
    return sources


def not_rendered_yet(text: str, plan_steps: Mapping[str, Mapping[str, Any]], *, short: bool = False) -> str:
    """A plan's text for a step not rendered yet (the step list's rows, a step looked at ahead), as people read it: never
    a raw `{{`. `{{ captured.NAME }}` reads as the capture and the step it comes from (`⟨captured.backup: from step
    'backup'⟩`), `{{ host.name }}` and `{{ now }}` as `⟨host.name⟩`: each is rendered when its step starts (the current
    step says then how a missing capture stands, `pending_captures`). Words from the plan alone: they never go stale.
    A plan made since holds these words already (`PlanWords`); one journaled before holds the templates.
    `short`: without where a capture comes from (a row of the step list has no room for it)."""
    if short and "⟨captured." in text:
        text = _SOURCED.sub(r"⟨\1⟩", text)
    if "{{" not in text:
        return text
    sources = capture_sources((sid, entry.get("capture")) for sid, entry in plan_steps.items())
    return _LATE.sub(lambda found: late_word(found.group(1), sources, short=short), text)


class PlanWords:
    """How one runbook's plan shows its texts: rendered as far as the runbook knows them, the rest in words."""

    def __init__(self, runbook: Runbook, captured: Mapping[str, str] | None = None) -> None:
        """`captured`: the captures a run already has (a text shown once for a group step at run time), else in words."""
        self.runbook = runbook
        self.sources = capture_sources((step.id, step.capture) for step in runbook.steps)
        self._words: dict[str, str] = {}
        self._host_fields: dict[str, str] = {}  # a host field -> its stand-in (one per field for the whole plan)
        self._captured = {name: self._stand_in(late_word(f"captured.{name}", self.sources)) for name in self.sources}
        self._captured.update(captured or {})
        self._now = self._stand_in("⟨now⟩")

    def _stand_in(self, words: str) -> str:
        stand_in = _STAND_IN.format(len(self._words))
        self._words[stand_in] = words
        return stand_in

    def _host(self, hosts: Iterable[Host]) -> dict[str, str]:
        """A stand-in `host` for a text shown once for several hosts: each field any of them has, in words."""
        keys = dict.fromkeys(key for host in hosts for key in host.as_context())
        return {key: self._host_fields.get(key) or self._host_fields.setdefault(key, self._stand_in(f"⟨host.{key}⟩")) for key in keys}

    def _context(self, host: Host | None, hosts: tuple[Host, ...]) -> dict[str, Any]:
        context = context_for(self.runbook, host=host)  # secrets: `***`
        context["captured"] = dict(self._captured)
        context["now"] = self._now
        if host is None and hosts:
            context["host"] = self._host(hosts)
        return context

    def _in_words(self, rendered: str) -> str | None:
        """The rendered text with the stand-ins in words; None when a filter changed one past recognising."""
        if "rbtplanlate" not in rendered.lower():
            return rendered
        rendered = _STAND_INS.sub(lambda found: self._words.get(found.group(0), found.group(0)), rendered)
        return None if _ANY_STAND_IN.search(rendered) else rendered

    def text(self, text: Text, host: Host | None = None, hosts: tuple[Host, ...] = ()) -> str:
        """`text` as a plan shows it, on `host` (None: a text shown once for the step's `hosts`: `⟨host.name⟩` unless
        there is one). Text reading `now` is never its load-time value: an approval of the time it was rendered was
        never met by a run."""
        if text.value is not None and "now" not in text.uses:
            return text.value
        if host is None and len(hosts) == 1:
            host = hosts[0]
        return self.source(text.source, text.kind, host, hosts)

    def source(self, source: str, kind: TextKind = "plain", host: Host | None = None, hosts: tuple[Host, ...] = ()) -> str:
        """A template as a plan shows it (see `text`)."""
        if "{" not in source:
            return source
        context = self._context(host, hosts)
        late = _READS_LATE if host is None else _READS_LATE_BUT_HOST  # a command shown per host knows its host
        if not any(_decides_late(found, late) for found in _TAG.finditer(source)):
            try:
                shown = self._in_words(render(source, kind, context))
            except TemplateError:
                shown = self._late_in_place(source, kind, context, late)
            if shown is not None:
                return shown
        return _TAG.sub(lambda found: self._tag(found, kind, context, late), source)

    def _late_in_place(self, source: str, kind: TextKind, context: Mapping[str, Any], late: re.Pattern[str]) -> str | None:
        """The text rendered with each `{{ … }}` that reads a late value in words where it stands (a method a stand-in has
        not: `now.strftime('%Y')`), the rest rendered in place; None when it cannot be. A value rendered alone would stand
        first in a command, where the shell reads it as the command's name, which is refused: a plan showed every value
        of such a command in words (`echo ⟨db⟩ > dump-⟨now.strftime('%Y')⟩`, though `db` was known)."""

        def words(found: re.Match[str]) -> str:
            expression = found.group("expr")
            if expression is None or not late.search(expression):
                return found.group(0)
            return self._stand_in(late_word(_READS_SECRET.sub(MASK, expression), self.sources))

        try:
            return self._in_words(render(_TAG.sub(words, source), kind, context))
        except TemplateError:
            return None

    def _tag(self, found: re.Match[str], kind: TextKind, context: Mapping[str, Any], late: re.Pattern[str]) -> str:
        """One tag of a text that cannot render as a whole: a value rendered alone, or in words."""
        if found.group("raw") is not None:
            return found.group("raw")
        statement = found.group("stmt")
        if statement is not None:
            return "⟨" + " ".join(_READS_SECRET.sub(MASK, statement).split()) + "⟩"
        expression = found.group("expr")
        if expression is None:
            return ""  # a comment
        if _READS_SECRET.search(expression) and not late.search(expression):
            return MASK
        if not _decides_late(found, late):
            try:
                shown = self._in_words(render("{{" + expression + "}}", kind, context))
            except TemplateError:
                shown = None
            if shown is not None:
                return shown
        return late_word(_READS_SECRET.sub(MASK, expression), self.sources)

    def title(self, step: Step) -> str:
        """A step's title as a plan shows it."""
        if step.title_text is None:
            return step.title
        return self.text(step.title_text, hosts=self.runbook.targets(step))


def _decides_late(found: re.Match[str], late: re.Pattern[str]) -> bool:
    """A `{% if captured.x %}` or `{{ 'a' if host.name == 'b' }}`: what it shows depends on a late value, not only
    where it goes."""
    inside = found.group("stmt") or found.group("expr") or ""
    return bool(late.search(inside)) and (found.group("stmt") is not None or bool(_DECIDES.search(inside)))
