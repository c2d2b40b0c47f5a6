"""A plain word in a jq filter naming `env`: `jq -r ".{{ x }}"` with x = `a,env.TOKEN`.

Only a plain word passes in a jq filter (`test_editor_and_filter_commands.py`), but `a,env.TOKEN` is one (letters, `,`
and `.`), and jq's `env` is the environment, where the command's values and secrets travel: jq printed TOKEN's value
(below, with jq itself). A value holding `env` as a name is refused now; `--arg` passes any value as data.
"""

from __future__ import annotations

import os
import subprocess

import pytest

from runbook_tui.runbook.templating import TemplateError, render_command


@pytest.mark.parametrize("template", ['jq -r ".{{ x }}" f.json', "curl -s https://api/x | jq -r .{{ x }}", 'gojq ".items[].{{ x }}" f.json', 'jq -n "{{ x }}"'])
def test_a_value_naming_jqs_environment_is_refused(template: str) -> None:
    for value in ("a,env.TOKEN", "env", "a,env"):
        with pytest.raises(TemplateError, match="reads env in its filter as the environment"):
            render_command(template, {"x": value})
    assert [v for _, v in render_command(template, {"x": "status.environment"}).env] == ["status.environment"]


def test_a_value_passed_as_a_jq_variable_takes_any_text() -> None:
    assert [v for _, v in render_command("jq --arg v \"{{ x }}\" '.[$v]' f.json", {"x": "a,env.TOKEN"}).env] == ["a,env.TOKEN"]


def test_what_jq_did_with_such_a_value() -> None:
    env = {"PATH": os.environ["PATH"], "RBT_V1": "a,env.TOKEN", "TOKEN": "topsecret"}
    done = subprocess.run(["sh", "-c", 'echo \'{"a": 1}\' | jq -r ".${RBT_V1}"'], env=env, capture_output=True, text=True, timeout=30, check=True)
    assert "topsecret" in done.stdout
