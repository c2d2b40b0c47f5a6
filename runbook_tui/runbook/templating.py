"""Jinja2 templating for runbook strings: sandboxed, strict, shell-safe.

Three environments share one set of rules and differ only in what they do
with each `{{ value }}`:

- `plain`: inserts it as text (titles, notes, questions);
- `shell`: shell-quotes it (`run`, `undo`, `cwd`, `env` values), so a
  parameter `x; rm -rf /` reaches `sh -c` as one literal word;
- `regex`: escapes it (`expect.stdout`), so a value is matched literally.

`{{ value | raw }}` opts out of quoting and escaping; `analyse` reports each
use so `validate` can warn about it.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, meta, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from runbook_tui.runbook.model import Host, Runbook, Text, TextKind

#: Names a template may use besides bare parameter names.
ROOTS = frozenset({"params", "ticket", "secrets", "captured", "host", "now"})
#: Root names whose values are only known when a step is about to run.
LATE_ROOTS = frozenset({"captured", "host", "secrets"})
MASK = "***"


class Raw(str):
    """Text the author asked to insert as is (`| raw`): no quoting, no escaping."""


def _raw(value: Any) -> Raw:
    return Raw(_to_text(value))


#: What a template may insert into text: data, never Python objects (classes, functions, internals).
_PLAIN_DATA = (str, int, float, type(None), dt.date, dt.time, dt.timedelta)


def _to_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    _refuse_objects(value)
    return str(value)


def _refuse_objects(value: Any, depth: int = 0) -> None:
    """Refuse to turn anything but data into text: `{{ dict }}` must not print `<class 'dict'>`."""
    if isinstance(value, _PLAIN_DATA):
        return
    if isinstance(value, (list, tuple, set, frozenset, Mapping)) and depth < 16:
        for item in value.items() if isinstance(value, Mapping) else value:
            _refuse_objects(item, depth + 1)
        return
    raise TypeError(f"a template can insert text, numbers, lists and mappings, not a {type(value).__name__}")


class Quoted(str):
    """A value already made safe for the shell context it stands in."""


def _words(value: Any, quote: Callable[[str], str]) -> Quoted | Raw:
    if isinstance(value, Raw):
        return value
    if isinstance(value, (list, tuple)):
        return Quoted(" ".join(quote(_to_text(item)) for item in value))
    return Quoted(quote(_to_text(value)))


def _in_double_quotes(text: str) -> str:
    """Inside "...", only these four characters are special to sh."""
    return re.sub(r'([\\"$`])', r"\\\1", text)


def _in_single_quotes(text: str) -> str:
    """Inside '...', nothing is special but the closing quote: close, escape it, reopen."""
    return text.replace("'", "'\\''")


#: Filters the shell environment appends to every `{{ }}`, chosen by where it stands in the command.
SHELL_FILTERS: dict[str, Callable[[Any], Quoted | Raw]] = {
    "__sh_word": lambda value: _words(value, shlex.quote),
    "__sh_double": lambda value: _words(value, _in_double_quotes),
    "__sh_single": lambda value: _words(value, _in_single_quotes),
}
_CONTEXT_FILTER = {"outside": "__sh_word", "double": "__sh_double", "single": "__sh_single"}
_TAG = re.compile(r"\{\{(.*?)\}\}|\{%.*?%\}|\{#.*?#\}", re.S)


def _quote_state(state: str, text: str) -> str:
    """Follow sh's quoting through literal command text: outside, in "double" or in 'single' quotes."""
    index = 0
    while index < len(text):
        char = text[index]
        if state == "single":
            if char == "'":
                state = "outside"
        elif char == "\\":
            index += 1  # the next character is escaped (outside and in double quotes)
        elif state == "double":
            if char == '"':
                state = "outside"
        elif char == "'":
            state = "single"
        elif char == '"':
            state = "double"
        index += 1
    return state


def shell_source(source: str) -> str:
    """The template with each `{{ expr }}` quoted for its place: a word, inside "...", or inside '...'.

    So `echo "{{ name }}"` with a name of `$(rm -rf /)` stays literal too,
    not only `echo {{ name }}`.
    """
    parts: list[str] = []
    state, position = "outside", 0
    for match in _TAG.finditer(source):
        literal = source[position : match.start()]
        state = _quote_state(state, literal)
        parts.append(literal)
        expression = match.group(1)
        if expression is None:
            parts.append(match.group(0))
        else:
            lead = "-" if expression.startswith("-") else ""
            trail = "-" if expression.endswith("-") and len(expression) > len(lead) else ""
            inner = expression[len(lead) : len(expression) - len(trail)]
            parts.append(f"{{{{{lead} ({inner}) | {_CONTEXT_FILTER[state]} {trail}}}}}")
        position = match.end()
    parts.append(source[position:])
    return "".join(parts)


def _shell_finalize(value: Any) -> str:
    """Every expression went through a context filter already (see shell_source)."""
    return _to_text(value)


def _regex_finalize(value: Any) -> str:
    if isinstance(value, Raw):
        return str(value)
    return re.escape(_to_text(value))


def _plain_finalize(value: Any) -> str:
    return _to_text(value)


