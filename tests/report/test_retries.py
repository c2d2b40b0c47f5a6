"""A try that fails and is retried (`retries:`) is in the record: the journal says how that try ended, and the report
says so under the attempt in every format (the journal's note read `local: retry 1/2 in 0.1s`; the report showed the
host done with exit 0 and nothing else; the failed try's exit code was nowhere)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from runbook_tui.engine.journal import read_events

#: `flaky` fails its first try (exit 3) and passes its second; `picky` prints the wrong thing once (expect.stdout).
RETRIED = """\
runbook: 1
id: retried
title: Retried steps
sections:
  - id: main
    title: Main
    steps:
      - id: flaky
        title: Flaky
        run: n=$(cat tries 2>/dev/null || echo 0); echo $((n + 1)) > tries; echo "try $((n + 1))"; test "$n" -ge 1 || exit 3
        retries: 2
        retry_delay: 0.1
      - id: picky
        title: Picky
        run: if [ -e said ]; then echo ready; else touch said; echo not yet; fi
        expect: {stdout: '^ready$'}
        retries: 1
        retry_delay: 0.1
"""

FLAKY = "local: exit code 3, expected 0; retry 1/2 in 0.1s"
PICKY = "local: stdout did not match /^ready$/; retry 1/1 in 0.1s"


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "XDG_STATE_HOME": str(tmp_path / "state"), "RUNBOOK_TUI_USER": "alice"}
    return subprocess.run([sys.executable, "-m", "runbook_tui", *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)


def exec_retried(tmp_path: Path) -> list[dict]:
    """`exec` of RETRIED: both steps end done, each after one failed try; the journal's events."""
    (tmp_path / "rb.yaml").write_text(RETRIED, encoding="utf-8")
    result = run(tmp_path, "exec", "rb.yaml", "--solo", "test", "--journal", "j.jsonl")
    assert result.returncode == 0, result.stdout + result.stderr
    read = read_events(tmp_path / "j.jsonl")
    assert read.intact, read.problems
    return list(read.events)


def test_a_retried_try_is_journaled_with_how_it_ended_and_reported_in_every_format(tmp_path: Path) -> None:
    journal = exec_retried(tmp_path)
    notes = [(e["step"], e["text"]) for e in journal if e["type"] == "note"]
    assert notes == [("flaky", FLAKY), ("picky", PICKY)], notes

    for fmt in ("md", "html", "json"):
        result = run(tmp_path, "report", "j.jsonl", "--format", fmt, "-o", f"r.{fmt}")
        assert result.returncode == 0, result.stderr
    markdown = (tmp_path / "r.md").read_text(encoding="utf-8")
    shown = {"flaky": FLAKY, "picky": PICKY.replace("$", "\\$")}  # Markdown-escaped
    for number, (step, note) in enumerate(shown.items(), 1):  # under the step's attempt, not only in the Notes table
        section = markdown[markdown.index(f"### {number}. {step}") :]
        attempt = section[section.index("- attempt 1:") :]
        assert attempt.splitlines()[1] == f"  - a try failed: {note}", attempt[:300]
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert f'<span class="warn">a try failed:</span> {FLAKY}' in html
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert {s["id"]: [a["retries"] for a in s["attempts"]] for s in data["steps"]} == {"flaky": [[FLAKY]], "picky": [[PICKY]]}
    assert {s["id"]: [h["exit_code"] for h in s["attempts"][0]["hosts"]] for s in data["steps"]} == {"flaky": [0], "picky": [0]}
