"""Build tools' settings that name a program or a script they run: `make CC=`, `./configure CC=`, `cmake -DCMAKE_C_COMPILER=`.

`make hello CC=/tmp/upload/evil` ran evil through make's built-in rule; autoconf's `./configure CC=/tmp/upload/evil`
(a `NAME=VALUE` operand is put in configure's environment) and `CONFIG_SHELL=` ran it while configuring (tried with
an Autoconf 2.69 configure); cmake ran `-DCMAKE_C_COMPILER=`'s program while configuring, `_COMPILER_LAUNCHER`'s in
every compile, and the CMake code in `-DCMAKE_TOOLCHAIN_FILE=`, `--toolchain`, `-DCMAKE_PROJECT_INCLUDE=`.

A value that is all of a program's setting picks the program (refused, as `{{ x }} --version` is); one inside a path
the runbook writes there is one file or folder name (`CC=/opt/{{ v }}/bin/gcc`), as in a program's path; so is a
value naming a script or a folder of CMake modules (`-DCMAKE_TOOLCHAIN_FILE=/etc/toolchains/{{ arch }}.cmake`).
`SHELL` (make's, configure's `CONFIG_SHELL`), the program every recipe or test runs with, takes no value at all.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.shell_make import PROGRAM_VARIABLES, assigned_name, make_assignments

#: cmake cache variables naming a program it runs while configuring or building (`CMAKE_C_COMPILER`, `CMAKE_MAKE_PROGRAM`,
#: `CMAKE_CXX_COMPILER_LAUNCHER`, `CMAKE_C_CLANG_TIDY`...).
_CMAKE_PROGRAM = lazy_re.compile(
    r"CMAKE_(?:\w+_COMPILER(?:_LAUNCHER)?|\w+_LINKER_LAUNCHER|MAKE_PROGRAM|LINKER|AR|RANLIB|NM|OBJCOPY|OBJDUMP|STRIP"
    r"|\w+_CLANG_TIDY|\w+_CPPLINT|\w+_CPPCHECK|\w+_INCLUDE_WHAT_YOU_USE|LINK_WHAT_YOU_USE_CHECK|RULE_LAUNCH_\w+)"
)
#: cmake cache variables naming CMake code it runs (a toolchain file, a file `project()` includes) or a folder of modules.
_CMAKE_SCRIPT = lazy_re.compile(
    r"CMAKE_(?:TOOLCHAIN_FILE|PROJECT_INCLUDE(?:_BEFORE)?|PROJECT_\w+_INCLUDE(?:_BEFORE)?|PROJECT_TOP_LEVEL_INCLUDES"
    r"|USER_MAKE_RULES_OVERRIDE(?:_\w+)?|MODULE_PATH)"
)
#: cmake's options taking the next word (so it is no `-D` setting).
_CMAKE_NEXT = frozenset({"-S", "-B", "-G", "-T", "-A", "-C", "-P", "-U", "-D", "--toolchain", "--preset", "--install-prefix", "--graphviz"})


class Setting(NamedTuple):
    """A word of a build tool's command line setting a variable that names what runs."""

    at_word: int  # the word (`CC=...`, `-DCMAKE_C_COMPILER=...`, or the operand of `--toolchain`)
    value_at: int  # where the setting's value starts in the word
    kind: Literal["shell", "program", "path"]  # the shell running everything (any value); a program (the whole of it); a path
    # (a script, a modules' folder, a program's prefix: a value is one name in it)
    what: str  # how the refusal names it


def build_settings(words: list[str], start: int) -> list[Setting]:
    """The settings of the make, configure or cmake at `start` that name a program or a script it runs."""
    name = words[start].rpartition("/")[2] if start < len(words) else ""
    if name in ("make", "gmake"):
        return [s for k in make_assignments(words, start) if (s := _variable(words[k], k, "make"))]
    if name == "configure":  # autoconf puts each `NAME=VALUE` operand in its environment
        operands = [k for k in range(start + 1, len(words)) if "=" in words[k] and not words[k].startswith("-")]
        return [s for k in operands if (s := _variable(words[k], k, "configure"))]
    return _cmake(words, start) if name == "cmake" else []


#: How a refusal names the shell each tool runs everything with, and a program it runs.
_SHELL_OF = {"make": "the shell make runs every recipe line with", "configure": "the shell configure runs itself and its tests with"}
_PROGRAM_OF = {"make": "the program make's recipes run as $({})", "configure": "the program configure builds with ({})"}


def _variable(word: str, k: int, tool: str) -> Setting | None:
    """`CC=...`, `SHELL=...`, `CONFIG_SHELL=...` of make or configure."""
    name = assigned_name(word)
    value_at = word.index("=") + 1
    if name in ("SHELL", "CONFIG_SHELL"):
        return Setting(k, value_at, "shell", f"{_SHELL_OF[tool]} ({name})")
    if name == "CROSS_COMPILE":  # the start of the compiler's name: `aarch64-linux-gnu-`
        return Setting(k, value_at, "path", _PROGRAM_OF[tool].format(name))
    return Setting(k, value_at, "program", _PROGRAM_OF[tool].format(name)) if name in PROGRAM_VARIABLES else None


def _cmake(words: list[str], start: int) -> list[Setting]:
    """cmake's `-DNAME[:TYPE]=VALUE` / `-D NAME=VALUE` settings naming a program or CMake code; `--toolchain FILE`."""
    found: list[Setting] = []
    k = start + 1
    while k < len(words):
        word = words[k]
        if word == "--toolchain" and k + 1 < len(words):
            found.append(Setting(k + 1, 0, "path", "the CMake code cmake runs (--toolchain)"))
        elif word.startswith("--toolchain="):
            found.append(Setting(k, len("--toolchain="), "path", "the CMake code cmake runs (--toolchain)"))
        elif word == "-D" and k + 1 < len(words):
            found.extend(_cmake_setting(words[k + 1], k + 1, 0))
        elif word.startswith("-D"):
            found.extend(_cmake_setting(word, k, 2))
        k += 2 if word in _CMAKE_NEXT else 1
    return found


def _cmake_setting(word: str, k: int, at: int) -> list[Setting]:
    """The setting `NAME[:TYPE]=VALUE` starting at `at` in `word` (word `k`), when NAME names a program or CMake code."""
    name, equals, _value = word[at:].partition("=")
    name = name.partition(":")[0]
    value_at = len(word) - len(_value)
    if equals and _CMAKE_PROGRAM.fullmatch(name):
        return [Setting(k, value_at, "program", f"the program cmake builds with ({name})")]
    if equals and _CMAKE_SCRIPT.fullmatch(name):
        return [Setting(k, value_at, "path", f"the CMake code cmake runs ({name})")]
    return []
