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
from helpers_runbook import cli_main
from test_shell_contexts import shell_argv

from runbook_tui.runbook.shell_environment import environment_refusal
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
    ("arr=([{{ x }}]=ok); printf %s ${arr[41]}", True),
    ("declare -a arr=([{{ x }}]=ok); printf %s ${arr[41]}", True),
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
        'curl -s -o /dev/null -w "%{http_code}" "{{ x }}" | { read -r code; (( code < 400 )); }',  # curl prints the code
    ):
        render_command(template, {"x": "a[$(touch pwned)] b"})


#: A value starting a word of a program whose options run commands: (template, what a `-` value did before).
OPTION_RUNS_A_COMMAND = [
    "ssh {{ x }} true",  # -oProxyCommand=CMD ran CMD on this machine
    "scp -q f {{ x }}:/tmp/",
    "tar -cf /dev/null --checkpoint=1 {{ x }} /etc/hostname",  # --checkpoint-action=exec=CMD ran CMD
    "git clone {{ x }} dest",  # --upload-pack=CMD
    "rsync -a {{ x }} dest/",  # -eCMD
    "sort {{ x }} /etc/hostname",  # --compress-program=CMD
    "find {{ x }} -name '*.log'",  # -delete emptied the working directory
]


def test_a_value_read_as_an_option_that_runs_commands_is_refused(tmp_path: Path) -> None:
    """`-p 'target=-oProxyCommand=touch F'` into `ssh {{ target }} true` made F; now refused before it runs, with the fix."""
    hostile = "-oProxyCommand=touch${IFS}pwned"
    for template in OPTION_RUNS_A_COMMAND:
        assert static_problems(template) == [], template
        render_command(template, {"x": "db1.example.internal"})
        with pytest.raises(TemplateError, match=r"read by \w+ as an option .* write -- before the operands"):
            render_command(template, {"x": hostile})
    for template in (
        "ssh -- {{ x }} true",
        "tar -cf /dev/null -- {{ x }}",
        "find ./{{ x }} -name x",
        "find . -mtime {{ x }}",
        "ssh -p 22 db1 true {{ x | shq }}",
    ):
        render_command(template, {"x": "-7"})  # after --, inside a word, find's expression, ssh's remote command: not options
    command = render_command("tar -cf /dev/null --checkpoint=1 -- {{ x }}", {"x": "--checkpoint-action=exec=touch pwned"})
    subprocess.run(["sh", "-c", command.text], env={**os.environ, **dict(command.env)}, cwd=tmp_path, capture_output=True, timeout=10)
    assert not (tmp_path / "pwned").exists()


ENV_RUNBOOK = """\
runbook: 1
id: t
title: T
params:
  n: {type: string, default: "41"}
sections:
  - id: s
    steps:
      - id: count
        env: {N: "{{ n }}", LABEL: "{{ n }}"}
        run: M=$N; echo "$LABEL" "$(( M + 1 ))"
"""


def test_a_step_env_value_read_by_arithmetic_takes_integers_only(write_runbook, tmp_path: Path, capsys) -> None:
    """`env: {N: "{{ n }}"}` and `run: M=$N; echo $(( M + 1 ))`: under a bash `sh`, -p 'n=a[$(touch F)]' made F."""
    assert environment_refusal("M=$N; echo $(( M + 1 ))", [("N", "a[$(touch pwned)]"), ("LABEL", "x y")]) == (
        "env N: the command reads it as arithmetic, where bash evaluates its text as code; expected an integer, not 'a[$(touch pwned)]'"
    )
    assert environment_refusal("(( N > 1 )) && echo $LABEL", [("N", "41"), ("LABEL", "a[$(touch pwned)]")]) is None
    assert environment_refusal("bash -c 'echo $(( N + 1 ))'", [("N", "x[1]")]) is not None  # the inner shell's arithmetic too
    path = write_runbook(ENV_RUNBOOK)
    journal = tmp_path / "j.jsonl"
    assert cli_main(["exec", str(path), "--solo", "t", "--journal", str(journal)]) == 0
    assert "41 42" in capsys.readouterr().out
    witness = tmp_path / "pwned"
    code = cli_main(["exec", str(path), "--solo", "t", "--journal", str(tmp_path / "j2.jsonl"), "-p", f"n=a[$(touch {witness})]"])
    assert code != 0 and not witness.exists()
    assert "env N: the command reads it as arithmetic" in capsys.readouterr().out


def test_a_value_expanded_as_a_prompt_is_a_plain_word_or_refused() -> None:
    """`${v@P}` expands v's text as a prompt string: `$(cmd)` in it runs (it made the file under bash)."""
    template = 'v="{{ x }}"; printf %s "${v@P}"'
    command = render_command(template, {"x": "web-1.2"})
    result = subprocess.run(["bash", "-c", command.text], env={**os.environ, **dict(command.env)}, capture_output=True, text=True, timeout=10)
    assert result.stdout == "web-1.2"
    with pytest.raises(TemplateError, match=r"code to \$\{VAR@P\}"):
        render_command(template, {"x": "$(touch pwned)"})


def test_a_step_env_value_expanded_into_a_script_is_a_plain_word_or_refused(write_runbook, tmp_path: Path, capsys) -> None:
    """`env: {CMD: "echo {{ x }}"}` and `run: eval "$CMD"`: -p 'x=a; touch F' made F (the value reached eval through
    the environment, where the template's own check does not see it)."""
    assert environment_refusal('eval "$CMD"', [("CMD", "echo a; touch pwned")]) == (
        "env CMD: the command expands $CMD into a script 'eval' parses again as shell code, so this value would run as code;"
        " expected a plain word (letters, digits, . _ : + , = -), not 'echo a; touch pwned'; pass it as an argument instead"
    )
    assert environment_refusal('C=$CMD; ssh db1 "$C"', [("CMD", "$(id)")]) is not None  # through another variable
    assert environment_refusal('eval "$CMD"', [("CMD", "uptime")]) is None  # a plain word passes
    assert environment_refusal('printf %s "$CMD"; sh -c \'echo "$1"\' sh "$CMD"', [("CMD", "a; $(id)")]) is None  # data
    path = write_runbook(ENV_RUNBOOK.replace('env: {N: "{{ n }}", LABEL: "{{ n }}"}', 'env: {CMD: "echo {{ n }}"}').replace(
        'run: M=$N; echo "$LABEL" "$(( M + 1 ))"', 'run: eval "$CMD"'
    ))  # fmt: skip
    witness = tmp_path / "pwned"
    code = cli_main(["exec", str(path), "--solo", "t", "--journal", str(tmp_path / "j.jsonl"), "-p", f"n=a; touch {witness}"])
    assert code != 0 and not witness.exists()
    assert "env CMD: the command expands $CMD into a script 'eval'" in capsys.readouterr().out


def test_a_step_env_value_written_to_a_script_that_runs_is_a_plain_word_or_refused() -> None:
    """`env: {F: "{{ x }}"}` and `run: printf '%s' "$F" > g.sh; sh g.sh`: -p 'x=a; touch F' ran touch (the file is
    a script to sh); the same value written to a file read as data passes."""
    for command in ('printf "%s" "$F" > g.sh; sh g.sh', "cat > g.sh <<EOF\n$F\nEOF\n. ./g.sh", 'echo "$F" > g.py; python3 g.py'):
        refusal = environment_refusal(command, [("F", "a; touch pwned")])
        assert refusal is not None and "written with it, then run" in refusal, (command, refusal)
        assert environment_refusal(command, [("F", "nginx")]) is None
    assert environment_refusal('printf "%s" "$F" > g.txt; cat g.txt', [("F", "a; touch pwned")]) is None


def test_a_value_evaluated_as_an_inner_scripts_argument_gets_the_argument_advice() -> None:
    """`sh -c 'eval "$1"' sh "{{ x }}"` follows the advice of passing the value as `$1`, then evaluates it: the
    refusal says to use `"$1"` as data only there (not to pass it as `$1`, nor that it names the command)."""
    for template in ('sh -c \'eval "$1"\' sh "{{ x }}"', 'f() { eval "$1"; }; f "{{ x }}"', "find . -exec sh -c 'eval \"$1\"' sh {{ x }} \\;"):
        [(_, message)] = static_problems(template)
        assert message.startswith("this value is an argument ($1, $2...) that 'eval' expands into a script"), (template, message)
        assert 'use "$1" as data only' in message


def test_a_value_read_from_a_process_substitution_flows_into_the_variable(tmp_path: Path) -> None:
    """`read -r n < <(printf '%s\\n' "{{ x }}"); eval "$n"`: read takes the line the process substitution prints, as
    it does from a here-string or a pipe, but only those were followed; bash ran the value through eval (F made). Now
    the variable holds the values printed there: eval and arithmetic refuse them; printing the variable passes."""
    made = tmp_path / "made"
    subprocess.run(["bash", "-c", 'read -r n < <(printf \'%s\\n\' "$V"); eval "$n"'], env={**os.environ, "V": f"touch {made}"}, check=True, timeout=10)
    assert made.exists()
    for template in ('read -r n < <(printf \'%s\\n\' "{{ x }}"); eval "$n"', 'read -r n < <(echo {{ x }}); sh -c "$n"'):
        [(_, message)] = static_problems(template)
        assert "this value flows into $n, which" in message, (template, message)
    with pytest.raises(TemplateError, match="integer"):
        render_command("read -r n < <(printf '%s\\n' \"{{ x }}\"); echo $(( n + 1 ))", {"x": "a[$(id)]"})
    command = render_command("read -r n < <(printf '%s\\n' \"{{ x }}\"); printf '%s' \"$n\"", {"x": f"touch {made}; $(id)"})
    result = subprocess.run(["bash", "-c", command.text], env={**os.environ, **dict(command.env)}, capture_output=True, text=True, timeout=10)
    assert result.stdout == f"touch {made}; $(id)"


THROUGH_A_VARIABLE_INTO_CODE = [
    'v="{{ x }}"; python3 -c "print(\'$v\')"',
    'v="{{ x }}"; printf a > "$T/f"; sed -i "s/a/$v/" "$T/f"',
    'v="{{ x }}"\nawk "BEGIN { print \\"$v\\" }"',
    'export V="{{ x }}"; perl -e "print \'$V\'"',
    'v="{{ x }}"; w=$v; python3 -c "print(\'$w\')"',
    "for v in {{ x }}; do python3 -c \"print('$v')\"; done",
    'v="{{ x }}"; psql -c "select \'$v\'"',
    'v="{{ x }}"; rsync -e "ssh -p $v" a db1:b',
]


@pytest.mark.parametrize("template", THROUGH_A_VARIABLE_INTO_CODE)
def test_a_value_reaching_an_interpreters_code_through_a_variable_is_a_plain_word_or_refused(template: str) -> None:
    """`v="{{ x }}"; python3 -c "print('$v')"` validated and ran any value: x = `'); import os; os.system('touch F'); print('`
    made F (the code check looked only at values written in the code word itself). Now what a variable holds is code
    where the variable is expanded into a program's code: a plain word, or refused before it runs."""
    for hostile in ("'); import os; os.system('touch F'); print('", "b/;s/.*/touch F/e;#", '"); system("touch F"); print("'):
        with pytest.raises(TemplateError, match="which can run commands: only a plain word"):
            render_command(template, {"x": hostile})
    assert [v for _, v in render_command(template, {"x": "v1.2"}).env] == ["v1.2"]


def test_the_variable_hole_was_real_and_exec_runs_nothing(write_runbook, tmp_path: Path) -> None:
    witness = tmp_path / "pwned"
    value = f"'); import os; os.system('touch {witness}'); print('"
    subprocess.run(["sh", "-c", 'v="$V"; python3 -c "print(\'$v\')"'], env={**os.environ, "V": value}, check=True, timeout=20)
    assert witness.exists()
    witness.unlink()
    path = write_runbook(ENV_RUNBOOK.replace('env: {N: "{{ n }}", LABEL: "{{ n }}"}', "env: {}").replace(
        'run: M=$N; echo "$LABEL" "$(( M + 1 ))"', "run: v=\"{{ n }}\"; python3 -c \"print('$v')\""
    ))  # fmt: skip
    assert cli_main(["validate", str(path)]) == 0  # which value comes is only known when it runs
    assert cli_main(["exec", str(path), "--solo", "t", "--journal", str(tmp_path / "j.jsonl"), "-p", f"n={value}"]) != 0
    assert not witness.exists()
    assert cli_main(["exec", str(path), "--solo", "t", "--journal", str(tmp_path / "k.jsonl"), "-p", "n=v1.2"]) == 0


def test_a_step_env_value_expanded_into_an_interpreters_code_is_a_plain_word_or_refused() -> None:
    assert environment_refusal("python3 -c \"print('$V')\"", [("V", "'); import os; os.system('id'); print('")]) == (
        "env V: the command expands $V into python3's program, which can run commands, so this value would be code to it;"
        " expected a plain word (letters, digits, . _ : + , = -), not \"'); import os; os.system('id'); print('\"; pass it"
        " as an argument or read it from the environment in that program (ENVIRON, os.environ)"
    )
    assert environment_refusal("python3 -c \"print('$V')\"", [("V", "v1.2")]) is None
    assert environment_refusal("python3 -c 'import os; print(os.environ[\"V\"])'", [("V", "a'); b")]) is None  # data
    assert environment_refusal('sed "s/a/$V/" f', [("V", "b/e")]) is not None


@pytest.mark.parametrize(
    "template",
    [
        'echo "{{ x }}" | xargs -I{} python3 -c "print(\'{}\')"',
        "echo \"{{ x }}\" | xargs -d '\\n' -I{} python3 -c \"print('{}')\"",
        'printf \'%s\\n\' "{{ x }}" | xargs -I % sed -i "s/a/%/" f',
        'echo "{{ x }}" | xargs --replace=@ awk "BEGIN { print \\"@\\" }"',
        'echo "{{ x }}" | xargs -i psql -c "select \'{}\'"',
    ],
)
def test_a_value_xargs_puts_into_an_interpreters_code_is_a_plain_word_or_refused(template: str, tmp_path: Path) -> None:
    """`echo "{{ x }}" | xargs -I{} python3 -c "print('{}')"`: xargs writes its input into the code (checked: the
    value below made F with sh); before, that value passed. `xargs -I{} echo {}` still prints any value."""
    made = tmp_path / "F"
    value = f"'); import os; os.system('touch {made}'); print('"
    command = "echo \"$V\" | xargs -d '\\n' -I{} python3 -c \"print('{}')\""  # -d: no quote processing of the input
    subprocess.run(["sh", "-c", command], env={**os.environ, "V": value}, check=True, timeout=20, capture_output=True)
    assert made.exists()
    with pytest.raises(TemplateError, match="which can run commands: only a plain word"):
        render_command(template, {"x": value})
    assert [v for _, v in render_command(template, {"x": "v1.2"}).env] == ["v1.2"]
    assert [v for _, v in render_command('echo "{{ x }}" | xargs -I{} echo {}', {"x": value}).env] == [value]
