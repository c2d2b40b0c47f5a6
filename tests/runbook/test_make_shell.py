"""`make deploy SHELL={{ x }}`: make runs every recipe line with the program SHELL names.

A make variable's value is held to a plain word, with `/` allowed (`PREFIX=/usr/local`), so x = `/tmp/upload/evil`
passed, and make ran the uploaded program for the recipe (below, with make itself). A value in `SHELL=` picks the
program that runs, as a command's whole name does: it is refused at validate, whatever it holds.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from runbook_tui.runbook.templating import TemplateError, render_command


@pytest.mark.parametrize("template", ["make deploy SHELL={{ x }}", "make SHELL:={{ x }} deploy", "make -C . deploy SHELL=/bin/{{ x }}"])
def test_a_value_in_makes_shell_is_refused(template: str) -> None:
    for value in ("/tmp/upload/evil", "bash"):
        with pytest.raises(TemplateError, match="picks the program that runs"):
            render_command(template, {"x": value})
    assert [v for _, v in render_command("make deploy PREFIX={{ x }}", {"x": "/usr/local"}).env] == ["/usr/local"]


def test_what_make_did_with_such_a_value(tmp_path: Path) -> None:
    (tmp_path / "Makefile").write_text("deploy:\n\t@echo deploying\n")
    evil = tmp_path / "evil"
    evil.write_text(f"#!/bin/sh\ntouch {tmp_path / 'made'}\n")
    evil.chmod(0o755)
    subprocess.run(["make", "deploy", f"SHELL={evil}"], cwd=tmp_path, capture_output=True, timeout=30, check=False)
    assert (tmp_path / "made").exists()


def test_a_value_in_makeflags_is_a_plain_word_without_a_slash(tmp_path: Path) -> None:
    """`MAKEFLAGS="SHELL={{ x }}" make` took `/` as `make VAR=` does, so x = `/tmp/upload/evil` passed and ran (with make)."""
    for template in ('MAKEFLAGS="SHELL={{ x }}" make deploy', "env MAKEFLAGS={{ x }} make", 'export GNUMAKEFLAGS="{{ x }}"; make'):
        for value in ("/tmp/upload/evil", "SHELL=/tmp/upload/evil", "$(shell touch pwned)"):
            with pytest.raises(TemplateError, match=r"code to make \(MAKEFLAGS\)"):
                render_command(template, {"x": value})
        assert [v for _, v in render_command(template, {"x": "-j4"}).env] == ["-j4"]
    (tmp_path / "Makefile").write_text("deploy:\n\t@echo deploying\n")
    evil = tmp_path / "evil"
    evil.write_text(f"#!/bin/sh\ntouch {tmp_path / 'made'}\n")
    evil.chmod(0o755)
    subprocess.run(["make", "deploy"], cwd=tmp_path, env={**os.environ, "MAKEFLAGS": f"SHELL={evil}"}, capture_output=True, timeout=30, check=False)
    assert (tmp_path / "made").exists()


@pytest.mark.parametrize(
    "template",
    [
        "make hello CC={{ x }}",
        "make CXX:={{ x }} all",
        "make -C . LD={{ x }}",
        "make AR={{ x }} lib",
        "gmake CC=/opt/{{ x }}/bin/gcc",
        "make CROSS_COMPILE={{ x }}",
    ],
)
def test_a_value_naming_a_program_makes_recipes_run_is_refused(template: str) -> None:
    """`make hello CC={{ x }}` with x = `/tmp/upload/evil`: make's built-in rule ran it for the recipe (below). The value
    is the program, as a command's whole name: refused; in a path the runbook writes it is one name, as in a program's
    path (`CC=gcc-{{ v }}`, `CC=/opt/{{ v }}/bin/gcc` with v = `12` pass)."""
    with pytest.raises(TemplateError, match="picks the program that runs"):
        render_command(template, {"x": "/tmp/upload/evil"})
    assert [v for _, v in render_command("make hello CC=gcc-{{ x }}", {"x": "12"}).env] == ["12"]
    assert [v for _, v in render_command("make hello CC=/opt/{{ x }}/bin/gcc", {"x": "gcc-12"}).env] == ["gcc-12"]
    assert [v for _, v in render_command("make hello CROSS_COMPILE={{ x }}", {"x": "aarch64-linux-gnu-"}).env] == ["aarch64-linux-gnu-"]


def test_what_make_did_with_a_value_in_cc(tmp_path: Path) -> None:
    (tmp_path / "hello.c").write_text("int main(void) { return 0; }\n")
    evil = tmp_path / "evil"
    evil.write_text(f"#!/bin/sh\ntouch {tmp_path / 'made'}\n")
    evil.chmod(0o755)
    subprocess.run(["make", "hello", f"CC={evil}"], cwd=tmp_path, capture_output=True, timeout=30, check=False)
    assert (tmp_path / "made").exists()


@pytest.mark.parametrize("template", ["CC={{ x }} make hello", "export CXX={{ x }}; ./configure", "env LD=/opt/{{ x }}/ld make", "AR={{ x }} cmake -S . -B b"])
def test_a_value_in_the_environment_naming_the_compiler_is_refused(template: str, tmp_path: Path) -> None:
    """`CC=/tmp/upload/evil make hello` ran evil as `make CC=` did (make's environment overrides its built-in CC; below);
    configure and cmake read CC, CXX, LD, AR too. A value there picks the program that runs: refused whatever it holds."""
    with pytest.raises(TemplateError, match="picks the program that runs"):
        render_command(template, {"x": "gcc"})
    (tmp_path / "hello.c").write_text("int main(void) { return 0; }\n")
    evil = tmp_path / "evil"
    evil.write_text(f"#!/bin/sh\ntouch {tmp_path / 'made'}\n")
    evil.chmod(0o755)
    subprocess.run(["make", "hello"], cwd=tmp_path, env={**os.environ, "CC": str(evil)}, capture_output=True, timeout=30, check=False)
    assert (tmp_path / "made").exists()
