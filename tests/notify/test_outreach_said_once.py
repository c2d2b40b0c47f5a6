"""A silence Alertmanager refused, and a notice a receiver refused, are each said once: by exec, on the run screen's
log (and so the verifier's and replay's) and in the report's timeline.

Before: exec printed two lines for one failure, `silence_failed … could not create: connection refused (asked 3 times)`
and `error silence (create) to … failed: connection refused (asked 3 times)` (a notice likewise): the failure event,
then the `error` journaled after it so the run screen's log would show it. Now the failure event is said, the error
(`outreach`, `transient`: the same failure again) is journaled and said by none.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap
from pathlib import Path

from runbook_tui.engine.journal import read_events
from runbook_tui.report import build_report, render
from runbook_tui.ui.log_lines import log_lines


def _refused_port() -> int:
    """A port nothing listens on (bound, then closed): a connection to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_refused_silence_and_notice_are_said_once_everywhere(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_refused_port()}"
    (tmp_path / "runbook.yaml").write_text(
        textwrap.dedent(f"""\
            runbook: 1
            id: said-once
            title: Said once
            ticket: {{id: CHG-3, subject: once}}
            notify:
              - {{url: "{url}/hook", events: [session_started]}}
            alerts:
              alertmanager: "{url}"
              silence:
                - {{matchers: ['alertname="X"'], comment: the change}}
              until: session_end
            sections:
              - id: impl
                title: Change
                kind: implement
                steps:
                  - {{id: a, title: Step a, run: echo a, undo: echo undo-a}}
            """),
        encoding="utf-8",
    )
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    result = subprocess.run(
        [sys.executable, "-m", "runbook_tui", "exec", "runbook.yaml", "--solo", "t", "--journal", "j.jsonl"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    events = read_events(tmp_path / "j.jsonl").events
    errors = [e["message"] for e in events if e["type"] == "error" and e.get("outreach")]
    assert any(m.startswith("silence (create) to") for m in errors), f"journaled as before: {errors}"  # (the notice's: if the run had not ended)
    printed = result.stdout.splitlines()
    assert sum("connection refused" in line for line in printed if "alertname" in line or "silence" in line) == 1, result.stdout
    assert sum("session_started to" in line or "notification (session_started)" in line for line in printed) == 1, result.stdout
    assert not [line for line in printed if " error " in line], result.stdout
    pane = [line for e in events for line in log_lines(e)]
    refused = [line for line in pane if "connection refused" in line]
    assert len(refused) == 2 and all(line.startswith("!! ") for line in refused), pane
    # The pane's line names what failed (it read `!! alertname="X" at URL could not create: …`, a subject of nothing).
    assert any(line.startswith('!! alert silence alertname="X" at ') and "could not be made: connection refused" in line for line in refused), refused
    timeline = render(build_report(tmp_path / "j.jsonl"), "md").split("## Timeline")[1]
    assert sum("could not be made" in line for line in timeline.splitlines()) == 1, timeline
    assert "silence (create) to" not in timeline, timeline
    # The report's Errors table listed it again beside the silences table's `NOT CREATED: connection refused`: once, there.
    markdown = render(build_report(tmp_path / "j.jsonl"), "md")
    assert "## Errors" not in markdown and "silence (create) to" not in markdown, markdown
    assert 'alertname="X" | ' + url in markdown and "NOT CREATED: connection refused (asked 3 times)" in markdown, markdown
