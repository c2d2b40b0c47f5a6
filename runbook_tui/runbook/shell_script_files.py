"""The word naming the script file a shell or an interpreter runs: the code that runs, as a command's name is.

`sh deploy.sh`, `python3 -u app.py`, `. ./env.sh`, `awk -f prog.awk`, `make -f build.mk`: a value there picks the code
(`/tmp/upload/evil.sh`), so it is held to one file name (`shell_values.program_path_refusal`). Where the code is given
inline (`sh -c`, `-s`, `perl -e`, `python3 -c` / `-m`) or read from stdin (`-`), the words are the program's arguments.
"""

from __future__ import annotations

from runbook_tui.runbook.shell_code import canonical, code_option, options_end

_SOURCING = frozenset({".", "source"})
#: Programs reading their code from the file named after `-f` (`--file=FILE`, `-fFILE` too).
_FILE_OPTION = frozenset({"awk", "gawk", "mawk", "nawk", "sed", "make", "gmake"})
_SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "ash", "mksh"})


def script_file(words: list[str], start: int) -> int | None:
    """The index of the word naming the script the command at `start` runs from a file, or None."""
    if start >= len(words):
        return None
    name = canonical(words[start])
    if name in _SOURCING:
        return start + 1 if start + 1 < len(words) else None
    if name in _FILE_OPTION:
        for k in range(start + 1, len(words)):
            word = words[k]
            if word == "--":
                return None
            if word in ("-f", "--file"):
                return k + 1 if k + 1 < len(words) else None
            if word.startswith("--file=") or (word.startswith("-f") and not word.startswith("--")):
                return k  # `--file=FILE`, `-fFILE`
        return None
    end = options_end(words, start)
    if end is None or end >= len(words) or any(_code_given(name, word) for word in words[start + 1 : end]):
        return None
    if words[end] == "--":
        end += 1
    return end if end < len(words) and words[end] != "-" and not words[end].startswith("-") else None


def _code_given(name: str, word: str) -> bool:
    """Whether an option word gives the code inline or on stdin (`-c`, `-ec`, `-s`, `-e`, `-m`): no script file then."""
    letters = word[1:] if word.startswith("-") and not word.startswith("--") else ""
    if name in _SHELLS:
        return "c" in letters or "s" in letters
    if name in ("python", "python3"):
        return "c" in letters or "m" in letters
    return code_option(name, word)
