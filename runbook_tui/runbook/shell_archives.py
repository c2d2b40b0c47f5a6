"""Archives a command unpacks into a folder: `tar -xzf /srv/releases/{{ v }}.tgz -C d`, `unzip /srv/{{ v }}.zip -d d`.

The archive fills the folder with the files it holds, so a value picking the archive (`../upload` makes it
/srv/upload.tgz) picks what a later command runs from that folder (`d/migrate.sh`, `sh d/x`), as what a copy or a link
takes does: `shell_files.wrote` notes it, and it is one file or folder name there (`shell_files._run`; session 37).
Session 38: an archive read on stdin (`curl URL/{{ v }}.tgz | tar -xz -C d`, `tar -xzf - -C d < /srv/{{ v }}.tgz`, `zcat
... | tar -x`), and 7-Zip's and cpio's (`7z x /srv/{{ v }}.7z -od`, `cpio -idm < /srv/{{ v }}.cpio`): each ran the
uploaded `migrate.sh` with v = `../upload`. So did a patch applied to the code that then runs (`git apply
/srv/patches/{{ v }}.patch && make`, `patch -p1 < /srv/patches/{{ v }}.patch && make`, the uploaded one changing the
Makefile): a patch fills its folder as an archive does.
"""

from __future__ import annotations

from typing import NamedTuple

_TARS = frozenset({"tar", "gtar", "bsdtar"})
#: tar's short options taking an argument (`-C DIR`, `-fFILE`, in a bundle the rest of the word or the next word).
_TAR_ARGUMENT_LETTERS = "bCfFgHIKLNTVX"
#: unzip's options that list, test or print the members instead of writing them to the folder.
_UNZIP_NOT_WRITING = frozenset({"-l", "-t", "-v", "-Z", "-p", "-c", "-z"})
_7ZS = frozenset({"7z", "7za", "7zr", "7zz"})


class Unpacked(NamedTuple):
    """What a command unpacking an archive does: the words naming the folders it fills (their values pick no file),
    those folders (`.` when none is given), and whether it reads the archive on its stdin."""

    folder_words: set[int]
    folders: list[str]
    stdin: bool


def unpacked(texts: list[str], start: int) -> Unpacked | None:
    """For a command at `start` unpacking an archive into folders (`tar -x`, `unzip`, `7z x`, `cpio -i`, and a patch:
    `patch`, `git apply`); None for another command."""
    name = texts[start].rpartition("/")[2] if start < len(texts) else ""
    if name in _TARS:
        return _tar(texts, start)
    if name == "unzip" and not _UNZIP_NOT_WRITING.intersection(texts[start + 1 :]):
        folders = [(k, texts[k][2:]) for k in range(start + 1, len(texts)) if texts[k].startswith("-d") and len(texts[k]) > 2]
        folders += [(k + 1, texts[k + 1]) for k in range(start + 1, len(texts) - 1) if texts[k] == "-d"]
        return _found(folders, stdin=False)
    if name in _7ZS and texts[start + 1 : start + 2] in (["x"], ["e"]):  # `7z x A.7z -oDIR` (`-si`: on stdin)
        words = texts[start + 2 :]
        return _found([(k, texts[k][2:]) for k in range(start + 2, len(texts)) if texts[k].startswith("-o")], stdin="-si" in words)
    if name == "patch":  # `patch -p1 < FILE`, `patch -i FILE`, `-d DIR` (`--directory=DIR`): it changes DIR's files
        folders = [(k + 1, texts[k + 1]) for k in range(start + 1, len(texts) - 1) if texts[k] in ("-d", "--directory")]
        folders += [(k, texts[k].partition("=")[2]) for k in range(start + 1, len(texts)) if texts[k].startswith("--directory=")]
        return _found(folders, stdin=not any(w in ("-i", "--input") or w.startswith("--input=") for w in texts[start + 1 :]))
    if name == "git":  # `git apply P`, `git -C DIR am P`: the repository's files, where it runs
        k, folders = start + 1, list[tuple[int, str]]()
        while k < len(texts) - 1 and texts[k].startswith("-"):  # git's own options (`-C DIR`, `-c K=V`)
            folders += [(k + 1, texts[k + 1])] if texts[k] == "-C" else []
            k += 2 if texts[k] in ("-C", "-c") else 1
        if texts[k : k + 1] in (["apply"], ["am"]):
            return _found(folders, stdin=all(w.startswith("-") for w in texts[k + 1 :]) or "-" in texts[k + 1 :])
    if name == "cpio" and any(w == "--extract" or (w[:1] == "-" and w[1:2] != "-" and "i" in w) for w in texts[start + 1 :]):
        folders = [(k + 1, texts[k + 1]) for k in range(start + 1, len(texts) - 1) if texts[k] in ("-D", "--directory")]
        folders += [(k, texts[k][12:]) for k in range(start + 1, len(texts)) if texts[k].startswith("--directory=")]
        named = any(w in ("-F", "-I") or w.startswith("--file") for w in texts[start + 1 :])  # else its stdin
        return _found(folders, stdin=not named)
    return None


def _found(folders: list[tuple[int, str]], *, stdin: bool) -> Unpacked:
    return Unpacked({k for k, _ in folders}, [folder for _, folder in folders] or ["."], stdin)


def _tar(texts: list[str], start: int) -> Unpacked | None:
    """`tar`'s folders as `unpacked` gives them, None unless it extracts (`-x`, `xzf`, `--extract`, `--get`); with no
    `-f`, or `-f -`, it reads the archive on stdin."""
    extracting, folders, k, archive = False, list[tuple[int, str]](), start + 1, "-"
    while k < len(texts):
        word, k = texts[k], k + 1
        if word.startswith("--"):
            extracting = extracting or word in ("--extract", "--get")
            archive = word.partition("=")[2] if word.startswith("--file=") else texts[k] if word == "--file" and k < len(texts) else archive
            if word.startswith("--directory="):
                folders.append((k - 1, word.partition("=")[2]))
            elif word == "--directory" and k < len(texts):
                folders.append((k, texts[k]))
                k += 1
            continue
        bundle = word[1:] if word.startswith("-") else word if k == start + 2 and word.isalpha() else ""  # `tar xzf A`
        extracting = extracting or "x" in bundle.partition(next((c for c in bundle if c in _TAR_ARGUMENT_LETTERS), "\0"))[0]
        for at, letter in enumerate(bundle):
            if letter not in _TAR_ARGUMENT_LETTERS:
                continue
            attached = bundle[at + 1 :] if word.startswith("-") else ""  # `-Cd`, `-xfA.tgz`; old style takes the next words
            if not attached:
                if letter == "C" and k < len(texts):
                    folders.append((k, texts[k]))
                archive = texts[k] if letter == "f" and k < len(texts) else archive
                k += 1
            elif letter == "C":
                folders.append((k - 1, attached))
            archive = attached if letter == "f" and attached else archive
            if word.startswith("-"):
                break
    return _found(folders, stdin=archive in ("-", "/dev/stdin")) if extracting else None
