"""Hostile template shapes: `raw` by another name, unknown filters, deep nesting; each an error at the string's position."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers_runbook import at, cli_main, only_error

from runbook_tui.runbook.templating import TemplateError, render

REPO = Path(__file__).resolve().parents[2]

RAW_BY_NAME = [
    "{{ [svc] | map('raw') | first }}",
    "{{ [svc] | map('r' ~ 'aw') | first }}",
    "{% set f = 'r' ~ 'aw' %}{{ [svc] | map(f) | join }}",
    "{{ [svc] | map('raw') | map('upper') | first }}",
]


def _runbook(run: str, title: str = "Restart {{ svc }}") -> str:
    return f"""
        runbook: 1
        id: demo
        title: Demo
        params:
          svc: {{type: string, default: nginx}}
        sections:
          - id: main
            steps:
              - id: one
                title: "{title}"
                run: echo {run}
                verify: none
        """


@pytest.mark.parametrize("run", RAW_BY_NAME)
def test_raw_named_in_a_string_is_an_error_at_validate(write_runbook, run: str, capsys) -> None:
    path = write_runbook(_runbook(run))
    assert cli_main(["validate", str(path)]) == 2
    said = capsys.readouterr()
    assert f"{path}:11:" in said.err + said.out
    assert "'raw' can only be written as '| raw'" in said.err + said.out


@pytest.mark.parametrize("kind", ["plain", "shell", "regex", "promql"])
def test_raw_named_in_a_string_never_renders(kind: str) -> None:
    with pytest.raises(TemplateError, match="can only be written as"):
        render("{{ [svc] | map('r' ~ 'aw') | first }}", kind, {"svc": "x; touch /tmp/owned"})  # type: ignore[arg-type]


def test_a_parameter_never_becomes_shell_code_by_map_raw(write_runbook, tmp_path: Path) -> None:
    """validate passes (the branch is not taken for the default); exec with the hostile value refuses, runs nothing."""
    witness = tmp_path / "owned"
    run = "{% if svc != 'nginx' %}{{ [svc] | map('raw') | first }}{% else %}{{ svc }}{% endif %}"
    path = write_runbook(_runbook(run))
    assert cli_main(["validate", str(path)]) == 0
    done = subprocess.run(
        [sys.executable, "-m", "runbook_tui", "exec", str(path), "--solo", "t", "--journal", str(tmp_path / "j.jsonl"), "-p", f"svc=x; touch {witness}"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        cwd=tmp_path,
        check=False,
    )
    assert not witness.exists()
    assert "can only be written as '| raw'" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("run", "title", "says", "line"),
    [
        ("{{ svc | shquote }}", "Restart {{ svc }}", "unknown filter 'shquote' (did you mean 'shq'?)", 11),
        ("{{ svc }}", "Restart {{ svc | nope }}", "unknown filter 'nope'", 10),
        ("{{ svc }}", "Restart {% filter nope %}{{ svc }}{% endfilter %}", "unknown filter 'nope'", 10),
        ("{{ svc }}", "Restart {{ svc is nope }}", "unknown test 'nope'", 10),
    ],
)
def test_an_unknown_filter_is_an_error_at_its_position(write_runbook, run: str, title: str, says: str, line: int) -> None:
    error = only_error(write_runbook(_runbook(run, title)))
    assert says in error.message
    assert at(error)[0] == line


@pytest.mark.parametrize("command", ["validate", "plan"])
def test_an_unknown_filter_exits_2_without_a_traceback(write_runbook, command: str, capsys) -> None:
    path = write_runbook(_runbook("{{ svc | shquote }}"))
    assert cli_main([command, str(path)]) == 2
    said = capsys.readouterr()
    assert f"{path}:11:14: unknown filter 'shquote'" in said.err + said.out
    assert "Traceback" not in said.err


DEEP = [
    "{{ " + "(" * 100 + "1" + ")" * 100 + " }}",
    "{{ svc" + " | upper" * 5000 + " }}",
    "{{ " + "not " * 5000 + "1 }}",
    "{{ " + "-" * 5000 + "1 }}",
    "{{ " + "+".join(["1"] * 20000) + " }}",
    "{{ " + "[" * 100 + "]" * 100 + " }}",
    "{% if 1 %}" * 500 + "x" + "{% endif %}" * 500,
]


@pytest.mark.parametrize("source", DEEP, ids=["parens", "filters", "not", "minus", "plus", "lists", "ifs"])
def test_deep_nesting_is_an_error_at_the_strings_position(write_runbook, source: str) -> None:
    error = only_error(write_runbook(_runbook("{{ svc }}", title=source)))
    assert "nests deeper than 64 levels" in error.message
    assert at(error) == (10, 16)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ " + "(" * 50 + "1" + ")" * 50 + " }}", "1"),
        ("{{ svc" + " | upper" * 50 + " }}", "NGINX"),
        ("{{ " + "+".join(["1"] * 50) + " }}", "50"),
        ("{% if 1 %}" * 30 + "x" + "{% endif %}" * 30, "x"),
    ],
)
@pytest.mark.parametrize("kind", ["plain", "shell"])
def test_nesting_within_the_limit_renders(source: str, expected: str, kind: str) -> None:
    # in a command, a value as the command's name is refused (it picks the program): these are echo's argument
    prefix = "echo " if kind == "shell" else ""
    assert render(prefix + source, kind, {"svc": "nginx"}) == prefix + expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("run", "tag"),
    [
        ("\"{% include '/etc/passwd' %}\"", "include"),
        ("\"{% import 'x.j2' as x %}{{ x.y }}\"", "import"),
        ("\"{% from 'x.j2' import y %}{{ y() }}\"", "from … import"),
        ("\"{% extends 'base.j2' %}\"", "extends"),
    ],
)
def test_a_tag_reading_another_template_is_refused_in_words(write_runbook, run: str, tag: str) -> None:
    """Jinja said only `cannot render template: no loader for this environment specified`."""
    error = only_error(write_runbook(_runbook(run)))
    assert at(error) == (11, 14)
    assert f"{{% {tag} %}} reads another template, and a runbook's text has none to read; write the text in place" in error.message


@pytest.mark.parametrize("run", ["{{ ''.__class__ }}", "{{ svc.__class__.__mro__ }}", "{{ now.__class__ }}", "{{ svc|attr('__class__') }}"])
def test_a_sandbox_escape_says_what_was_expected(write_runbook, run: str, capsys) -> None:
    """Before: `cannot render template: access to attribute '__class__' of 'str' object is unsafe.` and nothing on
    what a template may use instead (every runbook error says what was expected)."""
    path = write_runbook(_runbook(run))
    assert cli_main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:11:14: cannot render template: access to attribute '__class__' of " in err
    assert "is unsafe; expected values and their fields, methods and filters, not Python internals" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("title", ["{{ ''.__class__ }}", "{{ [svc.__class__] }}", "{{ now.__class__ }}"])
def test_a_sandbox_escape_in_plain_text_says_the_same(write_runbook, title: str, capsys) -> None:
    """In a title or a note (not a command), the refused field read 'a template can insert text, numbers, lists and
    mappings, not a StrictUndefined': Jinja's stand-in for it, named; now it says what a command's says."""
    path = write_runbook(_runbook("ok", title=title))
    assert cli_main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:10:16: cannot render template: access to attribute '__class__' of " in err, err
    assert "is unsafe; expected values and their fields, methods and filters, not Python internals" in err, err
    assert "StrictUndefined" not in err and "Traceback" not in err, err


