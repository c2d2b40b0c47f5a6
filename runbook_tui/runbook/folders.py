"""Which files of a folder are runbooks: the one rule the picker and `validate DIR` (and `new`'s names) share."""

from __future__ import annotations

import os
from pathlib import Path

#: A runbook is one YAML file (the format's first line).
SUFFIXES = (".yaml", ".yml")


def dangling(path: Path) -> bool:
    """A link to nothing: listed, its error saying what it points to (skipped without a word, it hid a runbook)."""
    return path.is_symlink() and not path.exists()


def dangling_words(path: Path) -> str:
    return f"a link to {os.readlink(path)}, which does not exist: fix the link or remove it"


def runbooks_in(folder: Path) -> list[Path]:
    """The runbook files under `folder`, recursively, in name order: `*.yaml` / `*.yml`, links to nothing too, none
    under a hidden folder (`.git/`, `.github/workflows/*.yml` are no runbooks)."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.suffix in SUFFIXES and (p.is_file() or dangling(p)) and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )
