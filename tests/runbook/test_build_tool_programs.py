"""cmake's and configure's settings naming a program or CMake code: `cmake -DCMAKE_C_COMPILER={{ x }}`, `./configure CC={{ x }}`.

Only make's `CC=` was known: `cmake -S . -B b -DCMAKE_C_COMPILER=/tmp/upload/evil` ran evil while configuring, so did
`-DCMAKE_C_COMPILER_LAUNCHER=` in the build, and `-DCMAKE_TOOLCHAIN_FILE=`, `--toolchain`, `-DCMAKE_PROJECT_INCLUDE=`
ran the CMake code in the file named (below, with cmake itself). An Autoconf 2.69 configure puts a `CC=` operand in its
environment and ran `./configure CC=/tmp/upload/evil` (tried by hand: no autoconf here to make one in a test), as
`CC=/tmp/upload/evil make hello` does (`test_make_shell.py`). A value that is the whole program is refused; inside a
path the runbook writes it is one file or folder name, as in a program's path.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from runbook_tui.runbook.templating import TemplateError, render_command


def values(template: str, value: str) -> list[str]:
    return [v for _, v in render_command(template, {"x": value}).env]


@pytest.mark.parametrize(
    "template",
    [
        "cmake -S . -B build -DCMAKE_C_COMPILER={{ x }}",
        "cmake -DCMAKE_CXX_COMPILER:FILEPATH={{ x }} -S . -B build",
        "cmake -S . -B build -D CMAKE_C_COMPILER={{ x }}",
        "cmake -S . -B build -DCMAKE_C_COMPILER_LAUNCHER={{ x }}",
        "cmake -S . -B build -DCMAKE_MAKE_PROGRAM={{ x }}",
        "cmake -S . -B build -DCMAKE_CXX_CLANG_TIDY={{ x }}",
        "./configure --prefix=/opt/app CC={{ x }}",
        "./configure CXX={{ x }}",
        "./configure CONFIG_SHELL=/bin/{{ x }}",
    ],
)
def test_a_value_naming_the_program_a_build_runs_is_refused(template: str) -> None:
    for value in ("/tmp/upload/evil", "gcc"):
        with pytest.raises(TemplateError, match="picks the program that runs"):
            render_command(template, {"x": value})


@pytest.mark.parametrize(
    "template",
    [
        "cmake -S . -B build -DCMAKE_TOOLCHAIN_FILE={{ x }}",
        "cmake -S . -B build --toolchain {{ x }}",
        "cmake -S . -B build --toolchain=/etc/toolchains/{{ x }}",
        "cmake -S . -B build -DCMAKE_PROJECT_INCLUDE={{ x }}",
        "cmake -S . -B build -DCMAKE_MODULE_PATH=/srv/{{ x }}/cmake",
        "cmake -S . -B build -DCMAKE_C_COMPILER=/usr/lib/{{ x }}/bin/gcc",
        "./configure CC=/opt/{{ x }}/bin/cc",
    ],
)
def test_a_value_inside_such_a_path_is_one_name(template: str) -> None:
    for value in ("/tmp/upload/evil", "../../tmp/upload"):
        with pytest.raises(TemplateError, match="expected one file or folder name"):
            render_command(template, {"x": value})
    assert values(template, "arm64") == ["arm64"]


def test_ordinary_settings_take_any_value() -> None:
    assert values("cmake -S . -B build -DCMAKE_BUILD_TYPE={{ x }}", "Release") == ["Release"]
    assert values("cmake -S . -B build -DCMAKE_INSTALL_PREFIX={{ x }}", "/opt/app") == ["/opt/app"]
    assert values("cmake -S . -B build -DAPP_VERSION={{ x }}", "1.2; $(x)") == ["1.2; $(x)"]
    assert values("cmake -S . -B build -DCMAKE_C_COMPILER=gcc-{{ x }}", "12") == ["12"]
    assert values("./configure --prefix={{ x }} --with-ssl", "/opt/app") == ["/opt/app"]
    assert values("./configure CFLAGS={{ x }}", "-O2 -g") == ["-O2 -g"]
    assert values("./configure CROSS_COMPILE={{ x }}", "aarch64-linux-gnu-") == ["aarch64-linux-gnu-"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "CMakeLists.txt").write_text("cmake_minimum_required(VERSION 3.10)\nproject(hello C)\nadd_executable(hello hello.c)\n")
    (tmp_path / "hello.c").write_text("int main(void) { return 0; }\n")
    evil = tmp_path / "evil"
    evil.write_text(f'#!/bin/sh\ntouch {tmp_path / "made"}\nexec cc "$@"\n')
    evil.chmod(0o755)
    (tmp_path / "evil.cmake").write_text(f"execute_process(COMMAND touch {tmp_path / 'made'})\n")
    return tmp_path


@pytest.mark.parametrize(
    "option",
    [
        "-DCMAKE_C_COMPILER=evil",
        "-DCMAKE_C_COMPILER_LAUNCHER=evil",
        "-DCMAKE_TOOLCHAIN_FILE=evil.cmake",
        "--toolchain=evil.cmake",
        "-DCMAKE_PROJECT_INCLUDE=evil.cmake",
    ],
)
def test_what_cmake_did_with_such_a_value(project: Path, option: str) -> None:
    setting = option.replace("evil", str(project / "evil"))
    subprocess.run(["cmake", "-S", ".", "-B", "b", setting], cwd=project, capture_output=True, timeout=120, check=False)
    subprocess.run(["cmake", "--build", "b"], cwd=project, capture_output=True, timeout=120, check=False)
    assert (project / "made").exists()
