"""A runbook with thousands of mistakes: the first hundred are named at their place, then one line says how many more."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers_runbook import cli_main


def test_thousands_of_duplicate_keys_print_a_hundred_lines_and_say_how_many_more(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Before: 5,000 duplicate keys printed 5,000 lines (45,000 a crafted file of 1 MB), under validate, run and exec."""
    lines = ["runbook: 1", "id: t", "title: T", "sections:", "  - id: s", "    steps:", "      - id: one", "        run: 'true'"]
    path = tmp_path / "dup.yaml"
    path.write_text("\n".join(lines + [f"        title: t{i}" for i in range(5000)]) + "\n")
    for command in (["validate", str(path)], ["exec", str(path), "--solo", "t", "--journal", str(tmp_path / "j.jsonl")]):
        assert cli_main(command) == 2
        said = capsys.readouterr().err.splitlines()
        assert said[0] == f"{path}:10:9: duplicate key 'title' (first at line 9); expected each key once", said[0]
        assert said[-1] == f"{path}:110:9: 4899 more errors from here on, not shown: fix these first", said[-1]
        assert len(said) == 101, len(said)
    assert not (tmp_path / "j.jsonl").exists()
