"""A value in a file operand perl opens with its two-argument ("magic") open: `perl -ne 'print if /ERROR/' "{{ log }}"`.

Perl reads the files of `@ARGV` for `-n`, `-p`, `-a`, `-F` and `<>` with the open whose text picks the mode: `cmd|`
runs cmd through a shell and `>file` truncates the file. `runbook-tui exec` of `perl -ne 'print if /ERROR/' "{{ x }}"`
with x = `touch F|` validated, ran, and perl ran touch; so did `/var/log/{{ x }}` with x = `a;touch F|` (below, with
the real perl, the value passed as the loader passes any: in the environment), and through `xargs` and a step's
`env:`. Such a value (one holding `|` or `>`) is refused when the command renders; a file name passes, and so does
any value where perl opens its files raw (`-i`, `<<>>`, a three-argument open).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from runbook_tui.runbook.shell_environment import environment_refusal
from runbook_tui.runbook.shell_perl_open import magic_opened
from runbook_tui.runbook.templating import TemplateError, render_command

OPENED = [
    "perl -ne 'print if /ERROR/' \"{{ x }}\"",
    "perl -lane 'print $F[1]' \"{{ x }}\"",
    "perl -F: -le 'print $F[0]' \"{{ x }}\"",
    "perl -0777 -pe 's/a/b/g' -- \"{{ x }}\"",
    "perl -e 'while (<>) { print }' \"{{ x }}\"",
    "perl -e 'print while <ARGV>' \"{{ x }}\"",
    "perl -e 'open(F, $ARGV[0]) or die; print <F>' \"{{ x }}\"",
    "perl -e 'open F, shift or die; print <F>' \"{{ x }}\"",
    "sudo -u app perl -ne 'print' \"/var/log/app/{{ x }}\"",
    'f="{{ x }}"; perl -ne \'print if /ERROR/\' "$f"',
    "printf '%s\\n' \"{{ x }}\" | xargs -d '\\n' perl -ne 'print if /ERROR/'",
]
RAW = [
    "perl -pi -e 's/old/new/' \"{{ x }}\"",
    "perl -e 'print while <<>>' \"{{ x }}\"",
    'perl -e \'open(my $f, "<", $ARGV[0]) or die; print <$f>\' "{{ x }}"',
    'perl -e \'print "$ARGV[0]\\n"\' "{{ x }}"',
    "perl -ne 'print' < \"{{ x }}\"",
]


def run(template: str, value: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`template` run by sh with `{{ x }}` read from the environment, as the loader passes a value (before the fix)."""
    script = template.replace("{{ x }}", "$V").replace("sudo -u app ", "")
    env = {**os.environ, "V": value}
    return subprocess.run(["sh", "-c", script], cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("template", OPENED)
def test_perl_ran_a_value_ending_in_a_pipe(template: str, tmp_path: Path) -> None:
    made = tmp_path / "made"
    value = f"touch {made}|" if "/var/log" not in template else f"../../..{tmp_path}/x;touch {made}|"
    run(template, value, tmp_path)
    assert made.exists(), template


@pytest.mark.parametrize("template", OPENED)
@pytest.mark.parametrize("value", ["touch F|", "a;touch F|", "|touch F", ">/etc/passwd", " > x"])
def test_a_value_perl_would_open_as_a_command_or_for_writing_is_refused(template: str, value: str) -> None:
    with pytest.raises(TemplateError, match="perl opens this operand with its two-argument open"):
        render_command(template, {"x": value})


@pytest.mark.parametrize("template", OPENED[:1] + OPENED[4:7] + OPENED[-2:])
def test_a_file_name_passes_and_perl_reads_that_file(template: str, tmp_path: Path) -> None:
    (tmp_path / "app 2026-12-06.log").write_text("ERROR disk full\n")
    command = render_command(template, {"x": "app 2026-12-06.log"})
    done = subprocess.run(["sh", "-c", command.text], cwd=tmp_path, env={**os.environ, **dict(command.env)}, capture_output=True, text=True, timeout=60)
    assert done.stdout == "ERROR disk full\n", done


@pytest.mark.parametrize("template", RAW)
def test_where_perl_opens_raw_any_value_passes_and_runs_nothing(template: str, tmp_path: Path) -> None:
    made = tmp_path / "made"
    value = f"a;touch {made}|"
    assert [v for _, v in render_command(template, {"x": value}).env] == [value]
    run(template, value, tmp_path)
    assert not made.exists(), template


@pytest.mark.parametrize(
    ("words", "opened"),
    [
        (["perl", "-ne", "print", "a", "b"], [3, 4]),
        (["perl", "-n", "script.pl", "a"], [3]),
        (["perl", "-w", "-e", "print <STDIN>", "a"], None),
        (["perl", "-e", "open(F, '<', $x); open(G, $y)", "a"], [3]),
        (["perl", "-e", 'open(F, "<", "a,b") or die "x, y"', "a"], None),
        (["perl", "-Mstrict", "-e", "print", "a"], None),
        (["perl", "-pi.bak", "-e", "s/a/b/", "a"], None),
        (["perl", "-lne", "print"], []),
    ],
)
def test_which_operands_perl_opens_so(words: list[str], opened: list[int] | None) -> None:
    assert magic_opened(words, 0) == opened


def test_a_step_env_variable_perl_opens_so_takes_no_pipe() -> None:
    command = "perl -ne 'print if /ERROR/' \"$LOG\""
    assert "env LOG: perl opens this operand with its two-argument open" in (environment_refusal(command, [("LOG", "touch F|")]) or "")
    assert environment_refusal(command, [("LOG", "/var/log/app/app.log")]) is None
    assert environment_refusal("perl -pi -e 's/a/b/' \"$LOG\"", [("LOG", "touch F|")]) is None
