"""A value given to an awk program that runs commands: `awk -v v="{{ x }}" 'BEGIN { system(v) }'`.

`awk -v NAME=VALUE` is the way the README gives to pass a value to awk as data, and it is, until the program hands
the variable to `system()` or a pipe (`print v | "sh"`, `cmd | getline`), which run it through `/bin/sh -c`: those
validated and ran any value (x = `touch F` made F with mawk). Now a value reaching such a program by `-v`, by an
operand assignment (`v="{{ x }}"` after the program), by any operand when the program reads ARGV (session 36), or by the environment the program reads (`V="{{ x }}" awk ...
ENVIRON["V"]`) is refused at its position. The same values still pass where the program runs no command, or runs
none (`||`, `/a|b/` and `-F'|'` are no pipes), or never names the variable. A program that runs any command and
reads the variable is refused even if the value would only be printed: which of its words reach `system()` is not
followed through awk's own code.
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

RUNS = [
    "awk -v v=\"{{ x }}\" 'BEGIN { system(v) }'",
    "awk -vv=\"{{ x }}\" 'BEGIN { system(v) }'",
    'awk -v v="{{ x }}" \'BEGIN { print "id" | v }\'',
    'awk -v v="{{ x }}" \'BEGIN { print v | "sh" }\'',
    "awk -v cmd=\"{{ x }}\" 'BEGIN { while ((cmd | getline line) > 0) print line }'",
    'awk -v v="{{ x }}" \'BEGIN { c = "echo " v; system(c) }\'',
    "printf 'a\\n' | awk '{ system(v) }' v=\"{{ x }}\" -",
    'V="{{ x }}" awk \'BEGIN { system(ENVIRON["V"]) }\'',
    'env V="{{ x }}" gawk \'BEGIN { system(ENVIRON["V"]) }\'',
    "gawk --assign=v=\"{{ x }}\" 'BEGIN { system(v) }'",
    "mawk -v v=\"{{ x }}\" -F : 'BEGIN { system(v) }'",
    # through a shell variable, the environment, or awk's input
    'v="{{ x }}"; awk -v v="$v" \'BEGIN { system(v) }\'',
    "printf '%s\\n' \"{{ x }}\" | while read -r l; do awk -v v=\"$l\" 'BEGIN { system(v) }'; done",
    'export V="{{ x }}"; awk \'BEGIN { system(ENVIRON["V"]) }\'',
    "echo \"{{ x }}\" | awk '{ system($0) }'",
    "printf '%s\\n' \"{{ x }}\" | awk '{ print | \"sh\" }'",
    "awk '{ system($0) }' <<EOF\n          {{ x }}\n          EOF",
    # gawk's program given by -e / --source (the program is every -e joined)
    "gawk -v v=\"{{ x }}\" -e 'BEGIN { system(v) }'",
    "gawk -v v=\"{{ x }}\" -e 'BEGIN { n = 1 }' -e 'END { print v | \"sh\" }'",
    "awk -v v=\"{{ x }}\" --source='BEGIN { system(v) }'",
    # an operand the program reads as a string in ARGV (session 36: these validated and ran the value)
    "awk 'BEGIN { system(ARGV[1]) }' \"{{ x }}\"",
    'awk \'BEGIN { for (i = 1; i < ARGC; i++) print ARGV[i] | "sh" }\' a "{{ x }}"',
    'awk \'BEGIN { system("echo " ARGV[2]) }\' v=1 "{{ x }}"',
]


@pytest.mark.parametrize("template", RUNS)
def test_a_value_an_awk_program_may_run_is_refused_at_its_position(
    template: str, write_runbook: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_runbook(RUNBOOK.format(run=template))
    assert cli_main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    line = 11 + template[: template.index("{{")].count("\n")
    column = 11 + template.index("{{") - (template.rindex("\n", 0, template.index("{{")) + 11 if line > 11 else 0)
    assert f"{path}:{line}:{column}: " in err and "that program runs commands (system(), a pipe |)" in err, err


def test_the_holes_were_real_and_exec_runs_nothing(tmp_path: Path, write_runbook: Callable[..., Path]) -> None:
    made = tmp_path / "made"
    value = f"touch {made}"
    for text in (
        "awk -v v=\"$V\" 'BEGIN { system(v) }'",
        'awk -v v="$V" \'BEGIN { print v | "sh" }\'',
        'V2="$V" awk \'BEGIN { system(ENVIRON["V2"]) }\'',
        "awk 'BEGIN { system(ARGV[1]) }' \"$V\"",
    ):
        subprocess.run(["sh", "-c", text], env={**os.environ, "V": value}, check=True, timeout=10)
        assert made.exists(), text
        made.unlink()
    path = write_runbook(RUNBOOK.format(run=RUNS[0]))
    assert cli_main(["exec", str(path), "-p", f"x={value}", "--solo", "t", "--journal", str(tmp_path / "j.jsonl")]) == 2
    assert not made.exists()


DATA = [
    "awk -v n=\"{{ x }}\" 'BEGIN { print n }'",
    "awk -v n=\"{{ x }}\" '$1 ~ /a|b/ { print n }'",
    'awk -v n="{{ x }}" \'$1 == "a" || $2 == n { print n }\'',
    "awk -F'|' -v n=\"{{ x }}\" '{ print n, $2 }'",
    'awk -v n="{{ x }}" \'{ print n " | " $1 }\'',
    'N="{{ x }}" awk \'BEGIN { print ENVIRON["N"] }\'',
    'awk -v n="{{ x }}" -f report.awk',
    "awk '{ print n }' n=\"{{ x }}\" -",
    "echo \"{{ x }}\" | awk '{ print $1 }'",
    'v="{{ x }}"; awk -v v="$v" \'{ print v }\'',
    'export V="{{ x }}"; awk \'BEGIN { system(ENVIRON["OTHER"]) }\'',
    "gawk -v n=\"{{ x }}\" -e 'BEGIN { print n }'",
    "gawk -e '{ print $1 }' \"{{ x }}\"",  # after -e PROG the operands are input files
    "awk 'BEGIN { print ARGV[1] }' \"{{ x }}\"",
]


@pytest.mark.parametrize("template", DATA)
def test_a_value_an_awk_program_only_reads_is_data(template: str, tmp_path: Path, write_runbook: Callable[..., Path]) -> None:
    path = write_runbook(RUNBOOK.format(run=template))
    assert cli_main(["validate", str(path)]) == 0


def test_awk_prints_the_value_exactly_and_runs_nothing(tmp_path: Path, write_runbook: Callable[..., Path]) -> None:
    made = tmp_path / "made"
    value = f"a|b; touch {made}; $(touch {made})"
    out = tmp_path / "out"
    run = f'echo a | awk -v n="{{{{ x }}}}" \'$1 ~ /a|b/ || $1 == "z" {{ printf "%s", n }}\' > {out}'
    path = write_runbook(RUNBOOK.format(run=run))
    assert cli_main(["exec", str(path), "-p", f"x={value}", "--solo", "t", "--journal", str(tmp_path / "j.jsonl")]) == 0
    assert out.read_text() == value
    assert not made.exists()


GAWK_PROGRAM_TEXT = [
    'gawk -e "BEGIN { print \\"{{ x }}\\" }"',
    'gawk -e \'BEGIN { n = 1 }\' -e "END { print \\"{{ x }}\\" }"',
    'awk --source "BEGIN { print \\"{{ x }}\\" }"',
    'gawk --source="BEGIN { print \\"{{ x }}\\" }"',
    'gawk -f lib.awk -e "BEGIN { print \\"{{ x }}\\" }"',
    'gawk -e"BEGIN { print \\"{{ x }}\\" }"',
]


@pytest.mark.parametrize("template", GAWK_PROGRAM_TEXT)
def test_a_value_in_gawk_program_text_given_by_e_or_source_is_code(template: str) -> None:
    """`gawk -e PROG` and `--source=PROG` give the program as `awk 'PROG'` does: a value there is awk code (system()),
    so only a plain word passes (before: only the first operand was read as the program, and these ran any value)."""
    with pytest.raises(TemplateError, match=r"code to g?awk"):
        render_command(template, {"x": '"); system("touch F"); print("'})
    assert [v for _, v in render_command(template, {"x": "v1.2"}).env] == ["v1.2"]
