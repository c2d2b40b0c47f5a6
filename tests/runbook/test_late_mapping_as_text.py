"""`{{ secrets }}` and `{{ captured }}` (the whole mapping, not one of its fields) in a string rendered as
the step runs: refused at `validate`, as `{{ params }}` and `{{ ticket }}` are (the spec: every name resolvable at
validation; a runbook that fails validation runs nothing).

Before: `validate` said ok; the step failed as it ran (`cannot render the command: a mapping … cannot be inserted as
text`), after the steps before it had run; a title or note with one showed its template.
"""

from __future__ import annotations

import pytest
from helpers_runbook import at, cli_main, errors, load

RUNBOOK = """\
runbook: 1
id: demo
title: Demo
secrets:
  tok: {{env: DEMO_TOK}}
hosts:
  web: [{{name: w1, address: 10.0.0.1}}]
sections:
  - id: main
    steps:
      - {{id: first, run: echo hi, capture: cap}}
      - id: then
        {line}
"""


@pytest.mark.parametrize(
    ("line", "root", "col"),
    [
        ('run: "echo {{ secrets }}"', "secrets", 14),
        ('run: "echo {{ captured }}"', "captured", 14),
        ("note: 'done {{ captured }}'", "captured", 15),
        ('run: "{% if captured.cap %}echo {{ captured }}{% endif %}"', "captured", 14),  # Jinja's own parse, not the simple one
    ],
)
def test_a_late_mapping_inserted_whole_is_refused_at_validate(write_runbook, line, root, col):
    path = write_runbook(RUNBOOK.format(line=line))
    [err] = errors(path)
    assert at(err) == (13, col)
    assert err.message == (f"'{root}' holds several values (a mapping), which cannot be inserted as text; expected one of its fields ({{{{ {root}.NAME }}}})")
    assert cli_main(["validate", str(path)]) == 2


@pytest.mark.parametrize(
    "line",
    [
        'run: "echo {{ captured.cap }} {{ host.name }}"\n        on: web',
        'run: "echo {{ host }}"\n        on: web',  # a mapping with a name is inserted as its name: the host's
        'run: "echo {{ captured | length }}"',
    ],
)
def test_its_fields_a_host_and_what_a_filter_makes_of_it_pass(write_runbook, line):
    assert load(write_runbook(RUNBOOK.format(line=line))).warnings == []
