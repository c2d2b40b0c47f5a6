"""make's command-line variables: `make deploy VERSION={{ x }}` pastes the value's text into the recipe lines that read
`$(VERSION)`, and a shell runs those lines (make expands `$(shell CMD)` in it first): with x = `1.2; touch F` or
`$(shell touch F)`, F was made. Such a value is code to make (a plain word only, when it renders); in the environment,
read by the recipe's shell as `"$$VERSION"`, it is data.

A variable naming a program the recipes run (`make hello CC=/tmp/upload/evil` ran evil through make's built-in rule) is
the program's name there: a value that is all of it picks the program (refused, as `{{ x }} --version` is), one inside a
path the runbook writes is one file or folder name (`CC=gcc-{{ v }}`, `CC=/opt/{{ v }}/bin/gcc`), as in a program's path.
`SHELL`, the program every recipe line runs with, takes no value at all.
"""

from __future__ import annotations

from runbook_tui.runbook import lazy_re

#: `NAME=VALUE`, `NAME:=`, `NAME::=`, `NAME+=`, `NAME?=`, `NAME!=` (GNU make's operators).
_ASSIGNMENT = lazy_re.compile(r"[^\s=:+?!$()-][^\s=:+?!$()]*(?:::?|\+|\?|!)?=")
#: make's variables naming a program its built-in rules (and most makefiles) run; `CROSS_COMPILE` starts such a name.
PROGRAM_VARIABLES = frozenset(
    {"AR", "AS", "CC", "CXX", "CPP", "FC", "LD", "NM", "RANLIB", "STRIP", "OBJCOPY", "OBJDUMP", "INSTALL", "LEX", "YACC", "M2C",
     "PC", "CO", "GET", "LINT", "MAKEINFO", "TEX", "TEXI2DVI", "WEAVE", "CWEAVE", "TANGLE", "CTANGLE", "RM", "MAKE", "HOSTCC",
     "HOSTCXX", "PKG_CONFIG", "CROSS_COMPILE"}
)  # fmt: skip
#: make's options taking the next word (`-C dir`, `-f Makefile`).
_NEXT = frozenset(
    {
        "-C",
        "-f",
        "-I",
        "-o",
        "-W",
        "--directory",
        "--file",
        "--makefile",
        "--include-dir",
        "--old-file",
        "--what-if",
        "--new-file",
        "--assume-new",
        "--assume-old",
    }
)


def make_assignments(words: list[str], start: int) -> list[int]:
    """The words of the make at `start` that assign a variable (`VERSION=...`), its recipes' text."""
    if start >= len(words) or words[start].rpartition("/")[2] not in ("make", "gmake"):
        return []
    found: list[int] = []
    k = start + 1
    while k < len(words):
        if words[k] in _NEXT:
            k += 2
            continue
        if not words[k].startswith("-") and _ASSIGNMENT.match(words[k]):
            found.append(k)
        k += 1
    return found


def make_operands(words: list[str], start: int) -> list[int]:
    """The words the make at `start` reads as its targets: no option, no option's argument, no assignment written in the
    runbook. A `=` there makes the word an assignment (`make deploy-{{ env }}` with env = `x:=$(shell CMD)` ran CMD as
    make read its arguments, and `SHELL=/tmp/upload/evil` picks the program every recipe runs with; session 38)."""
    if start >= len(words) or words[start].rpartition("/")[2] not in ("make", "gmake"):
        return []
    found: list[int] = []
    k, assignments = start + 1, set(make_assignments(words, start))
    while k < len(words):
        if words[k] in _NEXT:
            k += 2
            continue
        if not words[k].startswith("-") and k not in assignments:
            found.append(k)
        k += 1
    return found


def assigned_name(word: str) -> str:
    """The variable a make assignment word sets (`CC` in `CC:=gcc`)."""
    return word.partition("=")[0].rstrip(":+?!")
