"""Templates cost bounded time and memory: each costly template is an error at the string's position, quickly.

A loop that would run too long is stopped by the iteration count or, on a
machine so busy that the time budget runs out first, by the time budget:
either refusal names what was too much.
"""

from __future__ import annotations

import time

import pytest
from helpers_runbook import errors

from runbook_tui.runbook.templating import TemplateError, render

COSTLY = [
    ("{{ 9**(9**10) }}", "bits"),
    ("{{ 'a' * 3000000000 }}", "the limit is"),
    ("{{ [1, 2] * 3000000000 }}", "the limit is"),
    ("{{ '%2000000000s' % 1 }}", "width"),
    ("{{ '%*s' % (2000000000, 1) }}", "width"),
    ("{{ '%2000000000s' | format(1) }}", "width"),
    ("{{ '{:2000000000}'.format(1) }}", "width"),
    ("{{ '{:{}}'.format(1, 2000000000) }}", "width|string"),
    ("{{ 'x' | center(2000000000) }}", "wider"),
    ("{{ 'x\nx' | indent(2000000000) }}", "wider"),
    ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "loop iterations|the template takes"),
    ("{% for i in range(10**12) %}{% endfor %}", "the limit is"),
    ("{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(40) }}", "the template takes|values in one command"),
    ("{% set s = 'a' * 1000000 %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}", "loop iterations|the template takes"),
    ("{{ 'a'.ljust(1000000000) }}", "ljust.* is wider than 10000"),
    ("{{ 'a'.rjust(1000000000) }}", "rjust.* is wider than 10000"),
    ("{{ 'a'.center(1000000000) }}", "center.* is wider than 10000"),
    ("{{ 'a'.zfill(1000000000) }}", "zfill.* is wider than 10000"),
    ("{{ '\t\t'.expandtabs(1000000000) }}", "the limit is 1000000"),
    ("{{ ('a' * 100000) | replace('', 'b' * 10000) }}", "the limit is 1000000"),
    ("{{ ('a' * 100000) | replace('a', 'b' * 100000) }}", "the limit is 1000000"),
    ("{{ ('a' * 100000).replace('a', 'b' * 100000) }}", "the limit is 1000000"),
    ("{{ ('a' * 1000000).join([''] * 1000) }}", "the limit is 1000000"),
    ("{{ ([('a' * 1000000)] * 1000) | join }}", "the limit is 1000000"),
    ("{{ ('x' * 1000000).translate({120: 'y' * 1000}) }}", "the limit is 1000000"),
    ("{{ range(10) | slice(100000000) | list }}", "the limit is 1000000"),
    ("{{ range(1) | batch(100000000, 'x') | list }}", "the limit is 1000000"),
    ("{{ [1, 2] | tojson(1000000000) }}", "wider than 10000"),
    ("{% set s = 'a' * 1000000 %}{{ " + " ~ ".join(["s"] * 100) + " }}", "renders more than 1000000 characters"),
    ("{% for i in range(1000) %}{{ 'a' * 1000000 }}{% endfor %}", "renders more than 1000000 characters|values of one command hold more than 1000000"),
    ("{% set s = 'a' * 1000000 %}{{ [s] * 300 }}", "the limit is 1000000"),
    ("{% set s = 'a' * 1000000 %}{{ [[s]] * 300 }}", "the limit is 1000000"),
    ("{{ range(1) | batch(1000, 'a' * 1000000) | list }}", "the limit is 1000000"),
    ("{% set s = 'a\n' * 500000 %}{{ s | indent(10000) }}", "the limit is 1000000"),
    ("{{ range(1000) | map('string') | map('replace', '0', 'a' * 300000) | list | length }}", "builds more than 10000000 items in all"),
    ("{% set s = 'a' * 1000000 %}{{ {}.fromkeys(range(300), s) }}", "more than 1000000 characters"),
    ("{% set s = 'a' * 1000000 %}{{ range(300) | map(attribute='x', default=s) | list }}", "more than 1000000 characters"),
    ("{% set s = 'a' * 1000000 %}{{ 'x' ~ {}.fromkeys(range(300), s) }}", "the limit is 1000000"),
    ("{% set s = 'a' * 1000000 %}{{ {}.fromkeys(range(300), s) | string | length }}", "the limit is 1000000"),
    ("{% set s = 'a' * 1000000 %}{{ {}.fromkeys(range(300), s) | pprint | length }}", "the limit is 1000000"),
    ("{% set s = 'a' * 1000000 %}{{ {}.fromkeys(range(300), s) | tojson | length }}", "the limit is 1000000"),
    ("{% set s = 'a' * 1000000 %}{{ ('%s' % ({}.fromkeys(range(300), s),)) | length }}", "the limit is 1000000"),
    ("{% set s = 'a' * 1000000 %}{{ '%s' | format({}.fromkeys(range(300), s)) | length }}", "the limit is 1000000"),
    ("{% set s = 'a' * 1000000 %}{{ '{}'.format({}.fromkeys(range(300), s)) | length }}", "the limit is 1000000"),
    ("{% set s = 'a' * 1000000 %}{{ [{}.fromkeys(range(300), s)] | join | length }}", "the limit is 1000000"),
    (
        "{% set t = 'a' * 100000 %}{% set s %}{% for i in range(20) %}{{ t }}{% endfor %}{% endset %}{{ s | length }}",
        "renders more than 1000000|values of one command hold more",
    ),
]


