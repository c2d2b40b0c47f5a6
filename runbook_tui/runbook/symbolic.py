"""Validate a runbook without parameter values: typed stand-ins flow through every normal check.

A required parameter without a default gets a placeholder of its type (a
string, a number within its limits, the first choice, a list of two host
names), so names, captures, hosts, shell contexts and templates are all
checked as usual. What only a real value can decide (a template that must
render to a duration, a window time, a regular expression; the parameter's
own pattern and limits) is not an error: it is reported as skipped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.bounded_read import read_limited
from runbook_tui.runbook.diagnostics import Diagnostic, RunbookInvalid
from runbook_tui.runbook.document import MAX_BYTES, YList, YMap, load_document
from runbook_tui.runbook.lean_dataclass import dataclass, field
from runbook_tui.runbook.loader import Loaded, load_runbook, probe_runbook
from runbook_tui.runbook.model import Mark, Param
from runbook_tui.runbook.params import EMPTY, StandIn
from runbook_tui.runbook.shell_syntax import syntax_warnings
from runbook_tui.runbook.templating import UNSET_WORDS, TemplateError, analyse, is_template

#: Messages of checks made on a rendered value (typed fields, window times, render failures),
#: as opposed to checks of the template itself (names, syntax, shell context), which never depend on values
#: (an `on:` rendered from a parameter names a host only with its real value).
_VALUE_CHECK = lazy_re.compile(r"^('[^']+': |cannot render template|window (start|end)[: ]|unknown host or group )")


@dataclass
class Validation:
    """What `validate` found in one file."""

    file: str
    loaded: Loaded | None
    errors: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    skipped: list[Diagnostic] = field(default_factory=list)  # checks that needed values
    stand_ins: tuple[str, ...] = ()  # parameters checked with a placeholder
    steps: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def stand_in(param: Param) -> Any:
    """A value of the parameter's type that is plausible for its limits (they are not checked)."""
    if param.type == "int":
        low = param.min if param.min is not None else min(1.0, param.max if param.max is not None else 1.0)
        return math.ceil(low)
    if param.type == "float":
        return float(param.min if param.min is not None else min(1.0, param.max if param.max is not None else 1.0))
    if param.type == "bool":
        return True
    if param.type == "choice":
        return param.choices[0] if param.choices else param.name
    if param.type == "list":
        return [f"{param.name}-1", f"{param.name}-2"]
    candidates = (param.name, "x", "1", "0", "a", "example")
    fitting = [c for c in candidates if param.pattern is None or re.search(param.pattern, c)]
    return fitting[0] if fitting else param.name


def validate(path: str | Path, given: dict[str, Any] | None = None) -> Validation:
    """Load with the values given; without any, stand in for the required parameters that have no default (and the
    optional ones without a default, when a template inserting one is what failed). A loaded runbook's commands are
    read by a shell too (`shell_syntax`)."""
    result = _validate(path, given)
    if result.loaded is not None:
        result.warnings += syntax_warnings(result.loaded.runbook)
        result.warnings.sort(key=lambda d: (d.mark.line, d.mark.col))
    return result


