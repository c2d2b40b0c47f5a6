"""The command people see means, as shell, what runs.

What runs refers to each value by a variable; what the assignee, the verifier, the plan, replay and the report show
has the values inline (`ShellCommand.shown`). Before, a value inside "...", a heredoc or `${x:-...}` was shown raw:
`echo "{{ v }}"` with `v` = `"; touch PWN; echo "` read `echo ""; touch PWN; echo ""`, a command that never ran.
Here every accepted context of `shell_context_cases` (and a few more) runs twice under each shell, with hostile
values: the real command with its environment, and `sh -c SHOWN` with none; both print the same bytes and leave
the same files (none).

Not covered, as what runs itself differs between shells there (a reference problem, not the shown text's): a
value in backticks inside a heredoc (bash keeps the `\"` around the reference; in "${x:-`...`}" it is refused), a pattern
in a heredoc's `${v%...}` (dash does not match a value holding a backslash there).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shell_context_cases import ALL, BASH, CASES, Case
from test_shell_contexts import shell_argv

from runbook_tui.runbook.templating import render_command

#: Quotes, expansions, backticks, backslashes, `$HOME`, newlines, `!`, globs, braces, a heredoc's delimiter, tabs.
HOSTILE = [
    '$(touch PWN1)`touch PWN2`"; touch PWN3; echo "',
    "$HOME ${HOME} $$ $1 $@",
    'a\\b\\\\c\\$d\\`e\\"f\\',
    "x' ; touch PWN; '",
    "a}b}} '{",
    "line one\nline two\n\nEOF\n\tEOF\nEOF",
    "EOF",
    "\tEOF\n\t\ttabs\n",
    "!! !$ ! # ~ * ? [a] {a,b} a*b",
    "*",
    "é ✓ \u202e",
    "",
    "-n",
    "-eq",
    "==",
    "=~",
    "&& touch PWN || touch PWN; touch PWN | cat > PWN4",
    "<( >(x) a<(b",  # bash reads `<(` inside "${x:-...}" as a process substitution, hiding the closing `"`
    "$({",  # bash --posix starts a `$(` it meets in backticks in "...", escaped once or not (the shown text did not parse)
    "EOFé",  # dash drops the byte after a heredoc line's leading delimiter when it is not ASCII (shown `EOF\xa9`)
]
CHARACTERS = st.lists(st.sampled_from([*" \t\n;&|<>()$`\\\"'*?[]#~=%!{}^-xé", "$(touch PWN)", "`touch PWN`", "\nEOF\n", "EOF", "${HOME}"]), max_size=10)

#: Places the cases table has few of: a heredoc's body in several forms, `${x:-...}` in a heredoc, comments, patterns.
MORE = [
    Case("heredoc: value alone on its line", "cat <<EOF\n{{ x }}\nEOF", lambda v: v + "\n"),
    Case("heredoc: two values on a line", "cat <<EOF\n{{ x }}{{ x }}\nEOF", lambda v: v + v + "\n"),
    Case("heredoc <<-: value at the line's start", "cat <<-EOF\n\t{{ x }}\n\tEOF", lambda v: v + "\n"),
    Case("heredoc <<-: after text", "cat <<-EOF\n\ta {{ x }} b\n\tEOF", lambda v: f"a {v} b\n"),
    Case("heredoc: ${x:-...}", "cat <<EOF\n${RBT_UNSET_X:-{{ x }}}\nEOF", lambda v: v + "\n"),
    Case("heredoc: quotes inside ${x:-...}", 'cat <<EOF\n${RBT_UNSET_X:-"{{ x }}"}\nEOF', lambda v: v + "\n"),
    Case("heredoc: $(...) with a word", "cat <<EOF\n<$(printf '%s' {{ x }})>\nEOF", lambda v: f"<{v.rstrip(chr(10))}>\n"),
    Case("double quotes, value alone", 'printf "%s" "{{ x }}"', lambda v: v),
    Case('"${v%pattern}"', "v={{ x }}; printf '<%s>' \"${v%{{ x }}}\"", lambda v: "<>"),
    Case(
        '"${v#pattern}" of another text',
        "v=abc; printf '<%s>' \"${v#{{ x }}}\"",
        lambda v: "<bc>" if v == "a" else "<abc>" if v not in ("", "*") or v == "" else "<>",
    ),
    Case("comment after a command", "printf ok # was {{ x }}\nprintf '%s' \"{{ x }}\"", lambda v: "ok" + v),
    Case("case pattern of another word", "case 'a*b' in {{ x }}) printf match;; *) printf no;; esac", lambda v: "match" if v == "a*b" else "no"),
    Case("eval with a quoted shq word", "eval printf \"'<%s>'\" {{ x | shq }}", lambda v: f"<{v}>"),
    Case("sh -c with a shq'd value in quotes", "sh -c \"printf '%s' {{ x | shq }}\" && printf '%s' \"{{ x }}\"", lambda v: v + v),
]


def _run(argv: list[str], text: str, env: dict[str, str], cwd: Path) -> tuple[int, bytes, list[str]]:
    result = subprocess.run(
        [*argv, "-c", text],
        env={"PATH": os.environ["PATH"], "LC_ALL": "C.UTF-8", "HOME": "/rbt-no-home", **env},
        cwd=cwd,
        check=False,
        capture_output=True,
        timeout=20,
    )
    made = sorted(p.name for p in cwd.iterdir())
    for p in cwd.iterdir():
        p.unlink()
    return result.returncode, result.stdout, made


def shown_means_what_runs(case: Case, value: str, cwd: Path) -> None:
    command = render_command(case.template, {"x": value})
    for shell in case.shells:
        argv = shell_argv(shell)
        real = _run(argv, command.text, dict(command.env), cwd)
        shown = _run(argv, command.shown, {}, cwd)
        assert real[2] == [], (shell, case.name, value, "what runs made files")
        assert shown == real, f"{shell}: {case.name}: the shown text means something else\nshown: {command.shown!r}\nvalue: {value!r}\n{shown!r} != {real!r}"


SHOWN_CASES = [c for c in CASES if c.expect is not None] + MORE


@pytest.mark.parametrize("case", SHOWN_CASES, ids=lambda c: c.name)
def test_the_shown_command_does_what_runs(case: Case, tmp_path_factory: pytest.TempPathFactory) -> None:
    cwd = tmp_path_factory.mktemp("shown")
    for value in HOSTILE:
        shown_means_what_runs(case, value, cwd)

    @settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(value=CHARACTERS.map("".join))
    def check(value: str) -> None:
        shown_means_what_runs(case, value, cwd)

    check()


@pytest.mark.parametrize(
    ("template", "value", "shown"),
    [
        ('echo "{{ x }}" > o1', '$(touch PWN1)`touch PWN2`"; touch PWN3; echo "', 'echo "\\$(touch PWN1)\\`touch PWN2\\`\\"; touch PWN3; echo \\"" > o1'),
        ('cat <<EOF\n{{ x }} "q"\nEOF', 'a\\b "c" $d', 'cat <<EOF\na\\\\b "c" \\$d "q"\nEOF'),
        ("cat <<EOF\n{{ x }}\nEOF", "x\nEOF\ntouch PWN", "cat <<EOF\nx\n$()EOF\ntouch PWN\nEOF"),
        ("printf '%s' \"${U:-{{ x }}}\"", "a}b", "printf '%s' \"${U:-a\\}b}\""),
        ('v=abc; echo "${v#{{ x }}}"', "a*", 'v=abc; echo "${v#a\\*}"'),
        ('echo "${U:-{{ x }}}"', "it's {a,b}", 'echo "${U:-it"\'"s {a,b\\}}"'),
        ("printf ok # {{ x }}", "a\ntouch PWN", "printf ok # a\n# touch PWN"),
    ],
)
def test_a_hostile_value_is_shown_escaped(template: str, value: str, shown: str) -> None:
    assert render_command(template, {"x": value}).shown == shown


@pytest.mark.parametrize(
    "template",
    ['echo "{{ x }}"', "echo {{ x }}", "cat <<EOF\n{{ x }}\nEOF", 'echo "${U:-{{ x }}}"', 'v=a; echo "${v#{{ x }}}"', "echo `echo {{ x }}`", "# {{ x }}"],
)
def test_an_ordinary_value_reads_unchanged(template: str) -> None:
    for value in ("web1.example.internal", "1.25.3", "/var/lib/app-data/v2", "db_01:5432", "user@host"):
        # in a pattern a `/` could end it (`${v/PAT/REP}`): the one character of these values escaped, there
        written = value.replace("/", "\\/") if "${v#" in template else value
        assert render_command(template, {"x": value}).shown == template.replace("{{ x }}", written)


def test_the_cases_cover_bash_only_contexts() -> None:
    assert any(c.shells != ALL for c in SHOWN_CASES) and BASH
