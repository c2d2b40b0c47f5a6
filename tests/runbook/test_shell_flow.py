"""A value reaching bash arithmetic through a variable takes integers only, as one written there directly does.

bash evaluates a variable's text wherever arithmetic reads the variable, and an array subscript in that text runs
a command substitution: `n="{{ x }}"; (( n > 1 ))` with `-p 'x=a[$(touch pwned)]'` made the file (under bash and
`bash --posix`; dash refuses the text). Each template below ran the value as code before.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from test_shell_contexts import shell_argv

from runbook_tui.runbook.shell_values import static_problems
from runbook_tui.runbook.templating import TemplateError, render_command

#: Each prints 42 (or "ok") for x=41; bash-only syntax is marked.
THROUGH_A_VARIABLE = [
    ('n={{ x }}; printf %s "$(( n + 1 ))"', False),
    ('n="{{ x }}"; printf %s "$(( $n + 1 ))"', False),
    ('m="{{ x }}"; n=$m; printf %s "$(( n + 1 ))"', False),
    ('n=$(printf %s "{{ x }}"); printf %s "$(( n + 1 ))"', False),
    ('for n in {{ x }}; do printf %s "$(( n + 1 ))"; done', False),
    ('read -r n <<EOF\n{{ x }}\nEOF\nprintf %s "$(( n + 1 ))"', False),
    ('printf \'%s\\n\' "{{ x }}" | while read -r n; do printf %s "$(( n + 1 ))"; done', False),
    ('f() { printf %s "$(( $1 + 1 ))"; }; f "{{ x }}"', False),
    ('n="{{ x }}"; if (( n > 40 )); then printf ok; fi', True),
    ('n="{{ x }}"; [[ $n -eq 41 ]] && printf ok', True),
    ('n="{{ x }}"; [[ ( $n -eq 41 ) && 1 -eq 1 ]] && printf ok', True),
    ('read -r n <<< "{{ x }}"; let "n += 1"; printf %s "$n"', True),
    ('declare -i n; n="{{ x }}"; printf %s "$n"', True),
    ('n="{{ x }}"; a=(1); printf -v "$n" %s ok 2>/dev/null; printf ok', True),
    ('n="{{ x }}"; [ -v "$n" ] || printf ok', True),
]
#: Arithmetic the tokenizer did not see as such (`((` after `if`, `$[`, `for ((`, an assignment's subscript).
DIRECTLY = [
    ("if (( {{ x }} > 40 )); then printf ok; fi", True),
    ("while (( {{ x }} > 50 )); do :; done; printf ok", True),
    ("printf %s $[ {{ x }} + 1 ]", True),
    ("for (( i = {{ x }}; i < 42; i++ )); do printf %s $i; done", True),
    ("a[{{ x }}]=ok; printf %s ${a[41]}", True),
    ("[[ ( {{ x }} -eq 41 ) ]] && printf ok", True),
    ("if [[ {{ x }} -eq 41 ]]; then printf ok; fi", True),
    ("declare -i n={{ x }}; printf %s $n", True),
    ("n={{ x }}; printf ok%s ${!n}", True),
]


@pytest.mark.parametrize("shell", ["dash", "bash --posix", "bash"])
def test_a_value_in_arithmetic_through_a_variable_takes_integers_only(shell: str, tmp_path: Path) -> None:
    for template, bash_only in THROUGH_A_VARIABLE + DIRECTLY:
        assert static_problems(template) == [], template
        if not (bash_only and shell == "dash"):
            command = render_command(template, {"x": "41"})
            result = subprocess.run(
                [*shell_argv(shell), "-c", command.text], env={**os.environ, **dict(command.env)}, capture_output=True, text=True, timeout=10
            )
            assert result.returncode == 0 and result.stdout in ("42", "41", "ok"), (shell, template, result)
        for hostile in ("a[$(touch pwned)]", "x[`touch pwned`]", "n"):
            with pytest.raises(TemplateError, match="integer"):
                render_command(template, {"x": hostile})
    assert not list(tmp_path.iterdir())


def test_a_value_beside_arithmetic_stays_any_text() -> None:
    """Only values that reach a variable arithmetic reads are held to integers: the rest of the command is as before."""
    for template in (
        'msg="{{ x }}"; n=3; printf "%s %s" "$msg" "$(( n + 1 ))"',
        'n="{{ x }}"; printf "%s %s" "${#n}" "$(( ${#n} + 1 ))"',
        "for h in {{ x }}; do (( count += 1 )); done",
        'read -r line < /etc/hostname; (( ${#line} > 0 )) && printf "%s" "{{ x }}"',
    ):
        render_command(template, {"x": "a[$(touch pwned)] b"})