def _with_secret(run: str) -> str:
    return f"""
        runbook: 1
        id: demo
        title: Demo
        secrets:
          tok: {{env: RBT_TEST_TOKEN}}
        sections:
          - id: main
            steps:
              - id: one
                run: 'echo {run}'
        """


SECRET_MADE_OVER = [
    ("{{ secrets.tok | upper }}", "the filter 'upper'"),
    ("{{ secrets.tok | reverse | join }}", "the filter 'reverse'"),
    ('{{ secrets.tok | list | join("-") }}', "the filter 'list'"),
    ("{{ secrets.tok[0] }}", "a method, index, loop or variable"),
    ('{{ secrets.tok.replace("h", "H") }}', "a method, index, loop or variable"),
    ("{% for c in secrets.tok %}{{ c }}-{% endfor %}", "a method, index, loop or variable"),
    ('{{ [secrets.tok] | map("upper") | join }}', "a method, index, loop or variable"),
    ("{% set t = secrets.tok %}{{ t | upper }}", "a method, index, loop or variable"),
    ("{% filter upper %}{{ secrets.tok }}{% endfilter %}", "the filter 'upper'"),
    ('{{ ("x" ~ secrets.tok) | reverse | join }}', "the filter 'reverse'"),
    ('{{ ("%s" | format(secrets.tok)) | upper }}', "the filter 'upper'"),
]


