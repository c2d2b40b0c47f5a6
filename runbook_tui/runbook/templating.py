"""Jinja2 templating for runbook strings: sandboxed, strict, bounded, shell-safe.

Four environments share one set of rules and differ only in what they do
with each `{{ value }}`:

- `plain`: inserts it as text (titles, notes, questions);
- `shell` (`run`, `undo`): keeps it out of the command text: the text refers
  to an environment variable holding it (`"${RBT_V1}"`), so a parameter
  `x; rm -rf /` reaches the shell as one literal word (see `shell_values`);
- `regex`: escapes it (`expect.stdout`), so a value is matched literally;
- `promql` (a panel's `query`): keeps it data inside the query's strings
  (see `promql_values`), so a parameter cannot turn a guard's query into
  another one.

`{{ value | raw }}` opts out of quoting and escaping; `analyse` reports each
use so `validate` can warn about it. Every render runs against a budget of
time and memory (see `template_sandbox`).

Jinja itself loads only for a template that is not simple (`template_simple`:
`{{ name }}`, `{{ name.attr }}`): `template_jinja` holds the environments, so
a runbook of simple templates starts without importing it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any, NamedTuple

from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.model import Host, Runbook, Text, TextKind
from runbook_tui.runbook.promql_values import PromqlRefused, query_from
from runbook_tui.runbook.promql_values import mark as promql_mark
from runbook_tui.runbook.shell_classify import environment_in_program_path
from runbook_tui.runbook.shell_files import step_folder
from runbook_tui.runbook.shell_values import (
    Raw as Raw,  # re-exported: plan.py marks raw values with it
)
from runbook_tui.runbook.shell_values import (
    ShellCommand,
    command_from,
    program_path_refusal,
    record,
    start_recording,
    stop_recording,
)
from runbook_tui.runbook.template_segments import ShellRefused, segments
from runbook_tui.runbook.template_simple import SimpleTemplate, split
from runbook_tui.runbook.url_values import UrlRefused, url_from

#: Names a template may use besides bare parameter names.
ROOTS = frozenset({"params", "ticket", "secrets", "captured", "host", "now"})
#: Names Jinja itself gives a meaning (its literals, its loop and block names, `range`): a parameter so named would be
#: shadowed where it is used (`{{ self|string }}` printed `<TemplateReference None>` for a parameter `self`).
JINJA_NAMES = frozenset({"self", "loop", "super", "caller", "varargs", "kwargs", "range", "true", "false", "none", "True", "False", "None"})
#: Root names whose values are only known when a step is about to run.
LATE_ROOTS = frozenset({"captured", "host", "secrets"})
MASK = "***"


def _raw(value: Any) -> Raw:
    return Raw(_to_text(value))


#: Words every message about inserting a value that is not set holds (NO_VALUE, and the loader's naming the parameter).
UNSET_WORDS = "a value that is not set"
#: Why `{{ x }}` of a value that is not set (an optional parameter without a default, a ticket field or host
#: field not given) does not print Python's `None` into a command or a title.
NO_VALUE = (
    "a value that is not set (none: an optional parameter given no value and no default, or a ticket field"
    " the ticket leaves out) cannot be inserted; expected a value (or test it first: {% if NAME is not none %})"
)


#: What a template may insert into text: data, never Python objects (classes, functions, internals).
_PLAIN_DATA = (str, int, float, type(None), dt.date, dt.time, dt.timedelta, dt.timezone)  # `now.tzinfo`: "UTC"


#: Why `{{ ticket }}` or `{{ ticket.window }}` does not print Python's `{'start': ...}` into a title or a command.
MAPPING_AS_TEXT = "a mapping (like ticket or ticket.window) cannot be inserted as text; expected one of its fields ({{ ticket.id }})"


def _to_text(value: Any) -> str:
    """A value as text: a list as its items joined by ", ", a host as its name; never Python's repr."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        raise ValueError(NO_VALUE)
    _refuse_objects(value)
    if isinstance(value, Mapping):
        name = value.get("name")
        if isinstance(name, str):  # a host (`{{ host }}`): its name, as the plan and the screen call it
            return name
        raise ValueError(MAPPING_AS_TEXT)
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(_to_text(item) for item in value)
    return str(value)


#: Characters a list or mapping may hold to become text (the template sandbox's limit for one value).
MAX_TEXT = 1_000_000


