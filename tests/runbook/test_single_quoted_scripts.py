"""A value inside a single-quoted script another shell runs (`bash -c '...'`, `ssh h '...'`): the refusal's fix works.

The refusal said `write "{{ x }}" instead of '{{ x }}'` for every single-quoted value. Inside `bash -c '...'` that is
no fix: `bash -c 'echo "{{ x }}"'` is refused with the very same advice, whatever the author tries. Now, where the
'...' is a script another shell parses, the message says so and gives forms that validate and print the value as is:
the script in "..." with `{{ x | shq }}` as a word of its own, or the value passed as an argument.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from runbook_tui.runbook.shell_values import static_problems
from runbook_tui.runbook.templating import render_command

VALUES = ["$(touch pwned)", "`touch pwned`", "x' ; touch pwned; '", 'x" ; touch pwned; "', "a\ntouch pwned", "\u201c; touch pwned \u201d", "--help"]


@pytest.mark.parametrize(
    "template",
    ["bash -c 'printf %s {{ x }}'", "bash -c 'printf %s \"{{ x }}\"'", 'sh -c \'printf "%s" "{{ x }}"\''],
)
def test_the_advice_for_a_single_quoted_script_validates_and_prints_the_value(template: str, tmp_path: Path) -> None:
    [(_, message)] = static_problems(template)
    assert "runs that text as shell code" in message and "instead of '{{ x }}'" not in message, message
    quoted = re.search(r"a word of its own, (\{\{ x \| shq \}\})", message)
    assert quoted is not None, message
    followed = 'bash -c "printf %s ' + quoted.group(1) + '"'  # the script in "...", the value as the advice writes it
    assert static_problems(followed) == [], followed
    argument = re.search(r"pass it as an argument instead: (.*)$", message)
    assert argument is not None, message
    passed = argument.group(1).replace("...", "printf %s")
    assert static_problems(passed) == [], passed
    for advice in (followed, passed):
        for value in VALUES:
            command = render_command(advice, {"x": value})
            done = subprocess.run(
                [shutil.which("bash") or "bash", "-c", command.text],
                env={"PATH": os.environ["PATH"], "LC_ALL": "C.UTF-8", **dict(command.env)},
                cwd=tmp_path, capture_output=True, timeout=20, check=False,
            )  # fmt: skip
            assert (done.returncode, done.stdout.decode()) == (0, value), (advice, command.text, done.stderr)
            assert list(tmp_path.iterdir()) == [], f"the value ran as code: {command.text!r}"


def test_a_value_in_plain_single_quotes_keeps_its_simple_advice() -> None:
    [(_, message)] = static_problems("printf '%s' '{{ x }}'")
    assert message.endswith("write \"{{ x }}\" instead of '{{ x }}'"), message
