"""A plain scalar that YAML 1.1 would read as a number keeps the text written wherever the field is text:
`chmod {{ mode }}` with `default: 0644` must chmod 0644, not 420 (YAML's octal reading)."""

from __future__ import annotations

import pytest
from helpers_runbook import at, cli_main, errors, load, only_error

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


INT_DEFAULTS = """\
runbook: 1
id: demo
title: modes
params:
  mode: {type: int, default: 0644}
  big: {type: int, default: 1_000}
  ratio: {type: float, default: 15.10}
  flag: {type: bool, default: yes}
sections:
  - id: main
    steps:
      - {id: change, run: "chmod {{ mode }} f {{ big }} {{ ratio }} {{ flag }}"}
"""


def test_a_typed_default_means_what_the_same_text_means_on_the_command_line(write_runbook):
    """`type: int, default: 0644` was YAML 1.1's octal 420 (`chmod 420`), while `-p mode=0644` gives 644."""
    path = write_runbook(INT_DEFAULTS)
    defaults = {param.name: param.default for param in load(path).runbook.params}
    assert defaults == {"mode": 644, "big": 1000, "ratio": 15.1, "flag": True}
    assert load(path, {"mode": "0644"}).runbook.step("change").body.value == load(path).runbook.step("change").body.value


def test_an_int_default_written_as_yaml_hex_is_an_error_where_it_is_written(write_runbook):
    """`-p n=0x1A` is refused, so `default: 0x1A` is too (YAML 1.1 read it as 26), at its line and column."""
    path = write_runbook(INT_DEFAULTS.replace("default: 1_000", "default: 0x1A"))
    error = only_error(path)
    assert "default: parameter 'big': expected an integer, got '0x1A'" in error.message
    assert at(error) == (6, 29)  # the value, after `  big: {type: int, default: `


HOST_VARS = """\
runbook: 1
id: hv
title: host vars
hosts:
  web:
    - {name: web1, address: 127.0.0.1, vars: {mode: 0644, release: 15.10, at: 12:30:00, canary: no, port2: 8080}}
sections:
  - id: main
    steps:
      - id: change
        on: web
        run: "chmod {{ host.mode }} f {{ host.release }} {{ host.at }} {{ host.port2 }}{% if host.canary %} canary{% endif %}"
        undo: "true"
"""


def test_a_host_var_written_as_a_number_keeps_its_text_and_a_boolean_keeps_its_meaning(write_runbook, capsys):
    """`vars: {mode: 0644}` made `chmod {{ host.mode }}` run `chmod 420`; `canary: no` must stay false in an `{% if %}`."""
    assert cli_main(["plan", str(write_runbook(HOST_VARS))]) == 0
    [line] = [line for line in capsys.readouterr().out.splitlines() if "chmod" in line]
    assert line.strip() == "run: chmod 0644 f 15.10 12:30:00 8080", line
