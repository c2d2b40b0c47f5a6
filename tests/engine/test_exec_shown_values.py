"""`exec` prints each command as it means to the shell: a value inside "..." is shown escaped. Before, the parameter
`$(touch PWN1)`touch PWN2`"; touch PWN3; echo "` in `echo "{{ v }}" > o1` printed
`run on local: echo "$(touch PWN1)`touch PWN2`"; touch PWN3; echo "" > o1` (three commands to whoever read it),
while what ran wrote the value to o1 and touched nothing. A real process, real `sh`."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from runbook_tui.engine.redact import Redactor

VALUE = '$(touch PWN1)`touch PWN2`"; touch PWN3; echo "'
RUNBOOK = """\
    runbook: 1
    id: shown-values
    title: Values shown as they run
    params:
      v: {type: string, default: 'X'}
    sections:
      - id: impl
        title: Change
        kind: implement
        steps:
          - id: t
            title: echo quoted
            run: echo "{{ v }}" > o1
"""


def test_exec_prints_a_quoted_value_escaped_and_the_printed_line_does_what_ran(tmp_path: Path) -> None:
    (tmp_path / "runbook.yaml").write_text(textwrap.dedent(RUNBOOK).replace("'X'", "'" + VALUE + "'"), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("RUNBOOK_TUI_USER", "RUNBOOK_TUI_SETTINGS")}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "xdg-config"), XDG_STATE_HOME=str(tmp_path / "xdg-state"))
    result = subprocess.run(
        [sys.executable, "-m", "runbook_tui", "exec", "runbook.yaml", "--solo", "e2e test", "--journal", "run.jsonl"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    shown = 'echo "\\$(touch PWN1)\\`touch PWN2\\`\\"; touch PWN3; echo \\"" > o1'
    lines = [line for line in result.stdout.splitlines() if line.startswith("   run on local: ")]
    assert lines == [f"   run on local: {shown}"], result.stdout
    assert (tmp_path / "o1").read_text(encoding="utf-8") == VALUE + "\n"
    assert not list(tmp_path.glob("PWN*"))
    again = tmp_path / "again"
    again.mkdir()
    subprocess.run(["sh", "-c", shown], cwd=again, check=True, timeout=10)  # what the line says, run as read
    assert [p.name for p in again.iterdir()] == ["o1"] and (again / "o1").read_text(encoding="utf-8") == VALUE + "\n"


def test_a_secret_shown_escaped_is_masked() -> None:
    """A dry run prints the command with the secret inline: escaped for "..." or a heredoc, or quoted as a word."""
    secret = "pa$$\"w`o\\rd'x"
    redactor = Redactor([secret])
    for written in ("pa\\$\\$\\\"w\\`o\\\\rd'x", "pa\\$\\$\"w\\`o\\\\rd'x", "'pa$$\"w`o\\rd'\"'\"'x'"):
        assert "w`o" not in redactor.text(f"echo {written} end") and "***" in redactor.text(f"echo {written} end"), written
