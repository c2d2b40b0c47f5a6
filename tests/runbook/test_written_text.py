"""A plain scalar that YAML 1.1 would read as a number keeps the text written wherever the field is text:
`chmod {{ mode }}` with `default: 0644` must chmod 0644, not 420 (YAML's octal reading)."""

from __future__ import annotations

import pytest
from helpers_runbook import at, cli_main, errors, load

RUNBOOK = """\
runbook: 1
id: demo
title: 1.10
ticket: {id: 0123, subject: 15.10}
params:
  mode: {type: string, default: 0644}
  release: {type: string, default: 15.10}
  at: {type: string, default: 12:30:00}
  plain: {type: string, default: 5}
  answer: {type: choice, choices: [yes, no, 0755, 3], default: yes}
  dirs: {type: list, default: [0700, 1.10]}
sections:
  - id: main
    steps:
      - id: change
        run: chmod {{ mode }} f {{ release }} {{ at }} {{ plain }} {{ answer }} {{ dirs }}
        env: {MODE: 0644, FIRST: &perm 0750, AGAIN: *perm}
        cwd: 0700
"""


def test_text_fields_keep_a_number_as_it_was_written(write_runbook):
    runbook = load(write_runbook(RUNBOOK)).runbook
    step = runbook.step("change")
    assert step.body.value == "chmod 0644 f 15.10 12:30:00 5 yes 0700 1.10"
    assert [(name, text.value) for name, text in step.env] == [("MODE", "0644"), ("FIRST", "0750"), ("AGAIN", "0750")]
    assert step.cwd.value == "0700"
    assert (runbook.title, runbook.ticket.id, runbook.ticket.subject) == ("1.10", "0123", "15.10")


def test_choices_are_the_text_written_and_a_plain_number_keeps_its_type(write_runbook):
    path = write_runbook(RUNBOOK)
    answer = next(p for p in load(path).runbook.params if p.name == "answer")
    assert answer.choices == ("yes", "no", "0755", 3)
    assert load(path, {"answer": "0755"}).runbook.step("change").body.value.endswith(" 0755 0700 1.10")
    assert dict(load(path, {"answer": "3"}).runbook.param_values)["answer"] == 3
    [err] = errors(path, {"answer": "493"})
    assert err.message == "parameter 'answer': expected one of yes, no, 0755, 3, got '493'"


@pytest.mark.parametrize("version", ["true", "1.0", "01", "0x1"])
def test_only_the_integer_1_is_format_version_1(write_runbook, capsys, version):
    path = write_runbook(RUNBOOK.replace("runbook: 1", f"runbook: {version}", 1))
    assert cli_main(["validate", str(path)]) == 2
    assert f"{path}:1:10: unsupported format version " in capsys.readouterr().err


def test_a_pattern_must_be_a_string(write_runbook):
    path = write_runbook(RUNBOOK.replace("{type: string, default: 5}", "{type: string, default: 5, pattern: 5}"))
    [err] = errors(path)
    assert at(err) == (9, 46)
    assert err.message == "'pattern': expected a regular expression in a string, got 5"
