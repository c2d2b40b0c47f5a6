"""Names Jinja keeps for itself (`self`, `loop`, its literals): never a parameter's value in disguise, never Python's repr."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers_runbook import at, cli_main, load, only_error

RUNBOOK = """\
runbook: 1
id: t
title: T
params:
  loop: {{type: string, default: lo}}
sections:
  - id: s
    steps:
      - id: one
        run: {run}
"""


def test_self_in_a_template_is_an_undefined_name_not_a_template_reference(write_runbook):  # type: ignore[no-untyped-def]
    """`{{ self|string }}` validated and ran `echo '<TemplateReference None>'`: Jinja's own name, never undeclared to it."""
    error = only_error(write_runbook(RUNBOOK.format(run="echo {{ self|string }}")))
    assert at(error) == (10, 14) and error.message.startswith("undefined name 'self'; expected a declared parameter"), error


def test_a_parameter_named_like_jinjas_own_names_is_used_as_params_name_with_a_warning(write_runbook, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    path: Path = write_runbook(RUNBOOK.format(run="echo {{ params.loop }}{% if true %} yes{% endif %}"))
    loaded = load(path)
    assert [str(w).replace(str(path), "F") for w in loaded.warnings] == [
        "F:5:3: warning: parameter name 'loop' is a name Jinja keeps: write params.loop in templates (a bare loop is Jinja's own)"
    ]
    assert cli_main(["plan", str(path)]) == 0
    assert "run: echo lo yes" in capsys.readouterr().out
