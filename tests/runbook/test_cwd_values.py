"""A value inside a step's folder (`cwd: /srv/releases/{{ v }}`) picks the code that runs there.

`cwd: /srv/releases/{{ v }}` with `run: ./migrate.sh` and v = `../../tmp/upload` ran the uploaded migrate.sh (below,
with the step run for real by `exec`): the folder was the runbook's, the value moved it anywhere. So does `make`
(its Makefile), `git` (`.git/config`'s core.fsmonitor) and `python3 -m` (the folder is on its path). A value inside a
folder the runbook names is now one file or folder name, as in a program's path; a `cwd` that is one value alone
(`cwd: "{{ dir }}"`) names the whole folder by a parameter, as the demo's sandbox does, and takes any folder.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_runbook import at, cli_main, only_error

RUNBOOK = """\
runbook: 1
id: releases
title: T
params:
  v: {{type: string, default: "1.2.3"}}
sections:
  - id: main
    steps:
      - id: migrate
        cwd: {cwd}
        run: ./migrate.sh
"""


def _releases(tmp_path: Path) -> tuple[Path, Path]:
    """A releases folder with 1.2.3/migrate.sh, and an upload folder beside it whose migrate.sh makes `pwned`."""
    (tmp_path / "releases" / "1.2.3").mkdir(parents=True)
    (tmp_path / "upload").mkdir()
    for folder, line in ((tmp_path / "releases" / "1.2.3", "echo migrated"), (tmp_path / "upload", f"touch {tmp_path / 'pwned'}")):
        (folder / "migrate.sh").write_text(f"#!/bin/sh\n{line}\n")
        (folder / "migrate.sh").chmod(0o755)
    return tmp_path / "releases", tmp_path / "pwned"


@pytest.mark.parametrize("value", ["../upload", "../../releases/../upload", "/tmp", ".."])
def test_a_value_moving_the_folder_is_refused_at_the_value(write_runbook: Callable[..., Path], tmp_path: Path, value: str) -> None:
    releases, _ = _releases(tmp_path)
    path = write_runbook(RUNBOOK.format(cwd=f"{releases}/{{{{ v }}}}"))
    found = only_error(path, {"v": value})
    assert "a value inside the step's folder (cwd) picks the code that runs there" in found.message
    assert at(found) == (10, 14 + len(str(releases)) + 1)


def test_exec_runs_nothing_from_the_upload_and_one_name_runs(write_runbook: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    releases, pwned = _releases(tmp_path)
    path = write_runbook(RUNBOOK.format(cwd=f"{releases}/{{{{ v }}}}"))
    assert cli_main(["exec", str(path), "-p", "v=../upload", "--solo", "t", "--journal", str(tmp_path / "j1.jsonl")]) == 2
    assert "picks the code that runs there" in capsys.readouterr().err
    assert not pwned.exists()
    assert cli_main(["exec", str(path), "--solo", "t", "--journal", str(tmp_path / "j2.jsonl")]) == 0
    assert "migrated" in capsys.readouterr().out


def test_a_folder_that_is_one_value_takes_any_folder(write_runbook: Callable[..., Path], tmp_path: Path) -> None:
    releases, _ = _releases(tmp_path)
    path = write_runbook(RUNBOOK.format(cwd='"{{ v }}"'))
    assert cli_main(["validate", str(path), "-p", f"v={releases / '1.2.3'}"]) == 0
