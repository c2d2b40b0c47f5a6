"""`journal verify` refuses a metric reading copied into a journal or cut out of it, its hashes recomputed.

Each `metric_sample` carries `reading`, its number among its panel's readings (0, 1, 2 ... since the process began
writing), as each `output` carries `chunk`. Before: readings were not numbered, and a copied reading (a spike made to
last: what a guard's trip, the report's chart and practice's panels read) or one cut out (a spike hidden) verified
`intact`. A real `exec` reading the test exporter.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from metrics_helpers import metrics_runbook
from peers import GAUGE, Exporter

from runbook_tui import cli
from tests.engine.test_journal_sequence import rewritten, verified

STEPS = """
    - id: impl
      kind: implement
      steps:
        - {id: slow, run: "sleep 1.5", verify: none}
    """


@pytest.fixture
def honest(tmp_path: Path, write_runbook: Callable[[str], Path]) -> list[dict[str, Any]]:
    exporter = Exporter()
    try:
        panels = f"- {{id: v, query: '{GAUGE}{{service=\"api\"}}'}}"
        runbook = write_runbook(metrics_runbook(f'scrape: {{url: "{exporter.url}"}}', panels=panels, sections=STEPS, interval="0.2s"))
        went = subprocess.run(
            [sys.executable, "-m", "runbook_tui", "exec", str(runbook), "--solo", "readings", "--journal", "j.jsonl"],
            cwd=tmp_path, capture_output=True, text=True, timeout=90, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    finally:
        exporter.stop()
    assert went.returncode == 0, went.stdout + went.stderr
    return [json.loads(line) for line in (tmp_path / "j.jsonl").read_text().splitlines()]


def test_each_panel_s_readings_are_numbered_and_the_honest_journal_verifies(
    honest: list[dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    readings = [e["reading"] for e in honest if e["type"] == "metric_sample" and e["panel"] == "v"]
    assert len(readings) >= 3 and readings == list(range(len(readings))), readings
    code, out = verified(capsys, tmp_path / "j.jsonl")
    assert code == 0 and ": intact: " in out, out


@pytest.mark.forged_sequence
def test_a_reading_copied_or_cut_out_is_refused_naming_its_line(honest: list[dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    samples = [i for i, e in enumerate(honest) if e["type"] == "metric_sample" and e["panel"] == "v"]
    at = samples[1]
    code, out = verified(capsys, rewritten(tmp_path / "copied.jsonl", honest[: at + 1] + [honest[at]] + honest[at + 1 :]))
    assert code == 1, out
    assert f"copied.jsonl: line {at + 2}: metric_sample of panel 'v' is reading 1 where reading 2 was next: it repeats an earlier reading" in out, out
    assert cli.main(["report", str(tmp_path / "copied.jsonl")]) == 2  # the readers refuse it as verify does
    capsys.readouterr()
    code, out = verified(capsys, rewritten(tmp_path / "cut.jsonl", honest[:at] + honest[at + 1 :]))
    assert code == 1, out
    assert (
        f"cut.jsonl: line {at + 1}: metric_sample of panel 'v' is reading 2 where reading 1 was next: it comes after readings that are not in the journal"
        in out
    ), out
