"""More options naming a file a program runs commands from: `vim -S`/`-u`, `wget --config`, `curl -K`, `sqlite3 -init`,
`psql -f`, `git --exec-path=`, `perl -I`.

`ssh -F {{ x }}`, `--kubeconfig`, `bash --rcfile` and `openssl -config` were held to one file or folder name (session 33),
these were not: x = `/tmp/upload/evil` validated, and vim ran the file's `:!`/system(), wget its `use_askpass` program,
sqlite3 its `.shell` command, git the `git-subtree` in that folder, perl the `strict.pm` there, and curl wrote the file
its `output` names (below, with each program; psql's `\\!` in a file needs a server: the same as `psql < FILE`, refused
already). Such a value is one file or folder name now, as in a program's path.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from helpers_runbook import held_to_one_name, takes_any_value


@pytest.mark.parametrize(
    "template",
    [
        "vim -es -S {{ x }} /etc/app.conf",
        'vim -es -u "/etc/vim/{{ x }}" -c wq /etc/app.conf',
        "wget --config={{ x }} https://example.com/release.tgz",
        "curl -fsS -K {{ x }} https://example.com/health",
        "curl --config /etc/curl/{{ x }}/rc",
        "sqlite3 -init {{ x }} /var/lib/app/app.db 'select 1'",
        "psql -d app -f {{ x }}",
        "psql -d app --file=/srv/sql/{{ x }}.sql",
        "git --exec-path={{ x }} subtree split -P lib",
        "perl -I{{ x }} /usr/local/bin/report.pl",
        'perl -e "print 1" -I {{ x }}',
    ],
)
def test_a_value_naming_such_a_file_is_one_name(template: str) -> None:
    held_to_one_name(template)


@pytest.mark.parametrize(
    "template",
    [
        'perl /usr/local/bin/report.pl -I "{{ x }}"',
        'vim -es -c "%s/a/b/" -c wq "{{ x }}"',
        'psql -d app -c "select 1" -v "n={{ x }}"',
        'curl -fsS "https://example.com/{{ x }}"',
    ],
)
def test_other_values_of_those_programs_take_any_value(template: str) -> None:
    takes_any_value(template)  # (a script's arguments, the file edited, a psql variable, a URL's path)


def _ran(argv: list[str], tmp_path: Path) -> None:
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    subprocess.run(argv, cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=60, check=False)


def test_what_the_programs_did_with_such_files(tmp_path: Path) -> None:
    upload, made = tmp_path / "upload", tmp_path / "made"
    upload.mkdir()
    runs = {
        "vim-S": (f':call system("touch {made}-vim-S")\n', ["vim", "-es", "-S", str(upload / "f"), "-c", "q", "/dev/null"]),
        "vim-u": (f':call system("touch {made}-vim-u")\n', ["vim", "-es", "-u", str(upload / "f"), "-c", "q", "/dev/null"]),
        "wget": (f"use_askpass = {upload / 'prog'}\n", ["wget", "-q", f"--config={upload / 'f'}", "http://127.0.0.1:9/", "-O", "/dev/null"]),
        "sqlite3": (f".shell touch {made}-sqlite3\n", ["sqlite3", "-init", str(upload / "f"), ":memory:", "select 1"]),
        "curl": (f'url = "file://{upload / "f"}"\noutput = "{made}-curl"\n', ["curl", "-s", "-K", str(upload / "f")]),
    }
    (upload / "prog").write_text(f"#!/bin/sh\ntouch {made}-wget\necho x\n", encoding="utf-8")
    (upload / "prog").chmod(0o755)
    for name, (text, argv) in runs.items():
        (upload / "f").write_text(text, encoding="utf-8")
        _ran(argv, tmp_path)
        assert Path(f"{made}-{name}").exists(), name
    (upload / "git-subtree").write_text(f"#!/bin/sh\ntouch {made}-git\n", encoding="utf-8")
    (upload / "git-subtree").chmod(0o755)
    _ran(["git", f"--exec-path={upload}", "subtree"], tmp_path)
    (upload / "strict.pm").write_text(f'system("touch {made}-perl"); 1;\n', encoding="utf-8")
    _ran(["perl", f"-I{upload}", "-e", "use strict; 1"], tmp_path)
    assert Path(f"{made}-git").exists() and Path(f"{made}-perl").exists()
