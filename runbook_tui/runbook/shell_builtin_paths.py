"""bash builtins whose argument is the program or library that runs: `hash -p PATH NAME` (NAME runs PATH from then on)
and `enable -f FILE NAME` (bash loads the shared library FILE). Called by `shell_nested`."""

from __future__ import annotations

#: The builtin, the option letter whose argument is the path, and what that path is, as a refusal names it.
_PATH_OPTIONS = {"hash": ("p", "the program hash -p makes a command name run"), "enable": ("f", "the library enable -f loads into bash")}


def builtin_program_paths(texts: list[str], start: int) -> list[tuple[int, int, str]]:
    """(index of the word holding the path, where the path starts in it, what it is) for `hash -p PATH` and
    `enable -f FILE` (`-rp PATH`, `-pPATH` too) in a command whose name is at `start`."""
    if start >= len(texts) or texts[start] not in _PATH_OPTIONS:
        return []
    letter, what = _PATH_OPTIONS[texts[start]]
    found = []
    k = start + 1
    while k < len(texts) and texts[k].startswith("-") and texts[k] != "--":
        at = texts[k].find(letter, 1)
        if 0 < at < len(texts[k]) - 1:  # `-pPATH`
            found.append((k, at + 1, what))
        elif at > 0 and k + 1 < len(texts):  # `-p PATH`, `-rp PATH`
            found.append((k + 1, 0, what))
            k += 1
        k += 1
    return found
