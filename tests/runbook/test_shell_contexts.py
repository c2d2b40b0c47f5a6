"""Every value reaches the shell as one literal word, in every context, or the template is refused.

Each case of `shell_context_cases` runs FOR REAL under dash, `bash --posix`
and bash (never relying on what /bin/sh is), locally and over the suite's
sshd, with hostile values: the value comes out byte for byte and nothing
else happens (no `pwned` file), or `validate` refuses the template at the
value's `FILE:LINE:COL`.
"""

from __future__ import annotations

import asyncio
import os
import shlex
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from helpers_runbook import errors
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shell_context_cases import ALL, CASES, Case

from runbook_tui.engine.ports import Command
from runbook_tui.execute.ssh import SshExecutor
from runbook_tui.runbook.shell_values import static_problems
from runbook_tui.runbook.templating import TemplateError, render_command

#: Values an attacker would try, and text with every character the shell treats specially.
PAYLOADS = [
    "$(touch pwned)",
    "`touch pwned`",
    "a; touch pwned",
    "x' ; touch pwned; '",
    'x" ; touch pwned; "',
    "\\'; touch pwned #",
    "a\ntouch pwned\n",
    "EOF\ntouch pwned\nEOF",
    "${IFS}$(touch${IFS}pwned)",
    "!! !$ \\ # ~ * ? [a] {a,b}",
    "é ✓ \u202e \U0010ffff",
    "",
    " leading and trailing \n\n",
    "-n",
]
HOSTILE = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30),
    st.lists(st.sampled_from([*" \t\n\r;&|<>()$`\\\"'*?[]#~=%!{}^-xé", "$(touch pwned)", "`touch pwned`", "\nEOF\n"]), max_size=12).map("".join),
)


def shell_argv(shell: str) -> list[str]:
    words = shell.split()
    path = shutil.which(words[0])
    assert path, f"{words[0]} is not installed (scripts/test installs dash and bash)"
    return [path, *words[1:]]


def run_locally(case: Case, value: str, cwd: Path) -> None:
    assert case.expect is not None
    command = render_command(case.template, {"x": value})
    for shell in case.shells:
        result = subprocess.run(
            [*shell_argv(shell), "-c", command.text],
            env={"PATH": os.environ["PATH"], "LC_ALL": "C.UTF-8", **dict(command.env)},
            cwd=cwd,
            check=False,
            capture_output=True,
            timeout=20,
        )
        assert result.returncode == 0, (shell, command.text, result.stderr)
        assert result.stdout == case.expect(value).encode(), (shell, command.text, value)
        assert list(cwd.iterdir()) == [], f"{shell}: {case.name}: the value ran as code: {command.text!r} {value!r}"


def value_position(template: str) -> tuple[int, int]:
    """(line, column) of the value's `{{` in the template, 1-based."""
    offset = template.index("{{ x")
    return template.count("\n", 0, offset) + 1, offset - (template.rfind("\n", 0, offset) + 1) + 1


ACCEPTED = [c for c in CASES if c.expect is not None]
REFUSED = [c for c in CASES if c.expect is None]


def test_the_table_covers_thirty_contexts_and_both_outcomes():
    assert len(ACCEPTED) >= 30 and len(REFUSED) >= 10


@pytest.mark.parametrize("case", ACCEPTED, ids=lambda c: c.name)
def test_a_value_prints_exactly_and_runs_nothing(case: Case, tmp_path_factory: pytest.TempPathFactory) -> None:
    assert static_problems(case.template) == []
    cwd = tmp_path_factory.mktemp("ctx")

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(value=HOSTILE)
    def check(value: str) -> None:
        run_locally(case, value, cwd)

    for payload in PAYLOADS:
        run_locally(case, payload, cwd)
    check()


