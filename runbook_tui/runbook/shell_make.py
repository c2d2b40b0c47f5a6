"""make's command-line variables: `make deploy VERSION={{ x }}` pastes the value's text into the recipe lines that read
`$(VERSION)`, and a shell runs those lines (make expands `$(shell CMD)` in it first): with x = `1.2; touch F` or
`$(shell touch F)`, F was made. Such a value is code to make (a plain word only, when it renders); in the environment,
read by the recipe's shell as `"$$VERSION"`, it is data.
"""

from __future__ import annotations

import re

#: `NAME=VALUE`, `NAME:=`, `NAME::=`, `NAME+=`, `NAME?=`, `NAME!=` (GNU make's operators).
_ASSIGNMENT = re.compile(r"[^\s=:+?!$()-][^\s=:+?!$()]*(?:::?|\+|\?|!)?=")
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