def _validate(path: str | Path, given: dict[str, Any] | None) -> Validation:
    file = str(path)
    try:
        loaded = load_runbook(path, given or {})
        return Validation(file, loaded, warnings=list(loaded.warnings), steps=len(loaded.runbook.steps))
    except RunbookInvalid as invalid:
        first = invalid.diagnostics
    declared = [p for p in probe_runbook(path, {}).params if p.default is None]
    needing = [p for p in declared if p.required]
    # An optional parameter without a default has no value (None) unless given: a template inserting it needs one, as
    # the format's own example does (`cluster`, a choice, in the title); it is stood in for too when that is what failed.
    optional = [p for p in declared if not p.required and p.type not in EMPTY]
    if given or not (needing or (optional and _unset_inserted(first))):
        return _split(file, None, first)
    symbolic, diagnostics = _stand_in_load(path, needing)
    if optional and _unset_inserted(diagnostics):
        needing += optional
        symbolic, diagnostics = _stand_in_load(path, needing)
    names = frozenset(p.name for p in needing)
    try:
        document = load_document(read_limited(file, MAX_BYTES).decode("utf-8"), file)  # bounded, as the loader reads it
    except (OSError, UnicodeDecodeError, RunbookInvalid):
        document = None
    spans = list(_symbolic_spans(document, names))
    result = Validation(file, None, stand_ins=tuple(sorted(names)), steps=_count_steps(document))
    for diagnostic in diagnostics:
        uses = _span_at(spans, diagnostic.mark)
        if diagnostic.severity == "error" and uses and _VALUE_CHECK.match(diagnostic.message):
            needs = ", ".join(sorted(uses))
            result.skipped.append(Diagnostic(diagnostic.mark, f"needs a value for {needs}: {diagnostic.message}", "warning"))
        elif diagnostic.severity == "error":
            result.errors.append(diagnostic)
        else:
            result.warnings.append(diagnostic)
    for param in needing:
        limits = [w for w, on in (("pattern", param.pattern), ("choices", param.choices), ("min", param.min), ("max", param.max)) if on]
        later = f"its {', '.join(limits)} checked" if limits else "the real value checked"
        why = "" if param.required else " (optional, no default; a template inserts it)"
        message = f"parameter '{param.name}' has no value{why}: checked with a stand-in {param.type}; {later} once given (-p {param.name}=VALUE)"
        result.skipped.append(Diagnostic(param.mark, message, "warning"))
    result.skipped.sort(key=lambda d: (d.mark.line, d.mark.col))
    result.loaded = symbolic if not result.errors else None
    return result


def _unset_inserted(diagnostics: list[Diagnostic]) -> bool:
    return any(UNSET_WORDS in d.message for d in diagnostics)


def _stand_in_load(path: str | Path, params: list[Param]) -> tuple[Loaded | None, list[Diagnostic]]:
    """The runbook loaded with a stand-in for each of `params`, and what the load said."""
    try:
        loaded = load_runbook(path, {p.name: StandIn(stand_in(p)) for p in params})
    except RunbookInvalid as invalid:
        return None, invalid.diagnostics
    return loaded, list(loaded.warnings)


def _split(file: str, loaded: Loaded | None, diagnostics: list[Diagnostic]) -> Validation:
    return Validation(
        file,
        loaded,
        errors=[d for d in diagnostics if d.severity == "error"],
        warnings=[d for d in diagnostics if d.severity != "error"],
    )


@dataclass(frozen=True, slots=True)
class _Span:
    """A template string in the file that uses stand-in parameters: where it starts and how many lines it covers."""

    line: int
    col: int
    last_line: int
    uses: frozenset[str]


def _span_at(spans: list[_Span], mark: Mark) -> frozenset[str]:
    for span in spans:
        if (mark.line == span.line and mark.col >= span.col) or span.line < mark.line <= span.last_line:
            return span.uses
    return frozenset()


def _count_steps(document: Any) -> int:
    sections = document.get("sections") if isinstance(document, YMap) else None
    if not isinstance(sections, YList):
        return 0
    return sum(len(s["steps"]) for s in sections if isinstance(s, YMap) and isinstance(s.get("steps"), YList))


def _symbolic_spans(document: Any, names: frozenset[str]) -> Iterator[_Span]:
    for value, (line, col) in _strings(document):
        if not is_template(value):
            continue
        try:
            analysis = analyse(value)
        except TemplateError:
            continue
        uses = {r.root for r in analysis.references if r.root in names}
        uses |= {r.attr for r in analysis.references if r.root == "params" and r.attr in names}
        if any(r.root == "params" and r.attr is None for r in analysis.references):
            uses |= names
        if uses:
            yield _Span(line, col, line + value.count("\n"), frozenset(u for u in uses if u))


def _strings(node: Any) -> Iterator[tuple[str, tuple[int, int]]]:
    """Every string value in the document with its position (no recursion limit concerns: the loader capped depth)."""
    if isinstance(node, YMap):
        for key, value in node.items():
            if isinstance(value, str):
                yield value, node.value_pos[key]
            else:
                yield from _strings(value)
    elif isinstance(node, YList):
        for value, position in zip(node, node.item_pos):
            if isinstance(value, str):
                yield value, position
            else:
                yield from _strings(value)
