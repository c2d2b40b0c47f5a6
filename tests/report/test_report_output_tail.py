"""The output under a fanned-out attempt: the journal keeps all of it, the report the last lines of each host. What
the label says was shown must be what is shown."""

from __future__ import annotations

import json
import re
from pathlib import Path

from runbook_tui.engine import events as ev
from runbook_tui.engine.history_model import TAIL_LINES
from runbook_tui.engine.journal import JournalWriter
from runbook_tui.report import build_report, render
from tests.engine.test_exec_cli import run_exec

HOSTS = ["web1", "web2"]
PLAN = {
    "sections": [
        {"id": "impl", "kind": "implement", "steps": [{"id": "s", "title": "S", "hosts": [{"name": h} for h in HOSTS], "run": {h: "seq 30" for h in HOSTS}}]}
    ]
}


def journal_of_a_chatty_and_a_quiet_host(path: Path) -> Path:
    """web1 prints 30 lines, web2 three: 33 in all."""
    writer = JournalWriter(path)
    writer.append(ev.SESSION_STARTED, "alice", {"session": "s1", "runbook": "rb", "title": "T", "mode": "live", "plan": PLAN, "solo": "night shift"})
    writer.append(ev.STEP_STARTED, "alice", {"step": "s", "attempt": 1, "hosts": HOSTS})
    for host, count in (("web1", 30), ("web2", 3)):
        text = "".join(f"{host} line {n}\n" for n in range(1, count + 1))
        writer.append(ev.OUTPUT, "system", {"step": "s", "host": host, "stream": "stdout", "text": text, "phase": "run"})
    done = {h: {"status": "done", "exit_code": 0, "error": None} for h in HOSTS}
    writer.append(ev.STEP_FINISHED, "system", {"step": "s", "status": "done", "hosts": done, "problems": [], "verified": False})
    writer.append(ev.SESSION_FINISHED, "alice", {"outcome": "done"})
    writer.close()
    return path


def test_the_output_label_counts_the_lines_shown_per_host_as_shown(tmp_path: Path) -> None:
    """Before: `Output (33 lines, last 23 per host shown; …)`: the lines shown of all hosts together, called each host's
    share (web1 showed its last 20, web2 all of its 3)."""
    report = build_report(journal_of_a_chatty_and_a_quiet_host(tmp_path / "j.jsonl"))
    md, html = render(report, "md"), render(report, "html")
    shown = [line for line in md.splitlines() if re.match(r"\s+web[12] \| ", line)]
    assert len([line for line in shown if "web1" in line]) == TAIL_LINES and len([line for line in shown if "web2" in line]) == 3
    said = f"Output (33 lines, the last {TAIL_LINES} of each host shown; all of it is in the journal):"
    assert said in md and said in html, [line for line in md.splitlines() if "Output" in line]


#: `a`'s undo prints 30 lines; `b` fails, and exec rolls back to the start.
LONG_UNDO = """\
    runbook: 1
    id: long-undo
    title: Long undo
    sections:
      - id: impl
        kind: implement
        steps:
          - {id: a, title: Step a, run: echo a, undo: seq 30}
          - {id: b, title: Step b, run: exit 3}
"""


def test_an_undo_whose_output_was_cut_says_it_shows_its_last_lines(tmp_path: Path) -> None:
    """Before: `Output of undo 1 (a on local):` over the numbers 11 to 30, as if the undo had printed only those."""
    ran = run_exec(tmp_path, LONG_UNDO, "s3cr3t-undo-1", "--on-failure", "rollback")
    assert ran.returncode == 1 and "rollback finished" in ran.stdout, ran.stdout + ran.stderr
    report = build_report(tmp_path / "run.jsonl")
    [undo] = [u for u in report.rollbacks[0].undo if u.step == "a"]
    assert [line.text for line in undo.output_tail] == [str(n) for n in range(31 - TAIL_LINES, 31)]
    md, html = render(report, "md"), render(report, "html")
    said = f"30 lines, the last {TAIL_LINES} shown; all of it is in the journal"
    assert f"Output of undo 2 (a on local, {said}):" in md, [line for line in md.splitlines() if "Output of undo" in line]
    assert f'<div class="muted">Output ({said}):</div>' in html


def test_an_undo_says_how_many_lines_it_printed(tmp_path: Path) -> None:
    """Before: `Output of undo 2 (a on local):` over 3 lines, and the same label over the last 20 lines of 5,000 but for
    `its last 20 lines`: never how many; nor did the JSON say it (an attempt's label and JSON count them)."""
    ran = run_exec(tmp_path, LONG_UNDO.replace("seq 30", "seq 3"), "s3cr3t-undo-2", "--on-failure", "rollback")
    assert ran.returncode == 1 and "rollback finished" in ran.stdout, ran.stdout + ran.stderr
    report = build_report(tmp_path / "run.jsonl")
    md, html = render(report, "md"), render(report, "html")
    assert "Output of undo 2 (a on local, 3 lines):" in md, [line for line in md.splitlines() if "Output of undo" in line]
    assert '<div class="muted">Output (3 lines):</div>' in html
    [undo] = [u for u in json.loads(render(report, "json"))["rollbacks"][0]["undo"] if u["step"] == "a"]
    assert undo["output_lines"] == 3 and [line["text"] for line in undo["output_tail"]] == ["1", "2", "3"], undo