def _refuse_objects(value: Any, depth: int = 0) -> int:
    """Refuse to turn anything but data into text: `{{ dict }}` must not print `<class 'dict'>`.

    Returns how many characters the value's texts hold; a list or mapping holding more than MAX_TEXT is
    refused before it is printed (`{{ [s] * 300 }}`, `{}.fromkeys(range(300), s)`: one `s`, printed 300 times).
    """
    if isinstance(value, str):
        return len(value)
    if isinstance(value, _PLAIN_DATA):
        return 1
    if isinstance(value, (list, tuple, set, frozenset, Mapping)) and depth < 16:
        total = len(value)
        for item in value.items() if isinstance(value, Mapping) else value:
            total += _refuse_objects(item, depth + 1)
            if total > MAX_TEXT:
                raise ValueError(f"a list or mapping of more than {MAX_TEXT} characters cannot be inserted as text")
        return total
    fail = getattr(type(value), "_fail_with_undefined_error", None)
    if fail is not None:  # Jinja's Undefined for a field the sandbox refused (`''.__class__`): its own words, not "not a StrictUndefined"
        fail(value)
    raise TypeError(f"a template can insert text, numbers, lists and mappings, not a {type(value).__name__}")


def _record(value: Any) -> Any:
    """A shell command's value, checked as `finalize` checks text, then kept out of the text."""
    if value is None:
        raise ValueError(NO_VALUE)
    if not isinstance(value, bool):
        _refuse_objects(value)
    return record(value)


def _shell_finalize(value: Any) -> str:
    """Every expression went through the value recorder already (see template_segments.marked_source)."""
    return _to_text(value)


def _regex_finalize(value: Any) -> str:
    if isinstance(value, Raw):
        return str(value)
    return re.escape(_to_text(value))


def _plain_finalize(value: Any) -> str:
    return _to_text(value)


def _marked_finalize(value: Any) -> str:
    """A value in a query or a URL: marked, for `query_from` / `url_from` to place (`| raw` stays inline)."""
    if isinstance(value, Raw):
        return str(value)
    return promql_mark(_to_text(value))


#: Names Jinja's environments define: `range`, the sandbox's loop counter and concatenation (a test holds this equal to template_jinja's).
GLOBALS = frozenset({"range", "__rbt_iter", "__rbt_concat"})
#: What each environment does with a `{{ value }}` (the shell's through its `__rbt_value` filter): used for simple templates.
_EMIT: dict[TextKind, Callable[[Any], str]] = {
    "plain": _plain_finalize,
    "folder": _plain_finalize,
    "regex": _regex_finalize,
    "promql": _marked_finalize,
    "url": _marked_finalize,
    "shell": lambda value: _shell_finalize(_record(value)),
}
#: Filters that only mean something in a shell command.
SHELL_ONLY_FILTERS = frozenset({"shq"})


class Reference(NamedTuple):
    """A name a template uses: `root` alone (`now`, a bare parameter) or `root.attr`."""

    root: str
    attr: str | None
    line: int  # 1-based line inside the template


class Analysis(NamedTuple):
    roots: frozenset[str]
    references: tuple[Reference, ...]
    raw_lines: tuple[int, ...]  # template lines where `| raw` is used
    whole: tuple[Reference, ...] = ()  # names inserted as they are (`{{ captured }}`), not a field of them nor filtered


