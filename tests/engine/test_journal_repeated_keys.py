"""A journal line with a key given twice is refused, whatever its hash says.

JSON readers differ on which of two equal keys counts (Python's `json`, `jq`: the last; others the first, or refuse). A
line `{"actor":"bob","actor":"alice",…}` whose `statement` reads `{"by":"bob","reason":"bob approved this",…}` before
alice's real members hashed as alice's (the spec's hash re-encodes the parsed object), so `journal verify
--allowed-signers` said "intact … signatures hold and the end is sealed" with the same last hash as the untouched
journal, while `grep` or a first-wins reader saw bob's approval. No run writes such a line: it is refused at its line.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runbook_tui import cli
from runbook_tui.engine.journal import read_events
from tests.engine.test_event_shapes import good_events, rechained


def _journal(tmp_path: Path) -> tuple[Path, list[bytes]]:
    path = rechained(good_events(tmp_path), tmp_path / "j.jsonl")
    return path, path.read_bytes().splitlines(keepends=True)


def _said(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    try:
        code = cli.main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize(
    ("line", "old", "new", "key"),
    [
        (2, b'"actor":"alice"', b'"actor":"bob","actor":"alice"', "actor"),  # at the top
        (1, b'"plan":{', b'"plan":{"sections":[],', "sections"),  # inside a member
    ],
)
def test_a_line_with_a_key_given_twice_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], line: int, old: bytes, new: bytes, key: str) -> None:
    path, lines = _journal(tmp_path)
    assert old in lines[line - 1], lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path.write_bytes(b"".join(lines))
    assert json.loads(lines[line - 1])["hash"], "the line still parses, its hash unchanged"

    read = read_events(path)
    assert f"line {line}: {key!r} is given twice" in " ".join(read.problems), read.problems
    code, out = _said(capsys, "journal", "verify", str(path))
    assert code == 1, out
    assert f"line {line}: {key!r} is given twice" in out and "intact" not in out.replace("NOT intact", ""), out


def test_the_same_line_spelt_with_spaces_still_reads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Spacing is not a repeated key: the spec's hash is over the object, and such a line still verifies (held)."""
    path, lines = _journal(tmp_path)
    lines[1] = json.dumps(json.loads(lines[1]), indent=None, separators=(", ", ": ")).encode() + b"\n"
    path.write_bytes(b"".join(lines))
    assert not read_events(path).problems
    code, out = _said(capsys, "journal", "verify", str(path))
    assert code == 0 and "intact" in out, out
