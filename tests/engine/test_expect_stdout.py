"""`expect.stdout` on hostile output: a pattern that backtracks without end cannot hold the run (and its screen).

A command prints a long run of `x`; the runbook expects `(x+x+)+y`, which Python's `re` takes exponential time to
give up on: the run sat on one search, its event loop stuck (no key, no frame, no other host), for ever. Now the
search stops after `SEARCH_SECONDS`, counts as no match, and says so; a plain mismatch reads as before.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from runbook_tui.engine.expect_stdout import StdoutExpectation
from runbook_tui.runbook.bounded_search import SEARCH_SECONDS

RUNBOOK = textwrap.dedent(
    """\
    runbook: 1
    id: backtracking
    title: A pattern that backtracks
    sections:
      - id: pre
        title: Pre-checks
        kind: precheck
        steps:
          - id: lag
            title: Replication lag
            run: python3 -c "print('x' * 5000)"
            expect: {stdout: '(x+x+)+y'}
            verify: none
    """
)


def test_a_backtracking_pattern_on_hostile_output_fails_the_step_and_says_why(tmp_path: Path) -> None:
    (tmp_path / "r.yaml").write_text(RUNBOOK, encoding="utf-8")
    journal = tmp_path / "J.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "runbook_tui", "exec", "r.yaml", "--solo", "t", "--journal", str(journal)],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path / "state"), "RUNBOOK_TUI_USER": "t"},
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    events = [json.loads(line) for line in journal.read_text().splitlines()]
    [finished] = [e for e in events if e["type"] == "step_finished"]
    assert finished["status"] == "failed" and finished["hosts"]["local"]["error"] == "stdout did not match", finished
    said = f"stdout: /(x+x+)+y/ was searched for {SEARCH_SECONDS:g} s without an answer"
    assert said in done.stdout, done.stdout


def test_a_plain_mismatch_and_a_match_read_as_before() -> None:
    expectation = StdoutExpectation(r"^0(\.\d+)?$")
    assert expectation.problem("0.25") is None
    assert expectation.problem("1.5") == r"stdout did not match /^0(\.\d+)?$/"


SECRET_PATTERN = textwrap.dedent(
    """\
    runbook: 1
    id: secret-pattern
    title: A secret in the pattern
    secrets:
      tok: {env: RBT_TOK}
    sections:
      - id: pre
        kind: precheck
        steps:
          - {id: raw, run: "echo hello", verify: none, expect: {stdout: 'x{{ secrets.tok | raw }}'}}
    """
)


def test_a_pattern_a_secret_breaks_never_says_where_it_broke(tmp_path: Path) -> None:
    """`x{{ secrets.tok | raw }}` with the secret `s3cr3t-tok.4711(`: the step failed `/x***/ is not a valid regular
    expression: missing ) at position 17`, telling the secret's length and that it holds a `(` (`bad escape \\q at
    position N` told one of its letters). Now the step says the secret broke the pattern, not where, and the fix."""
    (tmp_path / "r.yaml").write_text(SECRET_PATTERN, encoding="utf-8")
    journal = tmp_path / "J.jsonl"
    for secret in ("s3cr3t-tok.4711(", "s3cr3t\\qtok"):
        journal.unlink(missing_ok=True)
        done = subprocess.run(
            [sys.executable, "-m", "runbook_tui", "exec", "r.yaml", "--solo", "t", "--journal", str(journal)],
            cwd=tmp_path, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path / "state"), "RUNBOOK_TUI_USER": "t", "RBT_TOK": secret},
        )  # fmt: skip
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stdout + done.stderr
        said = done.stdout + journal.read_text()
        assert "position" not in said and "escape" not in said and "missing" not in said, said
        assert "expect.stdout: /x***/ is not a valid regular expression once a secret's value is inserted as written" in done.stdout, done.stdout
        assert "write {{ secrets.NAME }} without | raw" in done.stdout, done.stdout