@pytest.mark.parametrize("case", REFUSED, ids=lambda c: c.name)
def test_an_unsafe_context_is_refused_at_its_position(case: Case, write_runbook) -> None:
    line, col = value_position(case.template)
    body = "\n".join("          " + text for text in case.template.split("\n"))
    path = write_runbook(
        "runbook: 1\nid: demo\ntitle: Demo\nparams:\n  x: {type: string, default: safe}\nsections:\n  - id: main\n    steps:\n      - id: one\n        run: |\n"
        + body
        + "\n"
    )
    found = errors(path)
    assert [(d.mark.line, d.mark.col) for d in found] == [(10 + line, 10 + col)], [str(d) for d in found]
    assert any(fix in found[0].message for fix in ("expected", "write", "use", "pass it")), found[0].message  # says the fix
    with pytest.raises(TemplateError):  # and at run time, whatever the value
        render_command(case.template, {"x": "safe"})


ARITHMETIC = [
    ("$((...))", "printf '%s' $(( {{ x }} + 1 ))", ALL),
    ("((...))", "(( {{ x }} > 0 )) && printf '%s' yes", ("bash",)),
    ("let", "let 'y = 1' {{ x }}; printf '%s' ok", ("bash",)),
    ("[[ -eq ]]", "[[ {{ x }} -eq 41 ]] && printf '%s' yes", ("bash",)),
    ("substring offset", "s=abcdef; printf '%s' \"${s:{{ x }} - 40:2}\"", ("bash",)),
    ("[ -v name ]", "[ -v {{ x }} ] || printf '%s' unset", ("bash",)),
    ("array subscript", "a=(10 20 30); printf '%s' \"${a[{{ x }} - 40]}\"", ("bash",)),
    # through $1 or the environment into an inner shell's script, or a function's body (these took any value)
    ("$1 of bash -c", "bash -c 'printf \"%s\" $(( $1 + 1 ))' bash {{ x }}", ALL),
    ("exported to bash -c", "export N={{ x }}; bash -c 'printf \"%s\" $(( N + 1 ))'", ALL),
    ("$1 in a function's body", "f() { (( $1 > 0 )) && printf '%s' yes; }; f {{ x }}", ("bash",)),
]


@pytest.mark.parametrize(("template", "shells"), [(t, s) for _, t, s in ARITHMETIC], ids=[n for n, _, _ in ARITHMETIC])
def test_arithmetic_takes_integers_only(template: str, shells: tuple[str, ...], tmp_path: Path) -> None:
    """bash evaluates a variable's text inside arithmetic (`a[$(cmd)]` runs cmd): only an integer passes there."""
    assert static_problems(template) == []
    command = render_command(template, {"x": "41"})
    for shell in shells:
        result = subprocess.run([*shell_argv(shell), "-c", command.text], env={**os.environ, **dict(command.env)}, check=False, capture_output=True, timeout=10)
        assert result.returncode == 0 and result.stdout, (shell, result)
    for hostile in ("a[$(touch pwned)]", "x[`touch pwned`]", "1+1", "41 "):
        if hostile.strip() == "41":
            continue
        with pytest.raises(TemplateError, match="integer"):
            render_command(template, {"x": hostile})


PROGRAMS = [
    ("sed script", "printf 'pool_size = 1\\n' > {f}; sed -i \"s/^pool_size = .*/pool_size = {{{{ x }}}}/\" {f}; cat {f}"),
    ("sed -e", "printf 'a\\n' | sed -e \"s/a/{{{{ x }}}}/\""),
    ("sed --expression=", "printf 'a\\n' | sed --expression=\"s/a/{{{{ x }}}}/\""),
    ("awk program", 'awk "BEGIN {{ print \\"{{{{ x }}}}\\" }}"'),
    ("awk -F : program", 'printf \'a:b\\n\' | awk -F : "{{ print \\"{{{{ x }}}}\\" }}"'),
    ("python3 -c", "python3 -c \"print('{{{{ x }}}}')\""),
    ("perl -e behind env", "env LC_ALL=C perl -e \"print '{{{{ x }}}}'\""),
    ("perl -le (a bundle)", "perl -le \"print '{{{{ x }}}}'\""),
    ("perl -lne (a bundle)", "printf 'a\\n' | perl -l0ne \"print '{{{{ x }}}}'\""),
    ("perl -i -pe", "printf 'a\\n' > {f}; perl -i -pe \"s/a/{{{{ x }}}}/\" {f}; cat {f}"),
    ("perl -e attached", "perl -Mstrict -e\"print '{{{{ x }}}}'\""),
    ("python3 -uc (a bundle)", "python3 -uc \"print('{{{{ x }}}}')\""),
    ("python3 -W ignore -c", "python3 -W ignore -c \"print('{{{{ x }}}}')\""),
    ("python3 -c attached", "python3 -Ic\"print('{{{{ x }}}}')\""),
    ("sqlite3 -cmd (a dot command: .shell runs one)", 'sqlite3 -cmd ".print {{{{ x }}}}" :memory: "select 1"'),
]


