"""A value inside the path of the program that runs stays one part of that path.

A value that is the whole command name is refused (it picks any program). One that is only a part of the name
(`/usr/lib/postgresql/{{ v }}/bin/pg_upgrade`) passed whatever it held: with v = `../../../../tmp/upload` the step ran
`/tmp/upload/bin/pg_upgrade`, a program the runbook never named. The same through a variable (`bin=/opt/{{ v }}/bin;
"$bin/psql"`) and through `$PATH` (`PATH=/opt/{{ v }}/bin:$PATH psql`, where a `:` adds a folder of its own). Now such a
value is one file or folder name: a `/`, a `:` or a name of dots only is refused before anything runs; `15` still
passes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_runbook import cli_main, refused_unless_plain

TEMPLATES = [
    "/usr/lib/postgresql/{{ x }}/bin/pg_upgrade --check",
    '"/usr/lib/postgresql/{{ x }}/bin/pg_ctl" status',
    "sudo -n /opt/pg-{{ x }}/bin/psql -c 'select 1'",
    "env A=1 /opt/{{ x }}/bin/psql",
    'bin=/opt/{{ x }}/bin; "$bin/psql" -l',
    'export bin="/opt/{{ x }}/bin"; "$bin"/psql -l',
    "PATH=/opt/{{ x }}/bin:$PATH psql -l",
    'export PATH="/opt/{{ x }}/bin:$PATH"; psql -l',
    "env PATH=/opt/{{ x }}/bin:/usr/bin psql -l",
]
HOSTILE = ["../../../../tmp/upload", "/tmp/upload", "..", "15:/tmp/upload"]
REFUSED = r"picks the program that runs: expected one file or folder name"


@pytest.mark.parametrize("template", TEMPLATES)
def test_a_value_in_the_programs_path_is_one_name(template: str) -> None:
    refused_unless_plain(template, HOSTILE, "15", REFUSED)


def test_a_value_among_the_arguments_may_be_a_path() -> None:
    """Only the program's own path is held to one name: its arguments are data, a path among them too."""
    from runbook_tui.runbook.templating import render_command

    for template in ("/usr/lib/postgresql/15/bin/pg_ctl -D {{ x }} status", 'cp -- "{{ x }}" /tmp/b', "PGDATA={{ x }} pg_ctl status"):
        assert [value for _, value in render_command(template, {"x": "../../srv/pg:15"}).env] == ["../../srv/pg:15"]


RUNBOOK = """\
runbook: 1
id: program-path
title: T
params:
  v: {type: string}
sections:
  - id: main
    steps:
      - id: one
        run: {run}
"""


