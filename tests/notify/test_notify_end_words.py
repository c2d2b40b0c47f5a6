"""The end's notice says how the run ended in the words the run screen and the report say, to a real receiver.

Its summary read `CHG-7 '…' ended: rolled_back` (the journal's name for the outcome) while the run screen's last
status row, `exec`'s line and the report's Outcome read `ROLLED BACK to the last checkpoint (a)`: the receiver was
told neither in words nor that the checkpoint's changes stand. `details.outcome` stays the journal's name.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from receivers import Receiver

pytestmark = pytest.mark.peers

RUNBOOK = """\
    runbook: 1
    id: end-words
    title: End words
    ticket: {{id: CHG-7, subject: words}}
    notify:
      - {{url: "{url}", events: [session_finished]}}
    sections:
      - id: impl
        title: Change
        kind: implement
        steps:
          - {{id: a, title: Step a, run: echo a, {checkpoint}}}
          - {{id: b, title: Step b, run: echo b, undo: echo undo-b}}
          - {{id: c, title: Step c, run: "{last}", undo: echo undo-c}}
"""


@pytest.mark.parametrize(("checkpoint", "last", "policy", "outcome", "said"), [
    ("checkpoint: true", "false", "rollback", "rolled_back", "ended: ROLLED BACK to the last checkpoint (a); journal "),
    ("undo: echo undo-a", "false", "rollback", "rolled_back", "ended: ROLLED BACK to the last checkpoint (the start); journal "),
    ("checkpoint: true", "false", "abort", "rolled_back", "ended: ROLLED BACK; journal "),  # the whole change undone
    ("checkpoint: true", "false", "stop", "failed", "ended: FAILED; journal "),
    ("checkpoint: true", "true", "stop", "done", "ended: done; journal "),
])  # fmt: skip
def test_the_end_notice_says_the_outcome_as_the_run_screen_does(
    receiver: Callable[[str], Receiver], tmp_path: Path, checkpoint: str, last: str, policy: str, outcome: str, said: str
) -> None:
    hook = receiver("ok")
    path = tmp_path / "runbook.yaml"
    path.write_text(textwrap.dedent(RUNBOOK.format(url=hook.url, checkpoint=checkpoint, last=last)), encoding="utf-8")
    cli = [sys.executable, "-m", "runbook_tui", "exec", str(path), "--solo", "end words", "--journal", "run.jsonl", "--on-failure", policy]
    ran = subprocess.run(cli, cwd=tmp_path, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert ran.returncode == (0 if outcome == "done" else 1), ran.stdout + ran.stderr
    hook.wait_for(lambda r: len(r.requests) == 1, 30.0, "the end's notice")
    body = hook.requests[0].body
    assert f"CHG-7 'End words' {said}" in body["summary"], body["summary"]
    words = said.removeprefix("ended: ").removesuffix("; journal ")
    assert body["details"]["outcome"] == outcome and body["details"]["outcome_words"] == words, body["details"]
    assert f"outcome {words}" in ran.stdout, "exec's own line says it in the same words"
