"""Simple templates (`{{ name }}`, `{{ name.attr }}`) skip Jinja: what they analyse and render must be exactly Jinja's."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runbook_tui.runbook import templating
from runbook_tui.runbook.model import TextKind
from runbook_tui.runbook.shell_values import Raw
from runbook_tui.runbook.template_simple import split
from runbook_tui.runbook.templating import TemplateError, analyse, render

CONTEXT: dict[str, Any] = {
    "cluster": "eu-1",
    "evil": "x; rm -rf / $(id) `id` 'q' \"d\" a.b*",
    "count": 3,
    "flag": True,
    "nothing": None,
    "items": ["a b", 2],
    "mapping": {"k": "v"},
    "raw": Raw("$(raw)"),
    "params": {"cluster": "eu-1", "count": 3},
    "ticket": {"id": "CHG-1", "window": {"start": None, "end": None}, "items": "shadowed by dict.items"},
    "host": {"name": "web1", "address": "192.0.2.1", "port": 22, "user": "ops"},
    "range": "a parameter named like a global",
}

TEMPLATES = [
    "Step 3 on {{ cluster }}",
    "{{cluster}}",
    "{{\tcluster\n}}",
    "a\n{{ host.name }}\nb {{ count }} {{ host.port }}",
    "{{ params.cluster }}/{{ ticket.id }}/{{ ticket.window }}",
    "{{ evil }}",
    "{{ flag }} {{ nothing }} {{ items }} {{ mapping }}",
    "{{ raw }}",
    "{{ ticket.items }}",  # dict.items is an attribute: the sandbox takes it before the key
    "{{ cluster.upper }}",
    "{{ mapping.missing }}",
    "{{ missing }}",
    "{{ range }}",
    "{{ true }} {{ None }}",
    "{{{ cluster }}",
    "}}{{ cluster }}}",
    "{{ cluster }}{",
    "{{ cluster }} {% if flag %}x{% endif %}",
    "{{ cluster }} {# note #}",
    "{{- cluster }}",
    "{{ cluster | upper }}",
    "a\r\n{{ cluster }}",
    "{{ cluster",
    "{{ x.y.z }}",
    'echo {{ evil }} "{{ cluster }}" $(( {{ count }} + 1 ))',
    "echo '{{ cluster }}'",
    'sh -c "echo {{ evil }}"',
]


def _outcome(call: Any) -> tuple[str, Any]:
    try:
        return ("ok", call())
    except TemplateError as exc:
        return ("error", (str(exc), exc.line))


def _jinja_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(templating, "split", lambda source, globals_: None)
    analyse.cache_clear()


@pytest.mark.parametrize("source", TEMPLATES)
@pytest.mark.parametrize("kind", ["plain", "shell", "regex"])
def test_simple_templates_render_as_jinja_does(source: str, kind: TextKind, monkeypatch: pytest.MonkeyPatch) -> None:
    analyse.cache_clear()
    fast = (_outcome(lambda: analyse(source)), _outcome(lambda: render(source, kind, CONTEXT)))
    if kind == "shell":
        fast += (_outcome(lambda: templating.render_command(source, CONTEXT)),)
    _jinja_only(monkeypatch)
    slow = (_outcome(lambda: analyse(source)), _outcome(lambda: render(source, kind, CONTEXT)))
    if kind == "shell":
        slow += (_outcome(lambda: templating.render_command(source, CONTEXT)),)
    assert fast == slow
    analyse.cache_clear()


def test_the_common_shapes_are_taken_without_jinja() -> None:
    """The bench's strings must take the fast path, or a 1,000-step runbook loads in seconds again."""
    for source in ("Step 3 on {{ cluster }}", "restart --host {{ host.name }} {{ params.cluster }}", "{{a}}{{b}}"):
        assert split(source, templating.GLOBALS) is not None, source
    for source in ("{{ cluster | upper }}", "{% if x %}{% endif %}", "{{ range }}", "{{ true }}", "{{{ x }}"):
        assert split(source, templating.GLOBALS) is None, source


def test_a_constant_in_a_command_is_recorded_at_every_render() -> None:
    """Jinja folds constants at compile time; the value recorder must still run per render (the compiled template is cached)."""
    first = templating.render_command("echo {{ true }} {{ 'x y' }}", {})
    again = templating.render_command("echo {{ true }} {{ 'x y' }}", {})
    assert first == again
    assert again.env == (("RBT_V1", "true"), ("RBT_V2", "x y"))


PIECES = [
    "{{ cluster }}",
    "{{host.name}}",
    "{{{",
    "{{",
    "}}",
    "{",
    "}",
    "{%",
    "%}",
    "{#",
    "#}",
    " ",
    "\n",
    "\r",
    "\t",
    "cluster",
    "host.name",
    "host",
    ".",
    "count",
    "-",
    "|",
    "true",
    "range",
    "x.y.z",
    "a b",
    "'",
    "$",
]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(source=st.lists(st.sampled_from(PIECES), max_size=12).map("".join))
def test_generated_templates_analyse_and_render_as_jinja_does(source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Strings built from the pieces that decide the shape: the fast path, when it takes one, answers as Jinja."""
    analyse.cache_clear()
    fast = (_outcome(lambda: analyse(source)), _outcome(lambda: render(source, "plain", CONTEXT)))
    with monkeypatch.context() as patched:
        patched.setattr(templating, "split", lambda source, globals_: None)
        analyse.cache_clear()
        slow = (_outcome(lambda: analyse(source)), _outcome(lambda: render(source, "plain", CONTEXT)))
    analyse.cache_clear()
    assert fast == slow, source
