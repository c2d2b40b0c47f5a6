"""A shell reading its script on stdin behind options that take a word, a `+` option, or under another name.

`| bash -o posix`, `| bash +x`, `| bash --rcfile /dev/null`, `| rbash`, `| "${SHELL:-sh}"` and `| $BASH` passed
`validate`, and the shell ran the value piped to it (x = `a; touch F` made F): `posix` was taken for the script's
file, `+x` for no option, rbash for no shell, and a shell named by `$SHELL` or `$BASH` for an unknown program. Now
each is refused at the value's position; `bash -o posix script.sh` still reads its script from the file.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_runbook import cli_main
from shell_holes import RUNBOOK

from runbook_tui.runbook.shell_commands import stdin_script_reader

READERS = ["bash -o posix", "bash +x", "bash -eo pipefail", "bash --rcfile /dev/null", "sh +o errexit -", "rbash", '"${SHELL:-sh}"', "$BASH"]


@pytest.mark.parametrize("reader", READERS)
def test_a_value_piped_into_such_a_shell_is_refused_at_its_position(
    reader: str, write_runbook: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    template = f"printf '%s\\n' \"{{{{ x }}}}\" | {reader}"
    path = write_runbook(RUNBOOK.format(run=template))
    assert cli_main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:11:{11 + template.index('{{ x')}: " in err and "reading stdin" in err, err


@pytest.mark.parametrize("reader", READERS)
def test_the_holes_were_real(reader: str, tmp_path: Path) -> None:
    made = tmp_path / "made"
    env = {**os.environ, "SHELL": "/bin/bash", "V": f"touch {made}"}
    subprocess.run(["bash", "-c", f"printf '%s\\n' \"$V\" | {reader}"], cwd=tmp_path, env=env, capture_output=True, timeout=30)
    assert made.exists(), reader


def test_a_script_file_after_such_options_is_no_stdin_reader() -> None:
    assert [stdin_script_reader(w.split()) for w in ("bash -o posix run.sh", "bash +x run.sh", "bash --rcfile rc run.sh")] == [None, None, None]
