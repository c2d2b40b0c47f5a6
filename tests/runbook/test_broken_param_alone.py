"""A parameter given a wrong value is the one error said: the fields that render from parameters are not judged as
their template.

With a broken parameter nothing renders, and the host fields written as templates (`name: "{{ replica }}"`) were
checked as the text `{{ replica }}`: `-p bad=x` gave the parameter's error and four more (`host name '{{ replica }}'
has a space…`, its address, its user, its bastion), plus warnings about a step's `serial`, `max_fail` and
`retry_delay` judged from values that never rendered ("no effect on the single host '{{ replica }}'"), and a step
`on: "{{ group }}"` was on an unknown host `{{ group }}`.
"""

from __future__ import annotations

from helpers_runbook import at, cli_main, diagnostics

RUNBOOK = """\
runbook: 1
id: hosts-from-params
title: "Hosts from {{ replica }}"
params:
  replica: {type: string, default: db2}
  t: {type: int, default: 3}
  bad: {type: int, default: 1}
  group: {type: string, default: web}
hosts:
  db:
    - {name: "{{ replica }}", address: "{{ replica }}.db.internal", user: "{{ replica }}", via: "{{ replica }}j"}
  jump:
    - {name: "{{ replica }}j", address: jump.internal}
  web:
    - {name: w1, vars: {role: front}}
sections:
  - id: main
    title: Main
    steps:
      - {id: a, title: A, on: "{{ replica }}", run: "echo {{ host.address }}", retries: "{{ t }}", retry_delay: 2s, serial: 2}
      - {id: b, title: B, on: "{{ group }}", run: "echo {{ host.role }}"}
"""


def test_a_wrong_parameter_value_is_the_only_thing_said(write_runbook, capsys):
    path = write_runbook(RUNBOOK)
    said = [(d.severity, at(d), d.message) for d in diagnostics(path, {"bad": "x"})]
    assert said == [("error", (7, 3), "parameter 'bad': expected an integer, got 'x'")], said
    assert cli_main(["validate", str(path), "-p", "bad=x"]) == 2
    assert capsys.readouterr().err == f"{path}:7:3: parameter 'bad': expected an integer, got 'x'\n"


def test_with_good_values_the_rendered_host_fields_are_still_judged(write_runbook):
    """The checks still hold for what renders: a value with a space, or starting with '-' (an ssh option)."""
    path = write_runbook(RUNBOOK)
    said = [(at(d), d.message.split(";")[0]) for d in diagnostics(path, {"replica": "-oProxyCommand=x"}) if d.severity == "error"]
    assert said == [
        ((11, 14), "host name '-oProxyCommand=x' starts with '-', which ssh, scp and rsync read as an option"),
        ((11, 40), "host address '-oProxyCommand=x.db.internal' starts with '-', which ssh, scp and rsync read as an option"),
        ((11, 75), "user name '-oProxyCommand=x' starts with '-', which ssh, scp and rsync read as an option"),
        ((13, 14), "host name '-oProxyCommand=xj' starts with '-', which ssh, scp and rsync read as an option"),
    ], said
