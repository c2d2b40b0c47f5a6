"""A value in the program an interpreter reads on stdin is code to it: refused at validate, at the value.

`python3 - <<EOF`, `perl <<EOF`, `echo "{{ x }}" | python3`, `awk -f -`, `psql <<EOF` (whose `\\!` runs a shell)
passed validate and ran the value as code: the shell quoted it for itself, and the interpreter then read it as
its program. The value goes as an argument or a variable instead, which stays valid, as does a value in the
stdin of a program given another way (`python3 app.py <<EOF`, `perl -ne`, `psql -c`).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers_runbook import errors
from test_shell_contexts import PAYLOADS

from runbook_tui.runbook.shell_programs import stdin_program_reader
from runbook_tui.runbook.shell_values import static_problems
from runbook_tui.runbook.templating import TemplateError, render_command

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = "\"); import os; os.system('touch pwned'); print(\""


def run(template: str, value: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    command = render_command(template, {"x": value})
    env = {**os.environ, "LC_ALL": "C.UTF-8", "PYTHONIOENCODING": "utf-8", **dict(command.env)}
    return subprocess.run(["sh", "-c", command.text], env=env, cwd=cwd, capture_output=True, timeout=20, check=False)


def test_the_hole_was_real_and_is_closed(tmp_path: Path) -> None:
    """What the shell delivers to python3 is the value inside its program: the unchecked text made the file."""
    template = 'python3 - <<EOF\nprint("{{ x }}")\nEOF'
    unchecked = template.replace("{{ x }}", "${X}")  # what the renderer made of it: the value expanded into the body
    subprocess.run(["sh", "-c", unchecked], env={**os.environ, "X": HOSTILE}, cwd=tmp_path, capture_output=True, timeout=20, check=False)
    assert (tmp_path / "pwned").exists(), "the demonstration needs python3 to run the value"
    (tmp_path / "pwned").unlink()
    [(offset, message)] = static_problems(template)
    assert offset == template.index("{{") and "python3 reads its program on stdin" in message and "sys.argv[1]" in message
    with pytest.raises(TemplateError, match="program on stdin"):
        render_command(template, {"x": "plain"})  # whatever the value: the template is wrong, not the value


@pytest.mark.parametrize(
    "template",
    [
        "python3 - {{ x }} <<'EOF'\nimport sys\nsys.stdout.write(sys.argv[1])\nEOF",
        "X={{ x }} python3 - <<'EOF'\nimport os, sys\nsys.stdout.write(os.environ['X'])\nEOF",
        "printf '%s' {{ x }} | python3 -c 'import sys; sys.stdout.write(sys.stdin.read())'",
        "python3 -c 'import sys; sys.stdout.write(sys.stdin.read())' <<EOF\n{{ x }}\nEOF",
    ],
    ids=["argument after python3 -", "environment of python3 -", "piped into python3 -c", "heredoc read by python3 -c"],
)
def test_a_value_passed_as_data_to_python3_comes_out_exactly(template: str, tmp_path: Path) -> None:
    assert static_problems(template) == []
    for value in [*PAYLOADS, HOSTILE]:
        result = run(template, value, tmp_path)
        expected = value + "\n" if "<<EOF" in template else value
        assert result.returncode == 0 and result.stdout.decode() == expected, (template, value, result.stderr)
    assert list(tmp_path.iterdir()) == [], "a value ran as code"


@pytest.mark.parametrize(
    "template",
    [
        "cat <<EOF\nselect '{{ x }}';\nEOF",
        "tee /tmp/out <<EOF\n{{ x }}\nEOF",
        "cat <<EOF | tee /tmp/out\n{{ x }}\nEOF",
        "python3 app.py <<EOF\n{{ x }}\nEOF",
        "python3 -m json.tool <<EOF\n{{ x }}\nEOF",
        "awk '{ print }' <<EOF\n{{ x }}\nEOF",
        "sed 's/a/b/' <<EOF\n{{ x }}\nEOF",
        "psql -XAtc 'select 1' <<EOF\n{{ x }}\nEOF",
        "psql -f up.sql <<EOF\n{{ x }}\nEOF",
        "sqlite3 app.db 'select 1' <<EOF\n{{ x }}\nEOF",
        "psql -XAt -v v={{ x }} <<'SQL'\nselect :'v';\nSQL",
        "python3 - <<'EOF'\nprint('no value here')\nEOF",
        "php -- {{ x }} <<'EOF'\n<?php echo $argv[1];\nEOF",
        "kubectl get pods -n {{ x }} | grep node",
    ],
)
def test_stdin_that_is_data_or_a_program_without_values_stays_valid(template: str) -> None:
    assert static_problems(template) == []


@pytest.mark.parametrize(
    ("words", "reader"),
    [
        ("python3", "python3"),
        ("python3 -", "python3"),
        ("python3 -u -W ignore - a b", "python3"),
        ("/usr/bin/python3.12 -I", "python3.12"),
        ("python3 -uc CODE", None),
        ("python3 -m http.server", None),
        ("python3 app.py", None),
        ("perl -Mstrict", "perl"),
        ("perl -I lib", "perl"),
        ("perl -l0ne CODE", None),
        ("perl -I lib app.pl", None),
        ("ruby -rjson -", "ruby"),
        ("node -r dotenv/config", "node"),
        ("node app.js", None),
        ("php", "php"),
        ("php -- a", "php"),
        ("php -r CODE", None),
        ("lua -", "lua"),
        ("awk -f -", "awk"),
        ("gawk --file=/dev/stdin", "gawk"),
        ("awk -F : -f prog.awk", None),
        ("awk PROG", None),
        ("sed -f /dev/stdin", "sed"),
        ("psql -X -U app -d db", "psql"),
        ("psql -XAtc SQL", None),
        ("psql -f -", "psql"),
        ("psql --file=up.sql", None),
        ("mysql -u root app", "mysql"),
        ("mysql -u root -e SQL", None),
        ("sqlite3 app.db", "sqlite3"),
        ("sqlite3 -cmd X app.db SQL", None),
        ("docker exec -i web python3 -", "python3"),
        ("ssh db1 psql", "psql"),
        ("sudo -u postgres psql -X", "psql"),
        ("kubectl exec -i pod -- node", "node"),
        ("runuser -u postgres -- psql -XAt", "psql"),
        ("grep node", None),
        ("grep -v perl", None),
        ("ed -s app.conf", "ed"),
        ("vim -es app.conf", "vim"),
        ("sftp -b - db1", "sftp"),
        ("sftp -b batch.txt db1", None),
        ("lftp -c CMD", None),
        ("dc", "dc"),
        ("dc -e CODE", None),
        ("R --no-save", "R"),
        ("R -f job.R", None),
        ("julia -", "julia"),
        ("cat", None),
        ("tee out", None),
        ("gdb -q -p 1", "gdb"),
        ("gdb -ex bt -p 1", "gdb"),
        ("gdb --args prog -batch", "gdb"),
        ("gdb -batch -ex bt -p 1", None),
        ("gdb -batch -x /dev/stdin -p 1", "gdb"),
        ("gdb -batch -x cmds.gdb -p 1", None),
        ("gdb -x cmds.gdb -p 1", "gdb"),  # runs the file, then reads stdin all the same
        ("gdb -p 1 --command=cmds.gdb", "gdb"),
        ("pwsh", "pwsh"),
        ("pwsh -NoProfile -Command -", "pwsh"),
        ("powershell -c -", "powershell"),
        ("pwsh -File:-", "pwsh"),
        ("pwsh -Command Get-Date", None),
        ("pwsh -f ./job.ps1", None),
        ("pwsh ./job.ps1", None),
        ("mongosh mongodb://db1/app", "mongosh"),
        ("mongo -u admin -p pw app", "mongo"),
        ("mongosh mongodb://db1/app --eval JS", None),
        ("mongosh mongodb://db1/app check.js", None),
        ("redis-cli", "redis-cli"),
        ("redis-cli -h r1 -p 6380 -n 2", "redis-cli"),
        ("redis-cli -h r1 --pipe", "redis-cli"),
        ("redis-cli -h r1 GET k", None),
        ("redis-cli -x SET k", None),
        ("osascript", "osascript"),
        ("osascript -", "osascript"),
        ("osascript -e CODE", None),
        ("osascript job.scpt", None),
        ("ssh db1 bash -s", None),
        ("ssh db1 sudo -u postgres psql", "psql"),
        ("ssh db1 python3 -", "python3"),
    ],
)
def test_which_interpreter_reads_its_program_on_stdin(words: str, reader: str | None) -> None:
    assert stdin_program_reader(words.split()) == reader


def test_the_refusal_names_the_position_in_the_file(write_runbook) -> None:
    path = write_runbook(
        "runbook: 1\nid: demo\ntitle: Demo\nparams:\n  x: {type: string, default: safe}\nsections:\n  - id: main\n    steps:\n"
        "      - id: one\n        run: |\n          echo ok\n          printf '%s' {{ x }} | perl\n"
        "        undo: |\n          psql -X <<EOF\n          select '{{ x }}';\n          EOF\n"
    )
    found = errors(path)
    assert [(d.mark.line, d.mark.col) for d in found] == [(12, 23), (15, 19)], [str(d) for d in found]
    assert "perl reads its program on stdin" in found[0].message and "$ARGV[0]" in found[0].message
    assert "\\! runs a shell command" in found[1].message and "psql -v v=" in found[1].message


@pytest.mark.parametrize("path", [*sorted(ROOT.glob("runbooks/*.yaml")), ROOT / "runbook_tui/demo/demo.yaml"], ids=lambda p: p.name)
def test_the_example_runbooks_still_validate(path: Path) -> None:
    """They pass values to psql as `-v` variables read by a quoted heredoc: the form the refusal asks for."""
    result = subprocess.run([sys.executable, "-m", "runbook_tui", "validate", str(path)], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("template", "reader", "words"),
    [
        ("gdb -q -p 1 <<EOF\nprint {{ x }}\nEOF", "gdb", "shell runs a shell command there"),
        ("gdb -batch -x /dev/stdin -p 1 <<EOF\nprint {{ x }}\nEOF", "gdb", "gdb -batch -p"),
        ("pwsh -NoProfile -Command - <<EOF\nWrite-Output '{{ x }}'\nEOF", "pwsh", "$env:V"),
        ('echo "Get-Item {{ x }}" | powershell', "powershell", "$env:V"),
        ("mongosh mongodb://db1/app <<EOF\ndb.users.find({name: '{{ x }}'})\nEOF", "mongosh", "child_process"),
        ("redis-cli -h r1 <<EOF\nSET k {{ x }}\nEOF", "redis-cli", "CONFIG SET"),
        ("printf 'GET %s\\n' \"{{ x }}\" | redis-cli -h r1", "redis-cli", "redis-cli SET KEY"),
        ('osascript <<EOF\ndisplay dialog "{{ x }}"\nEOF', "osascript", "on run argv"),
        ("ssh db1 'sudo -u postgres psql' <<EOF\nselect '{{ x }}';\nEOF", "psql", "psql -v v="),
        ("ssh db1 \"python3 -\" <<EOF\nprint('{{ x }}')\nEOF", "python3", "sys.argv[1]"),
    ],
    ids=[
        "gdb",
        "gdb -x stdin",
        "pwsh -Command -",
        "piped into powershell",
        "mongosh",
        "redis-cli heredoc",
        "piped into redis-cli",
        "osascript",
        "ssh 'sudo psql'",
        'ssh "python3 -"',
    ],
)
def test_more_programs_reading_code_on_stdin_are_refused_at_the_value(template: str, reader: str, words: str) -> None:
    """gdb (its `shell`), PowerShell, mongosh, redis-cli (CONFIG SET dir + SAVE write files), osascript (`do shell
    script`), and any of them behind `ssh HOST 'CMD'` (one quoted word the remote shell splits) read their stdin as
    code: before, a value fed to them passed validate and ran as their code (checked by hand: gdb -q <<EOF with `shell
    touch F` makes F)."""
    [(offset, message)] = static_problems(template)
    assert offset == template.index("{{ x }}"), (template, offset)
    assert f"{reader} reads its program on stdin" in message and words in message, message


@pytest.mark.parametrize(
    "template",
    [
        "ssh db1 'bash -s' <<EOF\necho {{ x }}\nEOF",
        'ssh db1 "cd /srv && sh" <<EOF\necho {{ x }}\nEOF',
        "printf '%s\\n' \"echo {{ x }}\" | ssh db1 'sudo bash -s'",
        "ssh db1 'cat | sh' <<EOF\necho {{ x }}\nEOF",  # stdin through cat into sh: a later stage counts too
    ],
)
def test_a_shell_reading_stdin_behind_a_quoted_ssh_command_is_refused(template: str) -> None:
    """`ssh HOST 'bash -s'` is `ssh HOST bash -s` to the remote shell: its stdin is a script (before: passed validate)."""
    [(_offset, message)] = static_problems(template)
    assert "bash" in message or "sh reading" in message, message
    assert "parses" in message and "shell code" in message, message


@pytest.mark.parametrize(
    "template",
    [
        'gdb -batch -p 1 -ex "print {{ x }}"',
        'gdb -batch --eval-command="print {{ x }}" -p 1',
        'mongosh mongodb://db1/app --eval "db.users.find({name: {{ x }}})"',
        'pwsh -NoProfile -Command "Get-Item {{ x }}"',
        "pwsh -c Get-Item {{ x }}",
        'powershell.exe -com "Get-Item {{ x }}"',
        'pwsh -cwa "Get-Item {{ x }}" arg',  # -CommandWithArgs
        'redis-cli -h r1 EVAL "return {{ x }}" 0',
        'redis-cli FUNCTION LOAD "{{ x }}"',
        'Rscript -e "print({{ x }})"',
        'osascript -e "display dialog {{ x }}"',
        'expect -c "spawn {{ x }}"',
        'dc -e "{{ x }} p"',
    ],
)
def test_a_value_inside_a_code_option_passes_only_as_a_plain_word(template: str) -> None:
    """`gdb -ex CMD`, `mongosh --eval JS`, `pwsh -Command ...`, `redis-cli EVAL SCRIPT`, `Rscript -e`: the argument is
    the program's code, so a value there is checked as python3 -c's is (before: any value ran as code)."""
    assert static_problems(template) == []
    render_command(template, {"x": "db1"})  # a plain word passes
    with pytest.raises(TemplateError, match="program is code to"):
        render_command(template, {"x": HOSTILE})


@pytest.mark.parametrize(
    "template",
    [
        "gdb -batch -p {{ x }} -ex bt",
        "gdb -batch -ex bt -p 1 <<EOF\n{{ x }}\nEOF",
        "redis-cli -h r1 GET {{ x }}",
        "redis-cli -x SET k <<EOF\n{{ x }}\nEOF",
        "pwsh -File ./job.ps1 {{ x }}",
        "V={{ x }} pwsh -Command - <<'EOF'\nWrite-Output $env:V\nEOF",
        "mongosh mongodb://db1/app check.js <<EOF\n{{ x }}\nEOF",
        "ssh db1 'cat > /tmp/x' <<EOF\n{{ x }}\nEOF",
    ],
)
def test_those_programs_given_values_as_data_stay_valid(template: str) -> None:
    assert static_problems(template) == []
    render_command(template, {"x": HOSTILE})
