"""`validate` says which commands no shell can parse, at their `run:` or `undo:`, at 5 PM rather than at the step at 2 AM.

Each command is read by `bash -n` (bash parses a superset of POSIX sh: what it refuses, dash refuses too) as it would
run: values out of band (`"${RBT_V1}"`), so a value never makes or hides an error. A command rendered only when its
step runs (`captured.*`, `host.*`) is read then, not here.
"""

from __future__ import annotations

import subprocess

import pytest
from helpers_runbook import cli_main

BROKEN = {
    'echo "a': "unexpected EOF while looking for matching",
    "echo (a": "syntax error near unexpected token",
    "if true; then echo yes": "syntax error: unexpected end of file",
    "echo $(date": "unexpected EOF while looking for matching",
    'echo "{{ x }}': "unexpected EOF while looking for matching",
}


@pytest.mark.parametrize("command", sorted(BROKEN))
def test_a_command_no_shell_parses_is_said_at_its_place(write_runbook, capsys, command):
    path = write_runbook(
        "runbook: 1\nid: d\ntitle: D\nparams:\n  x: {type: string, required: true}\nsections:\n  - id: main\n    steps:\n"
        f"      - id: a\n        run: echo fine\n        undo: '{command}'\n"
    )
    assert cli_main(["validate", str(path)]) == 0  # a warning: exec would run it, and the step would fail there
    err = capsys.readouterr().err
    assert f"{path}:11:15: warning: 'undo' is no shell command sh can run: bash -n says" in err, err
    assert BROKEN[command] in err
    # and the shell agrees when it runs: the same text, the same refusal
    assert subprocess.run(["sh", "-c", command.replace("{{ x }}", "v")], capture_output=True, stdin=subprocess.DEVNULL, timeout=30).returncode == 2


def test_commands_that_parse_are_not_warned_whatever_their_values(write_runbook, capsys):
    path = write_runbook(
        'runbook: 1\nid: d\ntitle: D\nparams:\n  x: {type: string, default: "it\'s a \\"quote\\" (here"}\nsections:\n  - id: main\n    steps:\n'
        '      - id: b\n        run: \'printf "%s\\n" "$(date)" | grep -c x || true\'\n        capture: c\n'
        "      - id: a\n        run: |\n          cat <<'EOF'\n          it's (open\n          EOF\n          echo \"{{ x }}\"\n"
        "        undo: echo {{ captured.c }} 'late, read when it runs'\n"
    )
    assert cli_main(["validate", str(path)]) == 0
    assert "bash -n" not in capsys.readouterr().err
