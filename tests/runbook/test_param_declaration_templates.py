"""A parameter's declaration is read before any parameter has a value: a template in it is refused at its place.

Before: `min: "{{ 5 }}"`, `max:`, `type: "{{ 'int' }}"` and `required: "{{ true }}"` rendered to nothing (no value
was bound yet) and were dropped without a word: `validate` said ok, `-p batch=0` passed a `min` of 5, a `type` fell
back to string and a `required` to false. `pattern:` and `choices:` kept the template as their literal text (no
value could ever match `{{ 5 }}`), and so did `description:` on the form (an undefined name in it validated). A default still renders from the parameters declared before it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_runbook import at, cli_main, errors, load

DECLARED = """\
runbook: 1
id: decl
title: T
params:
  batch: {type: int, min: "{{ 5 }}", max: "{{ 10 }}", default: 7}
  kind: {type: "{{ 'int' }}"}
  must: {type: string, required: "{{ true }}", description: "the {{ kind }} to use"}
  tag: {type: string, pattern: "^{{ 'v' }}[0-9]+$", default: v1}
  pick: {type: choice, choices: [a, "{{ 'b' }}"], default: a}
sections:
  - id: main
    steps:
      - id: one
        run: echo {{ batch }} {{ tag }} {{ pick }}
"""


def test_a_template_in_a_declaration_is_refused_where_it_is(write_runbook: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    path = write_runbook(DECLARED)
    found = {at(d): d.message for d in errors(path, {"batch": "0", "kind": "3", "must": "m"})}
    said = "is read before any parameter has a value, so it cannot be a template"
    assert found == {
        (5, 27): f"parameter 'batch': 'min' {said}; expected a plain number",
        (5, 43): f"parameter 'batch': 'max' {said}; expected a plain number",
        (6, 16): f"parameter 'kind': 'type' {said}; expected one of string, int, float, bool, choice, list",
        (7, 34): f"parameter 'must': 'required' {said}; expected true or false",
        # shown on the form before any value: `{{ kind }}` was shown as written, and `{{ nope }}` validated
        (7, 61): f"parameter 'must': 'description' {said}; expected plain text (it is shown on the form before any parameter has a value)",
        (8, 32): f"parameter 'tag': 'pattern' {said}; expected a regular expression written out",
        (9, 37): f"parameter 'pick': 'choices' {said}; expected each choice written out",
    }
    assert cli_main(["validate", str(path)]) == 2
    assert f"{path}:5:27: parameter 'batch': 'min' {said}" in capsys.readouterr().err


def test_a_default_still_renders_from_earlier_parameters(write_runbook: Callable[..., Path]) -> None:
    path = write_runbook(
        """\
        runbook: 1
        id: decl
        title: T
        params:
          cluster: {type: string, default: pg-main, pattern: "^pg-[a-z]+$"}
          backup: {type: string, default: "{{ cluster }}-backup"}
        sections:
          - id: main
            steps:
              - id: one
                run: echo {{ backup }}
        """
    )
    runbook = load(path).runbook
    assert dict(runbook.param_values) == {"cluster": "pg-main", "backup": "pg-main-backup"}
