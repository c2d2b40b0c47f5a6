"""A value that is not set never reaches a command or a title as Python's `None`.

An optional parameter given no value and no default, a ticket field the ticket leaves out, and `host.user`
on a host without `user:` used to render as the word `None` (`echo None`, a title `Restart None`):
the command ran with it. Each is now refused at its string's FILE:LINE:COL, and a test for it still works.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_runbook import at, cli_main, errors, load

UNSET = """\
runbook: 1
id: unset
title: T
ticket: {id: CHG-1}
params:
  batch: {type: int}
  fast: {type: bool}
  mode: {type: choice, choices: [a, b]}
hosts:
  web: [{name: web1, address: 192.0.2.1, user: deploy}, {name: web2, address: 192.0.2.2}]
sections:
  - id: main
    steps:
      - id: one
        title: "Batch {{ batch }}"
        run: echo --batch={{ batch }} "{{ fast }}" $(echo {{ mode }})
      - id: two
        run: echo "{{ ticket.verifier }}"
      - id: three
        on: web
        run: echo {{ host.user }}
      - id: four
        run: "{% if batch is not none %}echo {{ batch }}{% endif %}"
      - id: five
        run: echo {{ host.user }}
"""


def test_unset_values_are_refused_where_they_are_used(write_runbook: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    path = write_runbook(UNSET)
    found = errors(path)
    assert [at(d) for d in found] == [(15, 16), (16, 14), (18, 14), (21, 14), (25, 14)]
    assert [d.message.split(", and a value")[0] for d in found[:2]] == [
        "cannot render template: parameter 'batch' has no value (optional, no default)",  # the title
        "cannot render template: parameters 'batch', 'fast', 'mode' have no value (optional, no default)",  # the command
    ]
    assert all("expected -p batch=VALUE, a default, or a test first: {% if batch is not none %}" in d.message for d in found[:2])
    assert "not set (none" in found[2].message  # a ticket field: no parameter to name
    assert all("'host.user' has no value on some host" in d.message for d in found[3:])  # web2 has no user, local none
    assert "None" not in "".join(d.message for d in found)

    # validate without values stands in for the optional parameters a template inserts; the rest are still errors
    assert cli_main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:18:14: cannot render template: a value that is not set (none" in err
    assert f"{path}:16:14" not in err and f"{path}:15:16" not in err
    assert "Traceback" not in err

    # given values (and a verifier, and a user on every host), the same runbook renders them
    fixed = (
        path.read_text()
        .replace("{id: CHG-1}", "{id: CHG-1, verifier: bob}")
        .replace("192.0.2.2}", "192.0.2.2, user: deploy}")
        .replace("{{ host.user }}", "{{ host.name }}")
    )
    path.write_text(fixed)
    runbook = load(path, {"batch": "5", "fast": "no", "mode": "b"}).runbook
    one = runbook.steps[0]
    assert one.title == "Batch 5"
    assert one.body is not None and one.body.value == 'echo --batch=5 "false" $(echo b)'


#: The format's own top-level example (runbook-format.md), with a step: `cluster` is an optional choice without a default.
FORMAT_EXAMPLE = """\
runbook: 1                     # format version, required
id: pg-minor-upgrade           # required, [a-z0-9-]+
title: "Upgrade PostgreSQL on {{ cluster }}"   # required
params:
  cluster:
    type: choice               # string | int | float | bool | choice | list
    choices: [pg-main, pg-reporting]
    description: Which cluster to upgrade
  to_version: {type: string, pattern: '^15\\.\\d+$', required: true}
  batch_pause: {type: int, default: 30, min: 0, max: 600}
sections:
  - id: main
    steps:
      - id: one
        run: echo {{ cluster }} {{ to_version }} {{ batch_pause }}
"""


def test_the_formats_example_validates_without_values_and_names_the_value_a_run_needs(
    write_runbook: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Before: `validate` without -p said `3:8: cannot render template: a value that is not set ...`, exit 2, for the
    format's own example, and `plan -p to_version=15.6` said the same without naming `cluster`."""
    path = write_runbook(FORMAT_EXAMPLE)
    assert cli_main(["validate", str(path)]) == 0
    out, err = capsys.readouterr()
    assert err == "" and f"{path}: ok without values for cluster, to_version (1 step, 0 warnings)" in out, (out, err)
    assert f"{path}:5:3: skipped: parameter 'cluster' has no value (optional, no default; a template inserts it)" in out
    assert cli_main(["plan", str(path), "-p", "to_version=15.6"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{path}:3:8: cannot render template: parameter 'cluster' has no value (optional, no default)"), err
    assert cli_main(["plan", str(path), "-p", "to_version=15.6", "-p", "cluster=pg-main"]) == 0
    assert "Upgrade PostgreSQL on pg-main" in capsys.readouterr().out
