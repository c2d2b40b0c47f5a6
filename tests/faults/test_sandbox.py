"""Template escapes from the Jinja sandbox: each is refused (a validation or render error), never its
result. Checked on the renderer directly and through a whole runbook, in every kind of text."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from runbook_tui.runbook.diagnostics import RunbookInvalid
from runbook_tui.runbook.loader import load_text
from runbook_tui.runbook.model import TextKind
from runbook_tui.runbook.templating import TemplateError, render

ESCAPES = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ self.__dict__ }}",
    "{{ lipsum.__globals__ }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ namespace.__init__ }}",
    "{{ namespace }}",
    "{{ dict }}",
    "{{ dict.__base__.__subclasses__() }}",
    "{{ range.__globals__ }}",
    "{% for c in ().__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "{{ ''|attr('__class__') }}",
    "{{ ''|attr('__class__')|attr('__mro__') }}",
    "{{ (x|attr('__class__')).__mro__ }}",
    "{{ x|map(attribute='__class__')|list }}",
    "{{ [x]|map(attribute='__class__')|first }}",
    "{{ '{0.__class__}'.format(x) }}",
    "{{ '{0.__class__.__mro__}'.format(1) }}",
    "{{ '{0!r}'.format(dict) }}",
    "{{ '{x.__class__}'.format_map({'x': x}) }}",
    "{{ '%r'|format(dict) }}",
    "{{ '%s'|format(x.__class__) }}",
    "{{ x.__class__ }}",
    "{{ now.__class__ }}",
    "{{ now.tzinfo.__class__ }}",
    "{{ params.__class__ }}",
    "{{ params.items.__self__ }}",
    "{{ x.upper.__self__.__class__ }}",
    "{{ [].__class__.__base__ }}",
    "{% set y = namespace() %}{{ y.__class__ }}",
    "{{ x.mro() }}",
    "{{ config }}",
    "{{ request }}",
    "{{ _TemplateReference__context }}",
    "{{ [dict] }}",
    "{{ {'a': dict} }}",
]


def context() -> dict[str, object]:
    return {"x": "v", "params": {"x": "v"}, "now": dt.datetime.now(dt.UTC)}


#: The only escapes that render instead of raising: `dict` is not a name in the context, and a format
#: call takes the undefined value's repr, the word "Undefined". No Python object comes out, and
#: validation refuses both runbooks (an undeclared name). Anything else that renders is a hole.
RENDERED = {
    "{{ '{0!r}'.format(dict) }}": "Undefined",
    "{{ '%r'|format(dict) }}": "Undefined",
}


@pytest.mark.parametrize("kind", ["plain", "shell", "regex"])
@pytest.mark.parametrize("source", ESCAPES)
def test_render_refuses_the_escape(source: str, kind: TextKind) -> None:
    prefix = "echo " if kind == "shell" else ""  # a command that is one value alone is refused for that (it names the program)
    if source in RENDERED:
        assert render(prefix + source, kind, context()) == prefix + RENDERED[source]
        return
    with pytest.raises(TemplateError):
        render(prefix + source, kind, context())


RUNBOOK = """\
runbook: 1
id: sandbox
title: {title}
params:
  x: {{type: string, default: v}}
sections:
  - id: s
    title: S
    kind: implement
    steps:
      - id: a
        title: A
        run: echo {run}
        undo: echo undone
"""


def quoted(source: str) -> str:
    return "'" + source.replace("'", "''") + "'"


@pytest.mark.parametrize("where", ["title", "run"])
@pytest.mark.parametrize("source", ESCAPES)
def test_a_runbook_using_the_escape_is_refused_at_validation(source: str, where: str) -> None:
    fields = {"title": "Title", "run": "hello"}
    fields[where] = quoted(source)
    text = textwrap.dedent(RUNBOOK).format(**fields)
    with pytest.raises(RunbookInvalid) as caught:
        load_text(text.encode(), "sandbox.yaml")
    for error in caught.value.errors:
        assert error.mark.line >= 1 and error.mark.col >= 1
        assert "<class" not in error.message
    assert any(e.mark.line == (3 if where == "title" else 13) for e in caught.value.errors), caught.value.errors


def test_a_parameter_named_like_a_removed_global_still_works() -> None:
    text = textwrap.dedent(RUNBOOK).format(title="'{{ namespace }}'", run='"{{ namespace }}"')
    text = text.replace("  x: {type: string, default: v}", "  namespace: {type: string, default: payments}")
    loaded = load_text(text.encode(), "sandbox.yaml")
    assert loaded.runbook.title == "payments"


def test_an_undeclared_namespace_is_an_error_not_a_class() -> None:
    text = textwrap.dedent(RUNBOOK).format(title="Title", run="'{{ namespace }}'")
    with pytest.raises(RunbookInvalid) as caught:
        load_text(text.encode(), "sandbox.yaml")
    assert "namespace" in str(caught.value)


#: A function or method as a value: each printed its repr (`<function _bounded_range at 0x7f…>`,
#: `<built-in method upper of str object at 0x7f…>`) through a filter, `%`, `~` or `.format`.
FUNCTIONS = [
    "{{ '%s'|format(range) }}",
    "{{ [1, 2]|join(range) }}",
    "{{ range|upper }}",
    "{{ range|e }}",
    "{{ [range]|join }}",
    "{{ [[range]]|upper }}",
    "{{ x.upper|string }}",
    "{{ '{}'.format(x.upper) }}",
    "{{ '%s' % params.items }}",
    "{{ '%(a)s' % {'a': range} }}",
    "{{ range ~ '' }}",
    "{{ now.strftime|trim }}",
    "{{ {'a': range}|dictsort|upper }}",
    "{{ x|default(range)|upper }}",
    "{% macro m() %}a{% endmacro %}{{ m|upper }}",
]


@pytest.mark.parametrize("kind", ["plain", "shell"])
@pytest.mark.parametrize("source", FUNCTIONS)
def test_a_function_never_becomes_text(source: str, kind: TextKind) -> None:
    with pytest.raises(TemplateError, match="a template can use a function only by calling it"):
        render(source, kind, context())


def test_calling_functions_and_filters_on_values_still_renders() -> None:
    source = "{{ x|upper }} {{ range(3)|list|join(',') }} {{ ['a', 'b']|map('upper')|join }} {{ nope|default('d') }} {{ x.upper() }}"
    assert render(source, "plain", context()) == "V 0,1,2 AB d V"
