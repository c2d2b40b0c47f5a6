"""Shell commands' classifications kept on disk between loads of the same runbook, keyed by content hash.

Classifying a command (`shell_classify.classify`: where each value stands for the shell) is a
pure function of its marked text and of the rules; a 300-step runbook's commands took about
a third of its load. A load of a runbook whose bytes were loaded before, with the same rules,
reads the places from `$XDG_CACHE_HOME/runbook-tui/classify/<sha256>.json` instead: the key
hashes the runbook's bytes and the source of the modules that classify, so another runbook,
an edited one or changed rules never share an entry. The file is written (0600, in a 0700
folder, through a temporary file renamed into place) only when the load classified a text it
did not hold; a file that cannot be read, is not ours or does not hold places as written here
is ignored and replaced: the load then classifies as it would without it, so the places, and
every diagnostic and command made from them, are the same either way.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import json
import os
import stat
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, get_args

from runbook_tui.runbook.shell_places import Kind, Place

#: The fields of a Place, in the order a cached entry lists them, with the type each must have.
_FIELDS: tuple[tuple[str, type], ...] = (
    ("kind", str), ("integer", bool), ("in_backticks_in_quotes", bool), ("nested_backticks", bool),
    ("levels", int), ("inner", str), ("reparsed_output", bool), ("by", str),
)  # fmt: skip
_KINDS = frozenset(get_args(Kind))
#: The modules whose rules decide a place (read from disk, not imported: `shell_classify` imports this one).
_RULES = ("shell_classify.py", "shell_commands.py", "shell_context.py", "shell_places.py")
_rules_hash: bytes | None = None


class _Kept:
    """The places read from the file and those classified during this load."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.known: dict[str, Any] = _read(path) if path is not None else {}
        self.added: dict[str, Mapping[int, Place]] = {}


#: The load under way in this thread (or task): its own, when several threads load at once.
_current: contextvars.ContextVar[_Kept | None] = contextvars.ContextVar("classify_cache", default=None)


@contextlib.contextmanager
def kept(content: bytes) -> Iterator[None]:
    """While loading the runbook of these bytes: `known` answers what an earlier load classified; what is new is written after."""
    this = _Kept(_path(content))
    token = _current.set(this)
    try:
        yield
    finally:  # a refused runbook's places too: each entry is a whole classification, whatever stopped the load
        _current.reset(token)
        if this.added and this.path is not None:
            _write(this.path, this.known | {text: _entry(places) for text, places in this.added.items()})


def known(text: str) -> Mapping[int, Place] | None:
    """The places of `text` as an earlier load of this runbook found them, or None."""
    current = _current.get()
    if current is None:
        return None
    entry = current.known.get(text)
    return None if entry is None else {index: Place(*values) for index, *values in entry}


def added(text: str, places: Mapping[int, Place]) -> None:
    """`text` was classified in this load: kept for the next one."""
    current = _current.get()
    if current is not None and current.path is not None:
        current.added[text] = places


def _entry(places: Mapping[int, Place]) -> list[list[Any]]:
    return [[index, *(getattr(place, name) for name, _ in _FIELDS)] for index, place in places.items()]


def _path(content: bytes) -> Path | None:
    base = os.environ.get("XDG_CACHE_HOME") or (str(Path.home() / ".cache") if os.environ.get("HOME") else "")
    if not base:
        return None
    global _rules_hash
    if _rules_hash is None:
        rules = hashlib.sha256()
        for name in _RULES:
            rules.update(Path(__file__).with_name(name).read_bytes())
        _rules_hash = rules.digest()
    return Path(base) / "runbook-tui" / "classify" / (hashlib.sha256(_rules_hash + content).hexdigest() + ".json")


def _read(path: Path) -> dict[str, Any]:
    """The entries of a cache file this program wrote; {} for a missing, foreign or damaged one."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except OSError:
        return {}
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
            return {}
        with os.fdopen(os.dup(fd), "rb") as file:
            data = json.loads(file.read())
    except (OSError, ValueError):
        return {}
    finally:
        os.close(fd)
    return data if isinstance(data, dict) and all(_valid(text, entry) for text, entry in data.items()) else {}


def _valid(text: Any, entry: Any) -> bool:
    """An entry as `_entry` writes it: each marker's index and a Place's fields, each of its type."""
    if not isinstance(text, str) or not isinstance(entry, list):
        return False
    for values in entry:
        if not isinstance(values, list) or len(values) != len(_FIELDS) + 1 or type(values[0]) is not int:
            return False
        for value, (name, kind) in zip(values[1:], _FIELDS):
            if type(value) is not kind or (name in ("kind", "inner") and value not in _KINDS):
                return False
    return True


def _write(path: Path, entries: dict[str, Any]) -> None:
    """Replace the file whole (a reader sees the old one or the new one); a cache that cannot be written is no error."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        _private_folders(path.parent)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(json.dumps(entries, ensure_ascii=False).encode("utf-8"))
        os.replace(temporary, path)
    except (OSError, ValueError):  # ValueError: text with no UTF-8 form
        with contextlib.suppress(OSError):
            temporary.unlink()


def _private_folders(folder: Path) -> None:
    """`runbook-tui/classify` under the cache base, each folder made here 0700 whatever the umask (an existing one keeps its mode)."""
    folder.parent.parent.mkdir(parents=True, exist_ok=True)  # the XDG cache base: not ours
    for made in (folder.parent, folder):
        try:
            made.mkdir(mode=0o700)
        except FileExistsError:
            continue
        os.chmod(made, 0o700)