@pytest.mark.parametrize("template", [t for _, t in PROGRAMS], ids=[n for n, _ in PROGRAMS])
def test_a_value_in_an_interpreters_program_is_a_plain_word_or_refused(template: str, tmp_path: Path) -> None:
    """sed's `e` command and `s///e` flag, awk's `system()`, `python3 -c`, `perl -e` run what their program says: a value
    inside the program is code to them, however the shell quotes it. A plain word (a version, a size) works; anything
    else is refused before it runs (it ran: `-p 'pool_size=x/;s/.*/touch pwned/e;#'` made the file)."""
    template = template.format(f=shlex.quote(str(tmp_path / "app.conf")))
    command = render_command(template, {"x": "v1.2_3:4+5,6=7-8"})
    result = subprocess.run(["sh", "-c", command.text], env={**os.environ, **dict(command.env)}, capture_output=True, text=True, timeout=10, cwd=tmp_path)
    assert result.returncode == 0 and "v1.2_3:4+5,6=7-8" in result.stdout, result
    for hostile in ("x/;s/.*/touch pwned/e;#", '";system("touch pwned");print "', "');import os;os.system('touch pwned');print('", "a b"):
        with pytest.raises(TemplateError, match="code to"):
            render_command(template, {"x": hostile})
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize(
    "template",
    ["node -pe \"'{{ x }}'\"", "ruby -ne \"puts '{{ x }}'\"", "ruby -rjson -pe \"'{{ x }}'\"", "perl -Mfeature=say -nle \"say '{{ x }}'\""],
)
def test_a_value_in_a_bundled_code_option_is_refused(template: str) -> None:
    """`node -pe CODE`, `ruby -ne CODE`: the code option ends a bundle of short options, so the next word is the program
    (it was taken as an ordinary argument: any value passed)."""
    render_command(template, {"x": "v1.2"})
    with pytest.raises(TemplateError, match="code to"):
        render_command(template, {"x": "');system('touch pwned');('"})


def test_a_value_beside_an_interpreters_program_is_an_ordinary_argument() -> None:
    """Where the program comes from `-e`/`-f` the operands are files, and `awk -v NAME=VALUE` is data: any value passes."""
    for template in (
        "sed -e 's/a/b/' {{ x }}",
        "sed -f prog.sed {{ x }}",
        "awk -v n={{ x }} 'BEGIN { print n }'",
        "python3 prog.py {{ x }}",
        "python3 -OO prog.py {{ x }}",
        "perl -pi.bak -e 's/a/b/' {{ x }}",
        "perl -I {{ x }} -e 'print 1'",
        "python3 -W {{ x }} prog.py",
        "perl -le 'print for @ARGV' {{ x }}",
    ):
        render_command(template, {"x": "a b; $(touch pwned)"})


def test_a_list_is_one_word_per_item_where_words_split() -> None:
    command = render_command("printf '<%s>' {{ x }}; printf '[%s]' \"{{ x }}\"", {"x": ["a b", "$(id)", "c;d"]})
    result = subprocess.run(["sh", "-c", command.text], env={**os.environ, **dict(command.env)}, check=False, capture_output=True, text=True, timeout=10)
    assert result.stdout == "<a b><$(id)><c;d>[a b $(id) c;d]"


def test_shown_command_has_the_values_and_the_run_text_only_references() -> None:
    command = render_command('echo {{ x }} "{{ x }}"', {"x": "s3cret; id"})
    assert "s3cret" not in command.text  # what `ps` shows of `sh -c TEXT`
    assert command.shown == "echo 's3cret; id' \"s3cret; id\""


