"""An undo's output belongs to the rollback that ran it: exec killed (SIGKILL) during a full rollback's undo, and the
rollback resumed by someone else, from real `exec` and `resume` processes."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from waiting import wait_until

from runbook_tui.report import build_report, render
from tests.engine.test_exec_cli import exec_env

#: a's undo says which run of it this is, then waits for `go`; b fails, and `--on-failure abort` rolls back in full.
NIGHT = """\
    runbook: 1
    id: undo-output
    title: Undo output
    sections:
      - id: impl
        title: Change
        kind: implement
        steps:
          - id: a
            title: Step a
            run: echo a
            undo: 'n=$(cat runs 2>/dev/null || echo 0); n=$((n+1)); echo $n > runs; echo undo-run-$n; while [ ! -e go ]; do sleep 0.05; done; echo a-undone-$n'
          - {id: b, title: Step b, run: exit 3, undo: echo undo-b}
      - id: back
        title: Back out
        kind: rollback
        steps:
          - {id: r, title: Restore, run: echo restore}
"""


def _undo_of_a(rollback: dict[str, object]) -> list[str]:
    [entry] = [u for u in rollback["undo"] if u["step"] == "a"]  # type: ignore[attr-defined]
    return [line["text"] for line in entry["output_tail"]]


def test_the_output_of_an_undo_the_process_died_in_stays_with_its_rollback(tmp_path: Path) -> None:
    """Before: the first rollback's undo of a, cut by the kill, showed no output, and the second rollback's undo of a
    showed `undo-run-1` above its own `undo-run-2`: what the dead process's undo printed read as the resumed one's."""
    (tmp_path / "runbook.yaml").write_text(textwrap.dedent(NIGHT), encoding="utf-8")
    out = tmp_path / "exec.out"
    env = exec_env(tmp_path, "unused")
    with out.open("wb") as sink:
        running = subprocess.Popen(
            [sys.executable, "-m", "runbook_tui", "exec", "runbook.yaml", "--solo", "night", "--on-failure", "abort", "--journal", "run.jsonl"],
            cwd=tmp_path, env=env | {"RUNBOOK_TUI_USER": "alice"}, stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        journal = tmp_path / "run.jsonl"
        wait_until(
            lambda: journal.exists() and "undo-run-1" in journal.read_text(errors="replace"), lambda: f"a's undo to print:\n{out.read_text()}", alive=running
        )
        running.send_signal(signal.SIGKILL)
        running.wait(30)
    finally:
        (tmp_path / "go").touch()  # the undo the killed process left running ends too
        if running.poll() is None:
            running.kill()
            running.wait()
    resumed = subprocess.run(
        [sys.executable, "-m", "runbook_tui", "resume", "run.jsonl", "--headless", "--rollback", "--full"],
        cwd=tmp_path, env=env | {"RUNBOOK_TUI_USER": "carol"}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert resumed.returncode == 1 and "outcome ROLLED BACK" in resumed.stdout, resumed.stdout + resumed.stderr
    report = build_report(tmp_path / "run.jsonl")
    first, second = json.loads(render(report, "json"))["rollbacks"]
    assert (_undo_of_a(first), _undo_of_a(second)) == (["undo-run-1"], ["undo-run-2", "a-undone-2"])
    markdown = render(report, "md")
    one, two = markdown.split("### Rollback 2")
    assert "undo-run-1" in one.split("### Rollback 1")[1] and "undo-run-1" not in two.split("## Timeline")[0], markdown
    # r ran in the second rollback only (before: the first, cut before r, said `Then the rollback section's steps: r`)
    assert "Then the rollback section's steps: r (see Steps); not reached: the rollback stopped before them." in one, one
    assert "Then the rollback section's steps: r (see Steps)." in two.split("## Timeline")[0]
    html = render(report, "html")
    assert html.count("not reached: the rollback stopped before them") == 1, html
    # the same journal as it stood before carol's resume: it ends during the undo, whose output is the record's
    lines = (tmp_path / "run.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    cut = next(i for i, line in enumerate(lines) if json.loads(line)["type"] == "session_resumed")
    (tmp_path / "cut.jsonl").write_text("".join(lines[:cut]), encoding="utf-8")
    [only] = json.loads(render(build_report(tmp_path / "cut.jsonl"), "json"))["rollbacks"]
    assert _undo_of_a(only) == ["undo-run-1"]  # before: none, though the journal holds it
