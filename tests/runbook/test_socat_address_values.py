"""A value that is the start of a socat address: `socat - "{{ x }}"`, `socat TCP-LISTEN:8080,fork "{{ x }}"`.

`socat - SYSTEM:{{ x }}` was code to socat (its SYSTEM: and EXEC: addresses run a program), but a value that is the
whole address picks its type: x = `SYSTEM:touch F` validated and socat ran touch (below, with the real socat; so did
`EXEC:…`). Such a value picks the program that runs, as a command's whole name does: refused at validate; a value
inside an address the runbook names (`TCP:{{ host }}:5432`) passes.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from helpers_runbook import takes_any_value

from runbook_tui.runbook.shell_values import static_problems


@pytest.mark.parametrize("template", ['socat - "{{ x }}"', 'socat TCP-LISTEN:8080,fork,reuseaddr "{{ x }}"', "socat -d -d {{ x }} -"])
def test_a_value_starting_a_socat_address_is_refused(template: str) -> None:
    [(_, message)] = static_problems(template)
    assert message.startswith("this value is the start of a socat address (its SYSTEM: and EXEC: run a program), so it picks the program")


def test_a_value_inside_an_address_the_runbook_names_passes() -> None:
    takes_any_value('socat - "TCP:db1:{{ x }}"')


def test_what_socat_did_with_such_a_value(tmp_path: Path) -> None:
    made = tmp_path / "made"
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "RBT_V1": f"SYSTEM:touch {made}"}
    subprocess.run(["sh", "-c", 'echo | socat - "${RBT_V1}"'], env=env, capture_output=True, timeout=30)
    assert made.exists()
