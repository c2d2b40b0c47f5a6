"""A parameter value holding a NUL byte (`-p note=@file` of a binary file, a default written `"a\\0b"`) is an error
naming the parameter, as every wrong value is (the contract), said once at the parameter (a default: at the default).

Before, the value was taken, and each command that used it was refused at its own place without the parameter's
name (`14:14: a value holds a NUL byte, which no command can receive`): the author had to find which value it was.
"""

from __future__ import annotations

from helpers_runbook import at, cli_main, errors

RUNBOOK = """\
runbook: 1
id: nul-values
title: NUL values
params:
  note: {type: string, default: x}
  hosts: {type: list, default: [a]}
  other: {type: string, default: "a\\0b"}
sections:
  - id: main
    title: Main
    steps:
      - {id: a, title: A, run: "echo {{ note }} {{ hosts | join(',') }}"}
      - {id: b, title: B, run: "echo {{ note }}"}
"""


def test_a_nul_byte_in_a_value_is_refused_at_its_parameter(write_runbook, tmp_path, capsys):
    path = write_runbook(RUNBOOK.replace('"a\\0b"', "y"))
    (tmp_path / "blob").write_bytes(b"ab\x00cd")
    assert cli_main(["validate", str(path), "-p", f"note=@{tmp_path / 'blob'}", "-p", f"hosts=@{tmp_path / 'blob'}"]) == 2
    said = capsys.readouterr().err.splitlines()
    assert said == [
        f"{path}:5:3: parameter 'note': expected text without a NUL byte (is it a binary file?), got 'ab\\x00cd'",
        f"{path}:6:3: parameter 'hosts': expected text without a NUL byte (is it a binary file?), got 'ab\\x00cd' as item 1",
    ], said


def test_a_default_holding_a_nul_byte_is_refused_at_its_parameter(write_runbook):
    path = write_runbook(RUNBOOK)
    found = [(at(d), d.message) for d in errors(path)]
    assert found == [((7, 34), "default: parameter 'other': expected text without a NUL byte (is it a binary file?), got 'a\\x00b'")], found
