"""Where the script is in a shell's or su's command line: `sh -c`, `bash -o pipefail -c`, `su --command=CMD`.

A shell takes its script from the first operand after its options when one of them holds `c` (an option's own
argument, such as `-o pipefail`, is passed over, and `--` ends the options); `su`, `runuser`, `flock`, `script` and
`sg` take it as `-c`'s argument, attached (`-cCMD`) or not, or from `--command[=]`. Used by `shell_commands.scripts`.
"""

from __future__ import annotations

#: Shell options taking the next word: the letters (`bash -o pipefail`, `-euo pipefail`, `-O extglob`) and long ones.
_SHELL_ARGUMENT_LETTERS = "oO"
_SHELL_ARGUMENT_LONG = frozenset({"--rcfile", "--init-file"})


def shell_script(words: list[str], k: int) -> int | None:
    """Index of the script `sh|bash ... -c` (at `k`) runs: the first operand after the options when one of them holds
    c (`sh -ec S`, `bash -o pipefail -c S`, `bash -c -x S`, `sh -c -- S`: the shell takes the script there); None without -c."""
    dash_c, j = False, k + 1
    while j < len(words):
        option = words[j]
        if option in ("--", "-"):
            j += 1
            break
        if option.startswith("--"):
            j += 2 if option in _SHELL_ARGUMENT_LONG else 1
            continue
        if len(option) < 2 or option[0] not in "-+":
            break
        dash_c = dash_c or (option[0] == "-" and "c" in option[1:])
        j += 1 + sum(letter in _SHELL_ARGUMENT_LETTERS for letter in option[1:])
    return j if dash_c and j < len(words) else None


#: Long options of `su`, `runuser`, `flock` and `script` whose argument is the command to run.
_SCRIPT_OPTIONS = ("--command", "--session-command")


def dash_c_script(words: list[str], k: int) -> int | None:
    """Index of the word holding the command `su|runuser|flock|script ... -c CMD` (at `k`) runs: after `-c` or a
    bundle ending in it (`-lc`), the word itself for `-cCMD` and `--command=CMD`, after `--command`; None without one.
    Words that are no option (`su - postgres -c ...`: the user, `flock FILE -c`) are passed over."""
    for j in range(k + 1, len(words)):
        option = words[j]
        if option == "--":
            return None
        if option.startswith(tuple(f"{name}=" for name in _SCRIPT_OPTIONS)):
            return j
        if option in _SCRIPT_OPTIONS or (option.startswith("-") and not option.startswith("--") and "c" in option[1:]):
            if option not in _SCRIPT_OPTIONS and option[option.index("c", 1) + 1 :]:
                return j  # -cCMD: the rest of the word is the command
            return j + 1 if j + 1 < len(words) else None
    return None


def sg_command(words: list[str], k: int) -> int | None:
    """Index of the command `sg [-] GROUP [-c] CMD [ARGS]` (at `k`) runs: sg hands it to `/bin/sh -c` with or without
    -c (ARGS become its $0, $1...); None when there is none (sg starts a login shell)."""
    script = dash_c_script(words, k)
    if script is not None:
        return script
    j = k + 1 + (words[k + 1 : k + 2] == ["-"])
    return j + 1 if j + 1 < len(words) else None
