"""`echo` does not print every value as is: dash's echo reads backslashes (`\\c` ends the output, `\\n` starts a line)
and takes a lone `-n` as its option (bash's echo `-e` and `-E` too). A value among echo's arguments that it would change is refused when the command
renders (before it runs), naming `printf '%s\\n'`; every other value passes, so `echo "{{ x }}"` stays usable."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess

import pytest

from runbook_tui.runbook.shell_values import static_problems
from runbook_tui.runbook.templating import TemplateError, render_command


def dash(text: str, env: dict[str, str], shell: str = "dash") -> bytes:
    path = shutil.which(shell)
    assert path, f"{shell} is not installed (scripts/test installs it)"
    return subprocess.run([path, "-c", text], env={**os.environ, **env}, capture_output=True, check=True, timeout=10).stdout


@pytest.mark.parametrize(
    ("value", "shell"), [("a\\cb", "dash"), ("line\\nbreak", "dash"), ("C:\\new", "dash"), ("-n", "dash"), ("-e", "bash"), ("-nE", "bash")]
)
def test_a_value_echo_would_change_is_refused_naming_printf(value: str, shell: str) -> None:
    assert dash(f"echo {shlex.quote(value)}", {}, shell) != f"{value}\n".encode()  # what that shell's echo really does
    for template in ("echo {{ x }}", 'echo "{{ x }}"', "sudo -n echo {{ x }}"):
        assert static_problems(template) == []  # not refused for every value: no error at validate
        with pytest.raises(TemplateError, match=r"printf '%s\\n'"):
            render_command(template, {"x": value})


def test_other_values_echo_prints_as_is_and_printf_takes_any() -> None:
    for value in ("plain", "a b; $(touch pwned) `id` 'q' \"d\"", "x -n", "--"):
        command = render_command('echo "{{ x }}"', {"x": value})
        assert dash(command.text, dict(command.env)) == f"{value}\n".encode()
    for value in ("a\\cb", "-n"):
        command = render_command("printf '%s\\n' \"{{ x }}\"", {"x": value})
        assert dash(command.text, dict(command.env)) == f"{value}\n".encode()
        render_command("echo ok > {{ x }}", {"x": value})  # a redirection's target is no argument of echo