def _environment(finalize: Callable[[Any], str]) -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        finalize=finalize,
    )
    env.filters["raw"] = _raw
    env.filters.update(SHELL_FILTERS)
    # Keep the globals to the harmless ones; a runbook has no use for the others.
    # `dict` and `namespace` are classes: printed, they show Python internals, and as globals they
    # hid an undeclared `{{ namespace }}` from validation.
    for name in ("lipsum", "cycler", "joiner", "dict", "namespace"):
        env.globals.pop(name, None)
    return env


ENVIRONMENTS: dict[TextKind, ImmutableSandboxedEnvironment] = {
    "plain": _environment(_plain_finalize),
    "shell": _environment(_shell_finalize),
    "regex": _environment(_regex_finalize),
}
GLOBALS = frozenset(ENVIRONMENTS["plain"].globals)


@dataclass(frozen=True, slots=True)
class Reference:
    """A name a template uses: `root` alone (`now`, a bare parameter) or `root.attr`."""

    root: str
    attr: str | None
    line: int  # 1-based line inside the template


@dataclass(frozen=True, slots=True)
class Analysis:
    roots: frozenset[str]
    references: tuple[Reference, ...]
    raw_lines: tuple[int, ...]  # template lines where `| raw` is used


class TemplateError(ValueError):
    """A template that cannot be parsed or rendered; `line` is 1-based inside the template."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.line = line


def is_template(source: str) -> bool:
    return "{{" in source or "{%" in source or "{#" in source


@lru_cache(maxsize=8192)
def analyse(source: str) -> Analysis:
    """Which names a template uses and where; raises TemplateError on a syntax error."""
    try:
        tree = ENVIRONMENTS["plain"].parse(source)
    except TemplateSyntaxError as exc:
        raise TemplateError(f"template syntax error: {exc.message}", exc.lineno or 1) from None
    roots = frozenset(meta.find_undeclared_variables(tree) - GLOBALS)
    references: list[Reference] = []
    seen_attr_nodes: set[int] = set()
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        assert isinstance(node, (nodes.Getattr, nodes.Getitem))  # what find_all was asked for; narrows the type
        target = node.node
        if not isinstance(target, nodes.Name) or target.name not in roots:
            continue
        if isinstance(node, nodes.Getattr):
            attr: str | None = node.attr
        elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            attr = node.arg.value
        else:
            attr = None  # a computed key: checked at render time
        references.append(Reference(target.name, attr, node.lineno))
        seen_attr_nodes.add(id(target))
    for name_node in tree.find_all(nodes.Name):
        if name_node.ctx == "load" and name_node.name in roots and id(name_node) not in seen_attr_nodes:
            references.append(Reference(name_node.name, None, name_node.lineno))
    raw_lines = tuple(f.lineno for f in tree.find_all(nodes.Filter) if f.name == "raw")
    return Analysis(roots, tuple(references), raw_lines)


@lru_cache(maxsize=8192)
def _compiled(source: str, kind: TextKind) -> Any:
    return ENVIRONMENTS[kind].from_string(shell_source(source) if kind == "shell" else source)


def render(source: str, kind: TextKind, context: Mapping[str, Any]) -> str:
    """Render one template; raises TemplateError with a message an author understands."""
    if not is_template(source):
        return source
    try:
        return str(_compiled(source, kind).render(context))
    except TemplateSyntaxError as exc:
        raise TemplateError(f"template syntax error: {exc.message}", exc.lineno or 1) from None
    except Exception as exc:  # jinja raises many kinds; all mean "this template cannot render"
        raise TemplateError(f"cannot render template: {exc}") from None


class _Masked(dict[str, str]):
    """Secrets as a plan shows them: every declared name renders as `***`."""

    def __init__(self, names: Iterable[str]) -> None:
        super().__init__((name, MASK) for name in names)


def base_context(params: Mapping[str, Any], ticket: Mapping[str, Any] | None) -> dict[str, Any]:
    """The load-time context: parameters (also bare), the ticket and `now`."""
    context: dict[str, Any] = dict(params)
    context["params"] = dict(params)
    if ticket is not None:
        context["ticket"] = ticket
    context["now"] = dt.datetime.now(dt.UTC).astimezone()
    return context


def step_context(
    base: Mapping[str, Any],
    *,
    host: Mapping[str, Any] | None = None,
    captured: Mapping[str, str] | None = None,
    secrets: Mapping[str, str] | None = None,
    secret_names: Iterable[str] = (),
) -> dict[str, Any]:
    """The context just before a step runs. Without `secrets`, declared secrets render as `***`."""
    context = dict(base)
    context["now"] = dt.datetime.now(dt.UTC).astimezone()
    context["captured"] = dict(captured or {})
    context["secrets"] = dict(secrets) if secrets is not None else _Masked(secret_names)
    if host is not None:
        context["host"] = host
    return context


def context_for(
    runbook: Runbook,
    *,
    host: Host | None = None,
    captured: Mapping[str, str] | None = None,
    secrets: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The context for one of the runbook's steps on one host (secrets masked unless given)."""
    base = base_context(dict(runbook.param_values), runbook.ticket.as_context() if runbook.ticket else None)
    return step_context(
        base,
        host=host.as_context() if host is not None else None,
        captured=captured,
        secrets=secrets,
        secret_names=(s.name for s in runbook.secrets),
    )


def render_text(text: Text, context: Mapping[str, Any]) -> str:
    """A Text's final string: its load-time value, or rendered now from `context`."""
    if text.value is not None:
        return text.value
    return render(text.source, text.kind, context)
