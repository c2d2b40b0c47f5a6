"""A NUL written into a command's text (YAML's `"\\0"` or `"\\x00"` escapes), its folder or its environment: no command can
receive one (the kernel's argv and environment end strings at it), so `validate` refuses it where it is written.

Before: `validate` ended in a traceback (`ValueError: embedded null byte`, exit 1) when a `run` or `undo` held one; a
`cwd` or `env` value holding one validated `ok`, and the step failed as it started (`cannot start the command:
embedded null byte`), after the steps before it had run.
"""

from __future__ import annotations

import pytest
from helpers_runbook import MINIMAL, at, cli_main, only_error


@pytest.mark.parametrize(
    ("line", "key", "col"),
    [
        ('run: "echo a\\0b"', "run", 14),
        ('undo: "rm -f a\\x00"', "undo", 15),
        ('cwd: "/tmp\\0"', "cwd", 14),
        ('env: {PGHOST: "db\\0"}', "env PGHOST", 23),
    ],
)
def test_a_nul_in_a_commands_text_folder_or_environment_is_refused_at_validate(write_runbook, capsys, line, key, col):
    text = MINIMAL.replace("run: echo hello", line) if line.startswith("run") else MINIMAL + f"        {line}\n"
    path = write_runbook(text)
    err = only_error(path)
    assert at(err) == (8 if line.startswith("run") else 9, col)
    assert err.message == f"'{key}' holds a NUL character (\\0), which no command can receive; expected text without it"
    assert cli_main(["validate", str(path)]) == 2
    said = capsys.readouterr().err
    assert "Traceback" not in said and f"{path}:{at(err)[0]}:{col}: '{key}' holds a NUL" in said, said


def test_a_nul_in_text_a_person_reads_is_shown_not_refused(write_runbook):
    """A title, note or confirm is shown (the NUL as `\\x00`), never given to a command: no reason to refuse it."""
    path = write_runbook(MINIMAL.replace("run: echo hello", 'run: "true"\n        confirm: "careful\\0"'))
    assert cli_main(["validate", str(path)]) == 0
