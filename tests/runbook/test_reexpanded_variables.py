"""A value assigned to a variable a shell expands again (`BASH_ENV`, `ENV`, `PS4`, `PROMPT_COMMAND`, `MAILPATH`) stays data.

bash expands `$BASH_ENV` (command substitution included) before it reads it as a file name, dash and bash expand
`$ENV` for an interactive shell, and bash `PS4` under `set -x`: `BASH_ENV={{ x }} bash -c true` reached the shell as
one literal word, and still ran the `$(touch F)` in x. Now a value holding `$`, a backtick or a backslash there is
refused (at the value's position, or before the step runs for a step's `env:`); a plain path still passes. A value
written as a prompt's own text (`PS4="{{ x }}"`) is refused at validate, whatever it holds (`test_prompt_values`).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_runbook import cli_main, refused_unless_plain
from shell_holes import printed_as_data

from runbook_tui.runbook.shell_environment import environment_refusal
from runbook_tui.runbook.templating import TemplateError, render_command

TEMPLATES = [
    "BASH_ENV={{ x }} bash -c true",
    "env BASH_ENV={{ x }} bash -c true",
    "v={{ x }}; export BASH_ENV=$v; bash -c true",
    'export ENV="/etc/{{ x }}"; sh -i -c true </dev/null',
    # bash -i expands the message after `?` in MAILPATH, $(...) too, when a mail file it names grows (session 36)
    'MAILPATH="/var/mail/ops?{{ x }}" bash -i </dev/null',
    "export MAILPATH={{ x }}",
    "BASH_ENV={{ x }} ./deploy.sh",  # plain words, read the short way (`shell_classify`): this one passed any value
]


@pytest.mark.parametrize("template", TEMPLATES)
def test_a_value_a_shell_expands_again_is_refused_unless_plain(template: str) -> None:
    hostile = ["$(touch /tmp/rbt-reexpanded)", "`id`", "a\\b"]
    refused_unless_plain(template, hostile, "site-env.sh", r"is expanded again by the shell that reads it|expected no \$")


RUNBOOK = """\
runbook: 1
id: reexpanded
title: T
params:
  x: {type: string}
sections:
  - id: main
    steps:
      - id: one
        run: BASH_ENV={{ x }} bash -c true
"""


def test_nothing_runs_from_bash_env(write_runbook: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    made = tmp_path / "made"
    value = f"$(touch {made})"
    path = write_runbook(RUNBOOK)
    assert cli_main(["exec", str(path), "-p", f"x={value}", "--solo", "t", "--journal", str(tmp_path / "j1.jsonl")]) == 2
    assert f"{path}:10:23: a value assigned to BASH_ENV is expanded again" in capsys.readouterr().err

    # the same through a step's env: refused before the command starts
    path.write_text(RUNBOOK.replace("run: BASH_ENV={{ x }} bash -c true", 'run: bash -c true\n        env: {BASH_ENV: "{{ x }}"}'))
    assert cli_main(["exec", str(path), "-p", f"x={value}", "--solo", "t", "--journal", str(tmp_path / "j2.jsonl")]) == 1
    out = capsys.readouterr().out
    assert "env BASH_ENV: a value assigned to BASH_ENV is expanded again" in out
    assert not made.exists()


def test_bash_ran_a_mailpath_message(tmp_path: Path) -> None:
    """The hole `MAILPATH` was: an interactive bash expanded its message as the mail file grew, and ran the value."""
    made, mail = tmp_path / "made", tmp_path / "mail"
    mail.touch()
    script = 'MAILCHECK=0 MAILPATH="$PWD/mail?$V" bash --norc -i <<EOF\nsleep 1; echo x >> mail\ntrue\ntrue\nEOF'
    subprocess.run(["bash", "-c", script], cwd=tmp_path, env={**os.environ, "V": f"$(touch {made})"}, capture_output=True, timeout=60)
    assert made.exists()


def test_a_variable_exported_under_another_name_is_only_its_value() -> None:
    """`host={{ x }}; export PGHOST="$host"` was refused as arithmetic ('must be an integer, not db-1'): `export`
    reads its word's name part as a name, not the value after `=`. A name from a value still takes integers only."""
    command = render_command('host={{ x }}; export PGHOST="$host"; local_port=$host', {"x": "db-1.example"})
    assert [value for _, value in command.env] == ["db-1.example"]
    with pytest.raises(TemplateError, match="must be an integer"):
        render_command('n={{ x }}; unset "$n"', {"x": "db-1.example"})


