"""A value inside the SQL of `psql -c` or `mysql -e` is code to the database, and `psql -c '\\! ...'` is a shell command.

`psql -Atc "select '{{ x }}'"` validated and ran any value: with x = `'; copy (select 1) to program 'touch F'; --`
the server (as the superuser `runuser -u postgres -- psql` connects as) ran `touch F` (checked with PostgreSQL 15:
F made, owned by the server's user). `psql -c "\\! {{ x }}"` hands the rest of the text to a shell. Now a value in
that SQL must be a plain word (a version, a table name), as in `python3 -c` and awk programs, else it is refused
before anything runs; a value in `psql -c '\\! ...'` is parsed again by a shell (`| shq`, and never the command's
name); values passed as psql variables (`-v t={{ x }}`, read as `:'t'` in SQL on stdin) still pass as data.
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

INJECTION = "'; copy (select 1) to program 'touch F'; --"

IN_SQL = [
    "psql -c \"select '{{ x }}'\"",
    "psql -XAtc \"select '{{ x }}'\"",
    "psql -d app -c \"select '{{ x }}'\"",
    "psql --command=\"select '{{ x }}'\"",
    "psql --command \"select '{{ x }}'\"",
    'runuser -u postgres -- psql -XAtc "select pg_cancel_backend({{ x }})"',
    'sudo -u postgres psql -c "drop table {{ x }}"',
    # behind sudo's bundled and long options (before: `-iu postgres` was read as a flag, so `postgres` as the command)
    'sudo -iu postgres psql -c "drop table {{ x }}"',
    'sudo -nHu postgres psql -XAtc "select {{ x }}"',
    'sudo --user postgres psql -c "drop table {{ x }}"',
    'env --chdir /srv psql -c "drop table {{ x }}"',
    "mysql -e \"select '{{ x }}'\"",
    "mysql -uroot -Nse \"select '{{ x }}'\"",
    'mysql --execute="drop table {{ x }}"',
    "mariadb -e \"select '{{ x }}'\"",
    "sqlite3 app.db \"select '{{ x }}'\"",  # its SQL loads a library's code: select load_extension('/tmp/evil.so')
]


@pytest.mark.parametrize("template", IN_SQL)
def test_a_value_in_the_sql_is_a_plain_word_or_refused(template: str) -> None:
    for hostile in (INJECTION, "1; copy (select 1) to program 'touch F'", "a b"):
        with pytest.raises(TemplateError, match=r"code to (psql|mysql|mariadb|sqlite3)"):
            render_command(template, {"x": hostile})
    assert [value for _, value in render_command(template, {"x": "legacy_orders-2024.v1"}).env] == ["legacy_orders-2024.v1"]


def test_exec_refuses_the_injection_before_anything_runs(tmp_path: Path, write_runbook: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    made = tmp_path / "made"
    path = write_runbook(RUNBOOK.format(run="psql -XAtc \"select '{{ x }}'\""))
    assert cli_main(["validate", str(path)]) == 0  # which value comes is only known when it runs
    value = INJECTION.replace("touch F", f"touch {made}")
    assert cli_main(["exec", str(path), "-p", f"x={value}", "--solo", "t", "--journal", str(tmp_path / "j.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "a value inside psql's program is code to psql" in err
    # the refusal ends with its fix, not with the generic "expected only fields the values have..." (before: both)
    assert err.rstrip().endswith("where :'v' is the value quoted as a literal") and "expected only fields" not in err, err
    assert not made.exists()


def test_a_value_in_psqls_shell_escape_is_shell_code(write_runbook: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    for template, why in (
        ('psql -c "\\! ls {{ x }}"', "'psql -c \\\\!' parses this value again as shell code"),
        ('psql -c "\\! {{ x | shq }}"', "the command's name, so it picks the program"),
    ):
        path = write_runbook(RUNBOOK.format(run=template))
        assert cli_main(["validate", str(path)]) == 2
        err = capsys.readouterr().err
        assert f"{path}:11:{11 + template.index('{{')}: " in err and why.replace("\\\\", "\\") in err, err
    assert [v for _, v in render_command('psql -c "\\! ls {{ x | shq }}"', {"x": "a b; touch F"}).env] == ["'a b; touch F'"]


NEIGHBOURS = [
    "psql -XAt -v t={{ x }} <<'SQL'\nselect :'t';\nSQL",
    "echo \"select :'t'\" | psql -XAt -v t={{ x }}",
    "psql -d {{ x }} -c 'select 1'",
    "psql -h {{ x }} -XAtc 'show server_version'",
    "psql -v t={{ x }} -f drop.sql",
    "mysql -h {{ x }} -e 'select 1'",
    "mysql -u {{ x }} -e 'select 1'",
]


@pytest.mark.parametrize("template", NEIGHBOURS)
def test_a_value_beside_the_sql_is_data(template: str, write_runbook: Callable[..., Path]) -> None:
    assert cli_main(["validate", str(write_runbook(RUNBOOK.format(run=template.replace("\n", "\n          "))))]) == 0
    assert [v for _, v in render_command(template, {"x": INJECTION}).env] == [INJECTION]


PIPES_AND_ESCAPES = [
    ('psql -c "\\o |gzip > /srv/{{ x }}.gz"', "'psql -c \\o |' parses this value again as shell code"),
    ('psql -c "\\out | cat {{ x }}"', "'psql -c \\out |' parses this value again as shell code"),
    ('psql -c "\\w |{{ x }}"', "'psql -c \\w |'"),
    ('psql -c "\\g (format=csv) |cat {{ x }}"', "'psql -c \\g |' parses this value again as shell code"),
    ('mysql -e "select 1; \\! echo {{ x }}"', "'mysql -e \\!' parses this value again as shell code"),
    ('mysql -e "select 1; system echo {{ x }}"', "'mysql -e system' parses this value again as shell code"),
    ('mariadb -e "system {{ x }}"', "'mariadb -e system'"),
]


@pytest.mark.parametrize(("template", "why"), PIPES_AND_ESCAPES)
def test_a_value_in_a_pipe_or_shell_escape_of_the_client_is_shell_code(
    template: str, why: str, write_runbook: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """psql's `\\o |CMD` (and `\\g |`, `\\w |`) and mysql's `\\!` after other SQL or `system CMD` hand CMD to a shell:
    a plain word there could be a program's name or its options (before: only a leading `\\!` was seen)."""
    path = write_runbook(RUNBOOK.format(run=template))
    assert cli_main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:11:{11 + template.index('{{')}: " in err and why in err, err


