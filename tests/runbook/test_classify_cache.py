"""A runbook loaded again reads its commands' classifications from disk, with the same results.

`classify_cache` keeps each command's places in `$XDG_CACHE_HOME/runbook-tui/classify/`, keyed
by the runbook's bytes and the classifying modules. A second load must make the same runbook,
warnings and refusals as the first without classifying again; a damaged, foreign or
tampered file is ignored (and replaced), never trusted.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest

from runbook_tui.runbook import shell_classify
from runbook_tui.runbook.diagnostics import RunbookInvalid
from runbook_tui.runbook.loader import Loaded, load_runbook

VALID = """\
runbook: 1
id: cache
title: Cache {{ who }}
params:
  who: {type: string, default: "a b; rm -rf ~"}
  n: {type: int, default: 3}
sections:
  - id: s
    title: S
    steps:
      - {id: plain, title: Plain, run: "systemctl restart app --who {{ who }}"}
      - {id: redirect, title: Redirect, run: "echo {{ who }} >> marks", undo: "rm -f marks"}
      - {id: quoted, title: Quoted, run: 'printf "%s\\n" "{{ who }}" | tee out'}
      - {id: nested, title: Nested, run: "sh -c {{ who | shq }}"}
      - {id: arith, title: Arith, run: "echo $(( {{ n }} + 1 ))"}
      - {id: raw, title: Raw, run: "echo {{ who | raw }}"}
      - {id: jinja, title: Jinja, run: "{% if n > 1 %}echo {{ who }}{% else %}true{% endif %}"}
"""

REFUSED = VALID.replace('"echo {{ who }} >> marks"', "\"echo '{{ who }}' >> marks\"").replace('"sh -c {{ who | shq }}"', '"sh -c {{ who }}"')


def _files() -> list[Path]:
    folder = Path(os.environ["XDG_CACHE_HOME"]) / "runbook-tui" / "classify"
    return sorted(folder.glob("*.json")) if folder.exists() else []


def _load(path: Path) -> Loaded | list[str]:
    shell_classify.classify.cache_clear()  # as a new process: only the disk remembers
    try:
        return load_runbook(path)
    except RunbookInvalid as invalid:
        return [str(d) for d in invalid.diagnostics]


def _no_classifying(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(text: str) -> Any:
        raise AssertionError(f"classified again: {text!r}")

    monkeypatch.setattr(shell_classify, "_classified", refuse)


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    shutil.rmtree(Path(os.environ["XDG_CACHE_HOME"]) / "runbook-tui", ignore_errors=True)


@pytest.mark.parametrize("text", [VALID, REFUSED], ids=["valid", "refused"])
def test_a_second_load_reads_the_places_from_disk_and_gives_the_same_result(tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "rb.yaml"
    path.write_text(text)
    first = _load(path)
    (cache,) = _files()
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.parent.stat().st_mode) == stat.S_IMODE(cache.parent.parent.stat().st_mode) == 0o700
    _no_classifying(monkeypatch)
    second = _load(path)
    assert second == first
    if isinstance(first, list):
        assert any("inside '...' is not expanded" in d for d in first) and any("parses this value again" in d for d in first)
    else:
        steps = {step.id: step for section in first.runbook.sections for step in section.steps}
        assert isinstance(second, Loaded) and second.warnings == first.warnings
        assert steps["plain"].body is not None and steps["plain"].body.value == "systemctl restart app --who 'a b; rm -rf ~'"


def test_an_edited_runbook_has_its_own_entry(tmp_path: Path) -> None:
    path = tmp_path / "rb.yaml"
    path.write_text(VALID)
    _load(path)
    path.write_text(REFUSED)
    assert isinstance(_load(path), list)
    assert len(_files()) == 2


@pytest.mark.parametrize(
    "damage",
    [
        lambda entries: b"{not json",
        lambda entries: b"[]",
        lambda entries: json.dumps({text: [[0, "BOGUS", False, False, False, 0, "WORD", False, ""]] for text in entries}).encode(),
        lambda entries: json.dumps({text: [[0, "WORD", False, False, False, "0", "WORD", False, ""]] for text in entries}).encode(),
        lambda entries: json.dumps({text: [[0, "WORD"]] for text in entries}).encode(),
    ],
    ids=["not-json", "not-a-mapping", "unknown-kind", "wrong-type", "short-entry"],
)
def test_a_damaged_cache_is_ignored_and_replaced(tmp_path: Path, damage: Any) -> None:
    path = tmp_path / "rb.yaml"
    path.write_text(REFUSED)
    first = _load(path)
    (cache,) = _files()
    cache.write_bytes(damage(json.loads(cache.read_bytes())))
    assert _load(path) == first
    assert json.loads(cache.read_bytes()) and _load(path) == first


def test_a_cache_others_could_write_is_not_trusted(tmp_path: Path) -> None:
    """A file readable or writable by others is not one this program wrote: every place WORD in it is not believed."""
    path = tmp_path / "rb.yaml"
    path.write_text(REFUSED)
    first = _load(path)
    (cache,) = _files()
    entries = json.loads(cache.read_bytes())
    cache.write_text(
        json.dumps({text: [[index, "WORD", False, False, False, 0, "WORD", False, ""] for index, *_ in places] for text, places in entries.items()})
    )
    cache.chmod(0o666)
    assert _load(path) == first
