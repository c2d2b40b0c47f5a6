"""A command's text, folder or environment value longer than Linux passes in one argument (MAX_ARG_STRLEN: 131,071
bytes and the NUL that ends it) is refused at `validate`, where it is written.

Before: a runbook with a 140 KB `run:` validated `ok`; the step failed only as it started (`cannot start the command:
the command text is 140,005 bytes, and Linux passes at most 131,071 …`), after the steps before it had run. A command
that only grows past the limit as it renders still fails at run time, with those words.
"""

from __future__ import annotations

import pytest
from helpers_runbook import MINIMAL, at, cli_main, only_error

LIMIT = 131_071


@pytest.mark.parametrize(
    ("written", "key", "col", "size"),
    [
        ("run: echo {}", "run", 14, 140_005),
        ("undo: echo {}", "undo", 15, 140_005),
        ("env: {{PAYLOAD: {}}}", "env PAYLOAD", 24, 140_000),
    ],
)
def test_a_command_text_linux_cannot_pass_is_refused_at_validate(write_runbook, capsys, written, key, col, size):
    line = written.format("a" * 140_000)
    text = MINIMAL.replace("run: echo hello", line) if line.startswith("run") else MINIMAL + f"        {line}\n"
    path = write_runbook(text)
    err = only_error(path)
    assert at(err) == (8 if line.startswith("run") else 9, col)
    assert err.message == (
        f"'{key}' is {size:,} bytes, and Linux passes at most {LIMIT:,} in one argument or environment variable;"
        " expected a shorter text (keep data this large in a file the command reads)"
    )
    assert cli_main(["validate", str(path)]) == 2
    said = capsys.readouterr().err
    assert f"{path}:{at(err)[0]}:{col}: '{key}' is {size:,} bytes" in said, said


def test_a_command_text_within_the_limit_validates(write_runbook):
    """The longest text Linux passes (its size counted in bytes, as the kernel counts them: `é` is two)."""
    path = write_runbook(MINIMAL.replace("run: echo hello", "run: echo " + "é" * ((LIMIT - 5) // 2)))
    assert cli_main(["validate", str(path)]) == 0
