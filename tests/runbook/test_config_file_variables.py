"""A value in a variable that picks the file or folder a program runs code from, or that is code to it.

Each was run for real first, with the value passed as the program passes it (out of band, one literal word): the
program ran code from the place the value named, or the value itself as code. All of them passed, in the command and
through a step's `env:`:

- one file or folder name now: `PSQLRC` (psql runs its `\\!`), `PGSYSCONFDIR`, `WGETRC` (`use_askpass = PROG`),
  `CURL_HOME` (`.curlrc`'s `output` writes any file), `HOME` and `XDG_CONFIG_HOME` (git's core.fsmonitor, a python
  `.pth`, `.bashrc`), `GIT_DIR`, `GIT_EXEC_PATH` (`git-pull`), `GIT_TEMPLATE_DIR` (hooks), `ZDOTDIR` (`.zshenv`),
  `LD_LIBRARY_PATH` (a library's constructor), `PYTHONSTARTUP`, `PYTHONUSERBASE`, `PYTHONHOME`, `KUBECONFIG` (`exec:`),
  `MAKEFILES`...;
- a plain word: `MAKEFLAGS` (`X=$(shell CMD)`), `PERL5DB` (perl -d runs it);
- no value at all: `PYTHONWARNINGS` (`ignore::MODULE.X` imports MODULE), `PYTHONBREAKPOINT`, `VIMINIT`, `EXINIT`.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_runbook import cli_main

from runbook_tui.runbook.shell_classify import environment_in_program_path
from runbook_tui.runbook.templating import TemplateError, render_command

ONE_NAME = {
    "PSQLRC": "psql -c 'select 1'",
    "PGSYSCONFDIR": "psql -c 'select 1'",
    "WGETRC": "wget -q https://example.org/",
    "CURL_HOME": "curl -s https://example.org/",
    "HOME": "git status",
    "XDG_CONFIG_HOME": "git status",
    "GIT_DIR": "git status",
    "GIT_EXEC_PATH": "git submodule status",
    "GIT_TEMPLATE_DIR": "git clone src dst",
    "ZDOTDIR": "zsh -c true",
    "LD_LIBRARY_PATH": "ls",
    "PYTHONSTARTUP": "python3 -i",
    "PYTHONUSERBASE": "python3 -c 1",
    "PYTHONHOME": "python3 -c 1",
    "KUBECONFIG": "kubectl get pods",
    "DOCKER_CONFIG": "docker ps",
    "MAKEFILES": "make",
}


@pytest.mark.parametrize("name", sorted(ONE_NAME))
def test_a_path_there_is_refused_one_name_passes(name: str) -> None:
    program = ONE_NAME[name]
    for template in (f"{name}={{{{ x }}}} {program}", f"export {name}={{{{ x }}}}; {program}", f"v={{{{ x }}}}; {name}=$v {program}"):
        for hostile in ("/tmp/upload", "../upload", ".."):
            with pytest.raises(TemplateError, match="expected one file or folder name"):
                render_command(template, {"x": hostile})
        assert [value for _, value in render_command(template, {"x": "v2"}).env] == ["v2"]
    assert [value for _, value in render_command(f"{name}=/srv/app/{{{{ x }}}} {program}", {"x": "v2"}).env] == ["v2"]
    assert environment_in_program_path(program, (name,)) == {name}


@pytest.mark.parametrize(("name", "program"), [("MAKEFLAGS", "make"), ("GNUMAKEFLAGS", "make"), ("PERL5DB", "perl -d x.pl")])
def test_a_value_there_is_a_plain_word(name: str, program: str) -> None:
    for template in (f'{name}="{{{{ x }}}}" {program}', f'export {name}="X={{{{ x }}}}"; {program}'):
        with pytest.raises(TemplateError, match="code to"):
            render_command(template, {"x": "$(shell touch pwned)"})
        assert [value for _, value in render_command(template, {"x": "-j4"}).env] == ["-j4"]


@pytest.mark.parametrize("name", ["PYTHONWARNINGS", "PYTHONBREAKPOINT", "VIMINIT", "EXINIT"])
def test_any_value_there_is_refused(name: str) -> None:
    for template in (f"{name}={{{{ x }}}} ./tool", f"{name}=ignore::{{{{ x }}}}.Warning ./tool", f"export {name}={{{{ x }}}}; ./tool"):
        with pytest.raises(TemplateError, match=rf"\({name}\).*, so it picks"):
            render_command(template, {"x": "antigravity"})


def _run(argv: list[str], tmp_path: Path, **env: str) -> None:
    subprocess.run(argv, cwd=tmp_path, env={**os.environ, **env}, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)


def _git(tmp_path: Path, *argv: str, **env: str) -> None:
    """git ARGV in a fresh repository of its own."""
    repo = Path(tempfile.mkdtemp(dir=tmp_path))
    subprocess.run(["git", "init", "-q", str(repo)], check=True, timeout=30)
    _run(["git", "-C", str(repo), *argv], tmp_path, **env)


def test_what_the_programs_did_with_such_values(tmp_path: Path) -> None:
    """The attacks, with the programs themselves: each leaves a marker file named after its variable."""
    made = tmp_path / "made"
    made.mkdir()
    subprocess.run(["git", "init", "-q", "--bare", str(tmp_path / "other")], check=True, timeout=30)
    for place, name in (("home/.gitconfig", "HOME"), ("xdg/git/config", "XDG_CONFIG_HOME"), ("other/config", "GIT_DIR")):
        (tmp_path / place).parent.mkdir(parents=True, exist_ok=True)
        with (tmp_path / place).open("a") as config:
            config.write(f"[core]\n\tfsmonitor = touch {made / name}\n")
    _git(tmp_path, "status", HOME=str(tmp_path / "home"))
    _git(tmp_path, "status", XDG_CONFIG_HOME=str(tmp_path / "xdg"), HOME=str(tmp_path / "xdg"))
    _git(tmp_path, "status", GIT_DIR=str(tmp_path / "other"), GIT_WORK_TREE=str(tmp_path / "xdg"))
    (tmp_path / "exec").mkdir()
    (tmp_path / "exec" / "git-submodule").write_text(f"#!/bin/sh\ntouch {made / 'GIT_EXEC_PATH'}\n")
    (tmp_path / "exec" / "git-submodule").chmod(0o755)
    _git(tmp_path, "submodule", "status", GIT_EXEC_PATH=str(tmp_path / "exec"))
    base = {"PYTHONUSERBASE": str(tmp_path / "base")}
    site = subprocess.run(
        ["python3", "-c", "import site; print(site.getusersitepackages())"], env={**os.environ, **base}, capture_output=True, text=True, check=True
    )
    Path(site.stdout.strip()).mkdir(parents=True)
    (Path(site.stdout.strip()) / "evil.pth").write_text(f"import os; os.mknod({str(made / 'PYTHONUSERBASE')!r})\n")
    _run(["python3", "-c", "1"], tmp_path, **base)
    (tmp_path / "startup.py").write_text(f"import os; os.mknod({str(made / 'PYTHONSTARTUP')!r})\n")
    _run(["python3", "-i"], tmp_path, PYTHONSTARTUP=str(tmp_path / "startup.py"))
    (tmp_path / "mods").mkdir()
    (tmp_path / "mods" / "evilw.py").write_text(f"import os; os.mknod({str(made / 'PYTHONWARNINGS')!r})\n")
    _run(["python3", "-c", "import warnings"], tmp_path, PYTHONPATH=str(tmp_path / "mods"), PYTHONWARNINGS="ignore::evilw.X")
    _run(["perl", "-d", "-e", "1"], tmp_path, PERL5DB=f"BEGIN {{ system q(touch {made / 'PERL5DB'}) }}")
    (tmp_path / "f.txt").write_text("x\n")
    _run(["vim", "-c", "q", "f.txt"], tmp_path, VIMINIT=f"call system('touch {made / 'VIMINIT'}')")
    (tmp_path / "Makefile").write_text("all:\n\t@echo $(X)\n")
    # make 4.3 expands MAKEFLAGS' $(shell) before its own SHELL default: a login (and sshd) always sets SHELL.
    _run(["make", "-s"], tmp_path, SHELL="/bin/sh", MAKEFLAGS=f"X=$(shell touch {made / 'MAKEFLAGS'})")
    (tmp_path / "evil.mk").write_text(f"$(shell touch {made / 'MAKEFILES'})\n")
    _run(["make", "-s"], tmp_path, MAKEFILES=str(tmp_path / "evil.mk"))
    assert sorted(p.name for p in made.iterdir()) == [
        "GIT_DIR", "GIT_EXEC_PATH", "HOME", "MAKEFILES", "MAKEFLAGS", "PERL5DB", "PYTHONSTARTUP", "PYTHONUSERBASE", "PYTHONWARNINGS",
        "VIMINIT", "XDG_CONFIG_HOME",
    ]  # fmt: skip


RUNBOOK = """\
runbook: 1
id: config-home
title: T
params:
  x: {type: string}
sections:
  - id: main
    steps:
      - id: one
        run: git -C REPO status
        env: {HOME: "{{ x }}"}
"""


def test_a_steps_env_home_naming_an_uploaded_folder_runs_nothing(
    write_runbook: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo, home, made = tmp_path / "repo", tmp_path / "upload", tmp_path / "made"
    subprocess.run(["git", "init", "-q", str(repo)], check=True, timeout=30)
    home.mkdir()
    (home / ".gitconfig").write_text(f"[core]\n\tfsmonitor = touch {made}; false\n")
    path = write_runbook(RUNBOOK.replace("REPO", str(repo)))
    assert cli_main(["exec", str(path), "-p", f"x={home}", "--solo", "t", "--journal", str(tmp_path / "j.jsonl")]) == 1
    assert "env HOME: a value inside the program's path picks the program that runs" in capsys.readouterr().out
    assert not made.exists()
