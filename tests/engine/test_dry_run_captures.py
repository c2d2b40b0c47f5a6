"""A dry run never computes with a capture it does not know: it says the value is unknown, and runs nothing.

A real `runbook-tui exec --dry-run`. A dry run captures words (`⟨captured.n:
dry run, nothing ran⟩`), not output; inserted as text they say so. Before,
a later command that computed with them got a value the run would never have
had, silently: `{{ captured.n | int + 1 }}` read `echo 1` (the run would
print 6), and `{% if captured.n == "5" %}` took the other branch.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

CLI = [sys.executable, "-m", "runbook_tui"]
UNKNOWN = "(not rendered: it computes with captured.n, which a dry run does not know (nothing ran to capture it))"


def _events(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_a_dry_run_says_a_command_computing_with_a_capture_is_unknown_and_never_computes_it(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger"
    runbook = tmp_path / "runbook.yaml"
    runbook.write_text(
        textwrap.dedent(f"""
        runbook: 1
        id: captures
        title: Captures in a dry run
        sections:
          - id: s
            steps:
              - {{id: count, run: "echo 5; echo count >> {ledger}", capture: n, verify: none}}
              - id: next
                title: "Scale to {{{{ captured.n | int + 1 }}}}"
                run: "echo {{{{ captured.n | int + 1 }}}} >> {ledger}"
                verify: none
              - id: branch
                run: "{{% if captured.n == '5' %}}echo five{{% else %}}echo other{{% endif %}} >> {ledger}"
                verify: none
              - {{id: plain, run: "echo {{{{ captured.n }}}} >> {ledger}", verify: none}}
        """),
        encoding="utf-8",
    )
    path = tmp_path / "j.jsonl"
    went = subprocess.run(
        [*CLI, "exec", str(runbook), "--solo", "dry run test", "--dry-run", "--journal", str(path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert went.returncode == 0, went.stdout + went.stderr
    assert not ledger.exists(), "nothing ran"
    out = went.stdout
    computed = f"echo {{{{ captured.n | int + 1 }}}} >> {ledger}  {UNKNOWN}"
    assert f"[dry-run] would run on local: {computed}" in out, out  # before: `echo 1 >> …`
    assert "echo 1 >>" not in out and "echo other >>" not in out and "Scale to 1" not in out, out
    assert "[dry-run] would run on local: {% if captured.n == '5' %}echo five" in out, out
    assert f"[dry-run] would run on local: echo '⟨captured.n: dry run, nothing ran⟩' >> {ledger}" in out, out  # inserted: it says so
    events = _events(path)
    [ready] = [e for e in events if e["type"] == "step_ready" and e["step"] == "next"]
    assert ready["commands"] == {"local": computed}, ready
    assert ready["title"] == f"Scale to {{{{ captured.n | int + 1 }}}}  {UNKNOWN}", ready["title"]
    assert events[-1]["type"] == "session_finished" and events[-1]["outcome"] == "done", events[-1]
