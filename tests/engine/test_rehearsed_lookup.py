"""A run finds the rehearsal of its runbook among the journals by their names, newest first (`app/rehearsed.py`).

Journals are named `{id}-{when}Z.jsonl` with the id cut to 200 characters (`settings.default_journal_path`); the
lookup looked for the whole id, so a runbook whose id is longer never had its rehearsed rollback time shown (the
header's "rollback must start by", `session_started`'s `rehearsed`). It read the folder with a `glob`, which compiled a
pattern at every run's start, before the first frame (bench/README, paint37): the names are now told by their ends.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from runbook_tui.app.rehearsed import rehearsed_rollback
from runbook_tui.app.settings import JOURNAL_ID_CHARS

RUNBOOK = """\
runbook: 1
id: {id}
title: Rehearsed
sections:
  - id: change
    title: Change
    kind: implement
    steps:
      - {{id: edit, title: Edit, run: "touch edited", undo: "rm -f edited", checkpoint: true}}
"""


def _rehearsed(tmp_path: Path, runbook_id: str) -> tuple[Path, str]:
    """The journals folder after one `rehearse` of a runbook of that id, and the runbook's digest."""
    (tmp_path / "r.yaml").write_text(RUNBOOK.format(id=runbook_id))
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CONFIG_HOME": str(tmp_path / "config"), "RUNBOOK_TUI_USER": "alice"}
    env.pop("RUNBOOK_TUI_SETTINGS", None)
    done = subprocess.run(
        [sys.executable, "-m", "runbook_tui", "rehearse", "r.yaml", "--yes"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    journals = tmp_path / "state" / "runbook-tui" / "journals"
    (journal,) = journals.iterdir()
    return journals, json.loads(journal.read_text().splitlines()[0])["digest"]


@pytest.mark.parametrize("length", [20, JOURNAL_ID_CHARS, JOURNAL_ID_CHARS + 50])
def test_the_rehearsal_of_a_runbook_is_found_whatever_the_length_of_its_id(tmp_path: Path, length: int) -> None:
    runbook_id = ("rollout-" * 40)[: length - 1] + "x"
    journals, digest = _rehearsed(tmp_path, runbook_id)
    found = rehearsed_rollback(journals, runbook_id, digest)
    assert found is not None, f"the rehearsal of a runbook with a {length}-character id was not found"
    assert found["scope"] == "full" and found["seconds"] >= 0 and Path(found["journal"]).parent == journals


def test_the_newest_readable_rehearsal_is_taken_and_other_names_are_not(tmp_path: Path) -> None:
    journals, digest = _rehearsed(tmp_path, "deploy")
    (rehearsal,) = journals.iterdir()
    older = journals / "deploy-20200101T000000.000000Z.jsonl"
    shutil.copy(rehearsal, older)
    os.utime(older, (1_000_000_000, 1_000_000_000))
    os.utime(rehearsal, (1_100_000_000, 1_100_000_000))
    (journals / "deploy-20300101T000000.000000Z.jsonl").write_text("not a journal\n")  # the newest: read, and passed over
    (journals / "deploy-20300101T000001.000000Z.jsonl").mkdir()  # a folder named as a journal: passed over
    for other in ("deploy.jsonl", "deploy-x.jsonl.bak", "predeploy-1.jsonl"):  # not this runbook's journals' names
        shutil.copy(rehearsal, journals / other)
        os.utime(journals / other, (1_200_000_000, 1_200_000_000))
    found = rehearsed_rollback(journals, "deploy", digest)
    assert found is not None and found["journal"] == str(rehearsal), found
    rehearsal.unlink()
    found = rehearsed_rollback(journals, "deploy", digest)
    assert found is not None and found["journal"] == str(older), found
    assert rehearsed_rollback(journals, "deploy", "another digest") is None
    assert rehearsed_rollback(tmp_path / "no such folder", "deploy", digest) is None


LOOKED_UP = """
import re, sys
from pathlib import Path
from runbook_tui.app.rehearsed import rehearsed_rollback
before = len(re._cache)
rehearsed_rollback(Path(sys.argv[1]), "deploy", "digest")
print(len(re._cache) - before)
"""


def test_the_lookup_compiles_no_pattern(tmp_path: Path) -> None:
    (tmp_path / "deploy-20300101T000000.000000Z.jsonl").write_text("{}\n")
    done = subprocess.run([sys.executable, "-c", LOOKED_UP, str(tmp_path)], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0"], "the journals were looked up with a pattern compiled for it"
