"""Copies whose remote path a shell on the host parses again: `scp -O HOST:PATH` and `rsync --old-args HOST:PATH`.

scp's legacy protocol (`-O`) runs `scp -f PATH` (`-t PATH` for a target) through the remote user's shell, which parses
PATH again (its globs are meant: `db1:/var/log/*.gz`); `rsync --old-args` asks the same of the remote shell. So
`scp -O db1:"/var/log/{{ x }}" .` with x = `a; touch F` ran touch on the host. The path of such an operand (after the
host's `:`) is text another shell parses: `shell_nested` marks its values one level deeper, and `| shq` quotes them
for that shell. A value before the host's `:` (or before the first `/` of a local operand) could move or add that `:`
(`scp -O "{{ x }}" db1:/tmp/` with x = `db1:$(touch F)`): a `:` in it is refused when it renders. Without `-O` scp speaks SFTP and rsync (3.2.4 on) protects its arguments: the path is data there.
"""

from __future__ import annotations

#: scp's short options taking an argument (OpenSSH 9), and rsync's options that take the next word as theirs.
_SCP_ARGUMENT = "cDFiJloPSX"
_RSYNC_ARGUMENT = frozenset({"-e", "--rsh", "-f", "--filter", "--exclude", "--include", "-T", "--temp-dir", "-B", "--block-size", "-M", "--remote-option"})


def _host_end(word: str) -> int | None:
    """Where the path starts in a remote operand (`[user@]host:path`, `[::1]:path`): after the `:`; None for a local
    path (a `/` before any `:`, as scp and rsync read it) or an rsync daemon's `host::module`."""
    if word.startswith("["):
        end = word.find("]:")
        return end + 2 if end > 0 else None
    colon = word.find(":")
    if colon <= 0 or "/" in word[:colon] or word[colon + 1 : colon + 2] == ":":
        return None
    return colon + 1


def remote_paths(words: list[str], start: int) -> list[tuple[int, int, int | None, str]]:
    """For each operand of the scp or rsync at `start` when the remote shell parses its remote paths (`scp -O`, `rsync
    --old-args`): its index, where its host part ends (a value before there could add or move the host's `:`), where
    its path starts (None for a local operand), and the command."""
    if start >= len(words):
        return []
    name = words[start].rpartition("/")[2]
    if name not in ("scp", "rsync"):
        return []
    legacy = False
    operands: list[int] = []
    k = start + 1
    while k < len(words):
        word = words[k]
        if word == "--":
            operands.extend(range(k + 1, len(words)))
            break
        if not word.startswith("-") or word == "-":
            operands.append(k)
        elif name == "rsync":
            legacy = legacy or word == "--old-args"
            k += word in _RSYNC_ARGUMENT
        elif not word.startswith("--"):  # scp: `-O`, `-rO`, `-qOP 2222`
            for i, letter in enumerate(word[1:], start=1):
                legacy = legacy or letter == "O"
                if letter in _SCP_ARGUMENT:
                    k += i == len(word) - 1  # the argument is the next word
                    break
        k += 1
    if not legacy:
        return []
    by = "scp -O" if name == "scp" else "rsync --old-args"
    found: list[tuple[int, int, int | None, str]] = []
    for k in operands:
        path = _host_end(words[k])
        slash = words[k].find("/")
        found.append((k, path - 1 if path is not None else len(words[k]) if slash < 0 else slash, path, by))
    return found
