"""U+2028, U+2029 and U+0085 are line breaks to YAML 1.1 (PyYAML) that no editor shows: refused at their place.

Before: `# reviewed<U+2028>    verify: none` read as a comment in an editor, and the program loaded `verify: none`
from it; errors after such a character named a line the editor does not have; a file starting with
U+2028 and a quote ended in an IndexError traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_runbook import MINIMAL, at, cli_main, only_error


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\x85"])
def test_a_hidden_line_break_is_refused_where_it_stands(write_runbook: Callable[..., Path], char: str) -> None:
    path = write_runbook(MINIMAL + f"        # reviewed by bob{char}        verify: none\n")
    err = only_error(path)
    assert at(err) == (9, 26)
    assert f"the character U+{ord(char):04X} is a line break to YAML that editors do not show" in err.message


def test_no_traceback_for_a_hidden_break_before_a_quote(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "r.yaml"
    path.write_text("\u2028'", encoding="utf-8")
    assert cli_main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:1:1: the character U+2028" in err and "Traceback" not in err
