"""`replay --practice` of a night whose process died while writing its last line: refused (practice plays whole nights),
and the refusal says how to get a night it takes: `resume J --headless` looks only and cuts the torn line off (walked on
a real crashed night: after the look, practice opened it)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from runbook_tui import cli

JOURNAL = Path(__file__).parents[1] / "report" / "data" / "change.jsonl"


def test_a_cut_night_is_refused_with_the_way_to_practise_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Before: `crashed.jsonl: the journal does not verify (line 98: cut short …); refusing to replay it`: for a
    practice (not a replay, which shows it), and nothing said what to do about it."""
    path = tmp_path / "crashed.jsonl"
    shutil.copyfile(JOURNAL, path)
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:-1]) + lines[-1][: len(lines[-1]) // 2])
    assert cli.main(["replay", str(path), "--practice"]) == 2
    said = capsys.readouterr().err
    assert "line 98: cut short" in said and "refusing to replay" not in said, said
    assert f"runbook-tui resume {path} --headless" in said and "replay without --practice" in said, said
