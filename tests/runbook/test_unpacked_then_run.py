"""A value in the archive a command unpacks, then run from where it unpacked: `tar -xzf /srv/releases/{{ v }}.tgz -C d
&& d/migrate.sh`, `unzip /srv/releases/{{ v }}.zip -d d && sh d/migrate.sh`.

A copy or a link of a release held such a value to one name (session 37), but an archive did not: `runbook-tui exec` of
each shape below with v = `../upload` validated, unpacked /srv/upload.tgz and ran the uploaded `migrate.sh` (below,
with the real tar and unzip). The archive picks the files the folder gets, so the value is one file or folder name now;
an archive nothing runs from (a restore, a listing, one being made) takes any value.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_runbook import held_to_one_name, ran_uploaded, releases

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


@pytest.mark.parametrize("template", SHAPES)
def test_the_uploaded_program_ran(template: str, tmp_path: Path) -> None:
    releases(tmp_path / "srv", tmp_path / "F")
    ran_uploaded(template, tmp_path / "srv", tmp_path / "F")


@pytest.mark.parametrize("template", SHAPES)
def test_a_value_picking_the_archive_is_one_name(template: str) -> None:
    held_to_one_name(template, "1.2.3", ("../upload", "/tmp/upload"))


def test_exec_refuses_the_upload_and_runs_the_release(tmp_path: Path, write_runbook: Callable[..., Path]) -> None:
    srv, marker = tmp_path / "srv", tmp_path / "F"
    releases(srv, marker)
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
