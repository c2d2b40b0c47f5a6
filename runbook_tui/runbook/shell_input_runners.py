"""Programs that run their input as shell command lines: sed's `e`, perl's `system` over `-n`/`-p` input.

GNU sed's `e` command and the `e` flag of `s///` hand the pattern space to `sh -c`: `printf '%s' "{{ x }}" | sed
's/^//e'` runs the value. perl under `-n` or `-p` reads its input into `$_`, and `system`, `exec`, `qx()` or
backticks in the program hand a string to a shell. A value such a program reads is a script a shell parses, as in
`| sh` (`shell_commands.stdin_script_reader`).
"""

from __future__ import annotations

import re

#: A `s` command and its flags (any delimiter, escapes inside).
_SED_S = re.compile(r"s([^\\\n])(?:\\.|(?!\1).)*\1(?:\\.|(?!\1).)*\1([A-Za-z0-9]*)", re.DOTALL)
#: sed's `e` command: at a command's start, after an optional line address (`1e`, `$e`, `/re/e`).
_SED_E = re.compile(r"(?:\A|[;\n{}])\s*(?:[0-9$]+|/(?:\\.|[^/])*/)?\s*!?\s*e(?:\s|;|\}|\Z)")
#: perl's ways to run a shell command line.
_PERL_RUNS = re.compile(r"\bsystem\b|\bexec\b|\bqx\s*\W|`|\bopen\s*\(?[^;]*\|")


def input_runner(name: str, rest: list[str]) -> str | None:
    """`sed (e)` or `perl (system)` when the program `name` (its words `rest`) runs its input as commands, else None."""
    if name == "sed":
        scripts = _sed_scripts(rest)
        runs = any("e" in m.group(2) for s in scripts for m in _SED_S.finditer(s)) or any(_SED_E.search(_SED_S.sub("", s)) for s in scripts)
        return "sed (e)" if runs else None
    if name == "perl":
        options = [w for w in rest if w.startswith("-") and not w.startswith("--")]
        reads = any(set(o[1:].split("e")[0]) & {"n", "p"} for o in options)
        programs = [rest[k + 1] for k, w in enumerate(rest[:-1]) if w.startswith("-") and w.endswith(("e", "E"))]
        return "perl (system)" if reads and any(_PERL_RUNS.search(p) for p in programs) else None
    return None


def _sed_scripts(rest: list[str]) -> list[str]:
    """sed's program: each `-e SCRIPT` / `--expression=SCRIPT`, or the first operand when there is none."""
    scripts: list[str] = []
    operands: list[str] = []
    k = 0
    while k < len(rest):
        word = rest[k]
        if word in ("-e", "--expression") and k + 1 < len(rest):
            scripts.append(rest[k + 1])
            k += 2
            continue
        if word.startswith("--expression="):
            scripts.append(word.partition("=")[2])
        elif word.startswith("-e") and len(word) > 2:
            scripts.append(word[2:])
        elif word in ("-f", "--file", "-l", "--line-length"):
            k += 1
        elif not word.startswith("-"):
            operands.append(word)
        k += 1
    return scripts or operands[:1]
