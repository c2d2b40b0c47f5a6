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
    assert all("not set (none" in d.message for d in found[:3]), found
    assert all("'host.user' has no value on some host" in d.message for d in found[3:])  # web2 has no user, local none
    assert "None" not in "".join(d.message for d in found)

    assert cli_main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:16:14: cannot render template: a value that is not set" in err
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
