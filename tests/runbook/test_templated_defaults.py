"""A parameter's default is a string value, so a Jinja2 template like every other: rendered from the parameters
declared before it. Before, `backup: {default: "{{ cluster }}-backup"}` ran `echo '{{ cluster }}-backup'`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from helpers_runbook import at, errors, load

DEFAULTS = """\
runbook: 1
id: defaults
title: T
params:
  cluster: {type: string, default: main, pattern: '^[a-z0-9-]+$'}
  backup: {type: string, default: "{{ cluster }}-backup", pattern: '^[a-z0-9-]+-backup$'}
  hosts: {type: list, default: ["{{ cluster }}-1", "{{ cluster }}-2"]}
sections:
  - id: main
    steps:
      - id: one
        run: echo {{ backup }} {{ hosts }}
"""


def test_a_templated_default_renders_from_the_parameters_before_it(write_runbook: Callable[..., Path]) -> None:
    path = write_runbook(DEFAULTS)
    step = load(path).runbook.steps[0]
    assert step.body is not None and step.body.value == "echo main-backup main-1 main-2"
    step = load(path, {"cluster": "pg2"}).runbook.steps[0]
    assert step.body is not None and step.body.value == "echo pg2-backup pg2-1 pg2-2"
    # a value given is data, never a template
    step = load(path, {"hosts": "{{ cluster }}-9", "cluster": "pg2"}).runbook.steps[0]
    assert step.body is not None and step.body.value == "echo pg2-backup '{{ cluster }}-9'"
    # the rendered default is checked as a given value is
    assert [d.message for d in errors(path, {"cluster": "PG"})] == [
        "parameter 'cluster': 'PG' does not match the pattern '^[a-z0-9-]+$'; expected a value it matches"
    ]


def test_a_default_using_a_later_parameter_or_a_secret_is_refused(write_runbook: Callable[..., Path]) -> None:
    path = write_runbook(
        DEFAULTS.replace("  cluster: {type: string, default: main, pattern: '^[a-z0-9-]+$'}\n", "")
        .replace("  hosts:", "  cluster: {type: string, default: main}\n  token: {type: string, default: '{{ secrets.t }}'}\n  hosts:")
        .replace("sections:", "secrets:\n  t: {env: T}\nsections:")
    )
    found = {at(d): d.message for d in errors(path)}
    assert found == {
        (5, 35): "default of 'backup': cluster is declared after it; expected parameters declared before it",
        (7, 34): "secrets cannot be used here: expected a value known when the runbook loads",
    }


HOST_VARS = """\
runbook: 1
id: vars
title: T
params:
  cluster: {type: string, default: main}
hosts:
  web: [{name: web1, address: 192.0.2.1, vars: {role: "r-{{ cluster }}", port: 0644, tag: "{{ nope }}"}}]
sections:
  - id: main
    steps:
      - {id: one, on: web, run: "echo {{ host.role }} {{ host.port }}"}
"""


def test_a_host_var_renders_from_params_as_the_host_fields_do(write_runbook: Callable[..., Path]) -> None:
    """`vars: {role: "r-{{ cluster }}"}` reached the command as `echo 'r-{{ cluster }}'`."""
    path = write_runbook(HOST_VARS)
    [error] = errors(path)
    assert at(error) == (7, 91) and error.message.startswith("undefined name 'nope'")
    path.write_text(HOST_VARS.replace(', tag: "{{ nope }}"', ""))
    runbook = load(path, {"cluster": "pg2"}).runbook
    assert dict(runbook.group("web")[0].vars) == {"role": "r-pg2", "port": "0644"}
