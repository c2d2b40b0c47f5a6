"""A value among the arguments of a program the runbook does not name: the program may run it as code.

`$(echo eval) "{{ x }}"`, `` `printf sh` -c "{{ x }}" ``, `$(which bash) -c "{{ x }}"`, `e=$(which bash); $e -c
"{{ x }}"`: the command's name is what a command substitution prints, unknown when the runbook is checked, and it may be `eval` or a shell that runs its
arguments. The value reached the shell as one word and eval or `bash -c` ran it (x = `touch F` made F, with dash and
bash). Now a value there is refused at validate, at its position; a command whose name only has a substitution in
its folder (`"$(dirname ...)/printf"`) or in its arguments (`echo "$(date)" "{{ x }}"`) still passes.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_runbook import cli_main
from shell_holes import RUNBOOK

from runbook_tui.runbook.templating import TemplateError, render_command

#: The command text each template is at, in the runbook above: line 11, from column 11.
LINE, COLUMN = 11, 11


def _exec(write_runbook: Callable[..., Path], tmp_path: Path, template: str, value: str, journal: str) -> int:
    path = write_runbook(RUNBOOK.format(run=template))
    return cli_main(["exec", str(path), "-p", f"x={value}", "--solo", "t", "--journal", str(tmp_path / journal)])


def _hostile(tmp_path: Path) -> tuple[str, Path]:
    made = tmp_path / "made"
    return f"touch {made}", made


SUBSTITUTED_NAMES = [
    '$(echo eval) "{{ x }}"',
    "$(echo eval) {{ x }}",
    '"$(echo eval)" "{{ x }}"',
    '`printf sh` -c "{{ x }}"',
    '$(command -v bash) -c "{{ x }}"',
    'sudo -n $(echo eval) "{{ x }}"',
    'X=1 $(echo eval) "{{ x }}"',
    'true && $(echo sh) -c "{{ x }}"',
    '$(echo eval) "$(printf %s "{{ x }}")"',
    '/bin/$(echo sh) -c "{{ x }}"',
    # through a variable the substitution's output is assigned to
    'e=$(echo eval); $e "{{ x }}"',
    'e=`command -v bash`; "$e" -c "{{ x }}"',
    'export e=$(command -v bash); f=$e; ${f} -c "{{ x }}"',
    'for s in $(echo sh); do $s -c "{{ x }}"; done',
    'read -r e < <(command -v bash); $e -c "{{ x }}"',
    'read -r e <<< "$(command -v bash)"; $e -c "{{ x }}"',
    # in the word of a ${...}, whose value it may be
    '${E:-$(echo eval)} "{{ x }}"',
    '"${E:-`echo eval`}" "{{ x }}"',
    'e=${E:-$(command -v bash)}; $e -c "{{ x }}"',
    # on its input: a pipe, a here-string, a heredoc
    'echo "{{ x }}" | $(echo sh)',
    "e=$(command -v sh); printf '%s\\n' \"{{ x }}\" | $e",
    '$(echo sh) <<< "{{ x }}"',
    "$(echo sh) <<EOF\n          {{ x }}\n          EOF",
]


@pytest.mark.parametrize("template", SUBSTITUTED_NAMES)
def test_a_value_reaching_a_program_named_by_a_substitution_is_refused(
    template: str, write_runbook: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    value, made = _hostile(tmp_path)
    path = write_runbook(RUNBOOK.format(run=template))
    assert cli_main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    line = LINE + template[: template.index("{{")].count("\n")
    column = COLUMN + template.index("{{") if line == LINE else template.index("{{") - template.rindex("\n", 0, template.index("{{"))
    assert f"{path}:{line}:{column}: " in err and "the command's name comes from a command substitution" in err, err
    assert _exec(write_runbook, tmp_path, template, value, "j.jsonl") == 2
    assert not made.exists()
    with pytest.raises(TemplateError, match="command substitution"):
        render_command(template, {"x": "v1.2"})  # any value: the program could be eval


def test_the_holes_were_real_with_dash_and_bash(tmp_path: Path) -> None:
    """What the refused commands do when the value is passed as the loader passes any other: eval or the shell runs it."""
    value, made = _hostile(tmp_path)
    for shell in ("dash", "bash"):
        for text in ('$(echo eval) "$V"', '`printf sh` -c "$V"', '$(command -v sh) -c "$V"'):
            subprocess.run([shell, "-c", text], env={**os.environ, "V": value}, check=True, timeout=10)
            assert made.exists(), (shell, text)
            made.unlink()


def test_a_value_in_the_substitution_naming_the_program_picks_it(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="picks the program"):
        render_command("$(echo {{ x }}) --version", {"x": "psql"})
    with pytest.raises(TemplateError, match="picks the program"):
        render_command('"$(command -v {{ x }})" --version', {"x": "psql"})


NEIGHBOURS = [
    # a substitution in an argument, in the folder of the program, in an assignment, in a redirection's target
    'printf \'%s\' "$(printf x)" "{{ x }}" > {out}',
    '"$(dirname /usr/bin/printf)/printf" \'%s\' "{{ x }}" > {out}',
    "d=$(pwd); printf '%s' \"{{ x }}\" > {out}",
    "printf '%s' \"{{ x }}\" > $(echo {out})",
    "v=$(printf '%s' \"{{ x }}\"); printf '%s' \"$v\" > {out}",
    'b=$(dirname /usr/bin/printf); "$b/printf" \'%s\' "{{ x }}" > {out}',
]


@pytest.mark.parametrize("template", NEIGHBOURS)
def test_a_substitution_elsewhere_still_passes_the_value_as_data(template: str, write_runbook: Callable[..., Path], tmp_path: Path) -> None:
    value, made = _hostile(tmp_path)
    value = f"{value}; $({value})"
    out = tmp_path / "out"
    template = template.replace("{out}", str(out))
    assert _exec(write_runbook, tmp_path, template, value, "j.jsonl") == 0
    assert out.read_text().endswith(value)
    assert not made.exists()
