"""Hints for YAML syntax errors: each common mistake gets its likely cause and the other line involved.

Goldens: tests/runbook/data/yaml-hints/NAME.yaml, each with the one message it
must produce in tests/runbook/data/yaml-hints/expected.txt (`NAME.yaml:LINE:COL: message`).
To regenerate after an intended change, run

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/runbook/test_yaml_hints.py

and review the diff before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers_runbook import only_error

HINTS = Path(__file__).parent / "data" / "yaml-hints"
EXPECTED = HINTS / "expected.txt"
CASES = sorted(p.name for p in HINTS.glob("*.yaml"))


def _message(name: str) -> str:
    error = only_error(HINTS / name)
    return f"{name}:{error.mark.line}:{error.mark.col}: {error.message}"


def _golden() -> dict[str, str]:
    return {line.split(":", 1)[0]: line for line in EXPECTED.read_text(encoding="utf-8").splitlines() if line}


def test_update_golden_when_asked():
    if os.environ.get("UPDATE_GOLDEN") == "1":
        EXPECTED.write_text("".join(_message(name) + "\n" for name in CASES), encoding="utf-8")
    assert sorted(_golden()) == CASES, "every case has its golden line and every golden line its case"


@pytest.mark.parametrize("name", CASES)
def test_hint_matches_golden(name):
    assert _message(name) == _golden()[name]


def test_the_hints_name_the_other_line():
    golden = _golden()
    assert "its sibling 'id:' on line 7 at column 9: indent 'run:' 1 space more" in golden["indent-less.yaml"]
    assert 'the " opened on line 3, column 8 is not closed on that line, so the string runs on to line 8' in golden["quote-mid.yaml"]
    assert "the '[' opened on line 9, column 16 is not closed" in golden["bracket.yaml"]
    assert "lining up with 'id:' on line 7 (column 9)" in golden["tab.yaml"]
    assert 'quote the whole value, title: "Step one: say hello"' in golden["colon.yaml"]


def test_an_error_without_a_known_cause_gets_no_invented_hint(write_runbook):
    path = write_runbook("runbook: 1\nid: demo\ntitle: [a]b\nsections: []\n")
    error = only_error(path)
    assert error.message.startswith("invalid YAML: ")
    assert ";" not in error.message, error.message


def test_a_backslash_that_starts_no_escape_is_not_called_an_unclosed_quote():
    """`run: "grep -c \\d+ log"` (a regex, a Windows path): the quote is closed; the hint said it was never closed and
    to add the closing " on that line, which fixes nothing."""
    golden = _golden()
    for name in ("escape-regex.yaml", "escape-hex.yaml", "escape-surrogate.yaml"):
        assert "closed" not in golden[name], golden[name]
    assert "and \\d is none: write the value in single quotes or as a block" in golden["escape-regex.yaml"]
    assert "escape-regex.yaml:8:23:" in golden["escape-regex.yaml"], "at the backslash"
    assert "\\x takes 2 hex digits" in golden["escape-hex.yaml"]
    assert "names no character" in golden["escape-surrogate.yaml"]