@pytest.mark.parametrize("kind", ["plain", "shell", "regex"])
@pytest.mark.parametrize(("source", "says"), COSTLY)
def test_a_costly_template_is_refused_quickly(source: str, says: str, kind: str) -> None:
    started = time.monotonic()
    with pytest.raises(TemplateError, match=says):
        render(source, kind, {})  # type: ignore[arg-type]
    assert time.monotonic() - started < 10


def test_ordinary_templates_still_render() -> None:
    assert render("{{ 2 ** 10 }} {{ 'ab' * 3 }} {{ '%5s' % 'x' }} {{ '{:>4}'.format(7) }}", "plain", {}) == "1024 ababab     x    7"
    assert render("{% for i in range(3) %}{{ i }}{% endfor %}", "plain", {}) == "012"
    assert render("{{ 'ab'.ljust(4) }}|{{ '7'.zfill(3) }}|{{ 'a\tb'.expandtabs(2) }}|{{ 'aXa' | replace('a', 'bb') }}", "plain", {}) == "ab  |007|a b|bbXbb"
    assert (
        render("{{ 'a' ~ 1 ~ 'b' }} {{ [1, 2] | join(',') }} {{ range(4) | slice(2) | list }} {{ [1] | tojson(2) }}", "plain", {})
        == "a1b 1,2 0, 1, 2, 3 [\n  1\n]"  # a list as text is its items joined (test_values_as_text), not Python's form
    )
    texts = "{{ '{}'.format([0]) }} {{ [[1]] | join }} {{ [1, 2] | string }} {{ {'a': 1} | pprint }} {{ '%s-%s' % (1, [2]) }} {{ '%s' | format([3]) }} {{ [4] ~ 5 }}"
    assert render(texts, "plain", {}) == "[0] [1] [1, 2] {'a': 1} 1-[2] [3] [4]5"


def test_a_costly_title_is_an_error_at_its_line(write_runbook) -> None:
    path = write_runbook(
        """
        runbook: 1
        id: demo
        title: "{{ 9**(9**10) }}"
        sections:
          - id: main
            steps:
              - id: one
                run: echo {{ 'a' * 3000000000 }}
        """
    )
    found = errors(path)
    assert sorted((d.mark.line, "bits" in d.message or "limit" in d.message) for d in found) == [(3, True), (8, True)]


def test_a_big_list_given_to_a_filter_in_a_loop_stops_at_the_time_limit() -> None:
    """Each filter call checks its value for functions (`'%s'|format(range)`); a 900,000-item list handed to a filter
    100,000 times must still stop near MAX_SECONDS (it took 10.7 s before the walk looked at the clock)."""
    started = time.monotonic()
    with pytest.raises(TemplateError, match="the template takes longer than"):
        render("{% set big = range(900000)|list %}{% for i in range(100000) %}{{ big|length }}{% endfor %}", "plain", {})
    assert time.monotonic() - started < 4