@pytest.mark.parametrize(("run", "what"), SECRET_MADE_OVER, ids=[r for r, _ in SECRET_MADE_OVER])
def test_a_text_made_from_a_secret_is_refused_at_validate(write_runbook, run: str, what: str, capsys) -> None:
    """Output and the journal mask a secret's own text (and its encodings), not a text made from it: before, `exec`
    printed and journaled `2retnuh`, `HUNTER2`, `h-u-n-t-e-r-2` for the secret `hunter2`."""
    path = write_runbook(_with_secret(run))
    assert cli_main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:10:14: 'secrets.tok' goes through {what} here: only a secret's own text is masked (***)" in err, err
    assert err.count("expected") == 1, err


@pytest.mark.parametrize(
    "run",
    [
        "{{ secrets.tok }}",
        '{{ "Bearer " ~ secrets.tok }}',
        '{{ secrets.tok | default("") }}',
        '{{ "%s" | format(secrets.tok) }}',
        "{{ secrets.tok if true }}",
        '{% if secrets.tok == "" %}none{% endif %}',
        "{% for i in [1, 2] %}{{ secrets.tok }}{% endfor %}",
        "{% filter shq %}{{ secrets.tok }}{% endfilter %}",
    ],
)
def test_a_secret_inserted_whole_is_valid(write_runbook, run: str, capsys) -> None:
    path = write_runbook(_with_secret(run))
    assert cli_main(["validate", str(path)]) == 0, capsys.readouterr().err


# A template that picks by chance: what `plan` shows, what the verifier approves and what runs would differ.
# Before: `run: "echo {{ [1, 2, 3, 4, 5, 6, 7, 8, 9] | random }}"` passed `validate`; `plan` printed a different
# command at each call, and `exec` journaled `step_ready` and `step_started` with `echo 6` and then ran `echo 7`
# (the command is rendered once for people and once more for the shell). Every runbook string renders to one text.


@pytest.mark.parametrize(
    ("run", "title", "line"),
    [
        ("{{ [1, 2, 3] | random }}", "Restart {{ svc }}", 11),
        ("{{ svc }}", "Restart {{ svc | random }}", 10),
        ("{{ svc }}", "Restart {% filter random %}{{ svc }}{% endfilter %}", 10),
    ],
)
def test_a_filter_that_picks_by_chance_is_an_error_at_its_position(write_runbook, run: str, title: str, line: int) -> None:
    error = only_error(write_runbook(_runbook(run, title)))
    assert at(error) == (line, 14 if line == 11 else 16)
    assert "the filter 'random' picks anew each time the text renders" in error.message
    assert "expected a parameter (type: choice) or the value written out" in error.message


def test_a_random_filter_at_validate_exits_2_naming_the_place(write_runbook, capsys) -> None:
    path = write_runbook(_runbook("{{ [1, 2, 3] | random }}"))
    assert cli_main(["validate", str(path)]) == 2
    said = capsys.readouterr()
    assert f"{path}:11:14: the filter 'random' picks anew" in said.err
    assert "Traceback" not in said.err


@pytest.mark.parametrize("kind", ["plain", "shell", "regex", "promql"])
def test_random_named_in_a_string_never_renders(kind: str) -> None:
    with pytest.raises(TemplateError, match="the filter 'random' picks anew"):
        render("echo {{ [[1, 2, 3]] | map('random') | first }}", kind, {})  # type: ignore[arg-type]