def test_prompt_command_is_code_not_a_file_name(write_runbook: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """bash -i runs PROMPT_COMMAND's text as a command line: `a; touch F` there ran touch, since only `$`, backticks and
    `\\` were refused as for the other variables. A value there is refused at validate; through `env:` only a plain word
    passes, before the step runs."""
    made = tmp_path / "made"
    path = write_runbook(RUNBOOK.replace("run: BASH_ENV={{ x }} bash -c true", "run: declare -x PROMPT_COMMAND={{ x }}; bash -i </dev/null"))
    assert cli_main(["validate", str(path)]) == 2
    assert f"{path}:10:40: this value flows into $PROMPT_COMMAND" in capsys.readouterr().err

    path.write_text(RUNBOOK.replace("run: BASH_ENV={{ x }} bash -c true", 'run: bash -i </dev/null\n        env: {PROMPT_COMMAND: "{{ x }}"}'))
    assert cli_main(["exec", str(path), "-p", f"x=a; touch {made}", "--solo", "t", "--journal", str(tmp_path / "j.jsonl")]) == 1
    assert "env PROMPT_COMMAND: the command expands $PROMPT_COMMAND into a script 'bash -i'" in capsys.readouterr().out
    assert not made.exists()


def test_a_variable_git_runs_as_a_command_is_refused(write_runbook: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """git runs GIT_SSH_COMMAND with `sh -c`: `GIT_SSH_COMMAND="{{ x }}" git ls-remote ssh://h/r` with x = `a; touch F`
    made F. Refused at validate, with the fix (a reference to a variable holding the value); through `env:` only a
    plain word passes, before the step runs."""
    made = tmp_path / "made"
    path = write_runbook(RUNBOOK.replace("run: BASH_ENV={{ x }} bash -c true", 'run: GIT_SSH_COMMAND="ssh -i {{ x }}" git ls-remote ssh://h/r'))
    assert cli_main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:10:38: this value flows into $GIT_SSH_COMMAND, whose text git runs as a shell command" in err
    assert 'GIT_SSH_COMMAND=\'... "$V"\' V="{{ x }}"' in err

    path.write_text(RUNBOOK.replace("run: BASH_ENV={{ x }} bash -c true", 'run: git ls-remote ssh://h/r\n        env: {GIT_SSH_COMMAND: "{{ x }}"}'))
    assert cli_main(["exec", str(path), "-p", f"x=a; touch {made}", "--solo", "t", "--journal", str(tmp_path / "j.jsonl")]) == 1
    assert "env GIT_SSH_COMMAND: the command expands $GIT_SSH_COMMAND into a script 'git' parses again" in capsys.readouterr().out
    assert not made.exists()


NAMED_IN_PROMPTS = [
    """PS4='$(eval "$V2")' V2="{{ x }}" bash -xc true""",
    """V2="{{ x }}"; export PS4='+$(eval "$V2") '; bash -xc true""",
    """V2="{{ x }}" PROMPT_COMMAND='eval "$V2"' bash -i </dev/null""",
    """declare -x PS1='$((V2))'; V2="{{ x }}" bash -i </dev/null""",
    """PS4='\\044(eval "$V2") ' V2="{{ x }}" bash -xc true""",  # bash reads \044 in a prompt as $
    """PS4='+ ${V2@P} ' V2="{{ x }}" bash -xc true""",
]


@pytest.mark.parametrize("template", NAMED_IN_PROMPTS)
def test_a_variable_a_prompts_text_names_is_code(template: str, write_runbook: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    """`PS4='$(eval "$V2")' V2="{{ x }}" bash -xc true`, run by a user other than root, ran `touch F` in x: bash expands
    PS4 (PS1, PROMPT_COMMAND) as it reads it, and a `$(eval ...)` there runs a variable its single-quoted text names, a
    plain word too. Such a variable takes no value at validate, at the value's position."""
    run = template.replace("\\", "\\\\").replace('"', '\\"')
    path = write_runbook(RUNBOOK.replace("run: BASH_ENV={{ x }} bash -c true", f'run: "{run}"'))
    assert cli_main(["validate", str(path)]) == 2
    column = 15 + run.index("{{")
    assert f"{path}:10:{column}: this value flows into $V2, which the text of " in capsys.readouterr().err
    with pytest.raises(TemplateError, match=r"which the text of (PS4|PS1|PROMPT_COMMAND) names"):
        render_command(template, {"x": "touch F"})


def test_a_prompt_naming_a_step_env_variable_takes_a_plain_word_only() -> None:
    refused = environment_refusal("""PS4='$(eval "$V2")' bash -xc true""", [("V2", "touch F")])
    assert refused is not None and refused.startswith("env V2: ")


NAMED_AS_TEXT = [
    """PS4='+ V2: '; V2="{{ x }}"; set -x; echo "$V2" """,
    """PS4='+ ${V2} $LINENO: ' V2="{{ x }}" bash -xc 'echo "$V2"'""",
    """export PS4='+ $V2: '; V2="{{ x }}" bash -xc 'echo "$V2"'""",
]


@pytest.mark.parametrize("template", NAMED_AS_TEXT)
def test_a_variable_a_prompt_only_prints_takes_any_value(template: str, tmp_path: Path) -> None:
    """A prompt's text naming V2 as a plain word, or expanding it as `$V2` / `${V2}` (bash reads the value it gives
    once, as text), runs nothing of V2; these were refused as if the prompt ran V2's text (`PS4='+ V2: '`)."""
    assert "a; touch" in printed_as_data(template, tmp_path)
