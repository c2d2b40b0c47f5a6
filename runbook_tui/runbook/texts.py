"""Template strings checked against what they may use, then rendered at load when they can be.

Every name a template uses must be resolvable at validation: a parameter,
a secret, a capture of an EARLIER step, a host attribute inside a step, the
ticket. A reference that cannot resolve is an error at the string's
`FILE:LINE:COL`; each `| raw` is a warning.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from runbook_tui.runbook.diagnostics import Collector
from runbook_tui.runbook.folded_lines import folded_place
from runbook_tui.runbook.lean_dataclass import dataclass, field
from runbook_tui.runbook.model import Mark, Text, TextKind
from runbook_tui.runbook.name_places import use_pattern, written_use
from runbook_tui.runbook.scalar_start import text_start
from runbook_tui.runbook.shell_values import static_problems
from runbook_tui.runbook.template_simple import split
from runbook_tui.runbook.templating import GLOBALS, LATE_ROOTS, NO_VALUE, ROOTS, UNSET_WORDS, Analysis, TemplateError, analyse, is_template, render

_HOST_ATTRS = frozenset({"name", "address", "port", "user"})
#: Where `captured.*` and `host` may stand: a step's strings, rendered just before it runs (not a step's typed values,
#: `on:` or `timeout:`: those are read when the runbook loads; the message said "only inside steps" for them too).
_STEP_STRINGS = "a step's title, run, note, ask, undo, confirm, cwd, env and expect.stdout"
_TICKET_ATTRS = frozenset({"id", "subject", "description", "window", "assignee", "verifier", "risk", "success_criteria"})


class Capture(NamedTuple):
    name: str
    step_id: str
    mark: Mark
    rollback: bool = False  # declared in a rollback section: it has a value only during a full rollback


class CapturesBefore:
    """The captures declared before a step: a view of the load's running record, so no step copies it.

    `order` maps each capture name to its position in document order and grows
    as the steps are read; the first `count` of them come before this step.
    `own` is this step's own capture, which its undo may use.
    """

    __slots__ = ("count", "order", "own")

    def __init__(self, order: dict[str, int], count: int, own: str | None = None) -> None:
        self.order = order
        self.count = count
        self.own = own

    def __contains__(self, name: str) -> bool:
        return name == self.own or self.order.get(name, self.count) < self.count

    def names(self) -> frozenset[str]:
        return frozenset(name for name, position in self.order.items() if position < self.count) | ({self.own} if self.own else set())


NONE_CAPTURED = CapturesBefore({}, 0)


class Scope(NamedTuple):
    """What a string may refer to, where it stands (a tuple: two are made per step)."""

    in_step: bool = False
    captures_before: CapturesBefore = NONE_CAPTURED
    host_attrs: frozenset[str] = _HOST_ATTRS
    late_allowed: bool = False  # may this value wait until its step runs?
    own_capture: str | None = None  # the capture this very step declares (usable in its undo only)
    step_mark: Mark | None = None  # where this step starts: a capture declared before it is not a later one
    cwd: str | None = None  # the step's folder, rendered: where its commands start (`> job` in /etc/cron.d is cron's)


@dataclass
class Names:
    """Everything declared in the runbook that templates can refer to."""

    params: frozenset[str]
    secrets: frozenset[str]
    captures: dict[str, Capture] = field(default_factory=dict)
    has_ticket: bool = False
    ticket_ready: bool = False  # the ticket is read: params, secrets, hosts and the ticket's own fields come before it


class TextMaker:
    """Builds `Text` values: checks names, warns about `raw`, renders what is known at load."""

    def __init__(self, diags: Collector, names: Names, lines: list[str]) -> None:
        self.diags = diags
        self.names = names
        self.lines = lines
        self.context: Mapping[str, Any] | None = None  # None while parameters are broken: skip rendering

    def mark_in(self, mark: Mark, template_line: int) -> Mark:
        """Where line N of a template stands in the file (block scalars start on the next line). A quoted or plain
        scalar's lines are not the file's: `"a\\nb"` is two lines written on one, and YAML folds a plain or quoted
        scalar's lines into one (a blank line into a line break): the string's own place is given for them (line N of
        `run: "echo a\\necho {{ x }}"` was put on the file's next line, in another step)."""
        if not self._is_block(mark):
            return mark
        if self._is_folded(mark):
            return folded_place(self.lines, mark, template_line) or mark
        line_no = mark.line + template_line
        if line_no - 1 < len(self.lines):
            line = self.lines[line_no - 1]
            return Mark(mark.file, line_no, len(line) - len(line.lstrip()) + 1)
        return mark

    def _block_indent(self, mark: Mark, source: str) -> int | None:
        """The indentation of a literal block scalar's lines (`run: |`), where `Text.mark_at` finds a place; None for any
        other scalar."""
        if not self._is_block(mark) or self._is_folded(mark):
            return None
        lines = source.split("\n")
        first = next((k for k, line in enumerate(lines) if line.strip()), 0)
        return self.mark_in(mark, first + 1).col - 1 - (len(lines[first]) - len(lines[first].lstrip()))

    def _is_folded(self, mark: Mark) -> bool:
        return self.lines[mark.line - 1][mark.col - 1 : mark.col] == ">"

    def _is_block(self, mark: Mark) -> bool:
        if mark.line - 1 >= len(self.lines):
            return False
        line = self.lines[mark.line - 1]
        return line[mark.col - 1 : mark.col] in ("|", ">")

    def make(self, source: str, mark: Mark, kind: TextKind, scope: Scope) -> Text | None:
        """A Text for `source`, or None when it has errors (already reported)."""
        if not is_template(source):
            return Text(source, mark, kind, source)
        mark = text_start(self.lines, mark)  # (a place inside the text counts from the text, not from `&name |`)
        try:
            analysis = analyse(source)
        except TemplateError as exc:
            said = str(exc)  # (a refusal that says what was expected already is not told it again)
            self.diags.error(self.mark_in(mark, exc.line), said if "; expected " in said else f"{said}; expected a valid Jinja2 template")
            return None
        if not self._names_ok(analysis, mark, scope, source) or not self._no_late_mapping(analysis, mark, source):
            return None
        if kind == "shell" and not self._shell_ok(source, mark):
            return None
        for line in analysis.raw_lines:
            self.diags.warning(self.mark_in(mark, line), "'| raw' inserts this value without shell quoting or escaping")
        late = analysis.roots & LATE_ROOTS
        if late:
            if not scope.late_allowed:
                names = ", ".join(sorted(late))
                self.diags.error(mark, f"{names} cannot be used here: expected a value known when the runbook loads")
                return None
            return Text(source, mark, kind, None, analysis.roots, self._block_indent(mark, source))
        if self.context is None:
            return Text(source, mark, kind, source, analysis.roots)
        try:
            value = render(source, kind, self.context, scope.cwd)
        except TemplateError as exc:
            where = self.mark_at(mark, source, exc.offset) if exc.offset is not None else self.mark_in(mark, exc.line)
            self.diags.error(where, str(exc) if exc.refusal else self._unset_named(str(exc), analysis))
            return None
        return Text(source, mark, kind, value, analysis.roots)

    def _unset_named(self, message: str, analysis: Analysis) -> str:
        """`a value that is not set cannot be inserted`, naming the parameters the template inserts that have none
        (optional, no default): the author reads which value to give (it said only that some value was missing). A
        ticket field the ticket leaves out is named too, and any other failure says what was expected."""
        values = (self.context or {}).get("params") or {}
        ticket = (self.context or {}).get("ticket") or {}
        left_out = sorted({ref.attr for ref in analysis.references if ref.root == "ticket" and ref.attr and ref.attr in ticket and ticket[ref.attr] is None})
        if left_out and "'None' has no attribute" in message:  # `{{ ticket.risk.level }}` with no risk: said as Python's None
            return f"cannot render template: the ticket has no '{left_out[0]}'; expected {left_out[0]}: in the ticket, or a test first: {{% if ticket.{left_out[0]} %}}"
        if "; expected" not in message and NO_VALUE not in message:  # every error says what was expected (the spec)
            return f"{message}; expected only fields the values have and operations that work on them"
        if NO_VALUE not in message or not values:
            return message
        used = {ref.attr if ref.root == "params" else ref.root for ref in analysis.references}
        unset = sorted(name for name in used if name is not None and name in values and values[name] is None)
        if not unset:
            return message  # a ticket field the ticket leaves out
        first, named = unset[0], ", ".join(f"'{name}'" for name in unset)
        has = f"parameters {named} have" if len(unset) > 1 else f"parameter {named} has"
        return (
            f"cannot render template: {has} no value (optional, no default), and {UNSET_WORDS} cannot be inserted;"
            f" expected -p {first}=VALUE, a default, or a test first: {{% if {first} is not none %}}"
        )

    def _shell_ok(self, source: str, mark: Mark) -> bool:
        """Every value of a shell command must reach the shell as one literal word (see shell_values)."""
        problems = static_problems(source, split(source, GLOBALS))
        for offset, message in problems:
            self.diags.error(self.mark_at(mark, source, offset), message)
        return not problems

    def mark_at(self, mark: Mark, source: str, offset: int) -> Mark:
        """Where character `offset` of a template stands in the file (exact for block and plain scalars)."""
        line = source.count("\n", 0, offset) + 1
        column = offset - (source.rfind("\n", 0, offset) + 1)
        if not self._is_block(mark):
            if line > 1:
                return mark  # (see mark_in)
            written = self.lines[mark.line - 1] if mark.line - 1 < len(self.lines) else ""
            quoted = written[mark.col - 1 : mark.col] in ("'", '"')
            col = _column_written(written, mark.col, column) if quoted else mark.col + column
            return Mark(mark.file, mark.line, col) if col is not None and col <= len(written) else mark  # folded from several lines
        if self._is_folded(mark):
            return folded_place(self.lines, mark, line, column) or mark
        start = self.mark_in(mark, line)
        text_line = source.split("\n")[line - 1]
        lead = len(text_line) - len(text_line.lstrip())  # mark_in's column counts the line's own indentation too
        return Mark(start.file, start.line, start.col - lead + column)

    def render_now(self, source: str, mark: Mark) -> str | None:
        """For typed values written as templates (`timeout: "{{ t }}s"`): render, or report why not."""
        text = self.make(source, mark, "plain", Scope())
        if text is None or self.context is None:
            return None  # already reported, or parameters are broken and nothing can render
        return text.value

    def _names_ok(self, analysis: Analysis, mark: Mark, scope: Scope, source: str) -> bool:
        said: set[tuple[Mark, str]] = set()  # `{{ x }} {{ x }}` was said twice at the same place
        for ref in analysis.references:
            problem = self._problem(ref.root, ref.attr, scope)
            if not problem:
                continue  # (its place is found only for a problem: a load checks thousands of names)
            where = self._ref_mark(mark, source, ref.line, ref.root)
            if (where, problem) not in said:
                said.add((where, problem))
                self.diags.error(where, problem)
        return not said

    def _no_late_mapping(self, analysis: Analysis, mark: Mark, source: str) -> bool:
        """`{{ secrets }}`, `{{ captured }}`: a mapping inserted whole, which no render makes text (a mapping is inserted
        as its `name`, as `{{ host }}` is the host's name; these have none unless a capture or secret is called so).
        They render as the step runs, so the load's render (which refuses `{{ params }}` and `{{ ticket }}`) never saw
        them: validate said ok, and the step failed as it ran, after the steps before it."""
        named = {"captured": "name" in self.names.captures, "secrets": "name" in self.names.secrets}
        late = [ref for ref in analysis.whole if ref.root in named and not named[ref.root]]
        for ref in late:
            self.diags.error(
                self._ref_mark(mark, source, ref.line, ref.root),
                f"'{ref.root}' holds several values (a mapping), which cannot be inserted as text; expected one of its fields ({{{{ {ref.root}.NAME }}}})",
            )
        return not late

    def _ref_mark(self, mark: Mark, source: str, line: int, root: str) -> Mark:
        """Where a name is used: at its first use inside `{{ }}` on line `line` of the string in a block scalar (`|` or
        `>`), and in a plain or quoted one written on several lines (see name_places) when the use is on a later line
        than the string's start (on its first line: the string's start); the line's start when it is not found."""
        text_lines = source.split("\n")
        pattern = use_pattern(root)
        used = pattern.search(text_lines[line - 1]) if line <= len(text_lines) else None
        if used is None:
            return self.mark_in(mark, line)
        line_start = sum(len(t) + 1 for t in text_lines[: line - 1])
        if self._is_block(mark):
            return self.mark_at(mark, source, line_start + used.start("name"))
        nth = sum(1 for earlier in pattern.finditer(source) if earlier.start() < line_start + used.start())
        written = written_use(self.lines, mark, pattern, nth)
        return written if written is not None and written.line > mark.line else mark  # on the first line: the string's start

    def _problem(self, root: str, attr: str | None, scope: Scope) -> str | None:
        names = self.names
        if root in names.params and root not in ROOTS:
            return None
        if root == "now":
            return None
        if root == "params":
            if attr is None or attr in names.params:
                return None
            return f"undefined parameter 'params.{attr}'; expected one declared under params: ({_listed(names.params)})"
        if root == "secrets":
            if attr is None or attr in names.secrets:
                return None
            return f"undefined secret 'secrets.{attr}'; expected one declared under secrets: ({_listed(names.secrets)})"
        if root == "ticket":
            if not names.ticket_ready:
                return (
                    "'ticket' is not known here: the ticket renders after params, secrets and hosts, and cannot refer to"
                    " itself; expected a parameter or plain text here"
                )
            if not names.has_ticket:
                return "'ticket' is used but this runbook has no ticket; expected a ticket: mapping"
            if attr is None or attr in _TICKET_ATTRS:
                return None
            return f"unknown ticket field 'ticket.{attr}'; expected one of: {_listed(_TICKET_ATTRS)}"
        if root == "captured":
            return self._capture_problem(attr, scope)
        if root == "host":
            if not scope.in_step:
                return f"'host' is only defined in {_STEP_STRINGS}, for the host it runs on; expected a value known when the runbook loads here"
            if attr is None or attr in scope.host_attrs:
                return None
            if attr in _HOST_ATTRS:
                return (
                    f"'host.{attr}' has no value on some host this step runs on; expected '{attr}:' on each of its hosts"
                    " (without it ssh takes the login from ~/.ssh/config or yours, which a template cannot read)"
                )
            return f"unknown host field 'host.{attr}'; expected one of: {_listed(scope.host_attrs)}"
        return f"undefined name '{root}'; expected a declared parameter ({_listed(names.params)}) or one of: params, ticket, secrets, captured, host, now"

    def _capture_problem(self, attr: str | None, scope: Scope) -> str | None:
        if not scope.in_step:
            return f"'captured' is only defined in {_STEP_STRINGS}, rendered as it runs; expected a value known when the runbook loads here"
        if attr is None or attr in scope.captures_before:
            return None
        if attr == scope.own_capture:
            return f"'captured.{attr}' is declared by this same step, so it has no value yet; expected it in a later step or in this step's undo"
        later = self.names.captures.get(attr)
        if later is not None and later.rollback and scope.step_mark is not None and later.mark < scope.step_mark:
            return (
                f"capture 'captured.{attr}' is declared by step '{later.step_id}' (line {later.mark.line}) of a rollback section,"
                " which runs only in a full rollback; expected a capture of an earlier step the change runs"
            )
        if later is not None and scope.step_mark is not None and later.mark < scope.step_mark:
            # an earlier step declares it, and that step was refused (its capture name, or the step itself)
            return f"capture 'captured.{attr}' is declared by step '{later.step_id}' (line {later.mark.line}), which is refused above; expected that step fixed"
        if later is not None:
            return (
                f"capture 'captured.{attr}' is declared only by a later step '{later.step_id}' (line {later.mark.line}); expected a capture of an earlier step"
            )
        return f"undefined capture 'captured.{attr}'; expected one declared with capture: by an earlier step ({_listed(scope.captures_before.names())})"


#: How many characters of a double-quoted scalar an escape takes (`\\t`, `\\"`: 2), by the letter after the backslash.
_ESCAPE_WIDTH = {"x": 4, "u": 6, "U": 10}


def _column_written(written: str, quote_col: int, column: int) -> int | None:
    """The file column of the template's character `column` (0-based) in a quoted scalar whose quote is at `quote_col`:
    an escape (`\\"`, `\\t`, `\\u00e9`) or a doubled `''` is written wider than the character it stands for. None
    when the scalar's first line ends before it (the rest was folded in from the next lines)."""
    quote = written[quote_col - 1]
    at = quote_col  # the 0-based index of the first character inside the quotes
    for _ in range(column):
        if at >= len(written):
            return None
        if quote == "'" and written.startswith("''", at):
            at += 2
        elif quote == '"' and written[at] == "\\":
            at += _ESCAPE_WIDTH.get(written[at + 1 : at + 2], 2)
        else:
            at += 1
    return at + 1


def _listed(names: frozenset[str] | set[str]) -> str:
    return ", ".join(sorted(names)) if names else "none declared"
