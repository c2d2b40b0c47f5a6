"""`exec` says, as the run opens, when the assignee's decisions go unsigned (no `--identity` key, no key in the agent),
as the run screen's foot and a headless `resume` say it; before, exec said nothing, and only the report and `journal
verify` told, after the night. A dry run decides nothing for real and says nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from runbook_tui import cli

RUNBOOK = """\
runbook: 1
id: unsigned
title: Unsigned
sections:
  - id: checks
    title: Checks
    kind: precheck
    steps:
      - {id: one, title: One, run: "true", verify: none}
"""


@pytest.mark.parametrize(("dry_run", "said"), [([], True), (["--dry-run"], False)], ids=["live", "dry run"])
def test_exec_without_a_key_says_its_decisions_go_unsigned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], dry_run: list[str], said: bool
) -> None:
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    (tmp_path / "r.yaml").write_text(RUNBOOK, encoding="utf-8")
    assert cli.main(["exec", str(tmp_path / "r.yaml"), "--solo", "t", "--journal", str(tmp_path / "j.jsonl"), *dry_run]) == 0
    out = capsys.readouterr().out
    line = "decisions unsigned: no --identity key, no agent key: the decisions go unsigned (--identity KEY signs them)"
    assert (line in out.splitlines()) is said, out
    if said:  # with the journal's line, before the first step
        lines = out.splitlines()
        assert lines.index(line) < next(n for n, text in enumerate(lines) if "step_started" in text), out
