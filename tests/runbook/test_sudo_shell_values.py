"""A value in the command of `sudo -s` / `sudo -i`: sudo joins the words for the target user's shell, escaping all but
letters, digits, `_`, `-` and `$`.

`sudo -s printf '%s' "{{ x }}"` with x = `$HOME` printed root's home (and `$SECRET` would print any variable of the
target's environment); a line break was removed (below, with sudo itself). The value passed as one literal word. Now a
value there holding `$` or a line break is refused before anything runs; any other text prints as written.
"""

from __future__ import annotations

import os
import subprocess

import pytest

from runbook_tui.runbook.templating import TemplateError, render_command

TEMPLATES = [
    "sudo -s printf '%s' \"{{ x }}\"",
    "sudo -i printf '%s' {{ x }}",
    "sudo -u root -s printf '%s' \"{{ x }}\"",
    "sudo -Es printf '%s' \"{{ x }}\"",
    "sudo --login printf -- '%s' \"{{ x }}\"",
    "timeout 30 sudo -s printf '%s' \"{{ x }}\"",
]


def _sudo(command: str, env: dict[str, str]) -> str:
    result = subprocess.run(["sh", "-c", command], env={**os.environ, **env}, capture_output=True, text=True, timeout=30, check=True)
    return result.stdout


@pytest.mark.parametrize("template", TEMPLATES)
def test_a_dollar_or_a_line_break_is_refused_other_text_prints_as_written(template: str) -> None:
    for hostile in ("$HOME", "a$SUDO_USER", "a\nb"):
        with pytest.raises(TemplateError, match="sudo -s / -i"):
            render_command(template, {"x": hostile})
    plain = 'it\'s a (b) & c;d `e` \\f "g" *'
    command = render_command(template, {"x": plain})
    assert _sudo(command.text, dict(command.env)) == plain


def test_without_a_shell_sudo_passes_the_word_as_is() -> None:
    command = render_command("sudo printf '%s' \"{{ x }}\"", {"x": "$HOME\nb"})
    assert _sudo(command.text, dict(command.env)) == "$HOME\nb"


def test_what_sudo_did_with_such_a_value() -> None:
    assert _sudo("sudo -s printf '%s' \"$V\"", {"V": "$HOME"}) != "$HOME"
    assert _sudo("sudo -s printf '%s' \"$V\"", {"V": "a\nb"}) == "ab"
