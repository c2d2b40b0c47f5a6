"""Values in the commands of editors, pagers, jq filters and netcat-like programs are code to them.

`vim -c "s/a/{{ x }}/" f` with x = `b/|!touch F` ran `touch F` (`|` chains an ex command, `:!` runs a shell), and so
did `vim +"..."`, `ex -c`, `less +"..."` (less's `!`); `vim "{{ x }}"` with x = `+!touch F` too (a word starting
with `+` is a command). `man -P "{{ x }}"`, `ncat -e`, `nc -c`, `socat - SYSTEM:"..."` run their argument as a
command. A jq filter reads the environment (`env.SECRET`: the values passed out of band too) and yq's reads files:
`jq ".a = \\"{{ x }}\\""` with x = `" + env.TOKEN + "` printed the token. All passed validate; now a value there is a
plain word or refused before anything runs, and a value starting an editor's or pager's word cannot start with `+`
or `-`. Passing it as data still works: `jq --arg v "{{ x }}" '.a = $v'`, `vim -- "{{ x }}"`, `less "{{ x }}"`.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_runbook import cli_main, refused_unless_plain
from shell_holes import RUNBOOK

from runbook_tui.runbook.templating import TemplateError, render_command

CODE = [
    'vim -c "s/a/{{ x }}/" f',
    'vim -es +"s/a/{{ x }}/" +wq f',
    'ex -c "%s/a/{{ x }}/" -c wq f',
    'nvim --cmd "let g:v = \\"{{ x }}\\"" f',
    'less +"/{{ x }}" f',
    'man -P "{{ x }}" ls',
    'ncat -e "{{ x }}" host 1',
    'nc -c "echo {{ x }}" host 1',
    'socat - SYSTEM:"echo {{ x }}"',
    'socat - EXEC:"cat {{ x }}"',
    'jq ".a = \\"{{ x }}\\"" f.json',
    'jq -r --arg n 1 ".items[] | select(.name == \\"{{ x }}\\") | .id" f.json',
    'yq e ".a = \\"{{ x }}\\"" f.yaml',
]


@pytest.mark.parametrize("template", CODE)
def test_a_value_in_their_commands_is_a_plain_word_or_refused(template: str) -> None:
    refused_unless_plain(template, ["b/|!touch F", '" + env.TOKEN + "', "$(id)"], "release-1.2", "which can run commands: only a plain word")


@pytest.mark.parametrize("template", ['vim "{{ x }}"', "less {{ x }}", "view -R {{ x }}", "man {{ x }}", "nc {{ x }} 80"])
def test_a_value_starting_a_word_of_an_editor_or_pager_cannot_be_a_command_or_option(template: str) -> None:
    assert [v for _, v in render_command(template, {"x": "notes.txt"}).env] == ["notes.txt"]
    for value in ("+!touch F", "-Ptouch F", "-e/bin/sh"):
        if value.startswith("+") and template.startswith(("man", "nc")):
            continue  # only editors and pagers read `+CMD`
        with pytest.raises(TemplateError, match=re.escape(f"a value starting with '{value[0]}' would be read by")):
            render_command(template, {"x": value})


@pytest.mark.parametrize(
    "template",
    [
        "jq --arg v \"{{ x }}\" '.a = $v' f.json",
        'jq -r --arg v "{{ x }}" --argjson n 1 \'.a = $v\' "{{ x }}"',
        "jq -n --args '$ARGS.positional' \"{{ x }}\"",
        'jq -f prog.jq "{{ x }}"',
        "V=\"{{ x }}\" yq '.a = strenv(V)' f.yaml",
        'vim -- "{{ x }}"',
        'socat TCP:"{{ x }}":80 -',
    ],
)
def test_a_value_passed_as_data_to_them_is_any_value(template: str, write_runbook: Callable[..., Path]) -> None:
    assert cli_main(["validate", str(write_runbook(RUNBOOK.format(run=template)))]) == 0
    hostile = "b/|!touch F; $(id)"
    assert hostile in [v for _, v in render_command(template, {"x": hostile}).env]


def test_the_holes_were_real_and_exec_runs_nothing(tmp_path: Path, write_runbook: Callable[..., Path]) -> None:
    made = tmp_path / "made"
    (tmp_path / "f").write_text("a\n")
    value = f"b/|!touch {made}"
    vim = "vim -es -u NONE -i NONE -c \"s/a/$V\" -c 'wq' f"
    subprocess.run(["sh", "-c", vim], env={**os.environ, "V": value}, cwd=tmp_path, stdin=subprocess.DEVNULL, timeout=20, check=False)
    assert made.exists()  # vim ran the shell command after the `|`
    made.unlink()
    path = write_runbook(RUNBOOK.format(run=f"cd {tmp_path} && " + vim.replace("$V", "{{ x }}")))
    assert cli_main(["validate", str(path)]) == 0  # which value comes is only known when it runs
    assert cli_main(["exec", str(path), "-p", f"x={value}", "--solo", "t", "--journal", str(tmp_path / "j.jsonl")]) == 2
    assert not made.exists()


def test_jq_with_arg_prints_the_value_exactly(tmp_path: Path, write_runbook: Callable[..., Path]) -> None:
    out = tmp_path / "out"
    value = '" + env.TOKEN + "\\n$(id)'
    path = write_runbook(RUNBOOK.format(run=f"echo '{{}}' | jq -j --arg v \"{{{{ x }}}}\" '$v' > {out}"))
    assert cli_main(["exec", str(path), "-p", f"x={value}", "--solo", "t", "--journal", str(tmp_path / "j.jsonl")]) == 0
    assert out.read_text() == value
