"""Two variables that pick what runs: `RSYNC_CONNECT_PROG` (rsync runs its text through a shell instead of connecting
to an `rsync://` daemon) and `CDPATH` (where `cd rel` looks first: `cd rel && ./migrate.sh` runs the script of the folder
it names, in dash and bash, even with a `rel` in the current folder).

`RSYNC_CONNECT_PROG="{{ x }}" rsync rsync://h/m` with x = `touch F; true`, and `CDPATH="{{ x }}"` with x =
`/tmp/upload` before `cd rel && ./x`, validated and ran the value or the folder's script (below, for real). Now the
first is refused as GIT_SSH_COMMAND is (at validate; through `env:` even a plain word), and CDPATH takes one file or
folder name, as HOME and PYTHONPATH do.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from shell_holes import RUNBOOK, refused_at_the_value

from runbook_tui.runbook.shell_environment import environment_refusal
from runbook_tui.runbook.templating import TemplateError, render_command

CONNECT = 'RSYNC_CONNECT_PROG="{{ x }}" rsync -a rsync://backup/m/ /srv/restore/'
CD = 'export CDPATH="{{ x }}"; cd releases && ./migrate.sh'


def test_a_value_rsync_runs_as_its_connection_is_refused(write_runbook: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    refused_at_the_value(write_runbook(RUNBOOK.format(run=CONNECT)), CONNECT, capsys, "whose text rsync runs as a shell command")
    refused = environment_refusal("rsync -a rsync://backup/m/ /srv/restore/", [("RSYNC_CONNECT_PROG", "prog")])
    assert refused is not None and refused.startswith("env RSYNC_CONNECT_PROG: "), refused


def test_cdpath_takes_one_folder_name() -> None:
    with pytest.raises(TemplateError, match="expected one file or folder name"):
        render_command(CD, {"x": "/tmp/upload"})
    assert [v for _, v in render_command(CD, {"x": "app-2"}).env] == ["app-2"]


def test_the_holes_were_real(tmp_path: Path) -> None:
    made = tmp_path / "made"
    subprocess.run(
        ["sh", "-c", CONNECT.replace("{{ x }}", "$V")],
        cwd=tmp_path,
        env={**os.environ, "V": f"touch {made}; true"},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
    )
    assert made.exists()
    made.unlink()
    (tmp_path / "upload" / "releases").mkdir(parents=True)
    (tmp_path / "releases").mkdir()
    script = tmp_path / "upload" / "releases" / "migrate.sh"
    script.write_text(f"#!/bin/sh\ntouch {made}\n")
    script.chmod(0o755)
    for shell in ("sh", "bash"):
        subprocess.run(
            [shell, "-c", CD.replace("{{ x }}", "$V")], cwd=tmp_path, env={**os.environ, "V": str(tmp_path / "upload")}, capture_output=True, timeout=60
        )
        assert made.exists(), shell
        made.unlink()
