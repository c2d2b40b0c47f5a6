"""Environment variables whose text a program runs, or reads as options or configuration that run code.

git reads `$GIT_CONFIG_PARAMETERS` as configuration given with `-c` (`git -c core.fsmonitor={{ x }}` was refused, the
variable passed): `GIT_CONFIG_PARAMETERS="{{ x }}" git status` with x = `'core.fsmonitor'='touch F'` ran touch. The
JVM reads `$JAVA_TOOL_OPTIONS` (`-agentpath:LIB` loads it). sudoedit runs `$SUDO_EDITOR`, `systemctl edit`
`$SYSTEMD_EDITOR`, `kubectl edit` `$KUBE_EDITOR`, `kubectl diff` `$KUBECTL_EXTERNAL_DIFF`, bash's `fc` `$FCEDIT`, as
`$EDITOR` and `$GIT_SSH_COMMAND` were already held. A value there is code: only a plain word passes, in the command and
through a step's `env:` (checked before the step starts).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_runbook import cli_main

from runbook_tui.runbook.shell_environment import environment_refusal
from runbook_tui.runbook.shell_flow import OPTION_VARIABLES
from runbook_tui.runbook.templating import TemplateError, render_command

HOSTILE = {
    "GIT_CONFIG_PARAMETERS": ("git status", "'core.fsmonitor'='touch pwned'"),
    "JAVA_TOOL_OPTIONS": ("java -version", "-agentpath:/tmp/upload/evil.so"),
    "JDK_JAVA_OPTIONS": ("java -version", "-agentpath:/tmp/upload/evil.so"),
    "_JAVA_OPTIONS": ("java -version", "-agentpath:/tmp/upload/evil.so"),
    "SUDO_EDITOR": ("sudoedit /etc/hosts", "touch pwned;"),
    "SYSTEMD_EDITOR": ("systemctl edit nginx", "touch pwned;"),
    "KUBE_EDITOR": ("kubectl edit deploy/api", "touch pwned;"),
    "KUBECTL_EXTERNAL_DIFF": ("kubectl diff -f api.yaml", "touch pwned;"),
    "FCEDIT": ("fc -l", "touch pwned;"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_value_in_such_a_variable_is_refused_in_the_command(name: str) -> None:
    program, hostile = HOSTILE[name]
    for template in (f'{name}="{{{{ x }}}}" {program}', f'export {name}="{{{{ x }}}}"; {program}', f'v="{{{{ x }}}}"; env {name}="$v" {program}'):
        with pytest.raises(TemplateError):
            render_command(template, {"x": hostile})


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_steps_env_value_there_is_a_plain_word_or_refused(name: str) -> None:
    program, hostile = HOSTILE[name]
    problem = environment_refusal(program, [(name, hostile)])
    assert problem is not None and problem.startswith(f"env {name}: "), problem
    plain = environment_refusal(program, [(name, "plain-word")])
    assert plain is None if name in OPTION_VARIABLES else (plain or "").startswith(f"env {name}: "), plain


RUNBOOK = """\
runbook: 1
id: git-config
title: T
params:
  x: {type: string}
sections:
  - id: main
    steps:
      - id: one
        run: cd REPO && GIT_CONFIG_PARAMETERS="{{ x }}" git status --short
"""


def test_git_runs_no_configured_command(write_runbook: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo, made = tmp_path / "repo", tmp_path / "made"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    value = f"'core.fsmonitor'='touch {made}'"
    path = write_runbook(RUNBOOK.replace("REPO", str(repo)))
    assert cli_main(["exec", str(path), "-p", f"x={value}", "--solo", "t", "--journal", str(tmp_path / "j1.jsonl")]) == 2
    column = 14 + len(f"cd {repo} && GIT_CONFIG_PARAMETERS=") + 1  # at the value, after its opening quote
    assert f"{path}:10:{column}: a value inside git's program is code to git" in capsys.readouterr().err
    assert not made.exists()

    # the same through the step's env: refused before the command starts
    path.write_text(RUNBOOK.replace("REPO", str(repo)).replace('GIT_CONFIG_PARAMETERS="{{ x }}" ', "") + '        env: {GIT_CONFIG_PARAMETERS: "{{ x }}"}\n')
    assert cli_main(["exec", str(path), "-p", f"x={value}", "--solo", "t", "--journal", str(tmp_path / "j2.jsonl")]) == 1
    assert "env GIT_CONFIG_PARAMETERS: git reads $GIT_CONFIG_PARAMETERS as configuration" in capsys.readouterr().out
    assert not made.exists()