def test_the_shq_form_of_a_pipe_passes_quoted_for_that_shell(write_runbook: Callable[..., Path]) -> None:
    for template in ('psql -c "\\o |cat > {{ x | shq }}"', 'mysql -e "select 1; \\! echo {{ x | shq }}"', 'psql -c "\\o /srv/{{ x }}.out"'):
        assert cli_main(["validate", str(write_runbook(RUNBOOK.format(run=template)))]) == 0, template
    assert [v for _, v in render_command('psql -c "\\o |cat > {{ x | shq }}"', {"x": "a b; touch F"}).env] == ["'a b; touch F'"]


RAW_VARIABLES = [
    "psql -X -v t={{ x }} <<'SQL'\nselect :t;\nSQL",
    'psql -v n=1 -v t="{{ x }}" <<SQL\ndrop table :t;\nSQL',
    "sudo -u postgres psql --set=t={{ x }} <<'SQL'\nselect * from :t;\nSQL",
    "psql -v t={{ x }} <<'SQL'\n\\set r `echo :t`\nSQL",
    "psql -v t={{ x }} -c '\\set r `echo :t`'",
]


@pytest.mark.parametrize("template", RAW_VARIABLES)
def test_a_psql_variable_read_as_raw_text_is_a_plain_word_or_refused(template: str, write_runbook: Callable[..., Path]) -> None:
    """`psql -v t="{{ x }}"` passes the value as data only where the SQL reads it quoted (`:'t'`, `:"t"`): psql puts a
    bare `:t` in as is, so x = `1; copy (select 1) to program 'touch F'` ran touch (checked with PostgreSQL 15, as
    the `\\set r` backticks did); SQL given to -c is sent as is, but a meta-command there reads `:t` too. Such a value
    is SQL code now: a plain word (a number, a table's name) passes, anything else is refused before psql runs."""
    assert cli_main(["validate", str(write_runbook(RUNBOOK.format(run=template.replace("\n", "\n          "))))]) == 0
    for hostile in (INJECTION, "1; copy (select 1) to program 'touch F'", "$(touch F)"):
        with pytest.raises(TemplateError, match="a value inside psql's program is code to psql"):
            render_command(template, {"x": hostile})
    assert [v for _, v in render_command(template, {"x": "16777216"}).env] == ["16777216"]


@pytest.mark.parametrize(
    "template",
    [
        'psql -X -v t="{{ x }}" <<\'SQL\'\nselect :\'t\', :"t", a::int from :"t";\nSQL',
        "psql -v t={{ x }} <<'SQL'\n\\set r `echo :'t'`\nSQL",
        "psql -v t={{ x }} -c 'select :t'",  # sent to the server as is: a syntax error, never the value
        "psql -v t={{ x }} -v n=1 <<'SQL'\nselect :n, :'t';\nSQL",
    ],
)
def test_a_psql_variable_read_quoted_is_data(template: str, write_runbook: Callable[..., Path]) -> None:
    assert cli_main(["validate", str(write_runbook(RUNBOOK.format(run=template.replace("\n", "\n          "))))]) == 0
    assert [v for _, v in render_command(template, {"x": INJECTION}).env] == [INJECTION]


def test_a_value_in_sqlite3s_shell_dot_command_is_a_plain_word_or_refused(tmp_path: Path, write_runbook: Callable[..., Path]) -> None:
    """`sqlite3 DB ".shell echo {{ x }}"` (and `.system`): sqlite3 joins the dot command's words and hands them to
    system(), so x = `a; touch F` made F (checked below); it re-quotes words holding a space with "...", so `| shq`
    is no fix there. Before, only a value starting the operand was checked."""
    made = tmp_path / "made"
    subprocess.run(["sh", "-c", 'sqlite3 :memory: ".shell echo $V"'], env={**os.environ, "V": f"a; touch {made}"}, check=True, timeout=20, capture_output=True)
    assert made.exists()
    made.unlink()
    for template in ('sqlite3 :memory: ".shell echo {{ x }}"', "sqlite3 app.db 'select 1' \".system ls {{ x }}\""):
        with pytest.raises(TemplateError, match="code to sqlite3"):
            render_command(template, {"x": f"a; touch {made}"})
        assert [v for _, v in render_command(template, {"x": "v1.2"}).env] == ["v1.2"]
    path = write_runbook(RUNBOOK.format(run='sqlite3 :memory: ".shell echo {{ x }}"'))
    assert cli_main(["exec", str(path), "-p", f"x=a; touch {made}", "--solo", "t", "--journal", str(tmp_path / "j.jsonl")]) == 2
    assert not made.exists()