class TemplateError(ValueError):
    """A template that cannot be parsed or rendered; `line` is 1-based inside the template."""

    def __init__(self, message: str, line: int = 1, *, refusal: bool = False, offset: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.refusal = refusal  # a value refused where it stands (shell, PromQL, URL): the message says what to do
        self.offset = offset  # where in the template the refused value is written, when that is known


def is_template(source: str) -> bool:
    return "{" in source and ("{{" in source or "{%" in source or "{#" in source)


@lru_cache(maxsize=8192)
def analyse(source: str) -> Analysis:
    """Which names a template uses and where; raises TemplateError on a syntax error."""
    simple = split(source, GLOBALS)
    return _simple_analysis(simple) if simple is not None else parsed_analysis(source)


def parsed_analysis(source: str) -> Analysis:
    """`analyse` by Jinja's parser (for any template; `analyse` takes it for all but the simple ones)."""
    from runbook_tui.runbook import template_jinja

    return template_jinja.analysis(source)


def _simple_analysis(simple: SimpleTemplate) -> Analysis:
    return _analysis_of(simple.roots, simple.attrs, simple.lines)


@lru_cache(maxsize=1024)
def _analysis_of(roots: tuple[str, ...], attrs: tuple[str | None, ...], lines: tuple[int, ...]) -> Analysis:
    """What the Jinja walk below finds for a simple template: attribute uses first, then bare names.

    One per shape of lookups: the 1,000 titles `Step N on {{ cluster }}` of a runbook share it.
    """
    references = [Reference(root, attr, line) for root, attr, line in zip(roots, attrs, lines)]
    ordered = [x for x in references if x.attr is not None] + [x for x in references if x.attr is None]
    return Analysis(frozenset(roots), tuple(ordered), (), tuple(x for x in references if x.attr is None))


def _render_bounded(source: str, kind: TextKind, context: Mapping[str, Any]) -> str:
    simple = split(source, GLOBALS)
    if simple is not None:
        try:
            rendered = simple.render(context, _EMIT[kind])
        except Exception as exc:
            raise render_failure(exc) from None
        if rendered is not None:
            return rendered
    from runbook_tui.runbook import template_jinja

    return template_jinja.render(source, kind, context)


def render_failure(exc: Exception) -> TemplateError:
    """What a failed render tells the author (simple or by Jinja; Jinja's syntax errors and costs are its own)."""
    if isinstance(exc, (ShellRefused, PromqlRefused, UrlRefused)):
        return TemplateError(str(exc), refusal=True)
    if isinstance(exc, RecursionError):
        return TemplateError("cannot render template: it recurses too deeply")
    if type(exc).__name__ == "SecurityError" and str(exc).endswith("is unsafe."):  # the sandbox's (jinja2 may not be imported)
        said = str(exc).rstrip(".")
        return TemplateError(f"cannot render template: {said}; expected values and their fields, methods and filters, not Python internals")
    return TemplateError(f"cannot render template: {exc}")  # jinja raises many kinds; all mean "this template cannot render"


def render_command(source: str, context: Mapping[str, Any], cwd: str | None = None, elsewhere: frozenset[str] = frozenset()) -> ShellCommand:
    """A shell template as it runs: values out of band, in `env`, referred to by the text (see shell_values); `cwd`: the
    step's folder, rendered, where a relative path the command writes is (`> job` in /etc/cron.d is cron's); `elsewhere`:
    the paths the runbook's other steps name (`shell_other_steps`)."""
    if not is_template(source):
        return ShellCommand(source, (), source)
    recording = start_recording()
    try:
        rendered = _render_bounded(source, "shell", context)
    finally:
        values = stop_recording(recording)
    try:
        command = command_from(rendered, values, _to_text, step_folder(cwd), elsewhere)
    except ShellRefused as exc:
        raise TemplateError(str(exc), refusal=True, offset=_written_at(source, exc.value, len(values))) from None
    except ValueError as exc:
        raise TemplateError(str(exc)) from None
    for text in (command.text, command.shown, *(value for _, value in command.env)):
        _whole_characters(text)
    return command


_RAW = lazy_re.compile(r"\|\s*raw\b")  # a value written `{{ x | raw }}`: inserted as is, not one of the values a command refers to


def _whole_characters(rendered: str) -> str:
    """`rendered` itself, unless it holds a lone UTF-16 surrogate (`"\\ud800"`, `"%c" % 55296`): no UTF-8 text can.

    Told by UTF-8's own encoder, which refuses exactly those code points (`start`: the first one): a pattern of the
    surrogates' range took ~0.5 ms to compile at every start, before any runbook was read."""
    if rendered.isascii():
        return rendered
    try:
        rendered.encode("utf-8")
    except UnicodeEncodeError as refused:
        raise TemplateError(
            f"cannot render template: it makes U+{ord(rendered[refused.start]):04X}, half of a UTF-16 surrogate pair and no character"
            " (no terminal, file or journal can hold it); expected text of whole characters (\\U0001F680, not \\ud83d\\ude80)"
        ) from None
    return rendered


def _written_at(source: str, value: int | None, rendered: int) -> int | None:
    """Where the `value`-th of the `rendered` values stands in `source`: known when no tag (`{% if %}`, `{% for %}`)
    could make the values rendered other than the `{{ ... }}` written, one for one."""
    written = []
    for segment in segments(source):
        if segment.kind == "tag":
            return None
        if segment.kind == "value" and not _RAW.search(segment.text):
            written.append(segment.start)
    return written[value] if value is not None and len(written) == rendered else None


def _folder(source: str, context: Mapping[str, Any]) -> str:
    """A step's cwd: a value inside a folder the runbook names (`/srv/releases/{{ v }}`) is one file or folder name,
    for the folder picks the code that runs there (`./migrate.sh`, a Makefile, `.git/config`, `python3 -m`'s path). A
    cwd that is one value alone (`cwd: "{{ dir }}"`) names the whole folder by a parameter, as the author chose."""
    text = _whole_characters(_render_bounded(source, "plain", context))
    if not any(segment.kind == "data" and segment.text.strip() for segment in segments(source)):
        return text
    recording = start_recording()
    try:
        _render_bounded(source, "shell", context)
    finally:
        values = stop_recording(recording)
    for index, value in enumerate(values):
        for item in map(_to_text, value if isinstance(value, (list, tuple)) else [value]):
            if "/" in item or (item and not item.strip(".")):
                raise TemplateError(
                    f"a value inside the step's folder (cwd) picks the code that runs there (./migrate.sh, its Makefile,"
                    f" .git/config): expected one file or folder name (no '/', not '.' or '..'), not {item[:40]!r}; write"
                    " the folder in the runbook and the value as one name in it (cwd: /srv/releases/{{ v }})",
                    refusal=True,
                    offset=_written_at(source, index, len(values)),
                )
    return text


def render(source: str, kind: TextKind, context: Mapping[str, Any], cwd: str | None = None) -> str:
    """Render one template; raises TemplateError with a message an author understands.

    A shell template renders as people read it (values inline); what runs is `render_command` (in the step's `cwd`).
    """
    if not is_template(source):
        return source
    if kind == "shell":
        return render_command(source, context, cwd).shown
    if kind == "folder":
        return _folder(source, context)
    if kind in ("promql", "url"):
        place = query_from if kind == "promql" else url_from
        try:
            return place(_whole_characters(_render_bounded(source, kind, context)))
        except (PromqlRefused, UrlRefused) as exc:
            raise TemplateError(str(exc)) from None
    return _whole_characters(_render_bounded(source, kind, context))


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
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """The context just before a step runs. Without `secrets`, declared secrets render as `***`; without `now`, the
    time is read now (a step's texts shown and run take the one its `step_ready` journaled: engine/step_now.py)."""
    context = dict(base)
    context["now"] = now or dt.datetime.now(dt.UTC).astimezone()
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
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """The context for one of the runbook's steps on one host (secrets masked unless given)."""
    base = base_context(dict(runbook.param_values), runbook.ticket.as_context() if runbook.ticket else None)
    return step_context(
        base,
        host=host.as_context() if host is not None else None,
        captured=captured,
        secrets=secrets,
        secret_names=(s.name for s in runbook.secrets),
        now=now,
    )


def command_text(text: Text, context: Mapping[str, Any], cwd: str | None = None) -> ShellCommand:
    """A `run`/`undo` Text as it runs (in the step's rendered `cwd`): always rendered from its source, so values travel
    out of band."""
    return render_command(text.source, context, cwd)


def environment_path_refusal(command: str, env: Iterable[tuple[str, Text]], context: Mapping[str, Any]) -> str | None:
    """Why a value a step's `env:` template inserts where the command's programs are looked for (`PATH`, `BIN` in
    `"$BIN/psql"`) cannot stand there, or None: each such value is one file or folder name, as in the command itself."""
    templates = {name: text for name, text in env if is_template(text.source)}
    for name in sorted(environment_in_program_path(command, tuple(templates))):
        recording = start_recording()
        try:
            _render_bounded(templates[name].source, "shell", context)
        finally:
            values = stop_recording(recording)
        for value in values:
            for item in value if isinstance(value, (list, tuple)) else [value]:
                if (problem := program_path_refusal(_to_text(item))) is not None:
                    return f"env {name}: {problem}"
    return None


def render_text(text: Text, context: Mapping[str, Any]) -> str:
    """A Text's final string: its load-time value, or rendered now from `context`; a text that reads `now` always
    renders with the context's (a step's: the one journaled with it, so what is shown is what runs)."""
    if text.value is not None and "now" not in text.uses:
        return text.value
    return render(text.source, text.kind, context)
