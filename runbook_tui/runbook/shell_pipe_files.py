"""Options naming an output file that a leading `|` (for strace `!` too) makes a command a shell runs: `psql -o "|CMD"`
(psql opens it as it starts, before it connects), `strace -o "|CMD"`, `strace -o "!CMD"`.

A value inside such a command (`psql -o "|gzip > /srv/{{ x }}.gz"`) is in another shell's script
(`shell_commands.scripts`), and a value that starts the argument decides whether it is a file or a command (x =
`|touch F`): it picks what runs, as a command's name does (`shell_nested`).
"""

from __future__ import annotations

from runbook_tui.runbook.shell_wrappers import basename

#: Each program's options naming its output, and the characters that make it a command instead of a file.
_PIPED = {"psql": (frozenset({"-o", "--output"}), "|"), "strace": (frozenset({"-o", "--output"}), "|!")}


def piped_outputs(words: list[str], start: int) -> list[tuple[int, int, str]]:
    """The argument of each such option of the command at `start`, or of strace before it (it runs the command after
    its options: `shell_runners`): its word, where it starts in the word, the program."""
    found: list[tuple[int, int, str]] = []
    for at in (at for at in range(min(start + 1, len(words))) if basename(words[at]) in _PIPED):
        name = basename(words[at])
        for k in range(at + 1, start if at < start else len(words)):
            word = words[k]
            if word == "--":
                break
            if word in _PIPED[name][0] and k + 1 < len(words):
                found.append((k + 1, 0, name))
            elif word.startswith("--output="):
                found.append((k, len("--output="), name))
            elif word.startswith("-o") and len(word) > 2:
                found.append((k, 2, name))
    return found


def pipes_to(name: str, argument: str) -> bool:
    """Whether the output file `argument` of `name` is a command a shell runs (`|CMD`)."""
    return argument[:1] != "" and argument[0] in _PIPED[name][1]
