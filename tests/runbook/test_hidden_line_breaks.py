"""U+2028, U+2029 and U+0085 are line breaks to YAML 1.1 (PyYAML) that no editor shows: refused at their place.

Before: `# reviewed<U+2028>    verify: none` read as a comment in an editor, and the program loaded `verify: none`
from it; errors after such a character named a line the editor does not have; a file starting with
U+2028 and a quote ended in an IndexError traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_runbook import MINIMAL, at, cli_main, only_error

from runbook_tui.runbook import model, placeholders


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


@pytest.mark.parametrize(("first", "later"), [("\u2029", "\x85"), ("\x85", "\u2028"), ("\u2028", "\u2029")])
def test_of_several_hidden_breaks_the_first_in_the_file_is_said(write_runbook: Callable[..., Path], first: str, later: str) -> None:
    path = write_runbook(MINIMAL + f"        # reviewed é {first} by bob {later}\n")
    err = only_error(path)
    assert at(err) == (9, 22)
    assert f"the character U+{ord(first):04X} is a line break" in err.message


LOADED = """
import json, re, sys
from runbook_tui.runbook.loader import probe_runbook
probe = probe_runbook(sys.argv[1])
assert probe.loaded is not None and probe.loaded.runbook.kept_source is not None, probe.errors
print(sum(key[1] in json.loads(sys.argv[2]) for key in re._cache))
"""


def test_a_plain_runbook_is_loaded_without_compiling_the_rare_cases_patterns(write_runbook: Callable[..., Path]) -> None:
    """The hidden breaks, a URL's password, a scaffold's EDIT words and a lone surrogate: each pattern took 0.15-0.5 ms
    to compile at every start (bench/README, paint37); a runbook with none of them in it now compiles none."""
    path = write_runbook(MINIMAL.replace("run: echo hello", "run: echo {{ 'hello' }} >> marks\n        undo: rm -f marks"))
    patterns = [model._URL_PASSWORD.pattern, placeholders._EDIT.pattern, "[\ud800-\udfff]", "[\x85\u2028\u2029]"]
    done = subprocess.run([sys.executable, "-c", LOADED, str(path), json.dumps(patterns)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0"], "a rare case's pattern was compiled to load a plain runbook"
