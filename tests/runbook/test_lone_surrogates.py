"""A template that makes a lone UTF-16 surrogate (`{{ "\\ud800" }}`, `"%c" % 56320`) is an error at its string's position.

Such a code point is not a character: no terminal, file or journal can hold it in UTF-8. YAML refuses it as an escape;
a Jinja string literal or `%c` makes it all the same. Before: `validate` said ok, `plan` died with a UnicodeEncodeError
traceback, `exec` blamed "a file or folder name, or the environment's".
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from helpers_runbook import at, cli_main, only_error

from runbook_tui.runbook.templating import TemplateError, render, render_command


def _runbook(title: str, run: str) -> str:
    return f"""
        runbook: 1
        id: demo
        title: Demo
        sections:
          - id: main
            steps:
              - id: one
                title: '{title}'
                run: '{run}'
                verify: none
        """


CASES = [
    ('{{ "\\ud800" }}', "echo hi", 8, "U+D800"),
    ('Restart {{ "%c" % 56320 }}', "echo hi", 8, "U+DC00"),
    ("Restart", 'echo {{ "\\udfff" }}', 9, "U+DFFF"),
    ("Restart", 'echo {{ "a" ~ "%c" % 55296 }}', 9, "U+D800"),
]


@pytest.mark.parametrize(("title", "run", "line", "code"), CASES)
def test_a_lone_surrogate_is_an_error_at_the_strings_position(write_runbook, title: str, run: str, line: int, code: str) -> None:
    error = only_error(write_runbook(_runbook(title, run)))
    assert at(error)[0] == line
    assert code in error.message
    assert "expected" in error.message


@pytest.mark.parametrize(("title", "run", "line", "code"), CASES)
@pytest.mark.parametrize("command", [["validate"], ["plan"], ["plan", "--json"], ["exec", "--solo", "t"]])
def test_a_lone_surrogate_exits_2_without_a_traceback(
    write_runbook, tmp_path: Path, capsys, command: list[str], title: str, run: str, line: int, code: str
) -> None:
    path = write_runbook(_runbook(title, run))
    journal = tmp_path / "j.jsonl"
    extra = ["--journal", str(journal)] if command[0] == "exec" else []
    assert cli_main([command[0], str(path), *command[1:], *extra]) == 2
    said = capsys.readouterr()
    assert said.out == ""
    first = said.err.splitlines()[0]
    assert first.startswith(f"{path}:{line}:"), said.err
    assert code in first
    assert not journal.exists()


@pytest.mark.parametrize("kind", ["plain", "shell"])
def test_a_late_string_making_a_lone_surrogate_never_renders(kind: str) -> None:
    """A string rendered just before its step (captured.*) is refused there too, whatever the capture held."""
    with pytest.raises(TemplateError, match="U\\+D800"):
        render("{{ captured.x }}{{ '%c' % 55296 }}", kind, {"captured": {"x": "a"}})  # type: ignore[arg-type]


def test_a_whole_astral_character_still_renders() -> None:
    assert render('{{ "\\U0001F680" }} go', "plain", {}) == "\U0001f680 go"
    assert render_command('echo {{ "\\U0001F680" }}', {}).shown == "echo '\U0001f680'"


def test_the_first_lone_surrogate_is_named_after_whole_characters_of_any_plane() -> None:
    """Accented, CJK and astral characters before it are whole: the first lone half is the one the error names."""
    with pytest.raises(TemplateError, match="U\\+DC00"):
        render("café 全角 \U0001f680 {{ '%c' % 56320 }}{{ '%c' % 55296 }}", "plain", {})


@pytest.mark.parametrize("text", ["plain ascii", "café", "全角 ok", "\U0001f680 \U0010fffd", "\x7f\x85\u2028"])
def test_text_of_whole_characters_renders_as_written(text: str) -> None:
    assert render("{{ x }}", "plain", {"x": text}) == text


COMPILED_AT_START = """
import re, sys
import runbook_tui.cli, runbook_tui.ui.launch
from runbook_tui.runbook.templating import render
render("{{ x }}", "plain", {"x": "caf\\u00e9"})
print(sum("\\ud800" in str(key[1]) for key in re._cache))
"""


def test_the_check_compiles_no_pattern_of_the_surrogates_at_start() -> None:
    """Its range took ~0.5 ms to compile in every process before a runbook was read (bench/README, paint37)."""
    done = subprocess.run([sys.executable, "-c", COMPILED_AT_START], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0"], "a pattern of the surrogates' range is compiled at start"
