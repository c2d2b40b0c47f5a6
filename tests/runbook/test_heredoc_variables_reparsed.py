"""A variable expanded in an unquoted heredoc another shell or an interpreter reads: `ssh db1 <<EOF` … `$v` … `EOF`.

A value written in such a heredoc was refused (the shell that reads the body parses it again), but the same value held
by a variable and expanded there passed: `v="{{ x }}"` then `ssh db1 <<EOF` / `sudo systemctl restart $v` / `EOF`
validated with x = `a; touch F`, and the shell reading the body ran touch (below, with sh, the shell sshd runs it
with; the same for `sh <<EOF` and `python3 - <<EOF`). What the variables of such a body hold is now parsed again or
code there, as a value written in it is; a step's `env:` value is held to a plain word there.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from helpers_runbook import takes_any_value

from runbook_tui.runbook.shell_environment import environment_refusal
from runbook_tui.runbook.templating import TemplateError, render_command


@pytest.mark.parametrize(
    ("template", "why"),
    [
        ('v="{{ x }}"\nssh db1 <<EOF\nsudo systemctl restart $v\nEOF\n', "'ssh reading a heredoc' expands into a script"),
        ('v="{{ x }}"\nssh -T deploy@db1 <<-EOF\n\tcd /srv/app && ./deploy.sh "$v"\n\tEOF\n', "'ssh reading a heredoc'"),
        ('v="{{ x }}"\nsudo -u app bash <<EOF\necho ${v}\nEOF\n', "reading a heredoc' expands into a script"),
        ('v="{{ x }}"\nsh <<EOF\nprintf "%s" "$v"\nEOF\n', "'sh reading a heredoc'"),
    ],
)
def test_a_variable_in_a_heredoc_a_shell_reads_is_refused(template: str, why: str) -> None:
    with pytest.raises(TemplateError) as info:
        render_command(template, {"x": "nginx"})
    assert why in str(info.value)


def test_a_variable_in_a_heredoc_an_interpreter_reads_is_a_plain_word() -> None:
    template = 'v="{{ x }}"\npython3 - <<EOF\nprint("$v")\nEOF\n'
    with pytest.raises(TemplateError, match="is code to python3"):
        render_command(template, {"x": '"); import os; os.system("id"); print("'})
    assert [v for _, v in render_command(template, {"x": "nginx"}).env] == ["nginx"]


@pytest.mark.parametrize(
    "template",
    [
        'v="{{ x }}"\nssh db1 <<\'EOF\'\necho "$v"\nEOF\n',  # quoted: the remote shell's own $v, empty there
        'v="{{ x }}"\ncat <<EOF\n$v\nEOF\n',
        'v="{{ x }}"\nssh db1 <<EOF\nlogger "deploy by \\$USER"\nEOF\necho "$v"\n',
    ],
)
def test_a_quoted_body_or_one_no_shell_reads_takes_any_value(template: str) -> None:
    takes_any_value(template)


def test_a_step_env_value_in_such_a_heredoc_is_a_plain_word() -> None:
    command = "ssh db1 <<EOF\nsudo systemctl restart $SERVICE\nEOF\n"
    refusal = environment_refusal(command, [("SERVICE", "a; touch /tmp/pwned")])
    assert refusal is not None and refusal.startswith("env SERVICE: the command expands $SERVICE into a script 'ssh reading a heredoc'")
    assert environment_refusal(command, [("SERVICE", "nginx")]) is None


def test_what_the_shell_did_with_such_a_value(tmp_path: Path) -> None:
    made = tmp_path / "made"
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "RBT_V1": f"nginx; touch {made}"}
    subprocess.run(["sh", "-c", 'v="${RBT_V1}"\nsh <<EOF\necho restarting $v\nEOF\n'], env=env, capture_output=True, timeout=30)
    assert made.exists()
