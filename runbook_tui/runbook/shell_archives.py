"""Archives a command unpacks into a folder: `tar -xzf /srv/releases/{{ v }}.tgz -C d`, `unzip /srv/{{ v }}.zip -d d`.

The archive fills the folder with the files it holds, so a value picking the archive (`../upload` makes it
/srv/upload.tgz) picks what a later command runs from that folder (`d/migrate.sh`, `sh d/x`), as what a copy or a link
takes does: `shell_files.wrote` notes it, and it is one file or folder name there (`shell_files._run`; session 37).
"""

from __future__ import annotations

_TARS = frozenset({"tar", "gtar", "bsdtar"})
#: tar's short options taking an argument (`-C DIR`, `-fFILE`, in a bundle the rest of the word or the next word).
_TAR_ARGUMENT_LETTERS = "bCfFgHIKLNTVX"
#: unzip's options that list, test or print the members instead of writing them to the folder.
_UNZIP_NOT_WRITING = frozenset({"-l", "-t", "-v", "-Z", "-p", "-c", "-z"})


def unpacked(texts: list[str], start: int) -> tuple[set[int], list[str]] | None:
    """For a command at `start` unpacking an archive into folders (`tar -x`, `unzip`): the indexes of the words naming
    those folders (their values pick no file) and the folders (`.` when none is given); None for another command."""
    name = texts[start].rpartition("/")[2] if start < len(texts) else ""
    if name in _TARS:
        return _tar(texts, start)
    if name == "unzip" and not _UNZIP_NOT_WRITING.intersection(texts[start + 1 :]):
        folders = [(k, texts[k][2:]) for k in range(start + 1, len(texts)) if texts[k].startswith("-d") and len(texts[k]) > 2]
        folders += [(k + 1, texts[k + 1]) for k in range(start + 1, len(texts) - 1) if texts[k] == "-d"]
        return {k for k, _ in folders}, [folder for _, folder in folders] or ["."]
    return None


def _tar(texts: list[str], start: int) -> tuple[set[int], list[str]] | None:
    """`tar`'s folders as `unpacked` gives them, None unless it extracts (`-x`, `xzf`, `--extract`, `--get`)."""
    extracting, folders, k = False, list[tuple[int, str]](), start + 1
    while k < len(texts):
        word, k = texts[k], k + 1
        if word.startswith("--"):
            extracting = extracting or word in ("--extract", "--get")
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
                k += 1
            elif letter == "C":
                folders.append((k - 1, attached))
            if word.startswith("-"):
                break
    return ({k for k, _ in folders}, [folder for _, folder in folders] or ["."]) if extracting else None
