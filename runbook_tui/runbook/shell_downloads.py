"""Files a command fetches: `curl -o /tmp/m.sh https://rel.example.com/{{ v }}/migrate.sh`, `wget -O`, `git clone`.

A download is a copy from a URL: the value in the URL picks what the file holds, so what runs from it (`&& sh
/tmp/m.sh`), as what `cp` takes does (`shell_files.wrote` notes it, `shell_files._run` holds it to one name). With v =
`../upload`, `runbook-tui exec` of `curl -fsS -o /tmp/m.sh file:///srv/releases/{{ v }}/migrate.sh && sh /tmp/m.sh`
ran the uploaded script (curl, like a server, reads `..` in a URL's path); so did `git clone /srv/repos/{{ v }} d &&
d/deploy.sh`. A download nothing runs from takes any value (session 38).
"""

from __future__ import annotations

#: git clone's options taking the next word (`-b BRANCH`, `--depth 1`).
_CLONE_NEXT = frozenset(
    {"-b", "--branch", "-o", "--origin", "--depth", "-c", "--config", "--reference", "--template", "--separate-git-dir", "-j",
     "--jobs", "--filter", "--shallow-since", "--shallow-exclude", "--server-option", "-u", "--upload-pack"}
)  # fmt: skip


def downloaded(texts: list[str], start: int) -> tuple[set[int], list[str]] | None:
    """For `curl`, `wget` or `git clone` at `start`: the words naming what it fetches and the files or folders it writes
    that to; None for another command (or one writing to its stdout only)."""
    name = texts[start].rpartition("/")[2] if start < len(texts) else ""
    urls = {k for k in range(start + 1, len(texts)) if "://" in texts[k]}
    if name == "curl":  # (`-o /dev/null`: nothing kept)
        named = [n for n in _outputs(texts, start, ("-o", "--output")) if not n.startswith("/dev/")]
        return (urls, named) if urls and named else None
    if name == "wget":
        named = _outputs(texts, start, ("-O", "--output-document"))
        named = [n for n in named if n != "-" and not n.startswith("/dev/")] if named else [_last(texts[k]) for k in urls]  # `-O-`: stdout
        return (urls, named) if urls and named else None
    if name == "git" and "clone" in texts[start + 1 :]:
        operands, k = [], texts.index("clone", start) + 1
        while k < len(texts):
            if not texts[k].startswith("-"):
                operands.append(k)
            k += 2 if texts[k] in _CLONE_NEXT else 1
        if not operands:
            return None
        folder = texts[operands[1]] if len(operands) > 1 else _last(texts[operands[0]]).removesuffix(".git")
        return {operands[0]}, [folder]
    return None


def _outputs(texts: list[str], start: int, options: tuple[str, str]) -> list[str]:
    """The files `-o FILE`, `-oFILE`, `--output FILE`, `--output=FILE` name (the short option ending a bundle too)."""
    short, long = options
    found: list[str] = []
    for k in range(start + 1, len(texts)):
        word = texts[k]
        if word == long and k + 1 < len(texts):
            found.append(texts[k + 1])
        elif word.startswith(f"{long}="):
            found.append(word.partition("=")[2])
        elif word[:1] == "-" and word[1:2] not in ("-", "") and short[1] in word:  # `-o f`, `-of`, `-qO f`, `-fsSLo f`
            rest = word.partition(short[1])[2]
            found.extend([rest] if rest else texts[k + 1 : k + 2])
    return found


def _last(url: str) -> str:
    """The name a URL's or a path's last part gives a file (`https://h/a/b.tgz?x=1`: `b.tgz`)."""
    return url.partition("?")[0].rstrip("/").rpartition("/")[2]