def test_a_planted_program_does_not_run(write_runbook: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    made = tmp_path / "made"
    (tmp_path / "pg" / "15" / "bin").mkdir(parents=True)
    planted = tmp_path / "upload" / "bin" / "pg_upgrade"
    planted.parent.mkdir(parents=True)
    planted.write_text(f"#!/bin/sh\ntouch {made}\n")
    planted.chmod(0o755)
    path = write_runbook(RUNBOOK.replace("{run}", f"{tmp_path}/pg/{{{{ v }}}}/bin/pg_upgrade --check"))
    assert cli_main(["exec", str(path), "-p", "v=../upload", "--solo", "t", "--journal", str(tmp_path / "j.jsonl")]) == 2
    err = capsys.readouterr().err
    assert f"{path}:10:{14 + len(f'{tmp_path}/pg/')}: a value inside the program's path picks the program that runs" in err, err
    assert not made.exists()


ENV_RUNBOOK = """\
runbook: 1
id: program-path-env
title: T
params:
  v: {type: string}
sections:
  - id: main
    steps:
      - id: one
        run: RUN
        env: {NAME: "TEMPLATE"}
"""


@pytest.mark.parametrize(
    ("run", "name", "template"),
    [
        ("/usr/bin/env pg_upgrade --check", "PATH", "TMP/pg/{{ v }}/bin:/usr/bin:/bin"),
        ("$PGBIN/pg_upgrade --check", "PGBIN", "TMP/pg/{{ v }}/bin"),
    ],
)
def test_a_steps_env_value_in_the_programs_path_is_one_name(
    run: str, name: str, template: str, write_runbook: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same through a step's `env:` (`PATH`, or a variable the command names its program with): exec stops before
    the command starts; the runbook's own folders and `15` pass."""
    made = tmp_path / "made"
    for folder, said in ((tmp_path / "pg" / "15", "15"), (tmp_path / "upload", "planted")):
        program = folder / "bin" / "pg_upgrade"
        program.parent.mkdir(parents=True)
        program.write_text(f"#!/bin/sh\necho {said} >> {made}\n")
        program.chmod(0o755)
    text = ENV_RUNBOOK.replace("RUN", run).replace("NAME", name).replace("TEMPLATE", template.replace("TMP", str(tmp_path)))
    path = write_runbook(text)
    assert cli_main(["exec", str(path), "-p", "v=../upload", "--solo", "t", "--journal", str(tmp_path / "j1.jsonl")]) == 1
    out = capsys.readouterr().out
    assert f"env {name}: a value inside the program's path picks the program that runs: expected one file or folder name" in out, out
    assert not made.exists()
    assert cli_main(["exec", str(path), "-p", "v=15", "--solo", "t", "--journal", str(tmp_path / "j2.jsonl")]) == 0
    assert made.read_text() == "15\n"


SCRIPT_FILES = [
    "sh {{ x }}",
    'bash -e "{{ x }}" --verbose',
    "sh -- {{ x }}",
    'timeout 60 sh "/srv/scripts/{{ x }}"',
    ". {{ x }}",
    'source "{{ x }}"',
    "python3 -u {{ x }} --dry-run",
    "perl -w {{ x }}",
    "awk -f {{ x }} /etc/hosts",
    "make -f {{ x }} install",
    'script="/srv/scripts/{{ x }}"; sh "$script"',
]


@pytest.mark.parametrize("template", SCRIPT_FILES)
def test_a_value_naming_the_script_an_interpreter_runs_is_one_name(template: str) -> None:
    """`sh {{ x }}`, `python3 {{ x }}`, `. {{ x }}`, `awk -f {{ x }}`: the value names the code that runs, as a command's
    name does; with x = `/tmp/upload/evil.sh` that code ran. It passes as one file name (`deploy.sh`)."""
    refused_unless_plain(template, ["/tmp/upload/evil.sh", "../../tmp/upload/evil.sh", ".."], "deploy.sh", REFUSED)


def test_code_given_inline_and_the_scripts_arguments_stay_data() -> None:
    """Where no script file is named (`-c CODE`, `-e CODE`, `-m MOD`, `-s`, stdin) or the value is among the script's
    arguments, a path passes as before."""
    from runbook_tui.runbook.templating import render_command

    for template in (
        "sh deploy.sh {{ x }}",
        "sh -c 'cat \"$1\"' sh {{ x }}",
        "bash -s {{ x }} < deploy.sh",
        "python3 -c 'import sys' {{ x }}",
        "python3 -m json.tool {{ x }}",
        "perl -e 'print @ARGV' {{ x }}",
        "awk '{ print }' {{ x }}",
        "make -f build.mk {{ x }}",
        ". ./env.sh {{ x }}",
    ):
        assert [value for _, value in render_command(template, {"x": "/srv/data/in.txt"}).env] == ["/srv/data/in.txt"], template


@pytest.mark.parametrize("template", ['sh < "{{ x }}"', "bash -s -- a b < {{ x }}", "< /srv/scripts/{{ x }} python3", 'perl < "{{ x }}" | tee out.log'])
def test_a_value_naming_the_file_a_shell_reads_its_script_from_is_one_name(template: str) -> None:
    """`sh < "{{ x }}"`, `python3 < {{ x }}`: the file on stdin is the code that runs, as the script's name is."""
    refused_unless_plain(template, ["/tmp/upload/evil.sh", "../upload/evil.sh"], "deploy.sh", REFUSED)


def test_a_file_on_the_stdin_of_a_program_reading_data_may_be_a_path() -> None:
    from runbook_tui.runbook.templating import render_command

    for template in ('sort < "{{ x }}"', "grep -c x < {{ x }}", "while read -r l; do printf '%s' \"$l\"; done < {{ x }}", "wc -l < {{ x }}"):
        assert [value for _, value in render_command(template, {"x": "/srv/data/in.txt"}).env] == ["/srv/data/in.txt"], template


IN_THE_PATH = ["/nonexistent/{{ x }}/prog 2>/dev/null; printf '%s' {{ x }}", 'b={{ x }}; "/nonexistent/${b}/prog" 2>/dev/null; printf \'%s\' "$b"']
#: Values an attacker would try that hold no `/`, `:` nor a name of dots only: each is one name there, printed exactly.
ONE_NAME = ["$(touch pwned)", "`touch pwned`", "a; touch pwned", "x' ; touch pwned; '", 'x" ; touch pwned; "', "a\ntouch pwned\n", "${IFS}$(touch${IFS}pwned)", "!! !$ \\ # ~ * ? [a] {a,b}", "é ✓ \u202e", "", "-n", "..a", "15"]  # fmt: skip


@pytest.mark.parametrize("template", IN_THE_PATH)
@pytest.mark.parametrize("shell", ["dash", "bash --posix", "bash"])
def test_a_one_name_value_in_the_path_prints_exactly_and_runs_nothing(template: str, shell: str, tmp_path: Path) -> None:
    import shutil
    import subprocess

    from runbook_tui.runbook.templating import TemplateError, render_command

    argv = [shutil.which(shell.split()[0]) or shell, *shell.split()[1:]]
    for value in ONE_NAME:
        command = render_command(template, {"x": value})
        env = {"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8", **dict(command.env)}
        result = subprocess.run([*argv, "-c", command.text], env=env, cwd=tmp_path, capture_output=True, timeout=20, check=False)
        assert (result.returncode, result.stdout) == (0, value.encode()), (shell, value, result.stderr)
        assert list(tmp_path.iterdir()) == [], (shell, value)
    for value in HOSTILE:
        with pytest.raises(TemplateError, match=REFUSED):
            render_command(template, {"x": value})
