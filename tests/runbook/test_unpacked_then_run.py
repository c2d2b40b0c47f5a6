"""A value in the archive a command unpacks, then run from where it unpacked: `tar -xzf /srv/releases/{{ v }}.tgz -C d
&& d/migrate.sh`, `unzip /srv/releases/{{ v }}.zip -d d && sh d/migrate.sh`.

A copy or a link of a release held such a value to one name (session 37), but an archive did not: `runbook-tui exec` of
each shape below with v = `../upload` validated, unpacked /srv/upload.tgz and ran the uploaded `migrate.sh` (below,
with the real tar and unzip). The archive picks the files the folder gets, so the value is one file or folder name now;
an archive nothing runs from (a restore, a listing, one being made) takes any value.
"""

from __future__ import annotations

import os
import subprocess
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_runbook import held_to_one_name

from runbook_tui.cli import main as cli_main
from runbook_tui.runbook.templating import render_command

SHAPES = [
    "tar -xzf /srv/releases/{{ x }}.tgz -C d && d/migrate.sh",
    "tar -xf /srv/releases/{{ x }}.tar -C d && sh d/migrate.sh",
    "tar xzf /srv/releases/{{ x }}.tgz --directory=/srv/bin && /srv/bin/migrate.sh",
    "tar -C d -x -z -f /srv/releases/{{ x }}.tgz && cd d && ./migrate.sh",
    "tar --extract --file=/srv/releases/{{ x }}.tar && sh migrate.sh",
    "unzip -o /srv/releases/{{ x }}.zip -d d && sh d/migrate.sh",
    "unzip -qo /srv/releases/{{ x }}.zip && ./migrate.sh",
]


def _releases(root: Path, marker: Path) -> None:
    """/srv/releases/1.2.3.{tgz,tar,zip} hold a migrate.sh that prints; /srv/upload.* hold one touching `marker`."""
    for folder in ("releases", "bin", "work", "work/d"):
        (root / folder).mkdir(parents=True)
    for stem, body in (("releases/1.2.3", "echo migrated"), ("upload", f"touch {marker}")):
        script = root / "migrate.sh"
        script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
        script.chmod(0o755)
        for suffix, mode in ((".tgz", "w:gz"), (".tar", "w")):
            with tarfile.open(root / f"{stem}{suffix}", mode) as archive:
                archive.add(script, "migrate.sh")
        with zipfile.ZipFile(root / f"{stem}.zip", "w") as archive:
            archive.write(script, "migrate.sh")
        script.unlink()


@pytest.mark.parametrize("template", SHAPES)
def test_the_uploaded_program_ran(template: str, tmp_path: Path) -> None:
    _releases(tmp_path / "srv", tmp_path / "F")
    script = template.replace("/srv", str(tmp_path / "srv")).replace("{{ x }}", "$V")
    done = subprocess.run(["sh", "-c", script], cwd=tmp_path / "srv/work", env={**os.environ, "V": "../upload"}, capture_output=True, timeout=60)
    assert (tmp_path / "F").exists(), (template, done.stderr)


@pytest.mark.parametrize("template", SHAPES)
def test_a_value_picking_the_archive_is_one_name(template: str) -> None:
    held_to_one_name(template, "1.2.3", ("../upload", "/tmp/upload"))


def test_exec_refuses_the_upload_and_runs_the_release(tmp_path: Path, write_runbook: Callable[..., Path]) -> None:
    srv, marker = tmp_path / "srv", tmp_path / "F"
    _releases(srv, marker)
    run = f"tar -xzf {srv}/releases/{{{{ v }}}}.tgz -C d && d/migrate.sh > {tmp_path}/out"
    path = write_runbook(
        f"""\
        runbook: 1
        id: unpack
        title: T
        params:
          v: {{type: string}}
        sections:
          - id: main
            steps:
              - id: one
                cwd: {srv}/work
                run: {run}
        """
    )
    journal = str(tmp_path / "j.jsonl")
    assert cli_main(["exec", str(path), "-p", "v=../upload", "--solo", "t", "--journal", journal]) == 2
    assert not marker.exists()
    assert cli_main(["exec", str(path), "-p", "v=1.2.3", "--solo", "t", "--journal", str(tmp_path / "j2.jsonl")]) == 0
    assert (tmp_path / "out").read_text() == "migrated\n"


@pytest.mark.parametrize(
    "template",
    [
        "tar -xzf /srv/backups/{{ x }} -C /srv/restore && ls -l /srv/restore",
        "tar -tzf /srv/backups/{{ x }} && ./check.sh",
        "tar -czf /srv/backups/{{ x }}.tgz /etc/app && ./notify.sh",
        "unzip -l /srv/backups/{{ x }} && ./check.sh",
    ],
)
def test_an_archive_nothing_runs_from_takes_any_value(template: str) -> None:
    value = "2026/12/../app; $(c).tgz"
    assert [v for _, v in render_command(template, {"x": value}).env] == [value], template
