"""`sudo -s CMD ARGS`, `sudo -i CMD ARGS`: sudo joins the command's words into one line for the target user's shell
(`$SHELL -c LINE`), escaping each character with a backslash but letters, digits, `_`, `-` and `$`.

So a `$` in a value is the target shell's: `sudo -s echo "{{ x }}"` with x = `$HOME` printed root's home, and
`$SECRET` any variable of root's environment; a line break becomes a backslash-newline, which that shell removes
(`a<LF>b` printed `ab`). `| shq` cannot help (sudo escapes its quotes). A value there must hold neither
(`shell_values`); the rest of its text reaches the command as written.

A value naming that shell (`SHELL={{ x }} sudo -s`, `su -s {{ x }}`, `chsh -s {{ x }}`) picks the program that runs:
root's su and chsh, and sudo, take any path (/etc/shells is not checked), so it is refused whatever it holds
(`shell_flow.LOADED_VARIABLES` for `SHELL`, `shell_option_words` here).
"""

from __future__ import annotations

from runbook_tui.runbook import shell_wrappers as wrappers

#: sudo's short options that take the next word (or the rest of their bundle) as their argument.
_TAKES_ARGUMENT = frozenset("ugCDhprtURT")


def _runs_a_shell(option: str) -> bool:
    """Whether one of sudo's option words is `-s`/`-i` (bundled too: `-iu`, `-Es`) or `--shell`/`--login`."""
    if option.startswith("--"):
        return option in ("--shell", "--login")
    for letter in option[1:]:
        if letter in "si":
            return True
        if letter in _TAKES_ARGUMENT:
            return False
    return False


def sudo_shell_words(words: list[str]) -> list[int]:
    """The command's words that sudo passes to the target user's shell as one escaped line (`sudo -s CMD ARGS`)."""
    start = wrappers.command_start(words)
    for k in range(start):
        if words[k].rpartition("/")[2] == "sudo":
            if any(_runs_a_shell(word) for word in words[k + 1 : start] if word.startswith("-") and word != "--"):
                return list(range(start, len(words)))
    return []


#: Programs whose `-s SHELL` / `--shell SHELL` picks the shell that runs the command (su, runuser) or a user's login
#: shell, which the next `su -` or ssh login runs (chsh, usermod, useradd).
_SHELL_OPTION = frozenset({"su", "runuser", "chsh", "usermod", "useradd"})


def shell_option_words(words: list[str]) -> list[int]:
    """The words naming the shell in `su -s SHELL`, `--shell SHELL`, `--shell=SHELL`, `-sSHELL` (and runuser's, chsh's,
    usermod's, useradd's, a wrapper's too: `runuser -s SHELL -u USER -- CMD`): a value there picks the program that runs."""
    start = wrappers.command_start(words)
    found: list[int] = []
    for i in (i for i in range(min(start + 1, len(words))) if words[i].rpartition("/")[2] in _SHELL_OPTION):
        end = start if i < start else len(words)
        for k in range(i + 1, words.index("--", i) if "--" in words[i:end] else end):
            if words[k - 1] in ("-s", "--shell") and k - 1 > i:
                found.append(k)
            elif words[k].startswith("--shell=") or (words[k].startswith("-s") and len(words[k]) > 2):
                found.append(k)
    return found