# -- over SSH ---------------------------------------------------------------------------------------


@pytest.mark.peers
def test_every_context_over_ssh(sshd, tmp_path: Path) -> None:
    """The same cases through the SSH executor (values exported by the remote wrapper), under each shell."""
    work = tmp_path / "work"
    outs = tmp_path / "outs"
    work.mkdir()
    outs.mkdir()
    payload = "a; touch pwned $(touch pwned) `touch pwned` ' \" \\ # ! \nEOF\ntouch pwned\n é"
    jobs: list[tuple[Case, str, Path]] = []
    commands: list[Command] = []
    for case in ACCEPTED:
        rendered = render_command(case.template, {"x": payload})
        for shell in case.shells:
            out = outs / f"{uuid.uuid4().hex}.out"
            script = f'{shlex.join(shell_argv(shell))} -c "$RBT_TEST_SCRIPT" > {shlex.quote(str(out))}'
            env = (*rendered.env, ("RBT_TEST_SCRIPT", rendered.text), ("LC_ALL", "C.UTF-8"))
            commands.append(Command(host=sshd.host("db1"), command=script, env=env, cwd=str(work), key=f"ctx/{uuid.uuid4().hex}"))
            jobs.append((case, shell, out))

    async def main() -> list[object]:
        executor = SshExecutor(known_hosts=str(sshd.known_hosts), remote_dir=str(tmp_path / "runs"), max_concurrency=8)
        try:
            return list(await asyncio.gather(*(executor.run(c, lambda *_: None) for c in commands)))
        finally:
            await executor.close()

    results = asyncio.run(main())
    for (case, shell, out), result in zip(jobs, results, strict=True):
        assert case.expect is not None
        assert getattr(result, "exit_code", None) == 0, (case.name, shell, result)
        assert out.read_bytes() == case.expect(payload).encode(), (case.name, shell)
    assert list(work.iterdir()) == [], "a value ran as code over SSH"


def test_a_step_env_name_cannot_take_the_values_prefix(write_runbook) -> None:
    path = write_runbook(
        "runbook: 1\nid: demo\ntitle: Demo\nsections:\n  - id: main\n    steps:\n      - id: one\n        run: echo hi\n        env: {RBT_V1: x}\n"
    )
    [error] = errors(path)
    assert (error.mark.line, error.mark.col) == (9, 15) and "RBT_V" in error.message


def test_a_nul_in_a_value_is_refused_before_anything_runs() -> None:
    """No argv or environment can carry a NUL: the value is refused, not cut short."""
    with pytest.raises(TemplateError, match="NUL"):
        render_command("printf '%s' {{ x }}", {"x": "a\0; touch pwned"})


def test_a_value_in_a_sqlite3_operand_is_a_plain_word_or_refused(tmp_path: Path) -> None:
    """sqlite3 runs an SQL operand starting with `.` as a dot command: `sqlite3 :memory: "{{ x }}"` with x =
    `.shell touch F` made F. Inside the SQL a value was any text, and `select {{ x }}` with x =
    `1; select load_extension('/tmp/upload/evil.so')` loaded that library (its constructor ran). A value in either takes
    plain words only, as in psql -c and mysql -e; a plain word still reaches the SQL."""
    with pytest.raises(TemplateError, match="code to sqlite3"):
        render_command('sqlite3 :memory: "{{ x }}"', {"x": f".shell touch {tmp_path / 'pwned'}"})
    for value in ("'; .shell touch pwned; '", "1; select load_extension('/tmp/upload/evil.so')"):
        with pytest.raises(TemplateError, match="code to sqlite3"):
            render_command("sqlite3 -bail :memory: \"select '{{ x }}'; select {{ x }};\"", {"x": value})
    command = render_command("sqlite3 -bail :memory: \"select '{{ x }}';\"", {"x": "db-1.example"})
    result = subprocess.run(["sh", "-c", command.text], env={**os.environ, **dict(command.env)}, capture_output=True, text=True, timeout=10, cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "db-1.example\n"), result
